// The access policy, written down here independently of the routes, and checked against the app.
//
// POLICY says, for every route, who may call it and what each caller gets back, for an object of
// the caller's own centre and for the same kind of object in another centre. It is NOT read from
// the routes' declarations: the first test compares the two and fails when a route exists that the
// table does not list, when the table lists a route that does not exist, or when a route declares
// roles other than the table's. Then every route is called as every role (and with no login), on
// the own-centre object and on the foreign one, and the status must be the table's.
//
// How to read a row:
//   PUBLIC(s)        anyone, logged in or not, gets s
//   ANY_LOGIN(s)     any logged-in user gets s; no login: 401
//   { role: e, … }   only the roles named may call it (the route must declare exactly these);
//                    any other role: 403; no login: 401
//   e = s            that status, whichever centre the object belongs to (or the route names none)
//   e = [own, foreign]  own centre's object (for a candidate: their own), another centre's object
// Moderators and admins belong to no centre (test-app.ts): they see every centre by design.
//
// Adding a route: add its row to POLICY (what the specification says it should answer) and its
// request to PROBES (how to call it on each side). The first test prints the row it is missing.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import type { Access } from '../../../server/auth/access.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { sampleView } from '../../../server/moderation/replay/sample.js';
import { ROLES, type Role } from '../../../server/protocol/roles.js';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../../support/test-app.js';

type Side = 'own' | 'foreign';
type Expect = number | readonly [own: number, foreign: number];
type RolePolicy = Partial<Record<Role, Expect>>;
type Policy = { public: number } | { anyLogin: number } | RolePolicy;

const PUBLIC = (status: number): Policy => ({ public: status });
const ANY_LOGIN = (status: number): Policy => ({ anyLogin: status });

/** The policy. Keys are "METHOD url" exactly as the route is registered. */
const POLICY: Record<string, Policy> = {
  // Health, login, session
  'GET /healthz': PUBLIC(200),
  // The SIP WebSocket authenticates with SIP digest, not the session (tests/server/sip); a plain GET is not an upgrade.
  'GET /sip': PUBLIC(404),
  'POST /api/auth/login': PUBLIC(200),
  'GET /api/auth/session': ANY_LOGIN(200),
  'POST /api/auth/logout': ANY_LOGIN(204),

  // Administration: admins only, across every centre.
  'GET /api/centres': { admin: 200 },
  'POST /api/centres': { admin: 201 },
  'GET /api/users': { admin: 200 },
  'POST /api/users': { admin: 201 },
  'POST /api/users/:id/password': { admin: 200 },
  'POST /api/users/:id/disabled': { admin: 200 },

  // Scenarios: staff read, the centre's assessors and admins change their centre's variants.
  'GET /api/scenarios': { assessor: 200, moderator: 200, admin: 200 },
  'GET /api/scenarios/:key': { assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/scenarios/:key/clone': { assessor: [201, 404], admin: 201 },
  'PUT /api/scenarios/:key': { assessor: [200, 404], admin: 200 },
  'DELETE /api/scenarios/:key': { assessor: [204, 404], admin: 204 },

  // Telephony: only the two who make calls get SIP credentials; recordings never to candidates.
  'POST /api/sip/credentials': { candidate: 200, assessor: 200 },
  'GET /api/directory': { candidate: 200, assessor: 200 },
  'GET /api/calls': { candidate: 200, assessor: 200, moderator: 200, admin: 200 },
  'GET /api/calls/:id': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/calls/:id/recording': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/calls/:id/peaks': { assessor: [200, 404], moderator: 200, admin: 200 },

  // The agent desktop (CRM): the attempt's candidate works in it, its supervisors read it.
  'POST /api/attempts': { assessor: [201, 400] },
  'GET /api/attempts/current': { candidate: 200 },
  'GET /api/attempts/:id': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/customers': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/customers/by-phone/:phone': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/customers/:cid': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'PATCH /api/attempts/:id/customers/:cid': { candidate: [200, 404] },
  'POST /api/attempts/:id/customers/:cid/identity-check': { candidate: [201, 404] },
  'POST /api/attempts/:id/customers/:cid/notes': { candidate: [201, 404] },
  'POST /api/attempts/:id/customers/:cid/orders': { candidate: [201, 404] },
  'POST /api/attempts/:id/customers/:cid/cases': { candidate: [201, 404] },
  'POST /api/attempts/:id/customers/:cid/callbacks': { candidate: [201, 404] },
  'POST /api/attempts/:id/wrap-ups': { candidate: [201, 404] },
  'GET /api/attempts/:id/messages': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/messages': { candidate: [201, 404] },
  'GET /api/attempts/:id/products': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/knowledge-base': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/scripts': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/wrap-up-codes': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/call-list': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/message-templates': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/printouts': { candidate: [201, 404] },
  'GET /api/attempts/:id/printouts': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/printouts/:pid': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/timeline': { assessor: [200, 404], moderator: 200, admin: 200 },
  // A demo attempt has no scenario to suggest marks from: 409 to whoever may see it.
  'GET /api/attempts/:id/suggestions': { assessor: [409, 404], moderator: 409, admin: 409 },

  // Sittings: candidates see their own; the centre's assessors (and admins) run them; moderators read.
  'GET /api/sittings': { candidate: 200, assessor: 200, moderator: 200, admin: 200 },
  'POST /api/sittings': { assessor: [201, 400], admin: 201 },
  'GET /api/sittings/:id': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/sittings/:id/start': { assessor: [200, 404], admin: 200 },
  'POST /api/sittings/:id/rest-break': { assessor: [200, 404], admin: 200 },
  'POST /api/sittings/:id/end': { assessor: [200, 404], admin: 200 },
  'POST /api/sittings/:id/assignments/:n/attempts': { assessor: [200, 404], admin: 200 },
  'POST /api/attempts/:id/close': { assessor: [200, 404], admin: 200 },
  'GET /api/attempts/:id/brief': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },

  // Marking: the centre's assessors mark, moderators read; documents for staff.
  'GET /api/attempts/:id/bookmarks': { assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/bookmarks': { assessor: [201, 404], admin: 201 },
  'GET /api/attempts/:id/marking': { assessor: [200, 404], moderator: 200, admin: 200 },
  'PUT /api/attempts/:id/marks': { assessor: [200, 404], admin: 200 },
  'GET /api/sittings/:id/mark-sheet.pdf': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/results.csv': { assessor: 200, moderator: 200, admin: 200 },

  // Moderation: replay and metrics for staff; packs, moderated marks, audit log and sample for moderators and admins.
  'GET /api/attempts/:id/metrics': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/replay': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/moderation': { assessor: [200, 404], moderator: 200, admin: 200 },
  'PUT /api/attempts/:id/moderation': { moderator: 200, admin: 200 },
  'GET /api/attempts/:id/pack.zip': { moderator: 200, admin: 200 },
  'GET /api/sittings/:id/pack.zip': { moderator: 200, admin: 200 },
  'POST /api/packs': { moderator: 200, admin: 200 },
  // The upload is not a zip: the verifier answers 400, which still shows the route let the caller in.
  'POST /api/packs/verify': { moderator: 400, admin: 400 },
  'GET /api/audit-log': { moderator: 200, admin: 200 },
  'GET /api/moderation/sample': { moderator: 200, admin: 200 },
  'POST /api/moderation/sample/add': { moderator: 200, admin: 200 },
  'POST /api/moderation/sample/remove': { moderator: 200, admin: 200 },

  // --- issue 17 (i17): routes added for the desktop and consoles ------------------------------
  // Who is logged in: "nobody" is an answer (200, session null), so the login page has no 401.
  'GET /api/auth/status': PUBLIC(200),
  // --- end of issue 17 rows ------------------------------------------------------------------
};

/** One centre's objects, made in beforeAll: Northgate's ('own') and Southfield's ('foreign'). */
interface Fixtures {
  centreId: number;
  candidateId: number;
  /** A demo attempt of the side's candidate with its CRM copy. */
  crmAttempt: string;
  /** Margaret Hughes (BL100231) in that attempt's CRM copy. */
  customerId: number;
  printoutId: string;
  /** A started sitting of the side's candidate with an open S1 attempt. */
  sitting: string;
  sittingAttempt: string;
  /** A recorded, analysed call of the side's candidate, and an attempt with a desktop timeline. */
  callId: string;
  timelineAttempt: string;
  /** The side's own variant of S1. */
  scenario: string;
  assessorLogin: string;
  candidateLogin: string;
}
const fx = {} as Record<Side, Fixtures>;

interface Probe {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The concrete request; given `side` only when the route names an object of a centre. */
  path?: (side: Side) => string;
  body?: (side: Side) => unknown;
  /** The route names an object of one centre (so it is called on both sides). */
  centred?: true;
  /** Content type of a non-JSON body (e.g. an upload). */
  contentType?: string;
}

const attemptUrl = (suffix: string, attempt: (f: Fixtures) => string = (f) => f.crmAttempt) => (side: Side) => `/api/attempts/${attempt(fx[side])}${suffix}`;
const customerUrl = (suffix: string) => (side: Side) => `/api/attempts/${fx[side].crmAttempt}/customers/${fx[side].customerId}${suffix}`;

/** How to call each route (independent of who calls it). */
const PROBES: Record<string, Probe> = {
  'GET /healthz': { method: 'GET' },
  'GET /sip': { method: 'GET' },
  'POST /api/auth/login': { method: 'POST', body: () => ({ username: 'candidate1', password: PASSWORD }) },
  'GET /api/auth/session': { method: 'GET' },
  'POST /api/auth/logout': { method: 'POST' },
  'GET /api/centres': { method: 'GET' },
  'POST /api/centres': { method: 'POST', body: () => ({ name: `Centre ${randomUUID()}` }) },
  'GET /api/users': { method: 'GET' },
  'POST /api/users': { method: 'POST', body: () => ({ username: `u${Math.floor(Math.random() * 1e9)}`, displayName: 'New', role: 'candidate', centreId: fx.own.centreId }) },
  'POST /api/users/:id/password': { method: 'POST', path: () => `/api/users/${t.repos.users.findByUsernameWithHash('candidate3')!.id}/password`, body: () => ({}) },
  'POST /api/users/:id/disabled': { method: 'POST', path: () => `/api/users/${t.users.moderator}/disabled`, body: () => ({ disabled: false }) },

  'GET /api/scenarios': { method: 'GET' },
  'GET /api/scenarios/:key': { method: 'GET', centred: true, path: (s) => `/api/scenarios/${fx[s].scenario}` },
  // Own: a copy of the shipped S1 for the caller's centre; foreign: a copy of the other centre's variant.
  'POST /api/scenarios/:key/clone': {
    method: 'POST',
    centred: true,
    path: (s) => `/api/scenarios/${s === 'own' ? 's1' : fx.foreign.scenario}/clone`,
    body: (s) => ({ variant: `v${Math.floor(Math.random() * 1e9)}`, title: 'A copy', centreId: fx[s].centreId }),
  },
  'PUT /api/scenarios/:key': { method: 'PUT', centred: true, path: (s) => `/api/scenarios/${fx[s].scenario}`, body: (s) => JSON.parse(fs.readFileSync(path.join(t.dir, 'scenarios', `${fx[s].scenario}.json`), 'utf8')) as unknown },
  'DELETE /api/scenarios/:key': { method: 'DELETE', centred: true, path: (s) => `/api/scenarios/${spareScenario(s)}` },

  'POST /api/sip/credentials': { method: 'POST' },
  'GET /api/directory': { method: 'GET' },
  'GET /api/calls': { method: 'GET' },
  'GET /api/calls/:id': { method: 'GET', centred: true, path: (s) => `/api/calls/${fx[s].callId}` },
  'GET /api/calls/:id/recording': { method: 'GET', centred: true, path: (s) => `/api/calls/${fx[s].callId}/recording` },
  'GET /api/calls/:id/peaks': { method: 'GET', centred: true, path: (s) => `/api/calls/${fx[s].callId}/peaks` },

  'POST /api/attempts': { method: 'POST', centred: true, body: (s) => ({ candidateUserId: fx[s].candidateId }) },
  'GET /api/attempts/current': { method: 'GET' },
  'GET /api/attempts/:id': { method: 'GET', centred: true, path: attemptUrl('') },
  'GET /api/attempts/:id/customers': { method: 'GET', centred: true, path: attemptUrl('/customers?q=Hughes') },
  'GET /api/attempts/:id/customers/by-phone/:phone': { method: 'GET', centred: true, path: attemptUrl('/customers/by-phone/%2B441134960412') },
  'GET /api/attempts/:id/customers/:cid': { method: 'GET', centred: true, path: customerUrl('') },
  'PATCH /api/attempts/:id/customers/:cid': {
    method: 'PATCH',
    centred: true,
    path: customerUrl(''),
    body: (s) => ({ version: t.repos.crm.findCustomerByAccount(fx[s].crmAttempt, 'BL100231')!.version, town: 'Leeds' }),
  },
  'POST /api/attempts/:id/customers/:cid/identity-check': {
    method: 'POST',
    centred: true,
    path: customerUrl('/identity-check'),
    body: (s) => ({ answers: [{ questionId: t.repos.crm.securityQuestions(fx[s].crmAttempt, fx[s].customerId)[0]!.id, answer: 'bluebell' }] }),
  },
  'POST /api/attempts/:id/customers/:cid/notes': { method: 'POST', centred: true, path: customerUrl('/notes'), body: () => ({ body: 'Called about her bill.' }) },
  'POST /api/attempts/:id/customers/:cid/orders': { method: 'POST', centred: true, path: customerUrl('/orders'), body: () => ({ lines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }) },
  'POST /api/attempts/:id/customers/:cid/cases': { method: 'POST', centred: true, path: customerUrl('/cases'), body: () => ({ type: 'query', priority: 'low', description: 'Asked about the price change.' }) },
  'POST /api/attempts/:id/customers/:cid/callbacks': { method: 'POST', centred: true, path: customerUrl('/callbacks'), body: () => ({ dueAt: '2026-01-05T10:00', reason: 'Confirm the engineer visit.' }) },
  'POST /api/attempts/:id/wrap-ups': { method: 'POST', centred: true, path: attemptUrl('/wrap-ups'), body: () => ({ code: 'INFO' }) },
  'GET /api/attempts/:id/messages': { method: 'GET', centred: true, path: attemptUrl('/messages') },
  'POST /api/attempts/:id/messages': {
    method: 'POST',
    centred: true,
    path: attemptUrl('/messages'),
    body: () => ({ channel: 'email', to: 'margaret.hughes@example.co.uk', subject: 'Your call today', body: 'Thank you for calling.' }),
  },
  'GET /api/attempts/:id/products': { method: 'GET', centred: true, path: attemptUrl('/products') },
  'GET /api/attempts/:id/knowledge-base': { method: 'GET', centred: true, path: attemptUrl('/knowledge-base?q=credit') },
  'GET /api/attempts/:id/scripts': { method: 'GET', centred: true, path: attemptUrl('/scripts') },
  'GET /api/attempts/:id/wrap-up-codes': { method: 'GET', centred: true, path: attemptUrl('/wrap-up-codes') },
  'GET /api/attempts/:id/call-list': { method: 'GET', centred: true, path: attemptUrl('/call-list') },
  'GET /api/attempts/:id/message-templates': { method: 'GET', centred: true, path: attemptUrl('/message-templates') },
  'POST /api/attempts/:id/printouts': { method: 'POST', centred: true, path: attemptUrl('/printouts'), body: (s) => ({ kind: 'customer', subjectId: fx[s].customerId }) },
  'GET /api/attempts/:id/printouts': { method: 'GET', centred: true, path: attemptUrl('/printouts') },
  'GET /api/attempts/:id/printouts/:pid': { method: 'GET', centred: true, path: (s) => `/api/attempts/${fx[s].crmAttempt}/printouts/${fx[s].printoutId}` },
  'GET /api/attempts/:id/timeline': { method: 'GET', centred: true, path: attemptUrl('/timeline', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/suggestions': { method: 'GET', centred: true, path: attemptUrl('/suggestions') },

  'GET /api/sittings': { method: 'GET' },
  'POST /api/sittings': { method: 'POST', centred: true, body: (s) => ({ candidateUserId: fx[s].candidateId, scenarioKeys: ['s1', 's4', 's5', 's3'] }) },
  'GET /api/sittings/:id': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}` },
  'POST /api/sittings/:id/start': { method: 'POST', centred: true, path: (s) => `/api/sittings/${freshSitting(s)}/start` },
  'POST /api/sittings/:id/rest-break': { method: 'POST', centred: true, path: (s) => `/api/sittings/${freshSitting(s, { start: true, restBreaks: true })}/rest-break`, body: () => ({ action: 'start' }) },
  'POST /api/sittings/:id/end': { method: 'POST', centred: true, path: (s) => `/api/sittings/${freshSitting(s, { start: true })}/end` },
  'POST /api/sittings/:id/assignments/:n/attempts': { method: 'POST', centred: true, path: (s) => `/api/sittings/${freshSitting(s, { start: true })}/assignments/1/attempts` },
  'POST /api/attempts/:id/close': { method: 'POST', centred: true, path: (s) => `/api/attempts/${freshSittingAttempt(s)}/close` },
  'GET /api/attempts/:id/brief': { method: 'GET', centred: true, path: attemptUrl('/brief', (f) => f.sittingAttempt) },

  'GET /api/attempts/:id/bookmarks': { method: 'GET', centred: true, path: attemptUrl('/bookmarks', (f) => f.sittingAttempt) },
  'POST /api/attempts/:id/bookmarks': { method: 'POST', centred: true, path: attemptUrl('/bookmarks', (f) => f.sittingAttempt), body: () => ({ note: 'Good greeting.' }) },
  'GET /api/attempts/:id/marking': { method: 'GET', centred: true, path: attemptUrl('/marking', (f) => f.sittingAttempt) },
  'PUT /api/attempts/:id/marks': { method: 'PUT', centred: true, path: attemptUrl('/marks', (f) => f.sittingAttempt), body: () => ({ marks: [] }) },
  'GET /api/sittings/:id/mark-sheet.pdf': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}/mark-sheet.pdf` },
  'GET /api/results.csv': { method: 'GET' },

  'GET /api/attempts/:id/metrics': { method: 'GET', centred: true, path: attemptUrl('/metrics', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/replay': { method: 'GET', centred: true, path: attemptUrl('/replay', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/moderation': { method: 'GET', centred: true, path: attemptUrl('/moderation', (f) => f.sittingAttempt) },
  'PUT /api/attempts/:id/moderation': {
    method: 'PUT',
    centred: true,
    path: (s) => `/api/attempts/${freshMarkedAttempt(s)}/moderation`,
    body: () => ({ marks: [{ criterionId: 'U2-1.1-answer-time', mark: 0, reason: 'The phone rang for 40 s on the recording.' }] }),
  },
  'GET /api/attempts/:id/pack.zip': { method: 'GET', centred: true, path: attemptUrl('/pack.zip', (f) => f.timelineAttempt) },
  'GET /api/sittings/:id/pack.zip': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}/pack.zip` },
  'POST /api/packs': { method: 'POST', centred: true, body: (s) => ({ attemptIds: [fx[s].timelineAttempt] }) },
  'POST /api/packs/verify': { method: 'POST', body: () => Buffer.from('not a zip'), contentType: 'application/zip' },
  'GET /api/audit-log': { method: 'GET' },
  'GET /api/moderation/sample': { method: 'GET', centred: true, path: (s) => `/api/moderation/sample?centreId=${fx[s].centreId}` },
  'POST /api/moderation/sample/add': { method: 'POST', centred: true, body: (s) => ({ centreId: fx[s].centreId, sittingId: endedSitting(s, false), reason: 'New assessor.' }) },
  'POST /api/moderation/sample/remove': { method: 'POST', centred: true, body: (s) => ({ centreId: fx[s].centreId, sittingId: endedSitting(s, true), reason: 'Seen last series.' }) },

  // --- issue 17 (i17) ------------------------------------------------------------------------
  'GET /api/auth/status': { method: 'GET' },
  // --- end of issue 17 probes ----------------------------------------------------------------
};

// ---------------------------------------------------------------------------------------------
// Checking the table against the app.

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** The table's row written as the route's declaration would be (what access.ts enforces). */
function declaredByPolicy(p: Policy): Access {
  if ('public' in p) return 'public';
  if ('anyLogin' in p) return 'authenticated';
  return ROLES.filter((r) => (p as RolePolicy)[r] !== undefined);
}
const show = (a: Access): string => (typeof a === 'string' ? a : `[${[...a].sort().join(', ')}]`);
const sameAccess = (a: Access, b: Access): boolean => show(a) === show(b);

/** A row to paste for a route the table does not list: what the route declares, with its statuses to fill in. */
function suggestedRow(route: { method: string; url: string; access: Access }): string {
  const scoped = route.url.includes(':');
  const value = route.access === 'public' ? 'PUBLIC(200)' : route.access === 'authenticated' ? 'ANY_LOGIN(200)' : `{ ${route.access.map((r) => `${r}: ${scoped ? '[200, 404]' : '200'}`).join(', ')} }`;
  return `'${key(route)}': ${value}`;
}

/** Everything that differs between the routes the app registers and the table. */
function policyDifferences(routes: ReadonlyArray<{ method: string; url: string; access: Access }>): string[] {
  const problems: string[] = [];
  for (const route of routes) {
    const row = POLICY[key(route)];
    if (!row) {
      problems.push(`${key(route)} is not in POLICY (it declares ${show(route.access)}): add the row  ${suggestedRow(route)}  with the statuses the specification gives, and its request to PROBES`);
      continue;
    }
    const expected = declaredByPolicy(row);
    if (!sameAccess(expected, route.access)) problems.push(`${key(route)} declares ${show(route.access)} but POLICY allows ${show(expected)}`);
    if (!PROBES[key(route)]) problems.push(`${key(route)} has no request in PROBES (how to call it for the own and the foreign centre)`);
  }
  const registered = new Set(routes.map(key));
  for (const k of Object.keys(POLICY)) if (!registered.has(k)) problems.push(`POLICY lists ${k} but the app registers no such route`);
  for (const k of Object.keys(PROBES)) if (!POLICY[k]) problems.push(`PROBES has ${k} but POLICY has no row for it`);
  for (const [k, row] of Object.entries(POLICY)) {
    const twoSided = 'public' in row || 'anyLogin' in row ? false : Object.values(row).some((e) => Array.isArray(e));
    if (twoSided && !PROBES[k]?.centred) problems.push(`POLICY gives ${k} own/foreign statuses but its probe does not name a centre's object (centred)`);
  }
  return problems;
}

type Who = Role | 'anonymous';
/** The status the table expects for one caller on one side. */
function expectedStatus(row: Policy, who: Who, side: Side): number {
  if ('public' in row) return row.public;
  if (who === 'anonymous') return 401;
  if ('anyLogin' in row) return row.anyLogin;
  const e = (row as RolePolicy)[who];
  if (e === undefined) return 403;
  return typeof e === 'number' ? e : side === 'own' ? e[0] : e[1];
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

let t: TestApp;

/** A new sitting of the side's candidate, scheduled or started, straight through the repository. */
function freshSitting(side: Side, opts: { start?: boolean; restBreaks?: boolean } = {}): string {
  const f = fx[side];
  const s = t.repos.sittings.create(
    { centreId: f.centreId, candidateUserId: f.candidateId, assessorUserId: null, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: opts.restBreaks ?? false, createdBy: t.users.admin },
    t.clock.now(),
  );
  if (opts.start) t.repos.sittings.start(s.id, t.clock.now());
  return s.id;
}

/** An open S1 attempt in a new started sitting of the side's candidate. */
function freshSittingAttempt(side: Side): string {
  const f = fx[side];
  const sittingId = freshSitting(side, { start: true });
  return t.repos.attempts.create({ centreId: f.centreId, candidateUserId: f.candidateId, assessorUserId: null, scenarioKey: 's1', sittingId, position: 1, variant: 'a', scenarioVersion: 1 }, t.clock.now()).id;
}

/** A fresh, unused copy of the side's S1 variant, written straight into the data folder. */
function spareScenario(side: Side): string {
  const source = fx[side].scenario;
  const spare = `s1-c${fx[side].centreId}-spare${Math.floor(Math.random() * 1e9)}`;
  const text = fs.readFileSync(path.join(t.dir, 'scenarios', `${source}.json`), 'utf8');
  fs.writeFileSync(path.join(t.dir, 'scenarios', `${spare}.json`), text.replace(`"variant": "${source.slice(3)}"`, `"variant": "${spare.slice(3)}"`));
  return spare;
}

/** An S1 attempt of the side's candidate whose centre marking is finished (every criterion 1). */
function freshMarkedAttempt(side: Side): string {
  const id = freshSittingAttempt(side);
  for (const criterionId of scenarioForAttemptKey('s1')!.rubric.map((c) => c.criterionId)) {
    t.repos.attemptMarks.save({ attemptId: id, criterionId, mark: 1, comment: '', overrideReason: null, updatedAt: t.clock.now(), updatedBy: t.users.admin });
  }
  t.repos.attempts.markFinished(id, t.users.admin, t.clock.now());
  return id;
}

/** A new ended sitting of the side's centre that is (or is not) in the centre's sample as it stands. */
function endedSitting(side: Side, inSample: boolean): string {
  for (let i = 0; i < 50; i++) {
    const id = freshSitting(side, { start: true });
    t.repos.sittings.end(id, t.clock.now());
    if (sampleView(t.repos, fx[side].centreId).sample.some((s) => s.sittingId === id) === inSample) return id;
  }
  throw new Error('no sitting found for the sample probe');
}

const auth = (l: Login) => ({ cookie: l.cookie, 'x-csrf-token': l.csrf });

/** One centre's objects, made the way its users make them. */
async function makeSide(centreId: number, candidateLogin: string, assessorLogin: string): Promise<Fixtures> {
  const assessor = await t.login(assessorLogin);
  const candidate = await t.login(candidateLogin);
  const candidateId = candidate.userId;
  const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: auth(assessor), payload: { candidateUserId: candidateId } });
  expect(made.statusCode, made.body).toBe(201);
  const crmAttempt = (made.json() as { attempt: { id: string } }).attempt.id;
  const customerId = t.repos.crm.findCustomerByAccount(crmAttempt, 'BL100231')!.id;
  const printed = await t.app.inject({ method: 'POST', url: `/api/attempts/${crmAttempt}/printouts`, headers: auth(candidate), payload: { kind: 'customer', subjectId: customerId } });
  expect(printed.statusCode, printed.body).toBe(201);
  const cloned = await t.app.inject({ method: 'POST', url: '/api/scenarios/s1/clone', headers: auth(assessor), payload: { variant: 'matrix', title: 'Matrix copy' } });
  expect(cloned.statusCode, cloned.body).toBe(201);

  // A recorded call of the side's candidate with its stored analysis, and an attempt with a timeline.
  const callId = randomUUID();
  const timelineAttempt = randomUUID();
  const dir = path.join(t.dir, 'recordings');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${callId}.ogg`), 'OggS fake');
  t.repos.calls.create({ id: callId, centreId, callerUserId: assessor.userId, calleeUserId: candidateId, callerExtension: 'a', calleeExtension: 'c', candidateUserId: candidateId, invitedAt: 1 });
  t.repos.calls.update(callId, { state: 'ended', recordingPath: path.join(dir, `${callId}.ogg`), recordingStatus: 'complete' });
  t.repos.attempts.create({ id: timelineAttempt, centreId, candidateUserId: candidateId, scenarioKey: 'demo' }, t.clock.now());
  t.repos.recordingAnalysis.saveDone({ callId, recordingSha256: 'ab'.repeat(32), analyserVersion: 1, analysedAt: 1, durationMs: 40, channels: 2, peaksPerSecond: 50, peaks: new Uint8Array([1, 2, 3, 4]), talkMs: [0, 0], silenceMs: 40, overtalkMs: 0, segments: [[], []] });

  const side: Fixtures = {
    centreId,
    candidateId,
    crmAttempt,
    customerId,
    printoutId: (printed.json() as { printout: { id: string } }).printout.id,
    sitting: '',
    sittingAttempt: '',
    callId,
    timelineAttempt,
    scenario: (cloned.json() as { key: string }).key,
    assessorLogin,
    candidateLogin,
  };
  const sitting = t.repos.sittings.create(
    { centreId, candidateUserId: candidateId, assessorUserId: assessor.userId, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: assessor.userId },
    t.clock.now(),
  );
  t.repos.sittings.start(sitting.id, t.clock.now());
  const started = await t.app.inject({ method: 'POST', url: `/api/sittings/${sitting.id}/assignments/1/attempts`, headers: auth(assessor) });
  expect(started.statusCode, started.body).toBe(200);
  side.sitting = sitting.id;
  side.sittingAttempt = (started.json() as { currentAttemptId: string }).currentAttemptId;
  return side;
}

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  const hash = await hashPassword(PASSWORD);
  t.repos.users.create({ username: 'assessor2', displayName: 'Southfield assessor', role: 'assessor', centreId: t.foreignCentreId, passwordHash: hash });
  t.repos.users.create({ username: 'candidate3', displayName: 'Spare Northgate candidate', role: 'candidate', centreId: t.centreId, passwordHash: hash });
  fx.own = await makeSide(t.centreId, 'candidate1', 'assessor1');
  fx.foreign = await makeSide(t.foreignCentreId, 'candidate2', 'assessor2');
});
afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------

describe('access policy', () => {
  it('lists every registered route, with the roles each route declares', () => {
    expect(policyDifferences(t.app.routeAccess)).toEqual([]);
  });

  it('the comparison fails on a route the table lacks and on a route whose roles differ', () => {
    // The check itself is checked: it must name the row and say what to add.
    const problems = policyDifferences([
      ...t.app.routeAccess.filter((r) => key(r) !== 'GET /api/sittings/:id/pack.zip'),
      { method: 'GET', url: '/api/sittings/:id/pack.zip', access: ['candidate', 'moderator', 'admin'] },
      { method: 'GET', url: '/api/new-thing/:id', access: ['assessor'] },
    ]);
    expect(problems).toEqual([
      'GET /api/sittings/:id/pack.zip declares [admin, candidate, moderator] but POLICY allows [admin, moderator]',
      "GET /api/new-thing/:id is not in POLICY (it declares [assessor]): add the row  'GET /api/new-thing/:id': { assessor: [200, 404] }  with the statuses the specification gives, and its request to PROBES",
    ]);
  });

  const who: Who[] = ['anonymous', ...ROLES];
  for (const [route, row] of Object.entries(POLICY)) {
    const probe = PROBES[route];
    if (!probe) continue; // reported by the first test
    const sides: Side[] = probe.centred ? ['own', 'foreign'] : ['own'];
    for (const side of sides) {
      for (const caller of who) {
        const expected = expectedStatus(row, caller, side);
        it(`${route} as ${caller}${probe.centred ? ` on ${side === 'own' ? 'its own' : 'another'} centre's object` : ''} → ${expected}`, async () => {
          const login = caller === 'anonymous' ? undefined : await t.loginAs(caller);
          const res = await t.app.inject({
            method: probe.method,
            url: probe.path ? probe.path(side) : route.slice(route.indexOf(' ') + 1),
            headers: { ...(login ? auth(login) : {}), ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
            ...(probe.body ? { payload: probe.body(side) as object } : {}),
          });
          const said = String(res.headers['content-type'] ?? '').startsWith('application/json') ? res.body.slice(0, 300) : `(${String(res.headers['content-type'])} body)`;
          expect(res.statusCode, `${route} as ${caller} (${side}): ${said}`).toBe(expected);
        });
      }
    }
  }

  it('refuses to start when an /api route forgets to declare its access', async () => {
    const { default: Fastify } = await import('fastify');
    const { registerAccessControl } = await import('../../../server/auth/access.js');
    const app = Fastify();
    registerAccessControl(app, { resolve: () => undefined } as never);
    expect(() => app.get('/api/oops', async () => 'x')).toThrow(/does not declare config.access/);
  });
});
