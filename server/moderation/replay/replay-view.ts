// Everything the moderator's replay page needs of one attempt, in one response: who and what, the
// call with its recording, and every call event, desktop action, bookmark, print-out and message
// placed on the RECORDING's time axis, so the page can draw them under the waveform and seek to them.
//
// The axis: t=0 is the recorder's own stamp (calls.recording_started_at, the server's wall clock
// when the recording's first sample was placed). The recorder puts every RTP packet where the
// server's wall clock says it belongs and keeps each leg within 30 ms of that clock
// (media/recording/leg-relay.ts, DRIFT_MAX), and call events and desktop actions are stamped by the
// same server clock when they happen / arrive. So offset = event.at − recordingStartedAt, good to
// about ±30 ms for call events; a desktop action is stamped when it reaches the server, so it may sit
// up to its network delay after the click (its desktop clock stamp, clientAt, is kept beside it).
import { holdMarksFromCall, holdMarksFromTimeline, holdSegments, HOLD_LIMIT_MS, type HoldMark } from '../../assessment/holds.js';
import { scenarioForAttemptKey } from '../../assessment/scenario-loader.js';
import type { Attempt } from '../../db/repositories/attempts.js';
import type { CallRecord } from '../../db/repositories/calls.js';
import type { Repositories } from '../../db/repositories/index.js';
import { summarisePrintout } from '../../api/printout-routes.js';
import type { HoldRegion, ReplayAlignment, ReplayCall, ReplayEvent, ReplayView, Person } from '../../protocol/moderation.js';
import { findAttemptCall } from '../../sittings/attempt-call.js';
import { person as personOf } from '../../sittings/views.js';
import { attemptCalls } from '../attempt-calls.js';
import { finalStateView } from './final-state.js';

/** ± ms between an event's place on the axis and the audio (see the top of this file). */
export const ALIGNMENT_TOLERANCE_MS = 30;

export class UnknownCallError extends Error {}

function alignment(call: CallRecord): ReplayAlignment {
  if (call.recordingStartedAt !== null) {
    return {
      originAt: call.recordingStartedAt,
      originSource: 'recording',
      toleranceMs: ALIGNMENT_TOLERANCE_MS,
      note: `Events and audio share the server clock: t=0 is the recorder's own start stamp; alignment ±${ALIGNMENT_TOLERANCE_MS} ms (desktop actions are stamped on arrival, so each may also lag its click by the network delay).`,
    };
  }
  const answer = call.answeredAt !== null;
  return {
    originAt: call.answeredAt ?? call.invitedAt,
    originSource: answer ? 'answer' : 'invite',
    toleranceMs: ALIGNMENT_TOLERANCE_MS,
    note: `There is no recording start stamp: times are measured from the call's ${answer ? 'answer' : 'invitation'} on the server clock.`,
  };
}

/** Which leg of the call is the candidate's. */
const candidateLegOf = (call: CallRecord): 'caller' | 'callee' => (call.candidateUserId !== null && call.candidateUserId === call.callerUserId ? 'caller' : 'callee');

function replayCall(call: CallRecord): ReplayCall {
  const recorded = call.recordingPath !== null && call.recordingStatus !== 'recording' && call.recordingStatus !== 'failed';
  return {
    id: call.id,
    invitedAt: call.invitedAt,
    ringingAt: call.ringingAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    endReason: call.endReason,
    recordingStartedAt: call.recordingStartedAt,
    recording: recorded
      ? {
          url: `/api/calls/${call.id}/recording`,
          peaksUrl: `/api/calls/${call.id}/peaks`,
          status: call.recordingStatus,
          durationMs: call.recordingDurationMs,
          sha256: call.recordingSha256,
          bytes: call.recordingBytes,
        }
      : null,
    channels: { left: 'candidate', right: candidateLegOf(call) === 'caller' ? 'the person called' : 'the caller' },
    alignment: alignment(call),
  };
}

export function replayView(repos: Repositories, attempt: Attempt, now: number, callId?: string): ReplayView {
  const person = (id: number | null): Person | null => personOf(repos, id);
  const scenario = scenarioForAttemptKey(attempt.scenarioKey);
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  const calls = attemptCalls(repos, attempt);
  let call: CallRecord | undefined;
  if (callId !== undefined) {
    call = calls.find((c) => c.id === callId.toLowerCase());
    if (!call) throw new UnknownCallError(`Call ${callId} is not a call of this attempt.`);
  } else {
    call = findAttemptCall(repos, attempt) ?? calls[calls.length - 1];
  }
  const origin = call ? alignment(call).originAt : attempt.createdAt;
  const axis = (at: number) => at - origin;

  const events: ReplayEvent[] = [];
  const callEvents = call ? repos.calls.events(call.id) : [];
  const candidateLeg = call ? candidateLegOf(call) : null;
  for (const e of callEvents) {
    events.push({ id: `call-${e.id}`, source: 'call', type: e.type, at: e.at, offsetMs: axis(e.at), leg: e.leg, byCandidate: e.leg !== null && e.leg === candidateLeg, payload: e.detail ?? {} });
  }
  const timeline = repos.attemptEvents.list(attempt.id);
  for (const e of timeline) {
    events.push({ id: `desktop-${e.seq}`, source: 'desktop', type: e.type, at: e.at, offsetMs: axis(e.at), seq: e.seq, clientAt: e.clientAt, payload: e.payload });
  }
  const bookmarks = repos.attemptBookmarks.forAttempt(attempt.id).map((b) => ({
    id: b.id,
    at: b.at,
    offsetMs: axis(b.at),
    note: b.note,
    cueId: b.cueId,
    by: person(b.createdBy)!,
  }));
  for (const b of bookmarks) events.push({ id: `bookmark-${b.id}`, source: 'bookmark', type: 'bookmark', at: b.at, offsetMs: b.offsetMs, payload: { note: b.note, cueId: b.cueId, by: b.by.name } });
  const order = { call: 0, desktop: 1, bookmark: 2 } as const;
  events.sort((a, b) => a.at - b.at || order[a.source] - order[b.source] || a.id.localeCompare(b.id));

  // Holds: the call's own hold/resume (the candidate's leg) are the truth; the desktop's hold
  // actions stand in only when the call has none (e.g. a call with no events stored).
  const regions = (marks: readonly HoldMark[], asOf: number, source: HoldRegion['source']): HoldRegion[] =>
    holdSegments(marks, asOf).map((s) => {
      const lengthMs = s.durationMs ?? asOf - s.start;
      return { startMs: axis(s.start), endMs: axis(s.end ?? asOf), lengthMs, over60: lengthMs > HOLD_LIMIT_MS, endedBy: s.endedBy, source };
    });
  let holds: HoldRegion[] = [];
  if (call) {
    const facts = { ringingAt: call.ringingAt, answeredAt: call.answeredAt, endedAt: call.endedAt, events: callEvents.map((e) => ({ at: e.at, type: e.type, leg: e.leg })), candidateLeg };
    holds = regions(holdMarksFromCall(facts), call.endedAt ?? now, 'call');
  }
  if (holds.length === 0) holds = regions(holdMarksFromTimeline(timeline), call?.endedAt ?? attempt.closedAt ?? now, 'desktop');

  const messages = repos.crm
    .listMessages(attempt.id)
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
    .map((m) => ({
      id: m.id,
      direction: m.direction,
      channel: m.channel,
      from: m.from,
      to: m.to,
      cc: m.cc,
      subject: m.subject,
      body: m.body,
      templateKey: m.templateKey,
      attachments: m.attachments.map((a) => ({ kind: a.kind, name: a.name })),
      createdAt: m.createdAt,
      folder: m.folder,
      filedAt: m.filedAt,
      inReplyTo: m.inReplyTo,
      offsetMs: m.origin === 'attempt' ? axis(m.createdAt) : null,
    }));

  return {
    attempt: {
      id: attempt.id,
      scenarioKey: attempt.scenarioKey,
      title: scenario?.title ?? attempt.scenarioKey,
      status: attempt.status,
      createdAt: attempt.createdAt,
      closedAt: attempt.closedAt,
      markedAt: attempt.markedAt,
      position: attempt.position,
      variant: attempt.variant,
      retakeOf: attempt.retakeOf,
    },
    sitting: sitting ? { id: sitting.id, status: sitting.status, startedAt: sitting.startedAt, endedAt: sitting.endedAt } : null,
    centre: { id: attempt.centreId, name: repos.centres.findById(attempt.centreId)?.name ?? `centre ${attempt.centreId}` },
    candidate: person(attempt.candidateUserId)!,
    assessor: person(attempt.assessorUserId ?? sitting?.assessorUserId ?? null),
    call: call ? replayCall(call) : null,
    calls: calls.map((c) => ({ id: c.id, invitedAt: c.invitedAt, answeredAt: c.answeredAt, hasRecording: c.recordingPath !== null })),
    events,
    holds,
    bookmarks,
    printouts: repos.printouts.list(attempt.id).map((p) => ({ ...summarisePrintout(p), offsetMs: axis(p.createdAt) })),
    messages,
    finalState: scenario ? finalStateView(repos, attempt.id, scenario, repos.moderation.attemptAnonymised(attempt.id)) : null,
  };
}
