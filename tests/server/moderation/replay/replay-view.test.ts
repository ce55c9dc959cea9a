// The moderator's replay of one attempt (server/moderation/replay/replay-view.ts) over a real
// SQLite database and the shipped scenario S1, without the app: the call chosen and its recording,
// the axis (the recorder's start stamp, else the answer, else the invitation), call events,
// desktop actions and bookmarks on it in order (a server copy of a call event of the call shown
// left out), the timeline read a page at a time, holds from the call (the candidate's leg) or,
// when the call has none, from the server's timeline entries, messages, print-outs and the final
// CRM state, and identity checks in words. tests/server/api/replay.test.ts shows the same through
// the route; this file is quick enough for `npm run mutation:replay`.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../../server/assessment/scenario-schema.js';
import { copySeedToAttempt } from '../../../../server/crm/attempt-copy.js';
import type { Db } from '../../../../server/db/connection.js';
import type { Attempt } from '../../../../server/db/repositories/attempts.js';
import type { CallRecord } from '../../../../server/db/repositories/calls.js';
import type { Repositories } from '../../../../server/db/repositories/index.js';
import { ALIGNMENT_TOLERANCE_MS, identitySummary, REPLAY_EVENTS_PAGE, replayEventsPage, replayView, UnknownCallError } from '../../../../server/moderation/replay/replay-view.js';
import type { ReplayEvent } from '../../../../server/protocol/moderation.js';
import { useMemoryRepositories } from '../../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOW = T0 + 3_600_000;
const S1 = builtInScenarios().find((l) => l.scenario.key === 's1' && l.scenario.variant === 'a')!.scenario;

interface World {
  db: Db;
  repos: Repositories;
  centreId: number;
  assessor: number;
  candidate: number;
  sittingId: string;
  attempt: Attempt;
}

function world(opts: { sitting?: boolean; scenarioKey?: string } = {}): World {
  const { db, repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'Northgate College' }, T0).id;
  const assessor = repos.users.create({ username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, passwordHash: 'x' }, T0).id;
  const candidate = repos.users.create({ username: 'cand', displayName: 'Cara Candidate', role: 'candidate', centreId, passwordHash: 'x' }, T0).id;
  const sitting = repos.sittings.create({ centreId, candidateUserId: candidate, assessorUserId: assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: assessor }, T0);
  repos.sittings.start(sitting.id, T0 + 500);
  const inSitting = opts.sitting !== false;
  const attempt = repos.attempts.create(
    { centreId, candidateUserId: candidate, ...(inSitting ? { assessorUserId: assessor, sittingId: sitting.id, position: 1 } : {}), scenarioKey: opts.scenarioKey ?? 's1', variant: 'a' },
    T0 + 1000,
  );
  if (opts.scenarioKey === undefined) copySeedToAttempt(repos, attempt.id, S1.seed, T0 + 1000);
  return { db, repos, centreId, assessor, candidate, sittingId: sitting.id, attempt };
}

const fresh = (w: World) => w.repos.attempts.findById(w.attempt.id)!;

/** A call of the candidate at `invitedAt`: the assessor calls the candidate unless `candidateCalls`. */
function call(w: World, invitedAt: number, fields: Partial<Omit<CallRecord, 'id'>> = {}, opts: { candidateCalls?: boolean } = {}): string {
  const id = randomUUID();
  const [caller, callee] = opts.candidateCalls ? [w.candidate, w.assessor] : [w.assessor, w.candidate];
  w.repos.calls.create({ id, centreId: w.centreId, callerUserId: caller, calleeUserId: callee, callerExtension: '1001', calleeExtension: '1002', candidateUserId: w.candidate, invitedAt });
  if (Object.keys(fields).length) w.repos.calls.update(id, fields);
  return id;
}

let n = 0;
function desktop(w: World, at: number, type: string, payload: Record<string, unknown>, extra: { callId?: string | null; source?: 'server' | 'browser'; clientAt?: number | null } = {}): number {
  return w.repos.attemptEvents.append(w.attempt.id, `client-${++n}`, { at, clientAt: extra.clientAt === undefined ? at - 15 : extra.clientAt, callId: extra.callId ?? null, offsetMs: null, type, payload, source: extra.source ?? 'server' }).event.seq;
}

const byId = (events: readonly ReplayEvent[], id: string) => events.find((e) => e.id === id);

/** S1 with a recorded call the assessor made to the candidate, and everything around it. */
function recordedCall() {
  const w = world();
  const t0 = T0 + 10_000;
  const R = t0 + 4040; // the recorder's t=0
  const callId = call(w, t0, {
    state: 'ended',
    ringingAt: t0 + 100,
    answeredAt: t0 + 4000,
    endedAt: R + 160_000,
    endReason: 'hangup',
    recordingPath: '/recordings/x.ogg',
    recordingStatus: 'complete',
    recordingStartedAt: R,
    recordingDurationMs: 160_000,
    recordingSha256: 'ab'.repeat(32),
    recordingBytes: 9,
  });
  w.repos.calls.addEvent(callId, t0, 'invite', 'caller');
  w.repos.calls.addEvent(callId, t0 + 100, 'ringing', 'callee');
  w.repos.calls.addEvent(callId, t0 + 4000, 'answered', 'callee');
  // The candidate holds for 75 s, then 20 s; the assessor's own hold (the caller's leg) is not the candidate's.
  w.repos.calls.addEvent(callId, R + 30_000, 'hold', 'callee');
  w.repos.calls.addEvent(callId, R + 105_000, 'resume', 'callee');
  w.repos.calls.addEvent(callId, R + 107_000, 'hold', 'caller');
  w.repos.calls.addEvent(callId, R + 108_000, 'resume', 'caller');
  w.repos.calls.addEvent(callId, R + 110_000, 'hold', 'callee');
  w.repos.calls.addEvent(callId, R + 130_000, 'resume', 'callee');
  w.repos.calls.addEvent(callId, R + 160_000, 'hangup', 'caller', { sipStatus: 200 });
  const events = w.repos.calls.events(callId);
  // The server's copy of the answer on the timeline (left out: the call event is listed), a browser
  // screen-pop, a server edit, and a server copy of ANOTHER call's event (kept).
  desktop(w, t0 + 4000, 'call-answered', { callEventId: events[2]!.id }, { callId });
  const pop = desktop(w, R + 3000, 'screen-pop', { number: '01134960231' }, { callId, source: 'browser', clientAt: R + 2990 });
  const edit = desktop(w, R + 20_000, 'field-changed', { field: 'postcode', new: 'LS19 6EX' }, { callId, clientAt: null });
  // An earlier call of the candidate's, before the attempt began: the attempt's only by that entry.
  const otherCall = call(w, T0, { answeredAt: T0 + 200 });
  const other = desktop(w, R + 21_000, 'call-started', { callEventId: 99 }, { callId: otherCall });
  const bookmark = w.repos.attemptBookmarks.add({ attemptId: w.attempt.id, at: R + 140_000, callId, offsetMs: 140_000, note: 'Read back the postcode wrongly.', cueId: 'cue-1', createdBy: w.assessor });
  w.repos.printouts.insert({ id: 'p1', attemptId: w.attempt.id, kind: 'customer', subjectId: 1, title: 'Customer record BL100231', file: `${w.attempt.id}/p1-customer.pdf`, sha256: 'cd'.repeat(32), bytes: 1234, pages: 1, createdAt: R + 140_000, createdBy: w.candidate });
  return { w, callId, R, t0, events, pop, edit, other, otherCall, bookmark };
}

describe('replayView: the call, its recording and the axis', () => {
  it('gives the call with its recording, the channels and the alignment on the recorder’s stamp', () => {
    const { w, callId, R, t0, otherCall } = recordedCall();
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.call).toEqual({
      id: callId,
      invitedAt: t0,
      ringingAt: t0 + 100,
      answeredAt: t0 + 4000,
      endedAt: R + 160_000,
      endReason: 'hangup',
      recordingStartedAt: R,
      recording: { url: `/api/calls/${callId}/recording`, peaksUrl: `/api/calls/${callId}/peaks`, status: 'complete', durationMs: 160_000, sha256: 'ab'.repeat(32), bytes: 9 },
      channels: { left: 'candidate', right: 'the caller' },
      alignment: {
        originAt: R,
        originSource: 'recording',
        toleranceMs: 30,
        note: "Events and audio share the server clock: t=0 is the recorder's own start stamp; alignment ±30 ms (desktop actions are stamped on arrival, so each may also lag its click by the network delay).",
      },
    });
    expect(ALIGNMENT_TOLERANCE_MS).toBe(30);
    expect(v.calls).toEqual([
      { id: otherCall, invitedAt: T0, answeredAt: T0 + 200, hasRecording: false },
      { id: callId, invitedAt: t0, answeredAt: t0 + 4000, hasRecording: true },
    ]);
  });

  it('without a recorder’s stamp the axis starts at the answer, or at the invitation of a call never answered', () => {
    const w = world();
    const answered = call(w, T0 + 10_000, { answeredAt: T0 + 12_000 });
    w.repos.calls.addEvent(answered, T0 + 11_000, 'ringing', 'callee');
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.call!.alignment).toEqual({ originAt: T0 + 12_000, originSource: 'answer', toleranceMs: 30, note: "There is no recording start stamp: times are measured from the call's answer on the server clock." });
    expect(v.call!.recording).toBeNull();
    expect(byId(v.events, v.events[0]!.id)).toMatchObject({ type: 'ringing', offsetMs: -1000 });

    const w2 = world();
    const unanswered = call(w2, T0 + 10_000);
    w2.repos.calls.addEvent(unanswered, T0 + 10_500, 'ringing', 'callee');
    const v2 = replayView(w2.repos, fresh(w2), NOW);
    expect(v2.call!.id).toBe(unanswered);
    expect(v2.call!.alignment).toEqual({ originAt: T0 + 10_000, originSource: 'invite', toleranceMs: 30, note: "There is no recording start stamp: times are measured from the call's invitation on the server clock." });
    expect(v2.events[0]).toMatchObject({ type: 'ringing', offsetMs: 500 });
  });

  it('when the candidate made the call: the right channel is the person called, and the caller’s events are the candidate’s', () => {
    const w = world();
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 11_000, recordingStartedAt: T0 + 11_000 }, { candidateCalls: true });
    w.repos.calls.addEvent(id, T0 + 10_000, 'invite', 'caller');
    w.repos.calls.addEvent(id, T0 + 11_000, 'answered', 'callee');
    w.repos.calls.addEvent(id, T0 + 12_000, 'tone', null);
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.call!.channels).toEqual({ left: 'candidate', right: 'the person called' });
    expect(v.events.map((e) => [e.type, e.leg, e.byCandidate])).toEqual([
      ['invite', 'caller', true],
      ['answered', 'callee', false],
      ['tone', null, false],
    ]);
  });

  it('a call with no candidate and no calling user recorded (linked by the timeline): the candidate’s side is taken as the callee', () => {
    const w = world();
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 11_000 });
    w.db.prepare('UPDATE calls SET caller_user_id = NULL, candidate_user_id = NULL WHERE id = ?').run(id);
    desktop(w, T0 + 12_000, 'screen-pop', {}, { callId: id });
    w.repos.calls.addEvent(id, T0 + 10_000, 'invite', 'caller');
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.call!.channels.right).toBe('the caller');
    expect(v.events[0]).toMatchObject({ leg: 'caller', byCandidate: false });
  });

  it('offers the recording only once it is finished: not while recording, not when it failed; a partial one is offered', () => {
    const w = world();
    const statuses = ['recording', 'failed', 'partial', 'complete'] as const;
    const ids = statuses.map((status, i) => call(w, T0 + 10_000 + i * 1000, { answeredAt: T0 + 10_500 + i * 1000, recordingPath: `/r/${i}.ogg`, recordingStatus: status }));
    const noFile = call(w, T0 + 20_000, { answeredAt: T0 + 20_500, recordingStatus: 'complete' });
    const a = fresh(w);
    const recording = (callId: string) => replayView(w.repos, a, NOW, callId).call!.recording;
    expect(recording(ids[0]!)).toBeNull();
    expect(recording(ids[1]!)).toBeNull();
    expect(recording(ids[2]!)).toMatchObject({ status: 'partial' });
    expect(recording(ids[3]!)).toMatchObject({ status: 'complete' });
    expect(recording(noFile)).toBeNull();
    expect(replayView(w.repos, a, NOW).calls.map((c) => c.hasRecording)).toEqual([true, true, true, true, false]);
  });
});

describe('replayView: which call is shown', () => {
  it('the attempt’s call (its latest answered one) by default, else its latest; one asked for by id, in any case; another call refused', () => {
    const w = world();
    const early = call(w, T0 + 10_000, { answeredAt: T0 + 11_000 });
    const answered = call(w, T0 + 20_000, { answeredAt: T0 + 21_000 });
    const missed = call(w, T0 + 30_000);
    const a = fresh(w);
    expect(replayView(w.repos, a, NOW).call!.id).toBe(answered);
    expect(replayView(w.repos, a, NOW).calls.map((c) => c.id)).toEqual([early, answered, missed]);
    expect(replayView(w.repos, a, NOW, missed.toUpperCase()).call!.id).toBe(missed);
    expect(replayView(w.repos, a, NOW, early).call!.id).toBe(early);
    const stranger = randomUUID();
    expect(() => replayView(w.repos, a, NOW, stranger)).toThrow(UnknownCallError);
    expect(() => replayView(w.repos, a, NOW, stranger)).toThrow(`Call ${stranger} is not a call of this attempt.`);
    expect(() => replayEventsPage(w.repos, a, stranger, 0)).toThrow(UnknownCallError);

    const w2 = world();
    const only = call(w2, T0 + 10_000);
    const later = call(w2, T0 + 12_000);
    expect(replayView(w2.repos, fresh(w2), NOW).call!.id).toBe(later);
    expect(only).not.toBe(later);
  });

  it('no call at all: the axis starts when the attempt did', () => {
    const w = world();
    desktop(w, T0 + 5000, 'screen-pop', {});
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.call).toBeNull();
    expect(v.calls).toEqual([]);
    expect(v.events).toEqual([expect.objectContaining({ type: 'screen-pop', offsetMs: 4000 })]);
  });
});

describe('replayView: everything on the axis', () => {
  it('places call events, desktop actions and bookmarks on the recording’s axis, in order, a call event’s server copy left out', () => {
    const { w, callId, R, t0, events, pop, edit, other, bookmark } = recordedCall();
    const v = replayView(w.repos, fresh(w), NOW);
    const answeredEvent = events[2]!;
    expect(byId(v.events, `call-${answeredEvent.id}`)).toEqual({ id: `call-${answeredEvent.id}`, source: 'call', recordedBy: 'server', type: 'answered', at: t0 + 4000, offsetMs: -40, leg: 'callee', byCandidate: true, payload: {} });
    expect(byId(v.events, `call-${events[0]!.id}`)).toMatchObject({ type: 'invite', offsetMs: -4040, leg: 'caller', byCandidate: false });
    expect(byId(v.events, `call-${events[9]!.id}`)).toMatchObject({ type: 'hangup', payload: { sipStatus: 200 } });
    expect(byId(v.events, `desktop-${pop}`)).toEqual({ id: `desktop-${pop}`, source: 'desktop', recordedBy: 'browser', type: 'screen-pop', at: R + 3000, offsetMs: 3000, seq: pop, clientAt: R + 2990, payload: { number: '01134960231' } });
    expect(byId(v.events, `desktop-${edit}`)).toMatchObject({ recordedBy: 'server', offsetMs: 20_000, clientAt: null, payload: { field: 'postcode', new: 'LS19 6EX' } });
    // The copy of this call's answer is left out; the copy of another call's event is kept.
    expect(v.events.filter((e) => e.source === 'desktop').map((e) => e.type)).toEqual(['screen-pop', 'field-changed', 'call-started']);
    expect(byId(v.events, `desktop-${other}`)).toMatchObject({ offsetMs: 21_000 });
    expect(byId(v.events, `bookmark-${bookmark.id}`)).toEqual({ id: `bookmark-${bookmark.id}`, source: 'bookmark', type: 'bookmark', at: R + 140_000, offsetMs: 140_000, payload: { note: 'Read back the postcode wrongly.', cueId: 'cue-1', by: 'Ann Assessor' } });
    expect(v.bookmarks).toEqual([{ id: bookmark.id, at: R + 140_000, offsetMs: 140_000, note: 'Read back the postcode wrongly.', cueId: 'cue-1', by: { id: w.assessor, name: 'Ann Assessor' } }]);
    const offsets = v.events.map((e) => e.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(v.events).toHaveLength(10 + 3 + 1);
    expect(v.moreEvents).toBeNull();
    expect(v.printouts).toEqual([{ id: 'p1', kind: 'customer', subjectId: 1, title: 'Customer record BL100231', sha256: 'cd'.repeat(32), bytes: 1234, pages: 1, createdAt: R + 140_000, url: `/api/attempts/${w.attempt.id}/printouts/p1`, offsetMs: 140_000 }]);
    expect(callId).toBe(v.call!.id);
  });

  it('the same instant: call events first, then desktop actions, then bookmarks', () => {
    const w = world();
    const at = T0 + 20_000;
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 10_000 });
    w.repos.attemptBookmarks.add({ attemptId: w.attempt.id, at, callId: id, offsetMs: null, note: 'b', cueId: null, createdBy: w.assessor });
    desktop(w, at, 'note-added', {});
    w.repos.calls.addEvent(id, at, 'dtmf', 'callee');
    expect(replayView(w.repos, fresh(w), NOW).events.map((e) => e.source)).toEqual(['call', 'desktop', 'bookmark']);
  });

  it('gives the candidate’s hold regions from the call, with their length, the one over 60 s flagged', () => {
    const { w } = recordedCall();
    expect(replayView(w.repos, fresh(w), NOW).holds).toEqual([
      { startMs: 30_000, endMs: 105_000, lengthMs: 75_000, over60: true, endedBy: 'resume', source: 'call' },
      { startMs: 110_000, endMs: 130_000, lengthMs: 20_000, over60: false, endedBy: 'resume', source: 'call' },
    ]);
  });

  it('a hold of exactly 60 s is not over; one still open runs to the end of the call, or to now while the call is up', () => {
    const w = world();
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 10_000, recordingStartedAt: T0 + 10_000 });
    w.repos.calls.addEvent(id, T0 + 20_000, 'hold', 'callee');
    w.repos.calls.addEvent(id, T0 + 80_000, 'resume', 'callee');
    w.repos.calls.addEvent(id, T0 + 90_000, 'hold', 'callee');
    expect(replayView(w.repos, fresh(w), T0 + 100_000).holds).toEqual([
      { startMs: 10_000, endMs: 70_000, lengthMs: 60_000, over60: false, endedBy: 'resume', source: 'call' },
      { startMs: 80_000, endMs: 90_000, lengthMs: 10_000, over60: false, endedBy: 'open', source: 'call' },
    ]);
    w.repos.calls.update(id, { endedAt: T0 + 95_000 });
    expect(replayView(w.repos, fresh(w), T0 + 100_000).holds[1]).toEqual({ startMs: 80_000, endMs: 85_000, lengthMs: 5000, over60: false, endedBy: 'call-end', source: 'call' });
  });

  it('when the call has no hold of its own: the server’s hold entries of the candidate on the timeline', () => {
    const w = world();
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 10_000, recordingStartedAt: T0 + 10_000, endedAt: T0 + 200_000 });
    desktop(w, T0 + 20_000, 'hold', {}, { callId: id });
    desktop(w, T0 + 100_000, 'resume', {}, { callId: id });
    // The other party's hold, and the browser's own report of one, are not the candidate's server entries.
    desktop(w, T0 + 110_000, 'hold', { byCandidate: false }, { callId: id });
    desktop(w, T0 + 120_000, 'resume', { byCandidate: false }, { callId: id });
    desktop(w, T0 + 130_000, 'hold', {}, { callId: id, source: 'browser' });
    desktop(w, T0 + 150_000, 'hold', { byCandidate: true }, { callId: id });
    expect(replayView(w.repos, fresh(w), NOW).holds).toEqual([
      { startMs: 10_000, endMs: 90_000, lengthMs: 80_000, over60: true, endedBy: 'resume', source: 'desktop' },
      // Still held when the call ended: open, to the call's end.
      { startMs: 140_000, endMs: 190_000, lengthMs: 50_000, over60: false, endedBy: 'open', source: 'desktop' },
    ]);
  });

  it('the timeline’s holds of ANOTHER call are not this call’s: only those linked to the call shown, or to no call, stand in', () => {
    const w = world();
    // Call B: the candidate held for 70 s; its hold events were copied to the timeline, linked to B.
    const b = call(w, T0 + 10_000, { answeredAt: T0 + 10_000, recordingStartedAt: T0 + 10_000, endedAt: T0 + 200_000 });
    w.repos.calls.addEvent(b, T0 + 20_000, 'hold', 'callee');
    w.repos.calls.addEvent(b, T0 + 90_000, 'resume', 'callee');
    for (const e of w.repos.calls.events(b)) desktop(w, e.at, e.type, { callEventId: e.id }, { callId: b });
    // Call A, the latest answered and so the one shown, has no hold of its own.
    const a = call(w, T0 + 300_000, { answeredAt: T0 + 300_000, recordingStartedAt: T0 + 300_000, endedAt: T0 + 400_000 });
    expect(replayView(w.repos, fresh(w), NOW).call!.id).toBe(a);
    expect(replayView(w.repos, fresh(w), NOW).holds).toEqual([]);
    expect(replayView(w.repos, fresh(w), NOW, b).holds).toEqual([{ startMs: 10_000, endMs: 80_000, lengthMs: 70_000, over60: true, endedBy: 'resume', source: 'call' }]);
    // A hold entry linked to no call still stands in.
    desktop(w, T0 + 310_000, 'hold', {});
    desktop(w, T0 + 320_000, 'resume', {});
    expect(replayView(w.repos, fresh(w), NOW).holds).toEqual([{ startMs: 10_000, endMs: 20_000, lengthMs: 10_000, over60: false, endedBy: 'resume', source: 'desktop' }]);
  });

  it('no call: timeline holds run to the attempt’s close, or to now while it is open', () => {
    const w = world();
    desktop(w, T0 + 21_000, 'hold', {});
    expect(replayView(w.repos, fresh(w), T0 + 41_000).holds).toEqual([{ startMs: 20_000, endMs: 40_000, lengthMs: 20_000, over60: false, endedBy: 'open', source: 'desktop' }]);
    w.repos.attempts.close(w.attempt.id, T0 + 31_000);
    expect(replayView(w.repos, fresh(w), T0 + 41_000).holds).toEqual([{ startMs: 20_000, endMs: 30_000, lengthMs: 10_000, over60: false, endedBy: 'open', source: 'desktop' }]);
  });

  it('lists messages oldest first with their details, attempt messages on the axis and seed messages off it', () => {
    const { w, R } = recordedCall();
    const seedCount = w.repos.crm.listMessages(w.attempt.id).length;
    const base = { customerId: null, from: 'agent@brightline.example.co.uk', cc: [], subject: 'S', body: 'B', templateKey: null, attachments: [] };
    const later = w.repos.crm.insertMessage(w.attempt.id, { ...base, direction: 'out', channel: 'sms', to: '07700 900871', origin: 'attempt', createdAt: R + 151_000, body: 'Later' });
    const second = w.repos.crm.insertMessage(w.attempt.id, { ...base, direction: 'out', channel: 'email', to: 'b@example.org', origin: 'attempt', createdAt: R + 150_000, cc: ['c@example.org'], templateKey: 't1', attachments: [{ kind: 'document', key: 'guide', name: 'Guide.pdf' }], body: 'Second' });
    const first = w.repos.crm.insertMessage(w.attempt.id, { ...base, direction: 'out', channel: 'sms', to: '07700 900871', origin: 'attempt', createdAt: R + 150_000, body: 'Same instant, stored after' });
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.messages).toHaveLength(seedCount + 3);
    const mine = v.messages.filter((m) => m.offsetMs !== null);
    // Oldest first; at the same instant, in the order stored.
    expect(mine.map((m) => m.id)).toEqual([second.id, first.id, later.id]);
    expect(mine[0]).toEqual({ id: second.id, direction: 'out', channel: 'email', from: 'agent@brightline.example.co.uk', to: 'b@example.org', cc: ['c@example.org'], subject: 'S', body: 'Second', templateKey: 't1', attachments: [{ kind: 'document', name: 'Guide.pdf' }], createdAt: R + 150_000, folder: null, filedAt: null, inReplyTo: null, offsetMs: 150_000 });
    const created = v.messages.map((m) => m.createdAt);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(v.messages.filter((m) => m.offsetMs === null)).toHaveLength(seedCount);
  });

  it('gives who and what: the attempt, its sitting, centre, candidate and assessor, and the final CRM state', () => {
    const { w } = recordedCall();
    w.repos.attempts.close(w.attempt.id, T0 + 500_000);
    const a = fresh(w);
    const v = replayView(w.repos, a, NOW);
    expect(v.attempt).toEqual({ id: a.id, scenarioKey: 's1', title: S1.title, status: 'closed', createdAt: T0 + 1000, closedAt: T0 + 500_000, markedAt: null, position: 1, variant: 'a', retakeOf: null });
    expect(v.sitting).toEqual({ id: w.sittingId, status: 'in-progress', startedAt: T0 + 500, endedAt: null });
    expect(v.centre).toEqual({ id: w.centreId, name: 'Northgate College' });
    expect(v.candidate).toEqual({ id: w.candidate, name: 'Cara Candidate' });
    expect(v.assessor).toEqual({ id: w.assessor, name: 'Ann Assessor' });
    expect(v.finalState).toMatchObject({ scenarioKey: 's1', anonymised: false });
    expect(v.finalState!.fields.map((f) => f.field)).toEqual(['addressLine1', 'addressLine2', 'town', 'postcode', 'mobile']);
    w.db.prepare('UPDATE attempts SET anonymised_at = ? WHERE id = ?').run(NOW, a.id);
    expect(replayView(w.repos, a, NOW).finalState!.anonymised).toBe(true);
  });

  it('an attempt outside a sitting: no sitting, no assessor; the sitting’s assessor stands in when the attempt names none', () => {
    const w = world({ sitting: false });
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.sitting).toBeNull();
    expect(v.assessor).toBeNull();
    expect(v.attempt).toMatchObject({ position: null });
    const w2 = world();
    w2.db.prepare('UPDATE attempts SET assessor_user_id = NULL WHERE id = ?').run(w2.attempt.id);
    expect(replayView(w2.repos, fresh(w2), NOW).assessor).toEqual({ id: w2.assessor, name: 'Ann Assessor' });
  });

  it('a practice attempt without a scenario: titled by its key, no final state', () => {
    const w = world({ scenarioKey: 'demo' });
    const v = replayView(w.repos, fresh(w), NOW);
    expect(v.attempt.title).toBe('demo');
    expect(v.finalState).toBeNull();
  });
});

describe('the timeline a page at a time', () => {
  it('the view holds the first page and says where the next starts; each page continues from there until the end', () => {
    const w = world();
    const id = call(w, T0 + 10_000, { answeredAt: T0 + 10_000, recordingStartedAt: T0 + 10_000 });
    w.repos.calls.addEvent(id, T0 + 10_000, 'answered', 'callee');
    const seqs = Array.from({ length: 7 }, (_, i) => desktop(w, T0 + 11_000 + i * 1000, 'field-changed', { i }, { callId: id }));
    const a = fresh(w);
    const v = replayView(w.repos, a, NOW, undefined, 3);
    expect(v.events.filter((e) => e.source === 'desktop').map((e) => e.seq)).toEqual(seqs.slice(0, 3));
    expect(v.events.filter((e) => e.source === 'call')).toHaveLength(1);
    expect(v.moreEvents).toEqual({ afterSeq: seqs[2] });
    const second = replayEventsPage(w.repos, a, undefined, seqs[2]!, 3);
    expect(second.events.map((e) => e.seq)).toEqual(seqs.slice(3, 6));
    expect(second.events[0]).toMatchObject({ id: `desktop-${seqs[3]}`, source: 'desktop', offsetMs: 4000, payload: { i: 3 } });
    expect(second.nextAfterSeq).toBe(seqs[5]);
    expect(replayEventsPage(w.repos, a, undefined, seqs[5]!, 3)).toEqual({ events: [expect.objectContaining({ seq: seqs[6] })], nextAfterSeq: null });
    // Exactly a page left: no next page.
    expect(replayEventsPage(w.repos, a, undefined, seqs[3]!, 3).nextAfterSeq).toBeNull();
    expect(replayView(w.repos, a, NOW, undefined, 7).moreEvents).toBeNull();
    expect(replayView(w.repos, a, NOW, undefined, 6).moreEvents).toEqual({ afterSeq: seqs[5] });
    // The default page is 1000 events.
    expect(REPLAY_EVENTS_PAGE).toBe(1000);
    expect(replayEventsPage(w.repos, a, undefined, 0).events).toHaveLength(7);
    expect(replayView(w.repos, a, NOW).moreEvents).toBeNull();
  });

  it('a page is on the axis of the call asked for, and leaves out that call’s copies of its own events', () => {
    const w = world();
    const first = call(w, T0 + 10_000, { answeredAt: T0 + 10_000, recordingStartedAt: T0 + 10_000 });
    const second = call(w, T0 + 50_000, { answeredAt: T0 + 50_000, recordingStartedAt: T0 + 50_000 });
    const copy = desktop(w, T0 + 50_000, 'call-answered', { callEventId: 1 }, { callId: second });
    const action = desktop(w, T0 + 60_000, 'screen-pop', {}, { callId: second });
    const a = fresh(w);
    expect(replayEventsPage(w.repos, a, second, 0).events.map((e) => [e.seq, e.offsetMs])).toEqual([[action, 10_000]]);
    expect(replayEventsPage(w.repos, a, first, 0).events.map((e) => [e.seq, e.offsetMs])).toEqual([
      [copy, 40_000],
      [action, 50_000],
    ]);
    // A copy whose call-event id is not a number is kept.
    const odd = desktop(w, T0 + 70_000, 'call-ended', { callEventId: '7' }, { callId: second });
    expect(replayEventsPage(w.repos, a, second, 0).events.map((e) => e.seq)).toEqual([action, odd]);
    // No call at all: on the attempt's axis.
    const w2 = world();
    const s = desktop(w2, T0 + 3000, 'screen-pop', {});
    expect(replayEventsPage(w2.repos, fresh(w2), undefined, 0)).toEqual({ events: [expect.objectContaining({ seq: s, offsetMs: 2000 })], nextAfterSeq: null });
  });

  it('describes an identity check in words, on the page as in the view', () => {
    const w = world();
    const seq = desktop(w, T0 + 5000, 'identity-check', { questions: [{ asked: true, correct: true }, { asked: true, correct: true }] });
    const plain = desktop(w, T0 + 6000, 'screen-pop', {});
    const page = replayEventsPage(w.repos, fresh(w), undefined, 0).events;
    expect(page.find((e) => e.seq === seq)!.summary).toBe('2 asked, 2 correct: verified');
    expect('summary' in page.find((e) => e.seq === plain)!).toBe(false);
    expect(byId(replayView(w.repos, fresh(w), NOW).events, `desktop-${seq}`)!.summary).toBe('2 asked, 2 correct: verified');
  });
});

describe('identitySummary', () => {
  const check = (payload: Record<string, unknown>, scenario: Scenario | undefined = S1) => identitySummary({ type: 'identity-check', payload }, scenario);
  const q = (asked: boolean, correct: boolean) => ({ asked, correct });

  it('nothing for other events', () => {
    expect(identitySummary({ type: 'screen-pop', payload: { passed: true } }, S1)).toBeUndefined();
  });

  it('by the scenario’s number of questions, no more than the customer has on record', () => {
    expect(check({ questions: [q(true, true), q(true, true)] })).toBe('2 asked, 2 correct: verified');
    expect(check({ questions: [q(true, true), q(false, false)] })).toBe('1 asked, 1 correct: not verified (2 questions must be asked and answered correctly)');
    expect(check({ questions: [q(true, true), q(true, false)] })).toBe('2 asked, 1 correct: not verified (1 answer was wrong)');
    // One question on record: one is enough, whatever the scenario asks.
    expect(check({ questions: [q(true, true)] })).toBe('1 asked, 1 correct: verified');
    const strict: Scenario = { ...S1, answerKey: { ...S1.answerKey, identity: { ...S1.answerKey.identity, minFactors: 3 } } };
    expect(check({ questions: [q(true, true), q(true, true), q(false, false)] }, strict)).toBe('2 asked, 2 correct: not verified (3 questions must be asked and answered correctly)');
    const lenient: Scenario = { ...S1, answerKey: { ...S1.answerKey, identity: { ...S1.answerKey.identity, minFactors: 1 } } };
    expect(check({ questions: [q(true, true), q(false, false)] }, lenient)).toBe('1 asked, 1 correct: verified');
    // No scenario: the default of 2.
    expect(identitySummary({ type: 'identity-check', payload: { questions: [q(true, true), q(false, false)] } }, undefined)).toBe('1 asked, 1 correct: not verified (2 questions must be asked and answered correctly)');
  });

  it('a payload that only counts: the scenario’s number in full (nothing says how many are on record)', () => {
    expect(check({ asked: 1, correct: 1 })).toBe('1 asked, 1 correct: not verified (2 questions must be asked and answered correctly)');
    expect(check({ asked: 3, correct: 3 })).toBe('3 asked, 3 correct: verified');
  });

  it('a payload with only a verdict: in words; with neither, nothing', () => {
    expect(check({ passed: true })).toBe('verified');
    expect(check({ passed: false })).toBe('not verified');
    expect(check({ passed: 'yes' })).toBeUndefined();
    expect(check({})).toBeUndefined();
  });
});
