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
// Candidates, assessors and internal quality assurers (iqa) belong to one centre (test-app.ts puts
// them in Northgate, the 'own' side); another centre's object answers like an unknown id (404), and
// another centre's candidate or attempt named in a request body is a bad field (400). Moderators
// and admins belong to no centre (test-app.ts): they see every centre by design. A role a row does
// not name gets 403: for iqa that is every route of the agent desktop, marking, replay, packs and
// administration (the IQA reviews marks through /api/iqa and hears the recordings, nothing else).
//
// Adding a route: add its row to POLICY (what the specification says it should answer) and its
// request to PROBES (how to call it on each side, on an object in the state where the call can
// succeed). The first test prints the row it is missing.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../../server/auth/access.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import type { StandardisationResultsView } from '../../../server/protocol/assurance.js';
import type { SampleView } from '../../../server/protocol/moderation.js';
import { ROLES, type Role } from '../../../server/protocol/roles.js';
import { agreeWithEveryMark, declareEnd, markAttempt, ok, prepareSitting, signSitting, startAttempt, startSitting, submitSitting } from '../../support/sitting-helpers.js';
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
  // Everyone changes their own password (the current one first).
  'POST /api/auth/password': ANY_LOGIN(200),

  // Administration: admins only, across every centre.
  'GET /api/centres': { admin: 200 },
  'POST /api/centres': { admin: 201 },
  'GET /api/users': { admin: 200 },
  'POST /api/users': { admin: 201 },
  'POST /api/users/:id/password': { admin: 200 },
  'POST /api/users/:id/disabled': { admin: 200 },
  // Login locks (README, CALLMARK_LOGIN_RATE_LIMIT): admins see which accounts and addresses are locked and lift them.
  'GET /api/login-locks': { admin: 200 },
  'POST /api/login-locks/lift': { admin: 200 },
  // Centre administration (issue 13, "Centre admin"): the admin role, for every centre; a candidate of any centre gets a number.
  'PUT /api/centres/:id/settings': { admin: 200 },
  'POST /api/users/:id/candidate-number': { admin: 200 },

  // Scenarios: staff read, the centre's assessors and admins change their centre's variants.
  'GET /api/scenarios': { assessor: 200, moderator: 200, admin: 200 },
  'GET /api/scenarios/:key': { assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/scenarios/:key/clone': { assessor: [201, 404], admin: 201 },
  'PUT /api/scenarios/:key': { assessor: [200, 404], admin: 200 },
  'DELETE /api/scenarios/:key': { assessor: [204, 404], admin: 204 },

  // Telephony: only the two who make calls get SIP credentials; recordings never to candidates. The
  // centre's internal quality assurer hears its centre's recordings to review the marking (issue 13);
  // the call lists and the waveform are for the replay, which is not the IQA's.
  'POST /api/sip/credentials': { candidate: 200, assessor: 200 },
  'GET /api/directory': { candidate: 200, assessor: 200 },
  'GET /api/calls': { candidate: 200, assessor: 200, moderator: 200, admin: 200 },
  'GET /api/calls/:id': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/calls/:id/recording': { assessor: [200, 404], iqa: [200, 404], moderator: 200, admin: 200 },
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
  // The agent state (Ready, Not ready…): the candidate sets it on their own open attempt; whoever reads the attempt reads it.
  'GET /api/attempts/:id/agent-state': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/agent-state': { candidate: [200, 404] },
  'GET /api/attempts/:id/messages': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/messages': { candidate: [201, 404] },
  'GET /api/attempts/:id/products': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/knowledge-base': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/scripts': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/wrap-up-codes': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/call-list': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/message-templates': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/case-categories': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  // The inbox and compose tools (issue 11): the candidate files messages and sets the auto-reply on their
  // own open attempt; whoever reads the attempt reads the folders, the auto-reply and a filled template.
  'GET /api/attempts/:id/message-folders': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'PUT /api/attempts/:id/messages/:mid/folder': { candidate: [200, 404] },
  'GET /api/attempts/:id/auto-reply': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'PUT /api/attempts/:id/auto-reply': { candidate: [200, 404] },
  'GET /api/attempts/:id/message-templates/:key/filled': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'POST /api/attempts/:id/printouts': { candidate: [201, 404] },
  'GET /api/attempts/:id/printouts': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/printouts/:pid': { candidate: [200, 404], assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/timeline': { assessor: [200, 404], moderator: 200, admin: 200 },
  // A demo attempt has no scenario to suggest marks from: 409 to whoever may see it.
  'GET /api/attempts/:id/suggestions': { assessor: [409, 404], moderator: 409, admin: 409 },

  // Sittings: candidates see their own; the centre's assessors (and admins) run them; the centre's IQA
  // and moderators read. A sitting starts once identity and declaration are recorded (issue 13); the
  // brief is the candidate's and their supervisors', not the IQA's (the IQA reviews marks).
  'GET /api/sittings': { candidate: 200, assessor: 200, iqa: 200, moderator: 200, admin: 200 },
  'POST /api/sittings': { assessor: [201, 400], admin: 201 },
  'GET /api/sittings/:id': { candidate: [200, 404], assessor: [200, 404], iqa: [200, 404], moderator: 200, admin: 200 },
  'POST /api/sittings/:id/start': { assessor: [200, 404], admin: 200 },
  // Put right or called off before the start, by whoever may run the sitting.
  'PATCH /api/sittings/:id': { assessor: [200, 404], admin: 200 },
  'POST /api/sittings/:id/cancel': { assessor: [200, 404], admin: 200 },
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

  // Moderation: replay and metrics for staff; packs, moderated marks, audit log and sample for moderators and
  // admins. Moderated marks are entered once the IQA has countersigned the sitting (issue 13).
  'GET /api/attempts/:id/metrics': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/replay': { assessor: [200, 404], moderator: 200, admin: 200 },
  'GET /api/attempts/:id/replay/events': { assessor: [200, 404], moderator: 200, admin: 200 },
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

  // Ready for an awarding body (issue 13; server/protocol/assurance.ts). Before the sitting: the
  // centre's assessors (and admins, who run sittings) record the identity check; the candidate
  // confirms the declaration on their own sitting only.
  'POST /api/sittings/:id/identity-check': { assessor: [200, 404], admin: 200 },
  'POST /api/sittings/:id/declarations': { candidate: [200, 404] },
  // The result's steps, each signed by the one role whose signature it is: the centre's assessor signs
  // the mark sheet, the centre's IQA returns or countersigns it, a moderator signs the outcome. An
  // admin signs for nobody (SECURITY.md); the candidate never sees the assurance record.
  'GET /api/sittings/:id/assurance': { assessor: [200, 404], iqa: [200, 404], moderator: 200, admin: 200 },
  'POST /api/sittings/:id/sign': { assessor: [200, 404] },
  'POST /api/sittings/:id/return': { iqa: [200, 404] },
  'POST /api/sittings/:id/countersign': { iqa: [200, 404] },
  'POST /api/sittings/:id/moderation-outcome': { moderator: 200 },
  // Personal interests: the centre's staff declare their own, in a candidate of their centre; they see
  // their own declarations, admins every centre's. The centre's people are for those staff's forms.
  'GET /api/conflicts': { assessor: 200, iqa: 200, admin: 200 },
  'POST /api/conflicts': { assessor: [201, 400], iqa: [201, 400] },
  'GET /api/centre/people': { assessor: 200, iqa: 200 },
  // Internal quality assurance: the IQA's own centre's signed sittings and their attempts.
  'GET /api/iqa/sittings': { iqa: 200 },
  'GET /api/iqa/attempts/:id': { iqa: [200, 404] },
  'PUT /api/iqa/attempts/:id/reviews': { iqa: [200, 404] },
  // Records against a sitting (special consideration, JCQ malpractice, enquiries and appeals): the admin role.
  'POST /api/sittings/:id/special-consideration': { admin: 201 },
  'POST /api/sittings/:id/malpractice': { admin: 201 },
  'POST /api/sittings/:id/enquiries': { admin: 201 },
  'POST /api/enquiries/:id/close': { admin: 200 },
  // Standardisation: the centre's IQA sets an exercise up on a marked attempt of its centre and closes it;
  // the assessors taking part mark it blind (own: the side's assessor takes part in the side's exercise);
  // the IQA and admins see and export the agreement.
  'GET /api/standardisation': { assessor: 200, iqa: 200, admin: 200 },
  'GET /api/standardisation/attempts': { iqa: 200 },
  'POST /api/standardisation': { iqa: [201, 400] },
  'GET /api/standardisation/:id': { assessor: [200, 404], iqa: [200, 404], admin: 200 },
  'PUT /api/standardisation/:id/marks': { assessor: [200, 404] },
  'POST /api/standardisation/:id/close': { iqa: [200, 404] },
  'GET /api/standardisation/:id/agreement.csv': { iqa: [200, 404], admin: 200 },
  // --- issue 17 (i17): routes added for the desktop and consoles ------------------------------
  // Who is logged in: "nobody" is an answer (200, session null), so the login page has no 401.
  'GET /api/auth/status': PUBLIC(200),
  // --- end of issue 17 rows ------------------------------------------------------------------
  // --- issue 17 part b (i17b): sittings checked before creation, edited and cancelled ---------
  // The coverage check of a choice of assignments: those who create sittings; nothing is stored.
  'POST /api/sittings/coverage-check': { assessor: 200, admin: 200 },
  // --- end of issue 17 part b rows -----------------------------------------------------------
  // The candidates a new sitting can be for (name, candidate number, username): those who create sittings.
  'GET /api/sittings/candidates': { assessor: 200, admin: 200 },
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
  /** A started sitting of the side's candidate (identity checked, start declared) with an open S1 attempt. */
  sitting: string;
  sittingAttempt: string;
  /** A sitting signed by the assessor, waiting for the IQA ('centre-final'), and its marked, recorded S1 attempt. */
  signedSitting: string;
  signedAttempt: string;
  /** A standardisation exercise of the side's IQA on signedAttempt, with both of the side's assessors. */
  exercise: string;
  /** An incoming message of the CRM copy's inbox (crmAttempt). */
  inboxMessageId: number;
  /** A recorded, analysed call of the side's candidate, and an attempt with a desktop timeline. */
  callId: string;
  timelineAttempt: string;
  /** The side's own variant of S1. */
  scenario: string;
  /** The side's people: usernames of its assessor, candidate and IQA, and the ids of its two assessors. */
  assessorLogin: string;
  candidateLogin: string;
  iqaLogin: string;
  assessorIds: number[];
}
const fx = {} as Record<Side, Fixtures>;

interface Probe {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /**
   * The concrete request; given `side` only when the route names an object of a centre. Path and body
   * may be made asynchronously, when their object must first be brought into its state through the API.
   */
  path?: (side: Side) => string | Promise<string>;
  body?: (side: Side) => unknown;
  /** The route names an object of one centre (so it is called on both sides). */
  centred?: true;
  /** Content type of a non-JSON body (e.g. an upload). */
  contentType?: string;
  /** Puts back what the call changed that later calls rely on (e.g. the caller's password). */
  after?: () => void | Promise<void>;
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
  // The caller's password changes (and their other sessions end): put every password back, and log in afresh.
  'POST /api/auth/password': { method: 'POST', body: () => ({ currentPassword: PASSWORD, newPassword: `${PASSWORD}-changed` }), after: restorePasswords },
  'GET /api/centres': { method: 'GET' },
  'POST /api/centres': { method: 'POST', body: () => ({ name: `Centre ${randomUUID()}` }) },
  'GET /api/users': { method: 'GET' },
  'POST /api/users': { method: 'POST', body: () => ({ username: `u${Math.floor(Math.random() * 1e9)}`, displayName: 'New', role: 'candidate', centreId: fx.own.centreId }) },
  'POST /api/users/:id/password': { method: 'POST', path: () => `/api/users/${t.repos.users.findByUsernameWithHash('candidate3')!.id}/password`, body: () => ({}) },
  'POST /api/users/:id/disabled': { method: 'POST', path: () => `/api/users/${t.users.moderator}/disabled`, body: () => ({ disabled: false }) },
  'GET /api/login-locks': { method: 'GET' },
  'POST /api/login-locks/lift': { method: 'POST', body: async () => ({ kind: 'account', subject: await lockedAccount() }) },
  // The centre's settings as they are (the call changes nothing), and a number for the side's candidate.
  'PUT /api/centres/:id/settings': { method: 'PUT', centred: true, path: (s) => `/api/centres/${fx[s].centreId}/settings`, body: (s) => currentSettings(s) },
  'POST /api/users/:id/candidate-number': { method: 'POST', centred: true, path: (s) => `/api/users/${fx[s].candidateId}/candidate-number`, body: (s) => ({ candidateNumber: s === 'own' ? '1001' : '2001' }) },

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
  'DELETE /api/scenarios/:key': { method: 'DELETE', centred: true, path: async (s) => `/api/scenarios/${await spareScenario(s)}` },

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
  'GET /api/attempts/:id/agent-state': { method: 'GET', centred: true, path: attemptUrl('/agent-state') },
  'POST /api/attempts/:id/agent-state': { method: 'POST', centred: true, path: attemptUrl('/agent-state'), body: () => ({ state: 'ready' }) },
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
  'GET /api/attempts/:id/case-categories': { method: 'GET', centred: true, path: attemptUrl('/case-categories') },
  'GET /api/attempts/:id/message-folders': { method: 'GET', centred: true, path: attemptUrl('/message-folders') },
  // Taking the message out of any folder: valid in an inbox with no folders too.
  'PUT /api/attempts/:id/messages/:mid/folder': { method: 'PUT', centred: true, path: (s) => `/api/attempts/${fx[s].crmAttempt}/messages/${fx[s].inboxMessageId}/folder`, body: () => ({ folder: null }) },
  'GET /api/attempts/:id/auto-reply': { method: 'GET', centred: true, path: attemptUrl('/auto-reply') },
  'PUT /api/attempts/:id/auto-reply': { method: 'PUT', centred: true, path: attemptUrl('/auto-reply'), body: () => ({ enabled: true, body: 'I am away until Monday; your message has been passed to the team.' }) },
  'GET /api/attempts/:id/message-templates/:key/filled': {
    method: 'GET',
    centred: true,
    path: (s) => `/api/attempts/${fx[s].crmAttempt}/message-templates/${t.repos.crm.listTemplates(fx[s].crmAttempt)[0]!.key}/filled?customerId=${fx[s].customerId}`,
  },
  'POST /api/attempts/:id/printouts': { method: 'POST', centred: true, path: attemptUrl('/printouts'), body: (s) => ({ kind: 'customer', subjectId: fx[s].customerId }) },
  'GET /api/attempts/:id/printouts': { method: 'GET', centred: true, path: attemptUrl('/printouts') },
  'GET /api/attempts/:id/printouts/:pid': { method: 'GET', centred: true, path: (s) => `/api/attempts/${fx[s].crmAttempt}/printouts/${fx[s].printoutId}` },
  'GET /api/attempts/:id/timeline': { method: 'GET', centred: true, path: attemptUrl('/timeline', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/suggestions': { method: 'GET', centred: true, path: attemptUrl('/suggestions') },

  'GET /api/sittings': { method: 'GET' },
  'GET /api/sittings/candidates': { method: 'GET' },
  'POST /api/sittings': { method: 'POST', centred: true, body: (s) => ({ candidateUserId: fx[s].candidateId, scenarioKeys: ['s1', 's4', 's5', 's3'] }) },
  'GET /api/sittings/:id': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}` },
  'POST /api/sittings/:id/start': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await readySitting(s)}/start` },
  'PATCH /api/sittings/:id': { method: 'PATCH', centred: true, path: async (s) => `/api/sittings/${await scheduledSitting(s)}`, body: () => ({ scheduledFor: Date.UTC(2026, 11, 8, 9, 30) }) },
  'POST /api/sittings/:id/cancel': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await scheduledSitting(s)}/cancel`, body: () => ({ reason: 'Set up by the access matrix.' }) },
  'POST /api/sittings/:id/rest-break': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await startedSitting(s, { restBreaks: true })}/rest-break`, body: () => ({ action: 'start' }) },
  'POST /api/sittings/:id/end': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await startedSitting(s)}/end` },
  'POST /api/sittings/:id/assignments/:n/attempts': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await startedSitting(s)}/assignments/1/attempts` },
  'POST /api/attempts/:id/close': { method: 'POST', centred: true, path: async (s) => `/api/attempts/${(await openAttempt(s)).attempt}/close` },
  'GET /api/attempts/:id/brief': { method: 'GET', centred: true, path: attemptUrl('/brief', (f) => f.sittingAttempt) },

  'GET /api/attempts/:id/bookmarks': { method: 'GET', centred: true, path: attemptUrl('/bookmarks', (f) => f.sittingAttempt) },
  'POST /api/attempts/:id/bookmarks': { method: 'POST', centred: true, path: attemptUrl('/bookmarks', (f) => f.sittingAttempt), body: () => ({ note: 'Good greeting.' }) },
  'GET /api/attempts/:id/marking': { method: 'GET', centred: true, path: attemptUrl('/marking', (f) => f.sittingAttempt) },
  'PUT /api/attempts/:id/marks': { method: 'PUT', centred: true, path: attemptUrl('/marks', (f) => f.sittingAttempt), body: () => ({ marks: [] }) },
  'GET /api/sittings/:id/mark-sheet.pdf': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}/mark-sheet.pdf` },
  'GET /api/results.csv': { method: 'GET' },

  'GET /api/attempts/:id/metrics': { method: 'GET', centred: true, path: attemptUrl('/metrics', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/replay': { method: 'GET', centred: true, path: attemptUrl('/replay', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/replay/events': { method: 'GET', centred: true, path: attemptUrl('/replay/events?afterSeq=0', (f) => f.timelineAttempt) },
  'GET /api/attempts/:id/moderation': { method: 'GET', centred: true, path: attemptUrl('/moderation', (f) => f.sittingAttempt) },
  'PUT /api/attempts/:id/moderation': {
    method: 'PUT',
    centred: true,
    // An attempt of a sitting the IQA has countersigned: moderation's turn.
    path: async (s) => `/api/attempts/${(await countersignedSitting(s)).attempt}/moderation`,
    body: () => ({ marks: [{ criterionId: 'U2-1.1-answer-time', mark: 0, reason: 'The phone rang for 40 s on the recording.' }] }),
  },
  'GET /api/attempts/:id/pack.zip': { method: 'GET', centred: true, path: attemptUrl('/pack.zip', (f) => f.timelineAttempt) },
  'GET /api/sittings/:id/pack.zip': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}/pack.zip` },
  'POST /api/packs': { method: 'POST', centred: true, body: (s) => ({ attemptIds: [fx[s].timelineAttempt] }) },
  'POST /api/packs/verify': { method: 'POST', body: () => Buffer.from('not a zip'), contentType: 'application/zip' },
  'GET /api/audit-log': { method: 'GET' },
  'GET /api/moderation/sample': { method: 'GET', centred: true, path: (s) => `/api/moderation/sample?centreId=${fx[s].centreId}` },
  'POST /api/moderation/sample/add': { method: 'POST', centred: true, body: async (s) => ({ centreId: fx[s].centreId, sittingId: await endedSitting(s, false), reason: 'New assessor.' }) },
  'POST /api/moderation/sample/remove': { method: 'POST', centred: true, body: async (s) => ({ centreId: fx[s].centreId, sittingId: await endedSitting(s, true), reason: 'Seen last series.' }) },

  // Each step on a new sitting of the side brought to the state the step needs, through the API.
  'POST /api/sittings/:id/identity-check': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await scheduledSitting(s)}/identity-check`, body: () => ({ documentType: 'passport' }) },
  'POST /api/sittings/:id/declarations': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${await scheduledSitting(s)}/declarations`, body: () => ({ moment: 'start', confirm: true }) },
  'GET /api/sittings/:id/assurance': { method: 'GET', centred: true, path: (s) => `/api/sittings/${fx[s].sitting}/assurance` },
  'POST /api/sittings/:id/sign': {
    method: 'POST',
    centred: true,
    path: async (s) => {
      const { sitting } = await markedSitting(s);
      await declareEnd(t, sitting);
      return `/api/sittings/${sitting}/sign`;
    },
    body: () => ({ confirm: true }),
  },
  'POST /api/sittings/:id/return': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${(await signedSitting(s)).sitting}/return`, body: () => ({ reason: 'Listen to the greeting again.' }) },
  'POST /api/sittings/:id/countersign': {
    method: 'POST',
    centred: true,
    path: async (s) => {
      const { sitting } = await signedSitting(s);
      await agreeWithEveryMark(t, await loginOf(fx[s].iqaLogin), sitting);
      return `/api/sittings/${sitting}/countersign`;
    },
    body: () => ({ confirm: true }),
  },
  'POST /api/sittings/:id/moderation-outcome': { method: 'POST', centred: true, path: async (s) => `/api/sittings/${(await countersignedSitting(s)).sitting}/moderation-outcome`, body: () => ({ outcome: 'accepted' }) },
  'GET /api/conflicts': { method: 'GET' },
  // A new candidate each time, so that no declared interest stands in the way of the other probes.
  'POST /api/conflicts': { method: 'POST', centred: true, body: async (s) => ({ candidateUserId: await spareCandidate(s), nature: 'The candidate is my neighbour.' }) },
  'GET /api/centre/people': { method: 'GET' },
  'GET /api/iqa/sittings': { method: 'GET' },
  'GET /api/iqa/attempts/:id': { method: 'GET', centred: true, path: (s) => `/api/iqa/attempts/${fx[s].signedAttempt}` },
  'PUT /api/iqa/attempts/:id/reviews': {
    method: 'PUT',
    centred: true,
    path: (s) => `/api/iqa/attempts/${fx[s].signedAttempt}/reviews`,
    body: (s) => ({ verdicts: [{ criterionId: firstCriterion(fx[s].signedAttempt), verdict: 'agree' }] }),
  },
  'POST /api/sittings/:id/special-consideration': {
    method: 'POST',
    centred: true,
    path: (s) => `/api/sittings/${fx[s].sitting}/special-consideration`,
    body: () => ({ category: 'illness', incidentDate: '2026-03-02', details: 'Migraine during assignment 3.' }),
  },
  'POST /api/sittings/:id/malpractice': {
    method: 'POST',
    centred: true,
    path: (s) => `/api/sittings/${fx[s].sitting}/malpractice`,
    body: () => ({ form: 'M1', incidentDate: '2026-03-02', personsInvolved: 'The candidate', nature: 'Read answers from a phone.' }),
  },
  'POST /api/sittings/:id/enquiries': {
    method: 'POST',
    centred: true,
    path: (s) => `/api/sittings/${fx[s].sitting}/enquiries`,
    body: () => ({ kind: 'enquiry', raisedBy: 'The candidate', receivedOn: '2026-04-01', grounds: 'The hold was under 60 s.' }),
  },
  'POST /api/enquiries/:id/close': { method: 'POST', centred: true, path: async (s) => `/api/enquiries/${await openEnquiry(s)}/close`, body: () => ({ outcome: 'Not upheld: the hold was 74 s on the recording.' }) },
  'GET /api/standardisation': { method: 'GET' },
  'GET /api/standardisation/attempts': { method: 'GET' },
  'POST /api/standardisation': { method: 'POST', centred: true, body: (s) => exerciseInput(s) },
  'GET /api/standardisation/:id': { method: 'GET', centred: true, path: (s) => `/api/standardisation/${fx[s].exercise}` },
  'PUT /api/standardisation/:id/marks': {
    method: 'PUT',
    centred: true,
    path: (s) => `/api/standardisation/${fx[s].exercise}/marks`,
    body: (s) => ({ marks: [{ criterionId: firstCriterion(fx[s].signedAttempt), mark: 1 }] }),
  },
  'POST /api/standardisation/:id/close': { method: 'POST', centred: true, path: async (s) => `/api/standardisation/${await newExercise(s)}/close` },
  'GET /api/standardisation/:id/agreement.csv': { method: 'GET', centred: true, path: (s) => `/api/standardisation/${fx[s].exercise}/agreement.csv` },

  // --- issue 17 (i17) ------------------------------------------------------------------------
  'GET /api/auth/status': { method: 'GET' },
  // --- end of issue 17 probes ----------------------------------------------------------------
  // --- issue 17 part b (i17b) ----------------------------------------------------------------
  'POST /api/sittings/coverage-check': { method: 'POST', body: () => ({ scenarioKeys: ['s1', 's2'] }) },
  // --- end of issue 17 part b probes ---------------------------------------------------------
};

// ---------------------------------------------------------------------------------------------
// Checking the table against the app.

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** The table's row written as the route's declaration would be (what access.ts enforces). */
function declaredByPolicy(p: Policy): Access {
  if ('public' in p) return 'public';
  if ('anyLogin' in p) return 'authenticated';
  return ROLES.filter((r) => p[r] !== undefined);
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
  const e = row[who];
  if (e === undefined) return 403;
  return typeof e === 'number' ? e : side === 'own' ? e[0] : e[1];
}

// ---------------------------------------------------------------------------------------------
// Fixtures: every object is brought into its state through the API, by the user whose step it is
// (tests/support/sitting-helpers.ts), except what the API cannot make here: a recorded call (that
// needs real SIP and media, tests/server/realtime) is written as the call recorder writes it.

let t: TestApp;

const auth = (l: Login) => ({ cookie: l.cookie, 'x-csrf-token': l.csrf });

const logins = new Map<string, Login>();
/** A session of the named user, logged in once through the login route. */
async function loginOf(username: string): Promise<Login> {
  let l = logins.get(username);
  if (!l) {
    l = await t.login(username);
    logins.set(username, l);
  }
  return l;
}

/** Every account's password back to PASSWORD after a probe changed one; the cached sessions are logged in again when next needed. */
async function restorePasswords(): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  for (const u of t.repos.users.list()) t.repos.users.setPasswordHash(u.id, hash);
  logins.clear();
}

/** A new sitting of the side's candidate, scheduled by the side's assessor. */
async function scheduledSitting(side: Side, opts: { restBreaks?: boolean } = {}): Promise<string> {
  const assessor = await loginOf(fx[side].assessorLogin);
  const made = await ok<SittingDetail>(t, assessor, 'POST', '/api/sittings', { candidateUserId: fx[side].candidateId, scenarioKeys: ['s1', 's4', 's5', 's3'], ...(opts.restBreaks ? { restBreaks: true } : {}) }, 201);
  return made.id;
}

/** A scheduled sitting whose identity check and start declaration are recorded: it may start. */
async function readySitting(side: Side): Promise<string> {
  const id = await scheduledSitting(side);
  await prepareSitting(t, await loginOf(fx[side].assessorLogin), id);
  return id;
}

/** A new started sitting of the side's candidate. */
async function startedSitting(side: Side, opts: { restBreaks?: boolean } = {}): Promise<string> {
  const id = await scheduledSitting(side, opts);
  await startSitting(t, await loginOf(fx[side].assessorLogin), id);
  return id;
}

/** A started sitting with its S1 attempt open. */
async function openAttempt(side: Side): Promise<{ sitting: string; attempt: string }> {
  const sitting = await startedSitting(side);
  const detail = await startAttempt(t, await loginOf(fx[side].assessorLogin), sitting, 1);
  return { sitting, attempt: detail.currentAttemptId! };
}

/** A recorded call of the side's candidate, as the call recorder leaves it (within the attempts open now). */
function recordCall(side: Side): string {
  const f = fx[side];
  const callId = randomUUID();
  const dir = path.join(t.dir, 'recordings');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${callId}.ogg`), 'OggS fake');
  t.repos.calls.create({ id: callId, centreId: f.centreId, callerUserId: t.repos.users.findByUsernameWithHash(f.assessorLogin)!.id, calleeUserId: f.candidateId, callerExtension: 'a', calleeExtension: 'c', candidateUserId: f.candidateId, invitedAt: t.clock.now() });
  t.repos.calls.update(callId, { state: 'ended', recordingPath: path.join(dir, `${callId}.ogg`), recordingStatus: 'complete', recordingDurationMs: 90_000 });
  return callId;
}

/** An ended sitting whose one S1 attempt (with a recorded call) the side's assessor has finished marking. */
async function markedSitting(side: Side): Promise<{ sitting: string; attempt: string }> {
  const assessor = await loginOf(fx[side].assessorLogin);
  const made = await openAttempt(side);
  recordCall(side);
  await ok(t, assessor, 'POST', `/api/sittings/${made.sitting}/end`);
  await markAttempt(t, assessor, made.attempt, 6);
  return made;
}

/** A marked sitting the side's assessor has signed (with the candidate's end declaration): 'centre-final'. */
async function signedSitting(side: Side): Promise<{ sitting: string; attempt: string }> {
  const made = await markedSitting(side);
  await signSitting(t, await loginOf(fx[side].assessorLogin), made.sitting);
  return made;
}

/** A signed sitting the side's IQA has reviewed and countersigned: 'iqa-countersigned', moderation's turn. */
async function countersignedSitting(side: Side): Promise<{ sitting: string; attempt: string }> {
  const made = await markedSitting(side);
  await submitSitting(t, await loginOf(fx[side].assessorLogin), made.sitting, await loginOf(fx[side].iqaLogin));
  return made;
}

/** A new ended sitting of the side's centre that is (or is not) in the centre's moderation sample, a moderator's change making it so where the rule did not. */
async function endedSitting(side: Side, inSample: boolean): Promise<string> {
  const f = fx[side];
  const id = await startedSitting(side);
  await ok(t, await loginOf(f.assessorLogin), 'POST', `/api/sittings/${id}/end`);
  const moderator = await loginOf('moderator1');
  const sample = await ok<SampleView>(t, moderator, 'GET', `/api/moderation/sample?centreId=${f.centreId}`);
  const sampled = sample.sample.some((s) => s.sittingId === id);
  if (sampled !== inSample) {
    await ok(t, moderator, 'POST', `/api/moderation/sample/${inSample ? 'add' : 'remove'}`, { centreId: f.centreId, sittingId: id, reason: 'Set up by the access matrix.' });
  }
  return id;
}

/** A new, unused copy of S1 for the side's centre, made by its assessor. */
async function spareScenario(side: Side): Promise<string> {
  const made = await ok<{ key: string }>(t, await loginOf(fx[side].assessorLogin), 'POST', '/api/scenarios/s1/clone', { variant: `spare${Math.floor(Math.random() * 1e9)}`, title: 'A spare copy' }, 201);
  return made.key;
}

/** A new candidate of the side's centre, made by an admin. */
async function spareCandidate(side: Side): Promise<number> {
  const admin = await loginOf('admin1');
  const made = await ok<{ user: { id: number } }>(t, admin, 'POST', '/api/users', { username: `spare${Math.floor(Math.random() * 1e9)}`, displayName: 'Spare candidate', role: 'candidate', centreId: fx[side].centreId }, 201);
  return made.user.id;
}

/** The first criterion of the attempt's rubric. */
function firstCriterion(attemptId: string): string {
  return scenarioForAttemptKey(t.repos.attempts.findById(attemptId)!.scenarioKey)!.rubric[0]!.criterionId;
}

/** An open enquiry on the side's started sitting, recorded by an admin. */
async function openEnquiry(side: Side): Promise<number> {
  const admin = await loginOf('admin1');
  const view = await ok<{ enquiries: Array<{ id: number; closedAt: number | null }> }>(
    t,
    admin,
    'POST',
    `/api/sittings/${fx[side].sitting}/enquiries`,
    { kind: 'enquiry', raisedBy: 'The candidate', receivedOn: '2026-04-01', grounds: 'The hold was under 60 s.' },
    201,
  );
  return Math.max(...view.enquiries.map((e) => e.id));
}

/** A standardisation exercise on the side's signed, recorded attempt with the side's two assessors. */
function exerciseInput(side: Side): { attemptId: string; title: string; assessorUserIds: number[] } {
  return { attemptId: fx[side].signedAttempt, title: 'Spring standardisation', assessorUserIds: fx[side].assessorIds };
}

/** A new exercise of the side's IQA. */
async function newExercise(side: Side): Promise<string> {
  const made = await ok<StandardisationResultsView>(t, await loginOf(fx[side].iqaLogin), 'POST', '/api/standardisation', exerciseInput(side), 201);
  return made.id;
}

/** A username whose account is locked after failed logins (an unknown one answers the same: login-throttle.ts). */
async function lockedAccount(): Promise<string> {
  const username = `locked${Math.floor(Math.random() * 1e9)}`;
  for (let i = 0; i < 40; i++) {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: `203.0.113.${(i % 250) + 1}`, payload: { username, password: 'wrong' } });
    if (res.statusCode === 401) continue;
    expect(res.statusCode, res.body).toBe(429);
    if (/locked/i.test(res.body)) return username;
    t.clock.advance(Number(res.headers['retry-after']) * 1000);
  }
  throw new Error('the account did not lock');
}

/** The side's centre settings as they stand (so that saving them changes nothing). */
function currentSettings(side: Side): { centreNumber: string | null; releaseRule: string; maxRetakes: number; overrunPolicy: string; appealWindowDays: number } {
  const c = t.repos.centres.findById(fx[side].centreId)!;
  return { centreNumber: c.centreNumber, releaseRule: c.releaseRule, maxRetakes: c.maxRetakes, overrunPolicy: c.overrunPolicy, appealWindowDays: c.appealWindowDays };
}

/** One centre's objects, made the way its users make them. */
async function makeSide(centreId: number, people: { candidate: string; assessors: [string, string]; iqa: string }): Promise<Fixtures> {
  const assessor = await loginOf(people.assessors[0]);
  const candidate = await loginOf(people.candidate);
  const candidateId = candidate.userId;
  const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: auth(assessor), payload: { candidateUserId: candidateId } });
  expect(made.statusCode, made.body).toBe(201);
  const crmAttempt = made.json<{ attempt: { id: string } }>().attempt.id;
  const customerId = t.repos.crm.findCustomerByAccount(crmAttempt, 'BL100231')!.id;
  const printed = await t.app.inject({ method: 'POST', url: `/api/attempts/${crmAttempt}/printouts`, headers: auth(candidate), payload: { kind: 'customer', subjectId: customerId } });
  expect(printed.statusCode, printed.body).toBe(201);
  const cloned = await t.app.inject({ method: 'POST', url: '/api/scenarios/s1/clone', headers: auth(assessor), payload: { variant: 'matrix', title: 'Matrix copy' } });
  expect(cloned.statusCode, cloned.body).toBe(201);

  const side: Fixtures = {
    centreId,
    candidateId,
    crmAttempt,
    customerId,
    printoutId: printed.json<{ printout: { id: string } }>().printout.id,
    sitting: '',
    sittingAttempt: '',
    signedSitting: '',
    signedAttempt: '',
    exercise: '',
    callId: '',
    timelineAttempt: '',
    inboxMessageId: t.repos.crm.listMessages(crmAttempt, 'in')[0]!.id,
    scenario: cloned.json<{ key: string }>().key,
    assessorLogin: people.assessors[0],
    candidateLogin: people.candidate,
    iqaLogin: people.iqa,
    assessorIds: [],
  };
  return side;
}

/** The side's sittings and recordings, once `fx[side]` holds its people. */
async function makeSittings(side: Side, secondAssessor: string): Promise<void> {
  const f = fx[side];
  f.assessorIds = [t.repos.users.findByUsernameWithHash(f.assessorLogin)!.id, t.repos.users.findByUsernameWithHash(secondAssessor)!.id];
  // A recorded call of the side's candidate with its stored analysis, and a demo attempt with a desktop timeline.
  const demo = await ok<{ attempt: { id: string } }>(t, await loginOf(f.assessorLogin), 'POST', '/api/attempts', { candidateUserId: f.candidateId }, 201);
  f.timelineAttempt = demo.attempt.id;
  await ok(t, await loginOf(f.candidateLogin), 'POST', `/api/attempts/${f.timelineAttempt}/agent-state`, { state: 'ready' });
  f.callId = recordCall(side);
  t.repos.recordingAnalysis.saveDone({ callId: f.callId, recordingSha256: 'ab'.repeat(32), analyserVersion: 1, analysedAt: 1, durationMs: 40, channels: 2, peaksPerSecond: 50, peaks: new Uint8Array([1, 2, 3, 4]), talkMs: [0, 0], silenceMs: 40, overtalkMs: 0, segments: [[], []] });

  const running = await openAttempt(side);
  f.sitting = running.sitting;
  f.sittingAttempt = running.attempt;
  const signed = await signedSitting(side);
  f.signedSitting = signed.sitting;
  f.signedAttempt = signed.attempt;
  f.exercise = await newExercise(side);
}

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  // Each centre's people: two assessors and an IQA (test-app.ts makes the first of Northgate's).
  t.addUser({ username: 'assessor2', displayName: 'Southfield assessor', role: 'assessor', centre: 'foreign' });
  t.addUser({ username: 'assessor3', displayName: 'Second Northgate assessor', role: 'assessor' });
  t.addUser({ username: 'assessor4', displayName: 'Second Southfield assessor', role: 'assessor', centre: 'foreign' });
  t.addUser({ username: 'iqa2', displayName: 'Southfield IQA', role: 'iqa', centre: 'foreign' });
  t.addUser({ username: 'candidate3', displayName: 'Spare Northgate candidate', role: 'candidate' });
  fx.own = await makeSide(t.centreId, { candidate: 'candidate1', assessors: ['assessor1', 'assessor3'], iqa: 'iqa1' });
  fx.foreign = await makeSide(t.foreignCentreId, { candidate: 'candidate2', assessors: ['assessor2', 'assessor4'], iqa: 'iqa2' });
  await makeSittings('own', 'assessor3');
  await makeSittings('foreign', 'assessor4');
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
            url: probe.path ? await probe.path(side) : route.slice(route.indexOf(' ') + 1),
            headers: { ...(login ? auth(login) : {}), ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
            ...(probe.body ? { payload: (await probe.body(side)) as object } : {}),
          });
          await probe.after?.();
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
