// The quality-assurance workflow of one sitting over the real API and SQLite, step by step: the
// identity check and the candidate's declaration before the start; the assessor's signature (over
// the hash of the sitting's marks) once marking and the end declaration are done; the IQA's
// verdicts, a return to the assessor, the countersignature; the moderator's signed outcome. At
// every state the other steps are refused with 409 and change nothing; signed marks are locked;
// the candidate sees marks only when the centre's release rule allows; the pack carries the state
// and every signature. Conflicts of interest are refused server-side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../server/hash-chain.js';
import { readPackZip, verifyPackFiles } from '../../../server/moderation/pack-verify.js';
import type { MarkingView, SittingDetail } from '../../../server/protocol/assessment.js';
import type { ConflictView, IqaAttemptView, IqaQueueView, SittingAssuranceView } from '../../../server/protocol/assurance.js';
import type { ModerationView } from '../../../server/protocol/moderation.js';
import { marksRecord } from '../../../server/assurance/signatures.js';
import { call, createSitting, markAttempt, ok, startAttempt } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;
let iqa: Login;
let moderator: Login;
let admin: Login;
let sittingId: string;
const attemptIds: string[] = [];

const assurance = (who: Login = assessor) => ok<SittingAssuranceView>(t, who, 'GET', `/api/sittings/${sittingId}/assurance`);
const refused = async (who: Login, method: 'POST' | 'PUT', url: string, body: unknown, status: number, error: string | RegExp) => {
  const before = t.repos.sittings.findById(sittingId)!;
  const res = await call(t, who, method, url, body);
  expect(res.statusCode, res.body).toBe(status);
  const e = res.json<{ error: string }>().error;
  if (typeof error === 'string') expect(e).toBe(error);
  else expect(e).toMatch(error);
  expect(t.repos.sittings.findById(sittingId)!.resultState).toBe(before.resultState);
  return res.json<{ error: string; message: string }>();
};
const steps = {
  sign: (who: Login = assessor) => call(t, who, 'POST', `/api/sittings/${sittingId}/sign`, { confirm: true }),
  ret: (who: Login = iqa) => call(t, who, 'POST', `/api/sittings/${sittingId}/return`, { reason: 'Check 1.1 again.' }),
  countersign: (who: Login = iqa) => call(t, who, 'POST', `/api/sittings/${sittingId}/countersign`, { confirm: true }),
  outcome: (who: Login = moderator, outcome = 'accepted', reason?: string) => call(t, who, 'POST', `/api/sittings/${sittingId}/moderation-outcome`, { outcome, ...(reason ? { reason } : {}) }),
};
/** Every step but the allowed ones is refused with 409 in the sitting's current state. */
async function othersRefused(allowed: Array<keyof typeof steps>) {
  for (const name of Object.keys(steps) as Array<keyof typeof steps>) {
    if (allowed.includes(name)) continue;
    const state = t.repos.sittings.findById(sittingId)!.resultState;
    const res = await steps[name]();
    expect(res.statusCode, `${name} in ${state}: ${res.body}`).toBe(409);
    expect(res.json<{ error: string }>().error, name).toBe('result_state_out_of_order');
    expect(t.repos.sittings.findById(sittingId)!.resultState).toBe(state);
  }
}
const candidateView = () => ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${sittingId}`);

beforeAll(async () => {
  t = await createTestApp();
  ({ assessor, candidate, iqa, moderator, admin } = await t.loginRoles('assessor', 'candidate', 'iqa', 'moderator', 'admin'));
  sittingId = (await createSitting(t, assessor)).id;
});
afterAll(async () => {
  await t.close();
});

describe('before the sitting', () => {
  it('cannot start without the identity check and the candidate’s declaration', async () => {
    let res = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/start`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'not_ready', message: expect.stringMatching(/identity check.*declaration/) });

    const bad = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'third-party' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ fields: Record<string, string> }>().fields['documentDetail']).toMatch(/name who confirmed/);
    expect((await call(t, candidate, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'passport' })).statusCode).toBe(403);
    const view = await ok<SittingAssuranceView>(t, assessor, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'photo-id-card', documentDetail: 'Student ID card 44120' });
    expect(view.identityCheck).toMatchObject({ documentType: 'photo-id-card', documentDetail: 'Student ID card 44120', checkedBy: { id: t.users.assessor }, checkedAt: t.clock.now() });
    expect(view.startBlockers).toEqual([expect.stringMatching(/declaration of authenticity/)]);
    res = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/start`);
    expect(res.json()).toMatchObject({ error: 'not_ready', message: expect.not.stringMatching(/identity/) });

    // The declaration is the candidate's own, on their own sitting, once; the end one waits for the end.
    expect((await call(t, assessor, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'start', confirm: true })).statusCode).toBe(403);
    expect((await call(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'start' })).statusCode).toBe(400);
    expect((await call(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'end', confirm: true })).statusCode).toBe(409);
    t.clock.advance(1000);
    const declared = await ok<{ start: number | null; end: number | null }>(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'start', confirm: true });
    expect(declared).toEqual({ start: t.clock.now(), end: null });
    expect((await call(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'start', confirm: true })).statusCode).toBe(409);
    expect((await candidateView()).preparation).toEqual({ identityChecked: true, declarations: { start: t.clock.now(), end: null } });

    const started = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${sittingId}/start`);
    expect(started.status).toBe('in-progress');
    expect((await call(t, assessor, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'passport' })).statusCode).toBe(409);
  });
});

describe('the result states, step by step', () => {
  it('is a draft while marking: nothing but signing is a step, and signing waits for marks, the end and the end declaration', async () => {
    for (let n = 1; n <= 4; n++) {
      const id = (await startAttempt(t, assessor, sittingId, n)).currentAttemptId!;
      attemptIds.push(id);
      await markAttempt(t, assessor, id, 8);
    }
    await othersRefused(['sign']);
    let body = await refused(assessor, 'POST', `/api/sittings/${sittingId}/sign`, { confirm: true }, 409, 'not_ready_to_sign');
    expect(body.message).toMatch(/End the sitting first/);
    await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/end`);
    body = await refused(assessor, 'POST', `/api/sittings/${sittingId}/sign`, { confirm: true }, 409, 'not_ready_to_sign');
    expect(body.message).toMatch(/declaration of authenticity at the end/);
    expect((await call(t, assessor, 'POST', `/api/sittings/${sittingId}/sign`, {})).statusCode).toBe(400);
    expect((await steps.sign(iqa)).statusCode).toBe(403);
    expect((await steps.sign(admin)).statusCode).toBe(403);
    await ok(t, candidate, 'POST', `/api/sittings/${sittingId}/declarations`, { moment: 'end', confirm: true });
    // Released only after moderation (the default rule): the candidate sees no mark, total or grade.
    const mine = await candidateView();
    expect(mine.result).toBeUndefined();
    expect(mine.release).toEqual({ released: false, provisional: false, outcome: null });
    expect(mine.assignments.every((a) => a.countedMark === null && a.attempts.every((x) => x.mark === null))).toBe(true);
  });

  it('signs the mark sheet: draft → centre-final, with a signature over the hash of the marks', async () => {
    t.clock.advance(60_000);
    const res = await steps.sign();
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<SittingAssuranceView>();
    expect(view.state).toBe('centre-final');
    const expectedHash = sha256Hex(canonicalJson(marksRecord(t.repos, t.repos.sittings.findById(sittingId)!)));
    expect(view.signatures.map((s) => s.kind)).toEqual(['candidate-declaration-start', 'candidate-declaration-end', 'assessor-mark-sheet']);
    expect(view.signatures[2]).toMatchObject({ by: { id: t.users.assessor, role: 'assessor' }, signedAt: t.clock.now(), subjectSha256: expectedHash, stillMatches: true, superseded: false });
    expect(view.steps).toEqual([expect.objectContaining({ action: 'sign-mark-sheet', from: 'draft', to: 'centre-final', by: expect.objectContaining({ id: t.users.assessor }) })]);
    expect(t.repos.auditLog.forSubject('sitting', sittingId, 'result-state-changed')).toHaveLength(1);
    await othersRefused(['ret', 'countersign']);
  });

  it('locks the signed marks: no change of mark, no re-take, no moderation yet', async () => {
    const view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptIds[0]}/marking`);
    const c = view.criteria[0]!;
    await refused(assessor, 'PUT', `/api/attempts/${attemptIds[0]}/marks`, { marks: [{ criterionId: c.criterionId, mark: 0, overrideReason: 'x' }], reason: 'Changed my mind.' }, 409, 'result_signed');
    await refused(moderator, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, { marks: [{ criterionId: c.criterionId, mark: 0, reason: 'x' }] }, 409, 'not_submitted');
  });

  it('lets the IQA disagree with a reason, which stops the countersignature, and send the sitting back', async () => {
    const queue = await ok<IqaQueueView>(t, iqa, 'GET', '/api/iqa/sittings');
    expect(queue.awaiting.map((s) => s.sittingId)).toEqual([sittingId]);
    // The only signed sitting of its assessor: in the sample by the per-assessor rule.
    expect(queue.awaiting[0]).toMatchObject({ inSample: true, state: 'centre-final', total: 32 });
    const review = await ok<IqaAttemptView>(t, iqa, 'GET', `/api/iqa/attempts/${attemptIds[0]}`);
    const first = review.criteria[0]!;
    const noReason = await call(t, iqa, 'PUT', `/api/iqa/attempts/${attemptIds[0]}/reviews`, { verdicts: [{ criterionId: first.criterionId, verdict: 'disagree' }] });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ fields: Record<string, string> }>().fields['verdicts.0.reason']).toMatch(/Say why/);
    const reviewed = await ok<IqaAttemptView>(t, iqa, 'PUT', `/api/iqa/attempts/${attemptIds[0]}/reviews`, { verdicts: [{ criterionId: first.criterionId, verdict: 'disagree', reason: 'The phone rang 20 s: this is 0, not full marks.' }] });
    expect(reviewed.criteria[0]).toMatchObject({ verdict: 'disagree', reason: 'The phone rang 20 s: this is 0, not full marks.', outOfDate: false });
    const body = await refused(iqa, 'POST', `/api/sittings/${sittingId}/countersign`, { confirm: true }, 409, 'not_ready_to_countersign');
    expect(body.message).toMatch(/disagree with 1 mark/);
    expect((await assurance(iqa)).iqa).toMatchObject({ inSample: true, disagreements: 1, reviewed: 1 });

    expect((await call(t, iqa, 'POST', `/api/sittings/${sittingId}/return`, { reason: '' })).statusCode).toBe(400);
    const back = (await steps.ret()).json<SittingAssuranceView>();
    expect(back.state).toBe('draft');
    expect(back.steps.at(-1)).toMatchObject({ action: 'return-to-assessor', from: 'centre-final', to: 'draft', reason: 'Check 1.1 again.' });
    await othersRefused(['sign']);
  });

  it('takes the assessor’s corrected mark and a new signature; the first one is superseded', async () => {
    const view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptIds[0]}/marking`);
    const c = view.criteria[0]!;
    await ok(t, assessor, 'PUT', `/api/attempts/${attemptIds[0]}/marks`, { marks: [{ criterionId: c.criterionId, mark: 0, overrideReason: 'Rang 20 s.' }], reason: 'The IQA is right: it rang 20 s.' });
    t.clock.advance(1000);
    const signed = (await steps.sign()).json<SittingAssuranceView>();
    expect(signed.state).toBe('centre-final');
    const sheets = signed.signatures.filter((s) => s.kind === 'assessor-mark-sheet');
    expect(sheets.map((s) => [s.superseded, s.stillMatches])).toEqual([
      [true, false],
      [false, true],
    ]);
    // The verdict was on the old mark: out of date, so it no longer stands.
    expect((await ok<IqaAttemptView>(t, iqa, 'GET', `/api/iqa/attempts/${attemptIds[0]}`)).criteria[0]).toMatchObject({ outOfDate: true });
  });

  it('countersigns once every criterion of the sampled sitting has a verdict: centre-final → iqa-countersigned', async () => {
    let body = await refused(iqa, 'POST', `/api/sittings/${sittingId}/countersign`, { confirm: true }, 409, 'not_ready_to_countersign');
    expect(body.message).toMatch(/in your sample/);
    for (const id of attemptIds) {
      const v = await ok<IqaAttemptView>(t, iqa, 'GET', `/api/iqa/attempts/${id}`);
      await ok(t, iqa, 'PUT', `/api/iqa/attempts/${id}/reviews`, { verdicts: v.criteria.map((c) => ({ criterionId: c.criterionId, verdict: 'agree' })) });
    }
    expect((await steps.countersign(assessor)).statusCode).toBe(403);
    const res = await steps.countersign();
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<SittingAssuranceView>();
    expect(view.state).toBe('iqa-countersigned');
    expect(view.signatures.at(-1)).toMatchObject({ kind: 'iqa-countersignature', by: { id: t.users.iqa, role: 'iqa' }, stillMatches: true });
    body = await refused(iqa, 'PUT', `/api/iqa/attempts/${attemptIds[1]}/reviews`, { verdicts: [{ criterionId: 'U2-1.1-answer-time', verdict: 'agree' }] }, 409, 'not_awaiting_iqa');
    await othersRefused(['outcome']);
  });

  it('records the moderator’s outcome: it must match the marks, adjusted and rejected need a reason', async () => {
    // Assessor's 32, less the criterion the IQA queried (1 mark): 31. No mark moderated yet: 'adjusted' makes no sense.
    await refused(moderator, 'POST', `/api/sittings/${sittingId}/moderation-outcome`, { outcome: 'adjusted', reason: 'Too generous.' }, 409, 'outcome_mismatch');
    const m = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[1]}/moderation`);
    const c = m.criteria.find((x) => (x.centreMark ?? 0) > 0)!;
    await ok(t, moderator, 'PUT', `/api/attempts/${attemptIds[1]}/moderation`, { marks: [{ criterionId: c.criterionId, mark: c.centreMark! - 1, reason: 'No read-back at 01:40.' }] });
    await refused(moderator, 'POST', `/api/sittings/${sittingId}/moderation-outcome`, { outcome: 'accepted' }, 409, 'outcome_mismatch');
    expect((await steps.outcome(moderator, 'adjusted')).statusCode).toBe(400);
    expect((await steps.outcome(iqa, 'adjusted', 'x')).statusCode).toBe(403);
    expect((await steps.outcome(admin, 'adjusted', 'x')).statusCode).toBe(403);
    // Still unreleased to the candidate until the outcome is signed off.
    expect((await candidateView()).result).toBeUndefined();
    t.clock.advance(1000);
    const res = await steps.outcome(moderator, 'adjusted', 'Read-back missed on assignment 2.');
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<SittingAssuranceView>();
    expect(view).toMatchObject({ state: 'moderated', outcome: 'adjusted', stateAt: t.clock.now(), release: { released: true, provisional: false } });
    expect(view.signatures.at(-1)).toMatchObject({ kind: 'moderator-outcome', by: { id: t.users.moderator }, stillMatches: true });
    await othersRefused([]);
    await refused(moderator, 'PUT', `/api/attempts/${attemptIds[1]}/moderation`, { marks: [{ criterionId: c.criterionId, mark: c.centreMark!, reason: 'Back.' }] }, 409, 'not_submitted');
  });

  it('releases the moderated result and its outcome to the candidate, final', async () => {
    const mine = await candidateView();
    expect(mine.release).toEqual({ released: true, provisional: false, outcome: 'adjusted' });
    expect(mine.result).toMatchObject({ status: 'graded', grade: 'Merit', total: 30, final: true });
    expect(mine.assignments[1]!.attempts[0]).toMatchObject({ mark: 7, moderatedMark: 7 });
    const list = await ok<{ sittings: Array<{ id: string; result?: unknown; release?: unknown; resultState?: unknown }> }>(t, candidate, 'GET', '/api/sittings');
    expect(list.sittings.find((s) => s.id === sittingId)).toMatchObject({ result: { total: 30 }, release: { outcome: 'adjusted' } });
    expect(list.sittings[0]!.resultState).toBeUndefined();
    // The centre sees it too.
    const centre = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${sittingId}`);
    expect(centre).toMatchObject({ resultState: 'moderated', outcome: 'adjusted' });
  });

  it('puts the state and every signature, with what it signed, in the moderation pack, which still verifies', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/sittings/${sittingId}/pack.zip`, headers: { cookie: moderator.cookie } });
    expect(res.statusCode).toBe(200);
    const files = await readPackZip(res.rawPayload);
    expect(verifyPackFiles(files).ok).toBe(true);
    const record = JSON.parse(files.get(`sittings/${sittingId}/assurance.json`)!.data!.toString('utf8')) as SittingAssuranceView & { signedRecords: Array<{ kind: string; subjectSha256: string; subject: unknown }> };
    expect(record.state).toBe('moderated');
    expect(record.outcome).toBe('adjusted');
    expect(record.signatures.map((s) => s.kind)).toEqual(['candidate-declaration-start', 'candidate-declaration-end', 'assessor-mark-sheet', 'assessor-mark-sheet', 'iqa-countersignature', 'moderator-outcome']);
    expect(record.identityCheck).toMatchObject({ documentType: 'photo-id-card' });
    // Each signed record in the pack hashes to the hash its signature gives.
    for (const s of record.signedRecords) expect(sha256Hex(canonicalJson(s.subject))).toBe(s.subjectSha256);
    const sittingJson = JSON.parse(files.get(`sittings/${sittingId}/sitting.json`)!.data!.toString('utf8')) as { resultState: string };
    expect(sittingJson.resultState).toBe('moderated');
  });
});

describe('another centre', () => {
  it('is invisible to an IQA and an assessor of another centre: the same answer as an unknown id', async () => {
    t.addUser({ username: 'iqa-foreign', displayName: 'Foreign IQA', role: 'iqa', centre: 'foreign' });
    t.addUser({ username: 'assessor-foreign', displayName: 'Foreign assessor', role: 'assessor', centre: 'foreign' });
    const fIqa = await t.login('iqa-foreign');
    const fAssessor = await t.login('assessor-foreign');
    for (const [who, method, url, body] of [
      [fIqa, 'GET', `/api/sittings/${sittingId}/assurance`, undefined],
      [fIqa, 'POST', `/api/sittings/${sittingId}/return`, { reason: 'x' }],
      [fIqa, 'POST', `/api/sittings/${sittingId}/countersign`, { confirm: true }],
      [fIqa, 'GET', `/api/iqa/attempts/${attemptIds[0]}`, undefined],
      [fIqa, 'PUT', `/api/iqa/attempts/${attemptIds[0]}/reviews`, { verdicts: [{ criterionId: 'U2-1.1-answer-time', verdict: 'agree' }] }],
      [fAssessor, 'GET', `/api/sittings/${sittingId}/assurance`, undefined],
      [fAssessor, 'POST', `/api/sittings/${sittingId}/sign`, { confirm: true }],
      [fAssessor, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'passport' }],
    ] as const) {
      const res = await call(t, who, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await ok<IqaQueueView>(t, fIqa, 'GET', '/api/iqa/sittings')).done).toEqual([]);
    expect((await ok<{ candidates: unknown[] }>(t, fIqa, 'GET', '/api/centre/people')).candidates).toEqual([expect.objectContaining({ name: 'Foreign candidate' })]);
  });
});

describe('conflicts of interest', () => {
  let second: Login;
  let secondId: number;
  beforeAll(async () => {
    secondId = t.addUser({ username: 'assessor3', displayName: 'Sam Patel', role: 'assessor' });
    second = await t.login('assessor3');
  });

  it('records a declaration once, for a candidate of the centre', async () => {
    const bad = await call(t, second, 'POST', '/api/conflicts', { candidateUserId: t.users.candidate, nature: '' });
    expect(bad.statusCode).toBe(400);
    const foreign = t.repos.users.findByUsernameWithHash('candidate2')!.id;
    expect((await call(t, second, 'POST', '/api/conflicts', { candidateUserId: foreign, nature: 'Neighbour' })).statusCode).toBe(400);
    const c = await ok<ConflictView>(t, second, 'POST', '/api/conflicts', { candidateUserId: t.users.candidate, nature: 'The candidate is my niece.' }, 201);
    expect(c).toMatchObject({ staff: { id: secondId, role: 'assessor' }, candidate: { id: t.users.candidate }, nature: 'The candidate is my niece.' });
    expect((await call(t, second, 'POST', '/api/conflicts', { candidateUserId: t.users.candidate, nature: 'Again' })).statusCode).toBe(409);
    expect((await ok<{ conflicts: ConflictView[] }>(t, second, 'GET', '/api/conflicts')).conflicts).toHaveLength(1);
    expect((await ok<{ conflicts: ConflictView[] }>(t, assessor, 'GET', '/api/conflicts')).conflicts).toHaveLength(0);
    expect((await ok<{ conflicts: ConflictView[] }>(t, admin, 'GET', '/api/conflicts')).conflicts).toHaveLength(1);
  });

  it('refuses marking, running and signing for that candidate', async () => {
    // A fresh sitting run by the first assessor: the conflicted one may not mark it.
    const s = await createSitting(t, assessor);
    await ok(t, assessor, 'POST', `/api/sittings/${s.id}/identity-check`, { documentType: 'passport' });
    await ok(t, candidate, 'POST', `/api/sittings/${s.id}/declarations`, { moment: 'start', confirm: true });
    await ok(t, assessor, 'POST', `/api/sittings/${s.id}/start`);
    const attemptId = (await startAttempt(t, assessor, s.id, 1)).currentAttemptId!;
    const view = await ok<MarkingView>(t, second, 'GET', `/api/attempts/${attemptId}/marking`);
    const res = await call(t, second, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: view.criteria[0]!.criterionId, mark: 1, overrideReason: 'Heard it.' }] });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'conflict_of_interest', message: expect.stringMatching(/Sam Patel declared a personal interest in Test candidate/) });
    expect(t.repos.attemptMarks.forAttempt(attemptId)).toEqual([]);
    // Nor run a sitting of theirs, nor be named its assessor, nor start an assignment.
    expect((await call(t, second, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's4', 's5', 's3'] })).statusCode).toBe(403);
    expect((await call(t, assessor, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's4', 's5', 's3'], assessorUserId: secondId })).statusCode).toBe(403);
    expect((await call(t, second, 'POST', `/api/sittings/${s.id}/assignments/2/attempts`)).statusCode).toBe(403);
    // The first assessor still marks as before.
    await markAttempt(t, assessor, attemptId, 7);
  });
});
