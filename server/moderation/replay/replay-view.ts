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
//
// Every timeline event says who recorded it (recordedBy): the server, from the action itself, or
// the candidate's browser (the page says "reported by the candidate's browser"). An identity check
// is described in words by the one identity rule (server/assessment/identity.ts), the same rule
// the check route and the auto-check apply. The timeline is read a page at a time: the view holds
// the first REPLAY_EVENTS_PAGE timeline events and `moreEvents` says where the next page starts
// (GET /api/attempts/:id/replay/events), so a long timeline is never built into one response.
import { holdMarksFromCall, holdMarksFromTimeline, holdSegments, HOLD_LIMIT_MS, type HoldMark } from '../../assessment/holds.js';
import { answersOf, identityOutcome, requiredQuestions } from '../../assessment/identity.js';
import type { Scenario } from '../../assessment/scenario-schema.js';
import type { AttemptEvent } from '../../db/repositories/attempt-events.js';
import { scenarioOfAttempt } from '../../assessment/scenario-loader.js';
import type { Attempt } from '../../db/repositories/attempts.js';
import type { CallLeg, CallRecord } from '../../db/repositories/calls.js';
import type { Repositories } from '../../db/repositories/index.js';
import { summarisePrintout } from '../../printouts/summary.js';
import { replayOrder, type HoldRegion, type ReplayAlignment, type ReplayCall, type ReplayEvent, type ReplayEventsPage, type ReplayView, type Person } from '../../protocol/moderation.js';
import { findAttemptCall } from '../../sittings/attempt-call.js';
import { person as personOf } from '../../sittings/views.js';
import { attemptCalls } from '../attempt-calls.js';
import { finalStateView } from './final-state.js';

/** ± ms between an event's place on the axis and the audio (see the top of this file). */
export const ALIGNMENT_TOLERANCE_MS = 30;

/** Timeline events per page of the replay. */
export const REPLAY_EVENTS_PAGE = 1000;

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

function replayCall(call: CallRecord, candidateLeg: CallLeg | null): ReplayCall {
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
    channels: { left: 'candidate', right: candidateLeg === 'caller' ? 'the person called' : 'the caller' },
    alignment: alignment(call),
  };
}

/** The call the replay shows: the one asked for, else the attempt's call, else its latest. */
function chosenCall(repos: Repositories, attempt: Attempt, calls: readonly CallRecord[], callId: string | undefined): CallRecord | undefined {
  if (callId === undefined) return findAttemptCall(repos, attempt) ?? calls[calls.length - 1];
  const call = calls.find((c) => c.id === callId.toLowerCase());
  if (!call) throw new UnknownCallError(`Call ${callId} is not a call of this attempt.`);
  return call;
}

/** An identity check in words, by the one rule (see the top of this file); undefined for other events. */
export function identitySummary(e: Pick<AttemptEvent, 'type' | 'payload'>, scenario: Scenario | undefined): string | undefined {
  if (e.type !== 'identity-check') return undefined;
  const answers = answersOf(e.payload);
  if (!answers) return typeof e.payload.passed === 'boolean' ? (e.payload.passed ? 'verified' : 'not verified') : undefined;
  const onRecord = Array.isArray(e.payload.questions) ? answers.length : Number.MAX_SAFE_INTEGER;
  return identityOutcome(answers, requiredQuestions(scenario?.answerKey.identity.minFactors, onRecord)).summary;
}

/**
 * One page of the attempt's timeline as replay events on the call's axis. A server entry that
 * repeats a call event of the call shown (it carries callEventId) is left out: that call event is
 * listed already, from the call's own timeline.
 */
function timelinePage(repos: Repositories, attempt: Attempt, call: CallRecord | undefined, scenario: Scenario | undefined, afterSeq: number, limit: number): { events: ReplayEvent[]; nextAfterSeq: number | null } {
  const origin = call ? alignment(call).originAt : attempt.createdAt;
  const page = repos.attemptEvents.list(attempt.id, { afterSeq, limit: limit + 1 });
  const more = page.length > limit;
  const rows = more ? page.slice(0, limit) : page;
  const events: ReplayEvent[] = [];
  for (const e of rows) {
    if (call && e.callId === call.id && typeof e.payload.callEventId === 'number') continue;
    const summary = identitySummary(e, scenario);
    events.push({
      id: `desktop-${e.seq}`,
      source: 'desktop',
      recordedBy: e.source,
      type: e.type,
      at: e.at,
      offsetMs: e.at - origin,
      seq: e.seq,
      clientAt: e.clientAt,
      payload: e.payload,
      ...(summary ? { summary } : {}),
    });
  }
  return { events, nextAfterSeq: more ? rows[rows.length - 1]!.seq : null };
}

/** GET /api/attempts/:id/replay/events: the timeline page after `afterSeq`, on the same axis as the view. */
export function replayEventsPage(repos: Repositories, attempt: Attempt, callId: string | undefined, afterSeq: number, limit = REPLAY_EVENTS_PAGE): ReplayEventsPage {
  const call = chosenCall(repos, attempt, attemptCalls(repos, attempt), callId);
  return timelinePage(repos, attempt, call, scenarioOfAttempt(attempt), afterSeq, limit);
}

export function replayView(repos: Repositories, attempt: Attempt, now: number, callId?: string, pageSize = REPLAY_EVENTS_PAGE): ReplayView {
  const person = (id: number | null): Person | null => personOf(repos, id);
  const scenario = scenarioOfAttempt(attempt);
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  const calls = attemptCalls(repos, attempt);
  const call = chosenCall(repos, attempt, calls, callId);
  const origin = call ? alignment(call).originAt : attempt.createdAt;
  const axis = (at: number) => at - origin;

  const events: ReplayEvent[] = [];
  const callEvents = call ? repos.calls.events(call.id) : [];
  const candidateLeg = call ? repos.calls.candidateLeg(call) : null;
  for (const e of callEvents) {
    events.push({ id: `call-${e.id}`, source: 'call', recordedBy: 'server', type: e.type, at: e.at, offsetMs: axis(e.at), leg: e.leg, byCandidate: e.leg !== null && e.leg === candidateLeg, payload: e.detail ?? {} });
  }
  const first = timelinePage(repos, attempt, call, scenario, 0, pageSize);
  events.push(...first.events);
  const bookmarks = repos.attemptBookmarks.forAttempt(attempt.id).map((b) => ({
    id: b.id,
    at: b.at,
    offsetMs: axis(b.at),
    note: b.note,
    cueId: b.cueId,
    by: person(b.createdBy)!,
  }));
  for (const b of bookmarks) events.push({ id: `bookmark-${b.id}`, source: 'bookmark', type: 'bookmark', at: b.at, offsetMs: b.offsetMs, payload: { note: b.note, cueId: b.cueId, by: b.by.name } });
  events.sort(replayOrder);

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
  if (holds.length === 0) {
    // The server's hold entries of the candidate (a call's own events are read above), those of the
    // call shown or of no call: another call's holds are not on this call's axis.
    const timelineHolds = repos.attemptEvents
      .list(attempt.id, { types: ['hold', 'resume'], source: 'server' })
      .filter((e) => e.payload.byCandidate !== false && (e.callId === null || e.callId === call?.id));
    holds = regions(holdMarksFromTimeline(timelineHolds), call?.endedAt ?? attempt.closedAt ?? now, 'desktop');
  }

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
    call: call ? replayCall(call, candidateLeg) : null,
    calls: calls.map((c) => ({ id: c.id, invitedAt: c.invitedAt, answeredAt: c.answeredAt, hasRecording: c.recordingPath !== null })),
    events,
    moreEvents: first.nextAfterSeq === null ? null : { afterSeq: first.nextAfterSeq },
    holds,
    bookmarks,
    printouts: repos.printouts.list(attempt.id).map((p) => ({ ...summarisePrintout(p), offsetMs: axis(p.createdAt) })),
    messages,
    finalState: scenario ? finalStateView(repos, attempt.id, scenario, repos.moderation.attemptAnonymised(attempt.id)) : null,
  };
}
