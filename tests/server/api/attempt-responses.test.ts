// What the attempt routes send is what their response schemas declare (server/api/attempt-scope.ts):
// a handler that returns a whole stored row still sends only the declared fields. The candidate's
// own attempt carries nothing about its marking (who marked it, when), nor the assessor's notes on it.
// And a malformed body is refused naming every bad field at once. The sitting, marking and moderation
// routes of an attempt send, at every depth, only fields their response schemas declare.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { attemptBrief, bookmark, markingView, sittingDetail } from '../../../server/api/assessment-responses.js';
import { attemptMetrics, moderationView, replayEventsPage, replayView, timelineResponse } from '../../../server/api/moderation-responses.js';
import { attemptOf, attemptParams, registerAttemptScope } from '../../../server/api/attempt-scope.js';
import { replayView as buildReplayView } from '../../../server/moderation/replay/replay-view.js';
import { createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let candidate: Login;
let assessor: Login;
let attemptId: string;

const call = (who: Login, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf }, ...(payload ? { payload } : {}) });

/** The attempt fields the agent desktop is sent. */
const DESKTOP_ATTEMPT_FIELDS = ['closedAt', 'createdAt', 'id', 'position', 'scenarioKey', 'sittingId', 'status'];

beforeAll(async () => {
  t = await createTestApp({
    // A route of the real attempt scope whose handler returns more than its schema declares: the
    // moderation replay, with fields added at the top, inside the call and on every event.
    beforeReady: (app, { repos, clock }) =>
      registerAttemptScope(app, { repos, clock }, (scope) => {
        scope.get(
          '/replay-with-extras',
          { config: { access: ['moderator'], attempt: { use: 'supervise' } }, schema: { params: attemptParams, response: { 200: replayView } } },
          async (request) => {
            const view = buildReplayView(repos, attemptOf(request), clock.now());
            const leaky = { ...view, candidatePassword: 'leaked', call: view.call && { ...view.call, sipSecret: 'leaked' }, events: view.events.map((e) => ({ ...e, rowid: 1 })) };
            return leaky;
          },
        );
      }),
  });
  ({ candidate, assessor } = await t.loginRoles('candidate', 'assessor'));
  const res = await call(assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
  if (res.statusCode !== 201) throw new Error(`attempt not created: ${res.statusCode} ${res.body}`);
  attemptId = res.json().attempt.id;
  // Marked by the centre: the stored row now says who marked it and when.
  t.repos.db.prepare('UPDATE attempts SET marked_at = ?, marked_by = ?, note = ? WHERE id = ?').run(t.clock.now(), t.users.assessor, 'Re-take with the same variant', attemptId);
});
afterAll(async () => {
  await t.close();
});

describe('response schemas', () => {
  it('a practice attempt just created is sent as the desktop knows it: nothing of the stored row’s marking', async () => {
    const res = await call(assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ attempt: object; copied: object }>();
    expect(Object.keys(body).sort()).toEqual(['attempt', 'copied']);
    expect(Object.keys(body.attempt).sort()).toEqual([...DESKTOP_ATTEMPT_FIELDS, 'assessorUserId', 'candidateUserId', 'centreId'].sort());
    expect(Object.keys(body.copied).sort()).toEqual(['callList', 'cases', 'customers', 'messages', 'notes', 'orders', 'products']);
  });

  it('the attempt as the desktop reads it holds only the declared fields: nothing of its marking', async () => {
    for (const url of [`/api/attempts/${attemptId}`, '/api/attempts/current']) {
      const res = await call(candidate, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const attempt = res.json().attempt as Record<string, unknown>;
      expect(Object.keys(attempt).sort(), url).toEqual(DESKTOP_ATTEMPT_FIELDS);
      expect(attempt).not.toHaveProperty('markedAt');
      expect(attempt).not.toHaveProperty('markedBy');
      expect(res.json().company).toMatchObject({ name: expect.any(String) });
    }
  });

  it('a customer record is sent with exactly the fields of CustomerDetail', async () => {
    const found = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=BL100518`)).json();
    expect(found.count).toBe(1);
    const res = await call(candidate, 'GET', `/api/attempts/${attemptId}/customers/${found.customers[0].id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json().customer).sort()).toEqual(
      [
        'accountNumber', 'addressLine1', 'addressLine2', 'callbacks', 'cases', 'contactPreference', 'createdAt', 'dateOfBirth', 'doNotCall', 'email',
        'firstName', 'id', 'identityChecks', 'lastName', 'mobile', 'notes', 'orders', 'phone', 'postcode', 'securityQuestions', 'title', 'town', 'updatedAt', 'version',
      ].sort(),
    );
    // The security questions go to the desktop without their answers.
    for (const q of res.json().customer.securityQuestions) expect(Object.keys(q).sort()).toEqual(['id', 'question']);
  });
});

describe('one validation style', () => {
  it('a body with several bad fields is refused naming each of them, and nothing is written', async () => {
    const found = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=BL100518`)).json().customers[0];
    const res = await call(candidate, 'PATCH', `/api/attempts/${attemptId}/customers/${found.id}`, {
      version: found.version,
      postcode: 'LS99 ZZZ',
      email: 'george@',
      doNotCall: 'yes',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'postcode' });
    expect(Object.keys(res.json().fields).sort()).toEqual(['doNotCall', 'email', 'postcode']);
    expect(res.json().fields.email).toMatch(/not a valid e-mail address/);
    const after = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers/${found.id}`)).json().customer;
    expect(after.version).toBe(found.version);
  });
});

/**
 * The keys of `value`, at any depth, that `schema` does not declare (dotted paths). A passthrough
 * object (the briefs keep a scenario's extra parts) declares any key at its own level.
 */
function undeclared(schema: z.ZodTypeAny, value: unknown, at = ''): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return value == null ? [] : undeclared(schema.unwrap() as z.ZodTypeAny, value, at);
  if (schema instanceof z.ZodArray) return Array.isArray(value) ? value.flatMap((v, i) => undeclared(schema.element as z.ZodTypeAny, v, `${at}.${i}`)) : [];
  if (schema instanceof z.ZodRecord) return typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => undeclared(schema.valueSchema as z.ZodTypeAny, v, `${at}.${k}`)) : [];
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    const options = [...(schema.options as Iterable<z.ZodTypeAny>)].map((o) => undeclared(o, value, at));
    return options.reduce((best, o) => (o.length < best.length ? o : best));
  }
  if (schema instanceof z.ZodObject && typeof value === 'object' && value !== null) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    const open = schema._def.unknownKeys === 'passthrough';
    return Object.entries(value).flatMap(([k, v]) => (k in shape ? undeclared(shape[k]!, v, `${at}.${k}`) : open ? [] : [`${at}.${k}`]));
  }
  return [];
}

describe('the sitting, marking and moderation routes of an attempt send only what their schemas declare', () => {
  let sittingAttempt: string;
  let moderator: Login;
  const bodies = new Map<string, unknown>();

  beforeAll(async () => {
    moderator = await t.loginAs('moderator');
    const sitting = await createSitting(t, assessor);
    await startSitting(t, assessor, sitting.id);
    sittingAttempt = (await startAttempt(t, assessor, sitting.id, 1)).currentAttemptId!;
    // The attempt's call (answered), a note and a message by the candidate, a bookmark and a print-out: every part of the replay has something in it.
    const t0 = t.clock.now() + 1000;
    const callId = randomUUID();
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t0 });
    t.repos.calls.addEvent(callId, t0, 'invite', 'caller');
    t.repos.calls.addEvent(callId, t0 + 100, 'ringing', 'callee');
    t.repos.calls.addEvent(callId, t0 + 5100, 'answered', 'callee');
    t.repos.calls.update(callId, { state: 'answered', ringingAt: t0 + 100, answeredAt: t0 + 5100 });
    t.clock.advance(20_000);
    const customer = (await ok<{ customers: Array<{ id: number }> }>(t, candidate, 'GET', `/api/attempts/${sittingAttempt}/customers?q=BL100231`)).customers[0]!;
    await ok(t, candidate, 'POST', `/api/attempts/${sittingAttempt}/customers/${customer.id}/notes`, { body: 'Called about her bill.' }, 201);
    await ok(t, candidate, 'POST', `/api/attempts/${sittingAttempt}/messages`, { channel: 'email', to: 'margaret.hughes@example.co.uk', subject: 'Your call today', body: 'Thank you for calling.' }, 201);
    await ok(t, candidate, 'POST', `/api/attempts/${sittingAttempt}/printouts`, { kind: 'customer', subjectId: customer.id }, 201);
    const a = `/api/attempts/${sittingAttempt}`;
    bodies.set('brief (candidate)', await ok(t, candidate, 'GET', `${a}/brief`));
    bodies.set('brief (staff)', await ok(t, assessor, 'GET', `${a}/brief`));
    bodies.set('bookmark', await ok(t, assessor, 'POST', `${a}/bookmarks`, { note: 'Good greeting.' }, 201));
    bodies.set('bookmarks', await ok(t, assessor, 'GET', `${a}/bookmarks`));
    bodies.set('close', await ok(t, assessor, 'POST', `${a}/close`));
    bodies.set('marks', await markAttempt(t, assessor, sittingAttempt, 8));
    bodies.set('marking', await ok(t, assessor, 'GET', `${a}/marking`));
    bodies.set('replay', await ok(t, moderator, 'GET', `${a}/replay`));
    bodies.set('replay events', await ok(t, moderator, 'GET', `${a}/replay/events?afterSeq=0`));
    bodies.set('moderation', await ok(t, moderator, 'GET', `${a}/moderation`));
    bodies.set('metrics', await ok(t, moderator, 'GET', `${a}/metrics`));
    bodies.set('timeline', await ok(t, assessor, 'GET', `${a}/timeline`));
    bodies.set('timeline page', await ok(t, moderator, 'GET', `${a}/timeline?limit=1`));
  });

  const schemas: Record<string, z.ZodTypeAny> = {
    'brief (candidate)': attemptBrief,
    'brief (staff)': attemptBrief,
    bookmark,
    bookmarks: z.object({ bookmarks: z.array(bookmark) }),
    close: sittingDetail,
    marks: markingView,
    marking: markingView,
    replay: replayView,
    'replay events': replayEventsPage,
    moderation: moderationView,
    metrics: attemptMetrics,
    timeline: timelineResponse,
    'timeline page': timelineResponse,
  };

  it.each(Object.keys(schemas))('%s: no field beyond its response schema, at any depth', (name) => {
    const body = bodies.get(name);
    expect(body, name).toBeDefined();
    expect(undeclared(schemas[name]!, body), name).toEqual([]);
  });

  it('a handler that returns more than its schema declares still sends only the declared fields, at every depth', async () => {
    const sent = await ok<Record<string, unknown> & { call: Record<string, unknown>; events: Array<Record<string, unknown>> }>(t, moderator, 'GET', `/api/attempts/${sittingAttempt}/replay-with-extras`);
    expect(sent).not.toHaveProperty('candidatePassword');
    expect(sent.call).not.toHaveProperty('sipSecret');
    expect(sent.events.length).toBeGreaterThan(0);
    for (const e of sent.events) expect(e).not.toHaveProperty('rowid');
    // Otherwise it is the replay itself, as GET …/replay sends it.
    expect(sent).toEqual(await ok(t, moderator, 'GET', `/api/attempts/${sittingAttempt}/replay`));
  });

  it('a route of the attempt scope that declares no response schema stops the app from starting', async () => {
    const app = Fastify();
    registerAttemptScope(app, { repos: t.repos, clock: t.clock }, (scope) => {
      scope.get('/unschemed', { config: { access: ['admin'], attempt: { use: 'read' } }, schema: { params: attemptParams } }, async () => ({ anything: true }));
    });
    await expect(app.ready()).rejects.toThrow('GET /api/attempts/:id/unschemed of the attempt scope declares no response schema');
    await app.close();
  });

  it('the timeline was read from real events, a page at a time', () => {
    const timeline = bodies.get('timeline') as { events: Array<{ seq: number }>; nextAfterSeq?: number };
    expect(timeline.events.length).toBeGreaterThan(1);
    expect(timeline).not.toHaveProperty('nextAfterSeq');
    expect(bodies.get('timeline page')).toMatchObject({ events: [{ seq: timeline.events[0]!.seq }], nextAfterSeq: timeline.events[0]!.seq });
  });

  it('the replay was built from real parts: a call, the desktop events, the bookmark, the print-out and the message', () => {
    const replay = bodies.get('replay') as { call: unknown; events: Array<{ source: string }>; bookmarks: unknown[]; printouts: unknown[]; messages: unknown[] };
    expect(replay.call).not.toBeNull();
    expect(new Set(replay.events.map((e) => e.source))).toEqual(new Set(['call', 'desktop', 'bookmark']));
    expect([replay.bookmarks.length, replay.printouts.length, replay.messages.length].every((n) => n > 0)).toBe(true);
  });
});
