// The moderator's replay over the real API and SQLite: one response with the call, its events and
// the desktop actions on the recording's axis, holds with their length (over 60 s flagged),
// bookmarks, print-outs and messages, and the final CRM state against the answer key, where a
// planted mistake (a mistyped postcode) shows as a mismatch. Roles and centres as everywhere.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayView } from '../../../server/protocol/moderation.js';
import { BROWSER_EVENT_TYPES } from '../../../server/protocol/timeline.js';
import { call, createSitting, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let foreignAssessor: Login;
let attemptId: string;
let callId: string;
let recordingT0: number;

/** Records a desktop action the way the realtime server does (server-stamped, linked to the call). */
function desktop(type: string, payload: Record<string, unknown>): void {
  const at = t.clock.now();
  const source = (BROWSER_EVENT_TYPES as readonly string[]).includes(type) ? 'browser' : 'server';
  t.repos.attemptEvents.append(attemptId, randomUUID(), { at, clientAt: at - 15, callId, offsetMs: at - (recordingT0 - 40), type, payload, source });
}

beforeAll(async () => {
  t = await createTestApp();
  t.addUser(FOREIGN_ASSESSOR);
  ({ assessor, candidate, moderator } = await t.loginRoles('assessor', 'candidate', 'moderator'));
  foreignAssessor = await t.login('assessor2');

  // S1 (home move) as assignment 1 of a started sitting.
  const sitting = await createSitting(t, assessor);
  await startSitting(t, assessor, sitting.id);
  attemptId = (await startAttempt(t, assessor, sitting.id, 1)).currentAttemptId!;

  // The call: invited, ringing, answered; the recorder's t=0 is 40 ms after the answer.
  t.clock.advance(1000);
  const t0 = t.clock.now();
  callId = randomUUID();
  const file = path.join(t.dir, 'recordings', `${callId}.ogg`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'OggS fake');
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t0 });
  t.repos.calls.addEvent(callId, t0, 'invite', 'caller');
  t.repos.calls.addEvent(callId, t0 + 100, 'ringing', 'callee');
  t.repos.calls.addEvent(callId, t0 + 4000, 'answered', 'callee');
  recordingT0 = t0 + 4040;
  t.repos.calls.update(callId, { state: 'answered', ringingAt: t0 + 100, answeredAt: t0 + 4000, recordingPath: file, recordingStatus: 'recording', recordingStartedAt: recordingT0 });
  t.clock.advance(recordingT0 + 3000 - t.clock.now());
  desktop('screen-pop', { number: '01134960231', resultCount: 1 });

  // The candidate fixes the address but mistypes the postcode (LS19 6EX for LS19 6EH).
  const customer = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!;
  t.clock.advance(recordingT0 + 20_000 - t.clock.now());
  const patched = await t.app.inject({
    method: 'PATCH',
    url: `/api/attempts/${attemptId}/customers/${customer.id}`,
    headers: { cookie: candidate.cookie, 'x-csrf-token': candidate.csrf },
    payload: { version: customer.version, addressLine1: '22 Larkfield Crescent', addressLine2: 'Rawdon', town: 'Leeds', postcode: 'LS19 6EX' },
  });
  expect(patched.statusCode, patched.body).toBe(200);

  // A hold of 75 s by the candidate (over the limit), then a 20 s one.
  t.repos.calls.addEvent(callId, recordingT0 + 30_000, 'hold', 'callee');
  t.repos.calls.addEvent(callId, recordingT0 + 105_000, 'resume', 'callee');
  t.repos.calls.addEvent(callId, recordingT0 + 110_000, 'hold', 'callee');
  t.repos.calls.addEvent(callId, recordingT0 + 130_000, 'resume', 'callee');

  // A bookmark by the assessor, a print-out and an e-mail by the candidate.
  t.clock.advance(recordingT0 + 140_000 - t.clock.now());
  await ok(t, assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'Read back the postcode wrongly.' }, 201);
  await ok(t, candidate, 'POST', `/api/attempts/${attemptId}/printouts`, { kind: 'customer', subjectId: customer.id }, 201);
  t.clock.advance(recordingT0 + 150_000 - t.clock.now());
  await ok(t, candidate, 'POST', `/api/attempts/${attemptId}/messages`, { channel: 'email', to: customer.email, subject: 'Your home move', body: 'Your move is booked.' }, 201);

  // The call ends and the recording is finalised.
  t.repos.calls.addEvent(callId, recordingT0 + 160_000, 'hangup', 'caller');
  t.repos.calls.update(callId, { state: 'ended', endedAt: recordingT0 + 160_000, recordingStatus: 'complete', recordingDurationMs: 160_000, recordingSha256: 'ab'.repeat(32), recordingBytes: 9 });
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/attempts/:id/replay', () => {
  it('gives the call, its recording and the alignment of events and audio', async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    expect(view.attempt).toMatchObject({ id: attemptId, scenarioKey: 's1', position: 1 });
    expect(view.candidate.name).toBe('Test candidate');
    expect(view.assessor?.name).toBe('Test assessor');
    expect(view.centre.name).toBe('Northgate College');
    expect(view.call).toMatchObject({
      id: callId,
      recordingStartedAt: recordingT0,
      recording: { url: `/api/calls/${callId}/recording`, peaksUrl: `/api/calls/${callId}/peaks`, durationMs: 160_000, sha256: 'ab'.repeat(32) },
      channels: { left: 'candidate', right: 'the caller' },
      alignment: { originAt: recordingT0, originSource: 'recording', toleranceMs: 30 },
    });
    expect(view.call!.alignment.note).toMatch(/share the server clock.*±30 ms/);
    expect(view.calls).toHaveLength(1);
  });

  it('places call events, desktop actions and bookmarks on the recording axis', async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    const byType = (source: string, type: string) => view.events.filter((e) => e.source === source && e.type === type);
    expect(byType('call', 'answered')[0]).toMatchObject({ offsetMs: -40, byCandidate: true });
    expect(byType('call', 'invite')[0]!.offsetMs).toBe(-4040);
    expect(byType('desktop', 'screen-pop')[0]).toMatchObject({ offsetMs: 3000, recordedBy: 'browser' });
    // The server recorded the edit from the PATCH itself, one event per field changed.
    expect(byType('desktop', 'field-changed').find((e) => e.payload.field === 'postcode')).toMatchObject({ offsetMs: 20_000, recordedBy: 'server', payload: { field: 'postcode', new: 'LS19 6EX' } });
    // The server's copies of this call's own events are not listed twice.
    expect(byType('desktop', 'call-started')).toEqual([]);
    expect(byType('desktop', 'hold')).toEqual([]);
    expect(t.repos.attemptEvents.list(attemptId, { types: ['call-started', 'call-answered', 'hold'], source: 'server' }).map((e) => e.type)).toEqual(['call-started', 'call-answered', 'hold', 'hold']);
    expect(byType('call', 'hold').map((e) => e.offsetMs)).toEqual([30_000, 110_000]);
    expect(byType('bookmark', 'bookmark')[0]).toMatchObject({ offsetMs: 140_000, payload: { note: 'Read back the postcode wrongly.' } });
    // Axis order.
    const offsets = view.events.map((e) => e.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('gives hold regions with their length, the one over 60 s flagged', async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    expect(view.holds).toEqual([
      { startMs: 30_000, endMs: 105_000, lengthMs: 75_000, over60: true, endedBy: 'resume', source: 'call' },
      { startMs: 110_000, endMs: 130_000, lengthMs: 20_000, over60: false, endedBy: 'resume', source: 'call' },
    ]);
  });

  it('lists bookmarks, print-outs (with their PDF link) and sent messages', async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    expect(view.bookmarks).toEqual([expect.objectContaining({ note: 'Read back the postcode wrongly.', offsetMs: 140_000, by: { id: t.users.assessor, name: 'Test assessor' } })]);
    expect(view.printouts).toHaveLength(1);
    expect(view.printouts[0]).toMatchObject({ kind: 'customer', offsetMs: 140_000 });
    const pdf = await call(t, moderator, 'GET', view.printouts[0]!.url);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const sent = view.messages.filter((m) => m.direction === 'out');
    expect(sent).toEqual([expect.objectContaining({ channel: 'email', subject: 'Your home move', body: 'Your move is booked.', offsetMs: 150_000 })]);
  });

  it('shows the planted mistake: the mistyped postcode is a mismatch, the rest of the address matches', async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    const fs = view.finalState!;
    expect(fs.scenarioKey).toBe('s1');
    const field = (name: string) => fs.fields.find((f) => f.accountNumber === 'BL100231' && f.field === name)!;
    expect(field('postcode')).toMatchObject({ kind: 'postcode', expected: '"LS19 6EH"', final: '"LS19 6EX"', match: false, planted: false });
    expect(field('town')).toMatchObject({ expected: '"Leeds"', final: '"Leeds"', match: true });
    expect(field('addressLine1').match).toBe(true);
    // The planted wrong mobile was not corrected: also a mismatch, flagged as planted.
    expect(field('mobile')).toMatchObject({ expected: '"07700 900871"', final: '"07700 900412"', match: false, planted: true });
    // The follow-up e-mail went to the customer's address on file: it matches.
    expect(fs.followUps).toEqual([expect.objectContaining({ label: '"Home move confirmation" e-mail', channel: 'email', match: true, problem: null })]);
    expect(fs.mismatches).toBe(2);
  });

  it('is for staff of the attempt\'s centre: the centre assessor yes, another centre\'s and the candidate no', async () => {
    expect((await call(t, assessor, 'GET', `/api/attempts/${attemptId}/replay`)).statusCode).toBe(200);
    expect((await call(t, foreignAssessor, 'GET', `/api/attempts/${attemptId}/replay`)).statusCode).toBe(404);
    expect((await call(t, candidate, 'GET', `/api/attempts/${attemptId}/replay`)).statusCode).toBe(403);
    expect((await call(t, undefined, 'GET', `/api/attempts/${attemptId}/replay`)).statusCode).toBe(401);
  });

  it('refuses a call that is not the attempt\'s', async () => {
    const res = await call(t, moderator, 'GET', `/api/attempts/${attemptId}/replay?callId=${randomUUID()}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', field: 'callId' });
  });
});
