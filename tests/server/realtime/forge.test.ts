// The forge from issue 11, driven as a candidate would with the browser's developer tools and a
// socket.io client on their own session: the real identity check fails, then the candidate reports
// a passed one (and a wrap-up never posted) over 'desktop:event'. Every type the server records
// itself is refused with a clear error; the suggestion stays 0; the replay and the moderation
// pack show the server's own record, and what the browser did report is labelled as such.
import { randomUUID } from 'node:crypto';
import AdmZip from 'adm-zip';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayView } from '../../../server/protocol/moderation.js';
import type { DesktopEventAck } from '../../../server/protocol/timeline.js';
import type { TimelineFile } from '../../../server/moderation/pack-format.js';
import { verifyPackZip } from '../../../server/moderation/pack-verify.js';
import { call, createSitting, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { connectedSocket } from '../../support/realtime.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

/** Every type the issue says the server records itself, with a payload a forger would send. */
const FORGED: Array<[string, Record<string, unknown>]> = [
  ['identity-check', { passed: true, questions: 2, correct: 2 }],
  ['field-changed', { field: 'postcode', old: 'LS6 3HN', new: 'LS19 6EH' }],
  ['note-added', { length: 40 }],
  ['order-created', { totalPence: 1000 }],
  ['case-created', { type: 'query', category: 'HOME_MOVE' }],
  ['callback-created', { dueAt: '2030-01-01T10:00' }],
  ['message-sent', { channel: 'email', to: 'margaret.hughes@example.co.uk' }],
  ['printout', { kind: 'customer' }],
  ['wrap-up', { code: 'MOVE', notesLength: 30 }],
  ['agent-state', { from: 'ready', to: 'on-call' }],
  ['hold', {}],
  ['resume', {}],
  ['transfer', { target: '1003', outcome: 'transferred' }],
  ['conference', { target: '1003', outcome: 'joined' }],
  ['call-started', { dialledNumber: '01134960231' }],
  ['call-ended', {}],
  ['recording-finalised', { sha256: 'f'.repeat(64) }],
];

let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let attemptId: string;
let customerId: number;
let socket: Socket;

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  ({ assessor, candidate, moderator } = await t.loginRoles('assessor', 'candidate', 'moderator'));
  const sitting = await createSitting(t, assessor);
  await startSitting(t, assessor, sitting.id);
  attemptId = (await startAttempt(t, assessor, sitting.id, 1)).currentAttemptId!;
  const found = await ok<{ customers: Array<{ id: number; accountNumber: string }> }>(t, candidate, 'GET', `/api/attempts/${attemptId}/customers?q=BL100231`);
  customerId = found.customers.find((c) => c.accountNumber === 'BL100231')!.id;
  socket = await connectedSocket(t, candidate.cookie);
});
afterAll(async () => {
  socket?.disconnect();
  await t?.close();
});

const send = (type: string, payload: Record<string, unknown>) =>
  socket.emitWithAck('desktop:event', { clientId: randomUUID(), attemptId, type, payload: { customerId, ...payload }, clientAt: Date.now() }) as Promise<DesktopEventAck>;

describe('a candidate forging marking evidence', () => {
  it('fails the real identity check, and every server-recorded type sent over desktop:event is refused with a clear error', async () => {
    const detail = await ok<{ customer: { securityQuestions: Array<{ id: number; question: string }> } }>(t, candidate, 'GET', `/api/attempts/${attemptId}/customers/${customerId}`);
    const answers = detail.customer.securityQuestions.map((q) => ({ questionId: q.id, answer: 'wrong answer' }));
    const check = await ok<{ passed: boolean }>(t, candidate, 'POST', `/api/attempts/${attemptId}/customers/${customerId}/identity-check`, { answers }, 201);
    expect(check.passed).toBe(false);

    for (const [type, payload] of FORGED) {
      const ack = await send(type, payload);
      expect(ack, type).toMatchObject({ ok: false, error: 'server_recorded' });
      if (!ack.ok) expect(ack.message, type).toMatch(/server records/i);
    }
    // What only the browser sees is still accepted, as browser-reported.
    expect(await send('search', { query: 'Hughes', resultCount: 2 })).toMatchObject({ ok: true });
    const stored = t.repos.attemptEvents.list(attemptId);
    expect(stored.filter((e) => e.source === 'browser').map((e) => e.type)).toEqual(['search']);
    expect(stored.filter((e) => e.type === 'identity-check').map((e) => [e.source, e.payload.passed])).toEqual([['server', false]]);
  });

  it('leaves the identity and wrap-up suggestions at 0', async () => {
    const res = await ok<{ suggestions: Array<{ criterionId: string; suggestedMarks: number | null; evidence: string[] }> }>(t, assessor, 'GET', `/api/attempts/${attemptId}/suggestions`);
    const byId = new Map(res.suggestions.map((s) => [s.criterionId, s]));
    expect(byId.get('U2-1.1-verify-id')?.suggestedMarks).toBe(0);
    expect(byId.get('U2-1.1-verify-id')?.evidence.join(' ')).toMatch(/not verified/);
    expect(byId.get('U2-6.1-interaction-record')?.suggestedMarks).toBe(0);
  });

  it("shows the server's record in the replay, and labels what the browser reported", async () => {
    const view = await ok<ReplayView>(t, moderator, 'GET', `/api/attempts/${attemptId}/replay`);
    const checks = view.events.filter((e) => e.type === 'identity-check');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ recordedBy: 'server', payload: { passed: false } });
    expect(checks[0]!.summary).toMatch(/not verified/);
    const search = view.events.find((e) => e.type === 'search')!;
    expect(search.recordedBy).toBe('browser');
    expect(view.events.some((e) => e.type === 'wrap-up')).toBe(false);
  });

  it("puts the server's record in the pack's hash-chained timeline, with each event's source", async () => {
    const res = await call(t, moderator, 'GET', `/api/attempts/${attemptId}/pack.zip`);
    expect(res.statusCode, res.body).toBe(200);
    const zip = new AdmZip(res.rawPayload);
    const timeline = JSON.parse(zip.readAsText(`attempts/${attemptId}/timeline.json`)) as TimelineFile;
    expect(timeline.events.map((e) => [e.type, e.source])).toEqual([
      ['identity-check', 'server'],
      ['search', 'browser'],
    ]);
    expect(timeline.events[0]!.payload.passed).toBe(false);
    const csv = zip.readAsText(`attempts/${attemptId}/timeline.csv`);
    expect(csv).toMatch(/reported by the candidate's browser/);
    expect(await verifyPackZip(res.rawPayload)).toMatchObject({ ok: true });
  });
});
