// Hold segments of a call, and the 60-second rule.
//
// Seed 000_8c9ec5b3598aeb30.txt, Unit 2 section 4.2: "limiting hold time to a maximum of 60
// seconds before going back to caller" and "checking if customer is prepared to continue to hold
// if longer than 60 seconds". Digest section 2.4:
//   U2-4.2-hold-max-60  each hold segment <= 60 s
//   U2-4.2-hold-recheck hold > 60 s in total only as separate segments with a check-in between
//
// Definitions used here:
// - A SEGMENT runs from a 'hold' by the candidate's leg to the next 'resume' by it; a hold never
//   resumed ends when the call ends (hangup/end event or endedAt), or is still open.
// - CHECKING BACK = a resume within the limit of the hold starting (segment <= 60 000 ms; exactly
//   60 s is within). The caller is then back on the line, and the candidate may ask whether they
//   will keep holding and hold again: "resume-and-hold-again". Whether the right words were said
//   in that check-in is speech, left to the assessor (the check-in's length is in the evidence).
// - A WAIT is a run of segments where each re-hold comes within `sameWaitGapMs` (default 30 s)
//   of the resume before it: one wait for the caller, split by check-backs.
// - A hold that exceeded 60 s without checking back = any segment longer than 60 000 ms (61 s).

import type { CallFacts, CallLeg, TimelineEntry } from './types.js';

export const HOLD_LIMIT_MS = 60_000;
export const SAME_WAIT_GAP_MS = 30_000;

export interface HoldSegment {
  start: number;
  /** null when the hold is still open and no `asOf` was given. */
  end: number | null;
  durationMs: number | null;
  endedBy: 'resume' | 'call-end' | 'open';
}

export interface HoldWait {
  segments: HoldSegment[];
  /** Sum of the segments' hold time (null if one is open-ended with no asOf). */
  totalHoldMs: number | null;
  /** Time the caller was back on the line between segments (the check-ins). */
  checkInsMs: number[];
}

export interface HoldMark {
  at: number;
  type: 'hold' | 'resume' | 'end';
}

/** Hold, resume and end marks from the call's events, the candidate's leg only. */
export function holdMarksFromCall(call: CallFacts): HoldMark[] {
  const marks: HoldMark[] = [];
  const mine = (leg: CallLeg | null) => call.candidateLeg === null || leg === null || leg === call.candidateLeg;
  for (const e of call.events) {
    if ((e.type === 'hold' || e.type === 'resume') && mine(e.leg)) marks.push({ at: e.at, type: e.type });
    else if (e.type === 'hangup' || e.type === 'end') marks.push({ at: e.at, type: 'end' });
  }
  if (call.endedAt !== null) marks.push({ at: call.endedAt, type: 'end' });
  return marks;
}

/** Hold and resume marks from the desktop timeline (when no call data is available). */
export function holdMarksFromTimeline(timeline: readonly TimelineEntry[]): HoldMark[] {
  return [...timeline]
    .sort((a, b) => a.seq - b.seq)
    .filter((e) => e.type === 'hold' || e.type === 'resume')
    .map((e) => ({ at: e.at, type: e.type as 'hold' | 'resume' }));
}

/**
 * Segments from marks in stored order. A second 'hold' while held, or a 'resume' while not held,
 * is ignored (the phone can re-send them); the first 'end' closes an open hold and stops reading.
 */
export function holdSegments(marks: readonly HoldMark[], asOf?: number): HoldSegment[] {
  const segments: HoldSegment[] = [];
  let open: number | null = null;
  for (const m of marks) {
    if (m.type === 'hold') {
      if (open === null) open = m.at;
    } else if (m.type === 'resume') {
      if (open !== null) segments.push({ start: open, end: m.at, durationMs: m.at - open, endedBy: 'resume' });
      open = null;
    } else {
      if (open !== null) segments.push({ start: open, end: m.at, durationMs: m.at - open, endedBy: 'call-end' });
      open = null;
      break;
    }
  }
  if (open !== null) {
    segments.push(asOf !== undefined && asOf >= open ? { start: open, end: asOf, durationMs: asOf - open, endedBy: 'open' } : { start: open, end: null, durationMs: null, endedBy: 'open' });
  }
  return segments;
}

/** Groups segments into waits: a re-hold within `gapMs` of the last resume continues the wait. */
export function holdWaits(segments: readonly HoldSegment[], gapMs: number = SAME_WAIT_GAP_MS): HoldWait[] {
  const waits: HoldWait[] = [];
  for (const s of segments) {
    const last = waits[waits.length - 1];
    const prev = last?.segments[last.segments.length - 1];
    if (last && prev && prev.endedBy === 'resume' && prev.end !== null && s.start - prev.end <= gapMs) {
      last.checkInsMs.push(s.start - prev.end);
      last.segments.push(s);
      last.totalHoldMs = last.totalHoldMs === null || s.durationMs === null ? null : last.totalHoldMs + s.durationMs;
    } else {
      waits.push({ segments: [s], totalHoldMs: s.durationMs, checkInsMs: [] });
    }
  }
  return waits;
}
