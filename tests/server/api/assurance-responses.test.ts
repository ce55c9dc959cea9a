// The sitting, assurance, standardisation, centre-admin and call-detail routes send what their
// response schemas declare (server/api/assessment-responses.ts, assurance-responses.ts,
// telephony-responses.ts): a stored row's own fields stay behind, and a handler that returns more
// than its schema declares still sends only the declared fields, at every depth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sittingAssurance } from '../../../server/api/assurance-responses.js';
import { registerZodRoutes } from '../../../server/api/input.js';
import { callDetail } from '../../../server/api/telephony-responses.js';
import type { SittingAssuranceView } from '../../../server/protocol/assurance.js';
import type { CallDetail } from '../../../server/protocol/telephony.js';
import { call, createSitting, ok } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let admin: Login;
let assessor: Login;

const party = { extension: '2001', displayName: 'Alex Candidate', shownAs: 'Alex Candidate' };
const declaredCall: CallDetail = {
  call: {
    id: 'c1',
    invitedAt: 1,
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    caller: party,
    callee: party,
    candidateUserId: null,
    state: 'setup',
    sipStatus: null,
    recording: null,
    recordingProblem: null,
  },
  events: [{ id: 1, callId: 'c1', at: 1, type: 'invite', leg: 'caller', detail: { sdp: 'v=0' } }],
  holds: [{ start: 2, end: null, by: 'caller' }],
};
/** The call with fields added at the top, inside the call, on an event and on a hold. */
const leakyCall = {
  ...declaredCall,
  call: { ...declaredCall.call, caller: { ...party, sipPassword: 'leaked' }, recordingPath: '/var/lib/callmark/recordings/c1.ogg' },
  events: declaredCall.events.map((e) => ({ ...e, rowid: 7 })),
  holds: declaredCall.holds.map((h) => ({ ...h, internalNote: 'leaked' })),
  tokenHash: 'leaked',
};

beforeAll(async () => {
  t = await createTestApp({
    // Routes in a real zod scope whose handlers return more than their schemas declare.
    beforeReady: (app) =>
      registerZodRoutes(app, (scope) => {
        scope.get('/call-with-extras', { config: { access: ['admin'] }, schema: { response: { 200: callDetail } } }, async () => {
          const sent = leakyCall;
          return sent;
        });
        scope.get('/assurance-with-extras/:id', { config: { access: ['admin'] }, schema: { response: { 200: sittingAssurance } } }, async (request) => {
          const res = await app.inject({ method: 'GET', url: `/api/sittings/${(request.params as { id: string }).id}/assurance`, headers: { cookie: request.headers.cookie ?? '' } });
          const view = res.json<SittingAssuranceView>();
          return { ...view, passwordHash: 'leaked', candidate: { ...view.candidate, username: 'leaked' }, declarations: { ...view.declarations, ip: 'leaked' } };
        });
      }),
  });
  ({ admin, assessor } = await t.loginRoles('admin', 'assessor'));
});
afterAll(async () => {
  await t.close();
});

const keys = (o: object) => Object.keys(o).sort();

describe('response schemas of the centre admin', () => {
  it('changed centre settings are sent as the centre’s view: the stored row’s creation time stays behind', async () => {
    // The repository's centre has createdAt; the wire type (CentreView) does not, and the client never reads it.
    expect(t.repos.centres.findById(t.centreId)).toHaveProperty('createdAt');
    const res = await call(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, { centreNumber: null, releaseRule: 'moderated', maxRetakes: 1, overrunPolicy: 'warn', appealWindowDays: 30 });
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json<{ centre: object }>().centre)).toEqual(['appealWindowDays', 'centreNumber', 'id', 'isDemo', 'maxRetakes', 'name', 'overrunPolicy', 'releaseRule']);
  });

  it('a candidate given a number is sent as the account, with no password hash', async () => {
    const res = await call(t, admin, 'POST', `/api/users/${t.users.candidate}/candidate-number`, { candidateNumber: '0042' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toMatch(/passwordHash|scrypt/);
    expect(keys(res.json<{ user: object }>().user)).toEqual(['candidateNumber', 'centreId', 'createdAt', 'disabled', 'displayName', 'extension', 'id', 'mustChangePassword', 'role', 'updatedAt', 'username']);
  });
});

describe('a handler that returns more than its schema declares', () => {
  it('a call sends only the declared fields, at every depth', async () => {
    const res = await call(t, admin, 'GET', '/call-with-extras');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toMatch(/leaked|recordingPath|rowid/);
    const body = res.json<CallDetail>();
    expect(keys(body)).toEqual(['call', 'events', 'holds']);
    expect(keys(body.call.caller)).toEqual(['displayName', 'extension', 'shownAs']);
    expect(keys(body.events[0]!)).toEqual(['at', 'callId', 'detail', 'id', 'leg', 'type']);
    // The event's own facts are free-form, so they are sent as recorded.
    expect(body.events[0]!.detail).toEqual({ sdp: 'v=0' });
    expect(keys(body.holds[0]!)).toEqual(['by', 'end', 'start']);
  });

  it('a sitting’s assurance sends only the declared fields, at every depth', async () => {
    const sitting = await createSitting(t, assessor);
    const real = await ok<SittingAssuranceView>(t, admin, 'GET', `/api/sittings/${sitting.id}/assurance`);
    const res = await call(t, admin, 'GET', `/assurance-with-extras/${sitting.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toMatch(/leaked|passwordHash/);
    expect(res.json()).toEqual(real);
  });
});

describe('the routes send their wire types', () => {
  it('a sitting in the list and in full carries only SittingSummary’s and SittingDetail’s fields', async () => {
    const created = await createSitting(t, assessor);
    const summaryFields = ['assessor', 'assignmentNames', 'assignmentsTaken', 'candidate', 'centreId', 'centreName', 'createdAt', 'endedAt', 'id', 'outcome', 'result', 'resultState', 'scheduledFor', 'startedAt', 'status'];
    const detailFields = [...summaryFields, 'assignments', 'baseMinutes', 'clock', 'coverageWarnings', 'currentAttemptId', 'extraTime', 'preparation', 'restBreaks'].sort();
    expect(keys(created)).toEqual(detailFields);
    const { sittings } = await ok<{ sittings: object[] }>(t, assessor, 'GET', '/api/sittings');
    for (const s of sittings) expect(keys(s)).toEqual(summaryFields);
    expect(keys(await ok<object>(t, assessor, 'GET', `/api/sittings/${created.id}`))).toEqual(detailFields);
    expect(keys(await ok<object>(t, assessor, 'POST', '/api/sittings/coverage-check', { scenarioKeys: ['s1', 's4'] }))).toEqual(['problems', 'warnings']);
  });
});
