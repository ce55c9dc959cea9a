// Bounded timelines: a candidate's browser can add only so much to an attempt's timeline (a count
// and a byte quota, per attempt, configurable). Events past either are refused with a clear
// 'quota' error and nothing stored; what the server records itself is not limited by it; and the
// attempt's replay still loads, its timeline in pages.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayEventsPage, ReplayView } from '../../../server/protocol/moderation.js';
import type { DesktopEventAck } from '../../../server/protocol/timeline.js';
import { ok } from '../../support/sitting-helpers.js';
import { connectedSocket } from '../../support/realtime.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

const QUOTA = { events: 30, bytes: 64 * 1024 };

let t: TestApp;
let assessor: Login;
let candidate: Login;
let socket: Socket;

beforeAll(async () => {
  t = await createTestApp({ telephony: {}, browserEventQuota: QUOTA });
  ({ assessor, candidate } = await t.loginRoles('assessor', 'candidate'));
  socket = await connectedSocket(t, candidate.cookie);
});
afterAll(async () => {
  socket?.disconnect();
  await t?.close();
});

const practiceAttempt = async (): Promise<string> => (await ok<{ attempt: { id: string } }>(t, assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate, scenarioKey: 's1' }, 201)).attempt.id;
const send = (attemptId: string, payload: Record<string, unknown>) =>
  socket.emitWithAck('desktop:event', { clientId: randomUUID(), attemptId, type: 'search', payload, clientAt: Date.now() }) as Promise<DesktopEventAck>;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-attempt quota on browser-reported events', () => {
  it('refuses the event past the count quota, stores nothing of it, and the server still records its own', async () => {
    const attemptId = await practiceAttempt();
    for (let i = 0; i < QUOTA.events; i++) expect(await send(attemptId, { query: `q${i}`, resultCount: i }), `event ${i + 1}`).toMatchObject({ ok: true });
    const refused = await send(attemptId, { query: 'one too many', resultCount: 0 });
    expect(refused).toMatchObject({ ok: false, error: 'quota' });
    if (!refused.ok) expect(refused.message).toBe(`This attempt already holds ${QUOTA.events} events reported by the desktop, its limit; nothing more can be added to it.`);
    expect(t.repos.attemptEvents.browserUsage(attemptId).events).toBe(QUOTA.events);
    // The server's own records are not browser-reported and not limited by it.
    const customer = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!;
    await ok(t, candidate, 'POST', `/api/attempts/${attemptId}/customers/${customer.id}/notes`, { body: 'Caller moving on the 14th.' }, 201);
    expect(t.repos.attemptEvents.list(attemptId, { source: 'server' }).map((e) => e.type)).toEqual(['note-added']);
  });

  it('refuses the event that would pass the byte quota', async () => {
    await pause(700); // the socket's rate limit refills (50 a second)
    const attemptId = await practiceAttempt();
    const big = { query: 'x'.repeat(15_000), resultCount: 0 };
    for (let i = 0; i < 4; i++) expect(await send(attemptId, big)).toMatchObject({ ok: true });
    const refused = await send(attemptId, big);
    expect(refused).toMatchObject({ ok: false, error: 'quota' });
    if (!refused.ok) expect(refused.message).toMatch(/already hold 60\d{3} bytes; adding 150\d{2} more would pass its limit of 65536/);
    // A small one still fits.
    expect(await send(attemptId, { query: 'short', resultCount: 1 })).toMatchObject({ ok: true });
  });

  it("a full attempt's replay still loads, and its timeline comes in pages", async () => {
    await pause(700);
    const attemptId = await practiceAttempt();
    for (let i = 0; i < QUOTA.events; i++) await send(attemptId, { query: `q${i}`, resultCount: i });
    expect(await send(attemptId, { query: 'refused', resultCount: 0 })).toMatchObject({ ok: false, error: 'quota' });
    const view = await ok<ReplayView>(t, assessor, 'GET', `/api/attempts/${attemptId}/replay`);
    expect(view.events.filter((e) => e.type === 'search')).toHaveLength(QUOTA.events);
    expect(view.events.every((e) => e.recordedBy === 'browser')).toBe(true);
    expect(view.moreEvents).toBeNull();
    // The same timeline, ten at a time.
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await ok<ReplayEventsPage>(t, assessor, 'GET', `/api/attempts/${attemptId}/replay/events?afterSeq=${after}&limit=10`);
      seen.push(...page.events.map((e) => e.seq!));
      if (page.nextAfterSeq === null) break;
      expect(page.events).toHaveLength(10);
      after = page.nextAfterSeq;
    }
    expect(seen).toEqual(Array.from({ length: QUOTA.events }, (_, i) => i + 1));
  });
});
