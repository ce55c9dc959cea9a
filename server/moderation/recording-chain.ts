// Puts a finalised recording into its attempt's hash chain: when a call's recording gets its
// SHA-256 (server/sip/call-recording.ts on a normal end, server/sip/recovery.ts after a crash), an entry
// 'recording-finalised' naming the file's hash is appended to the attempt's desktop timeline in the
// same transaction (CallRepository.onRecordingHashed). Swapping the recording afterwards then shows
// up twice: the file no longer matches calls.recording_sha256, and changing that column no longer
// matches the chain.
import path from 'node:path';
import type { CallRecord } from '../db/repositories/calls.js';
import type { AttemptEvent } from '../db/repositories/attempt-events.js';
import type { Repositories } from '../db/repositories/index.js';
import { RECORDING_CLIENT_ID_PREFIX } from '../hash-chain.js';

export const RECORDING_FINALISED = 'recording-finalised';

/** The client id of the entry: one per call, so a second finalisation (recovery) adds nothing. */
export const recordingClientId = (callId: string): string => `${RECORDING_CLIENT_ID_PREFIX}${callId}`;

export function chainRecording(repos: Pick<Repositories, 'attemptEvents'>, call: CallRecord, now: number): AttemptEvent | undefined {
  if (!call.recordingSha256) return undefined;
  const attemptId = repos.attemptEvents.attemptForCall(call);
  if (!attemptId) return undefined;
  const { event } = repos.attemptEvents.append(attemptId, recordingClientId(call.id), {
    at: now,
    clientAt: null,
    callId: call.id,
    offsetMs: call.answeredAt !== null ? now - call.answeredAt : null,
    type: RECORDING_FINALISED,
    source: 'server',
    payload: {
      callId: call.id,
      file: call.recordingPath ? path.basename(call.recordingPath) : null,
      sha256: call.recordingSha256,
      bytes: call.recordingBytes,
      durationMs: call.recordingDurationMs,
      status: call.recordingStatus,
    },
  });
  return event;
}

/** Registers the hook: every recording hash stored from now on is chained (see file comment). */
export function chainRecordingsOnFinalise(repos: Pick<Repositories, 'calls' | 'attemptEvents'>, now: () => number): void {
  repos.calls.onRecordingHashed((call) => {
    chainRecording(repos, call, now());
  });
}
