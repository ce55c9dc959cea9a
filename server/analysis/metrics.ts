// Call metrics of an attempt, from what is stored: the call record and its events (answer, holds,
// end), the recording's analysis (talk per party, silence, overtalk) and the desktop timeline
// (wrap-up). Pure: the route gathers the inputs.
//
// Definitions (per call):
//   timeToAnswerMs  answered − ringing (the candidate's phone rang; offered if no ringing was stored)
//   talk / silence / overtalk   from the recording's voice activity (left = candidate)
//   holds           the candidate's hold segments (server/assessment/holds.ts), each also as an
//                   offset into the recording so the player can mark the region
//   wrapUpMs        call end → the candidate's first 'wrap-up' after it, as the server recorded it
//                   (0 when wrapped up during the call; null when there was none)
//   handleTimeMs    answered → ended, plus wrap-up (talk + hold + after-call work)
import { holdMarksFromCall, holdSegments } from '../assessment/holds.js';
import type { AttemptEvent } from '../db/repositories/attempt-events.js';
import type { CallEvent, CallLeg, CallRecord } from '../db/repositories/calls.js';
import type { StoredAnalysis } from '../db/repositories/recording-analysis.js';
import type { AttemptMetrics, CallMetrics, HoldMetric } from '../protocol/moderation.js';

/** What of an attempt's timeline the metrics read: the server's wrap-ups (callers read only these). */
export const METRICS_TIMELINE = { types: ['wrap-up'], source: 'server' } as const;

export interface CallInput {
  call: CallRecord;
  events: readonly CallEvent[];
  analysis: StoredAnalysis | undefined;
  /** The candidate's leg (CallRepository.candidateLeg), null for a call without a candidate. */
  candidateLeg: CallLeg | null;
}

function callMetrics(input: CallInput, timeline: readonly AttemptEvent[], nextCallAt: number | null, asOf: number): CallMetrics {
  const { call, events, analysis, candidateLeg } = input;
  const segs = holdSegments(holdMarksFromCall({ invitedAt: call.invitedAt, ringingAt: call.ringingAt, answeredAt: call.answeredAt, endedAt: call.endedAt, events, candidateLeg }), asOf);
  const origin = call.recordingStartedAt ?? call.answeredAt;
  const holds = segs.map((s): HoldMetric => ({
    start: s.start,
    end: s.end,
    durationMs: s.durationMs,
    fromMs: origin === null ? null : Math.max(0, s.start - origin),
    toMs: origin === null || s.end === null ? null : Math.max(0, s.end - origin),
    endedBy: s.endedBy,
  }));
  const durations = holds.map((h) => h.durationMs ?? 0);
  let wrapUpMs: number | null = null;
  if (call.endedAt !== null && call.answeredAt !== null) {
    // The wrap-up of this call: linked to it, or made after it ended and before the next call.
    const wrap = timeline.find(
      (e) => e.type === 'wrap-up' && e.source === 'server' && (e.callId === call.id || (e.at >= call.endedAt! && (nextCallAt === null || e.at < nextCallAt))),
    );
    if (wrap) wrapUpMs = Math.max(0, wrap.at - call.endedAt);
  }
  const done = analysis?.status === 'done' ? analysis : undefined;
  return {
    callId: call.id,
    answered: call.answeredAt !== null,
    timeToAnswerMs: call.answeredAt === null ? null : call.answeredAt - (call.ringingAt ?? call.invitedAt),
    candidateTalkMs: done?.leftTalkMs ?? null,
    otherTalkMs: done?.rightTalkMs ?? null,
    silenceMs: done?.silenceMs ?? null,
    overtalkMs: done?.overtalkMs ?? null,
    holdCount: holds.length,
    longestHoldMs: holds.length ? Math.max(...durations) : null,
    totalHoldMs: durations.reduce((a, b) => a + b, 0),
    holds,
    handleTimeMs: call.answeredAt === null || call.endedAt === null ? null : call.endedAt - call.answeredAt + (wrapUpMs ?? 0),
    wrapUpMs,
    analysis: {
      status: !call.recordingPath || call.recordingStatus === 'failed' ? 'no-recording' : analysis ? analysis.status : 'pending',
      error: analysis?.error ?? null,
      durationMs: done?.durationMs ?? null,
    },
  };
}

const sumOrNull = (xs: Array<number | null>): number | null => (xs.length && xs.every((x) => x !== null) ? xs.reduce<number>((a, b) => a + b, 0) : null);

export function attemptMetrics(attemptId: string, calls: readonly CallInput[], timeline: readonly AttemptEvent[], asOf: number): AttemptMetrics {
  const sorted = [...calls].sort((a, b) => a.call.invitedAt - b.call.invitedAt);
  const metrics = sorted.map((c, i) => callMetrics(c, timeline, sorted[i + 1]?.call.invitedAt ?? null, asOf));
  const answered = metrics.filter((m) => m.answered);
  const longest = metrics.map((m) => m.longestHoldMs).filter((x): x is number => x !== null);
  return {
    attemptId,
    calls: metrics,
    totals: {
      calls: metrics.length,
      candidateTalkMs: sumOrNull(answered.map((m) => m.candidateTalkMs)),
      otherTalkMs: sumOrNull(answered.map((m) => m.otherTalkMs)),
      silenceMs: sumOrNull(answered.map((m) => m.silenceMs)),
      overtalkMs: sumOrNull(answered.map((m) => m.overtalkMs)),
      holdCount: metrics.reduce((n, m) => n + m.holdCount, 0),
      longestHoldMs: longest.length ? Math.max(...longest) : null,
      handleTimeMs: sumOrNull(answered.map((m) => m.handleTimeMs)),
      wrapUpMs: sumOrNull(answered.map((m) => m.wrapUpMs)),
    },
  };
}
