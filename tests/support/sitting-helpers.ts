// Small helpers for the sitting and marking API tests: JSON requests as a logged-in user, a
// started sitting, and marking an attempt to a chosen total through the real API.
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { MarkingView, SittingDetail } from '../../server/protocol/assessment.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { PASSWORD, type Login, type TestApp } from './test-app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** A request as `who` (with their session cookie and CSRF token; none without `who`), and any other `headers` (e.g. a Range). */
export async function call(t: TestApp, who: Login | undefined, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** The request must answer `status`; returns the JSON body. */
export async function ok<T = unknown>(t: TestApp, who: Login, method: Method, url: string, payload?: unknown, status = 200): Promise<T> {
  const res = await call(t, who, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.json<T>();
}

export async function createSitting(t: TestApp, who: Login, extra: Record<string, unknown> = {}, keys = ['s1', 's4', 's5', 's3']): Promise<SittingDetail> {
  return ok<SittingDetail>(t, who, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: keys, ...extra }, 201);
}

export async function startAttempt(t: TestApp, who: Login, sittingId: string, n: number): Promise<SittingDetail> {
  return ok<SittingDetail>(t, who, 'POST', `/api/sittings/${sittingId}/assignments/${n}/attempts`);
}

/** Marks every criterion so that they add up to `total`, with reasons where a suggestion is overridden, and finishes marking. */
export async function markAttempt(t: TestApp, who: Login, attemptId: string, total: number, opts: { final?: boolean; reason?: string } = {}): Promise<MarkingView> {
  const view = await ok<MarkingView>(t, who, 'GET', `/api/attempts/${attemptId}/marking`);
  let left = total;
  const marks = view.criteria.map((c) => {
    const mark = Math.min(c.maxMarks, left);
    left -= mark;
    return { criterionId: c.criterionId, mark, comment: `Comment on ${c.criterionId}`, overrideReason: 'Heard on the recording.' };
  });
  expect(left).toBe(0);
  return ok<MarkingView>(t, who, 'PUT', `/api/attempts/${attemptId}/marks`, { marks, final: opts.final ?? true, ...(opts.reason ? { reason: opts.reason } : {}) });
}

/**
 * What a sitting needs before it starts (issue 13): the assessor records the candidate's identity
 * check and the candidate confirms the declaration of authenticity, both through the real API.
 */
export async function prepareSitting(t: TestApp, who: Login, sittingId: string): Promise<void> {
  await ok(t, who, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'passport' });
  const sitting = t.repos.sittings.findById(sittingId)!;
  const candidate = await t.login(t.repos.users.findById(sitting.candidateUserId)!.username);
  await ok(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'start', confirm: true });
}

/** Prepares the sitting (prepareSitting) and starts its clock. */
export async function startSitting(t: TestApp, who: Login, sittingId: string): Promise<SittingDetail> {
  await prepareSitting(t, who, sittingId);
  return ok<SittingDetail>(t, who, 'POST', `/api/sittings/${sittingId}/start`);
}

/** The candidate of the sitting confirms the declaration at the end (after the sitting ended). */
export async function declareEnd(t: TestApp, sittingId: string): Promise<void> {
  const sitting = t.repos.sittings.findById(sittingId)!;
  const candidate = await t.login(t.repos.users.findById(sitting.candidateUserId)!.username);
  await ok(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'end', confirm: true });
}

/** The candidate's end declaration (if not given yet) and the assessor's signature: the sitting is then 'centre-final'. */
export async function signSitting(t: TestApp, assessor: Login, sittingId: string): Promise<void> {
  const { declarations } = (await ok<{ declarations: { end: number | null } }>(t, assessor, 'GET', `/api/sittings/${sittingId}/assurance`));
  if (declarations.end === null) await declareEnd(t, sittingId);
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/sign`, { confirm: true });
}

/** The IQA agrees with every centre mark of a signed sitting (so a sampled sitting may be countersigned). */
export async function agreeWithEveryMark(t: TestApp, iqa: Login, sittingId: string): Promise<void> {
  for (const a of t.repos.attempts.forSitting(sittingId)) {
    const view = await ok<{ criteria: Array<{ criterionId: string; centreMark: number | null }> }>(t, iqa, 'GET', `/api/iqa/attempts/${a.id}`);
    const verdicts = view.criteria.filter((c) => c.centreMark !== null).map((c) => ({ criterionId: c.criterionId, verdict: 'agree' }));
    if (verdicts.length) await ok(t, iqa, 'PUT', `/api/iqa/attempts/${a.id}/reviews`, { verdicts });
  }
}

/**
 * Takes an ended, fully marked sitting through the centre to moderation, through the real API: the
 * candidate's end declaration (if not given yet), the assessor's signature, the IQA agreeing with
 * every mark and countersigning. The sitting is then 'iqa-countersigned'. `iqa` must be of the
 * sitting's centre (default: the test app's IQA, of the first centre).
 */
export async function submitSitting(t: TestApp, assessor: Login, sittingId: string, iqa?: Login): Promise<void> {
  await signSitting(t, assessor, sittingId);
  const reviewer = iqa ?? (await t.loginAs('iqa'));
  await agreeWithEveryMark(t, reviewer, sittingId);
  await ok(t, reviewer, 'POST', `/api/sittings/${sittingId}/countersign`, { confirm: true });
}

/**
 * The candidate's desktop goes Ready on each of their open attempts, through the API: calls are
 * offered to a candidate with an open attempt only while Ready (server/sip/offer-queue.ts).
 */
export async function candidateReady(t: TestApp, username: string): Promise<void> {
  const who = await t.login(username);
  for (const attempt of t.repos.attempts.openForCandidate(who.userId)) await ok(t, who, 'POST', `/api/attempts/${attempt.id}/agent-state`, { state: 'ready' });
}

/** A second member of the centre's staff, 'supervisor1' (an assessor), who can log in with PASSWORD. */
export async function addSupervisor(t: TestApp): Promise<void> {
  t.repos.users.create({ username: 'supervisor1', displayName: 'Supervisor', role: 'assessor', centreId: t.centreId, passwordHash: await hashPassword(PASSWORD) });
}

/** The candidate's open attempt (S3, variant a) with their desktop Ready, so a call put through to them rings at once. */
export async function openAttemptReady(t: TestApp): Promise<{ id: string }> {
  const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKey: 's3', variant: 'a' }, t.clock.now());
  await ok(t, await t.loginAs('candidate'), 'POST', `/api/attempts/${attempt.id}/agent-state`, { state: 'ready' });
  return attempt;
}
