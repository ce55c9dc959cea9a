// After a crash or kill: calls that were in progress are marked interrupted at once, and their
// partial recordings are kept. The stereo recording is written while the call runs, so it holds the
// call up to the crash; it is hashed only once it has stopped changing (the RTP receiver, or an
// orphaned process of an older recorder, may still be finishing it), so that the hash matches the
// file that stays on disk. A call with added parties (conference, transfer) also leaves their leg
// files ('<recording>.legs/'), which are mixed into the recording now (media finishLegFiles).
//
// A call that had ended, but whose recording was not finalised when the process stopped (a mix of
// added parties waits in a queue; a shutdown gives up after SHUTDOWN_GRACE_MS; a kill can land in
// that moment), has its recording (and any leg files) complete on disk: it is finalised at start-up
// too, and is complete.
import fs from 'node:fs';
import { legsDirOf } from '../../media/index.js';
import type { CallRecord } from '../db/repositories/calls.js';
import type { Repositories } from '../db/repositories/index.js';

export function markInterruptedCalls(repos: Repositories, now: number): CallRecord[] {
  const unfinished = repos.calls.listUnfinished();
  repos.transaction(() => {
    for (const call of unfinished) {
      const hasFile = Boolean(call.recordingPath && (fs.existsSync(call.recordingPath) || fs.existsSync(legsDirOf(call.recordingPath))));
      repos.calls.update(call.id, {
        state: 'interrupted',
        endedAt: now,
        endReason: 'interrupted: the server stopped during the call',
        ...(call.recordingPath ? { recordingStatus: hasFile ? 'partial' : 'failed' } : {}),
      });
      repos.calls.addEvent(call.id, now, 'interrupted', null, { recording: hasFile ? 'partial' : call.recordingPath ? 'lost' : 'none' });
    }
  });
  return unfinished;
}

export interface RecordingFacts {
  sha256: string;
  durationMs: number;
  bytes: number;
}

export interface SettleOptions {
  /** The file counts as finished when it has not changed for this long. */
  settleMs?: number;
  /** Give up waiting after this long and hash what is there. */
  maxWaitMs?: number;
  facts: (file: string) => Promise<RecordingFacts | undefined>;
  /** Mixes the leg files of a recording into it (media finishLegFiles) and returns its facts. */
  finishLegs?: (file: string) => Promise<RecordingFacts>;
  now?: () => number;
}

async function waitUntilSettled(file: string, settleMs: number, maxWaitMs: number, now: () => number): Promise<void> {
  const started = now();
  for (;;) {
    const age = now() - fs.statSync(file).mtimeMs;
    if (age >= settleMs || now() - started >= maxWaitMs) return;
    await new Promise((r) => setTimeout(r, Math.min(500, settleMs - age + 10)));
  }
}

/** Hashes and measures the partial recordings of interrupted calls once each file has settled. */
export async function finaliseInterruptedRecordings(repos: Repositories, calls: CallRecord[], opts: SettleOptions): Promise<number> {
  const now = opts.now ?? Date.now;
  let done = 0;
  for (const call of calls) {
    const file = call.recordingPath;
    if (!file) continue;
    let facts: RecordingFacts | undefined;
    let why = 'the partial recording could not be read after the interruption';
    if (fs.existsSync(legsDirOf(file)) && opts.finishLegs) {
      facts = await opts.finishLegs(file).catch((err: unknown) => {
        why = `the leg files could not be mixed after the interruption: ${err instanceof Error ? err.message : String(err)}`;
        return undefined;
      });
    } else {
      if (!fs.existsSync(file)) continue;
      await waitUntilSettled(file, opts.settleMs ?? 6000, opts.maxWaitMs ?? 20_000, now);
      facts = await opts.facts(file).catch(() => undefined);
    }
    if (facts) {
      repos.calls.update(call.id, { recordingStatus: 'partial', recordingSha256: facts.sha256, recordingDurationMs: facts.durationMs, recordingBytes: facts.bytes });
      repos.calls.addEvent(call.id, now(), 'recording-recovered', null, { durationMs: facts.durationMs, sha256: facts.sha256 });
      done++;
    } else {
      repos.calls.update(call.id, { recordingStatus: 'failed' });
      repos.calls.addEvent(call.id, now(), 'recording-failed', null, { message: why });
    }
  }
  return done;
}

/** Calls that ended before their recording was mixed (state ended, recording still 'recording'). */
export function listUnmixedRecordings(repos: Repositories): CallRecord[] {
  return repos.calls.listRecordingsNotFinalised();
}

/** Mixes the legs of calls that ended before their recording was finalised; returns how many were. */
export async function finaliseEndedRecordings(
  repos: Repositories,
  calls: CallRecord[],
  opts: { finishLegs: (file: string) => Promise<RecordingFacts>; now?: () => number },
): Promise<number> {
  const now = opts.now ?? Date.now;
  let done = 0;
  for (const call of calls) {
    const file = call.recordingPath;
    if (!file) continue;
    try {
      if (!fs.existsSync(legsDirOf(file)) && !fs.existsSync(file)) throw new Error('neither its recording file nor leg files are there');
      const facts = await opts.finishLegs(file);
      repos.calls.update(call.id, { recordingStatus: 'complete', recordingSha256: facts.sha256, recordingDurationMs: facts.durationMs, recordingBytes: facts.bytes });
      repos.calls.addEvent(call.id, now(), 'recording-finished', null, { durationMs: facts.durationMs, sha256: facts.sha256, afterRestart: true });
      done++;
    } catch (err) {
      const message = `the recording was not finalised before the server stopped, and finalising it at start-up failed: ${err instanceof Error ? err.message : String(err)}`;
      repos.calls.update(call.id, { recordingStatus: 'failed' });
      repos.calls.addEvent(call.id, now(), 'recording-failed', null, { message });
    }
  }
  return done;
}
