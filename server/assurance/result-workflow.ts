// The steps of a sitting's result (server/assessment/result-states.ts) with what each needs, who
// may take it, its signature, and its record: every step is a sitting_result_transitions row, a
// compare-and-set of sittings.result_state and an audit_log row, in one transaction. A step out of
// order is refused with 409 'result_state_out_of_order' and changes nothing.
//   sign-mark-sheet     the sitting's assessor (or another assessor of the centre) once the sitting
//                       has ended, every attempt is marked and the candidate confirmed the end declaration
//   return-to-assessor  the centre's IQA, with a reason (the marks may then change again)
//   countersign         the centre's IQA, with no disagreement standing, and every criterion of
//                       every attempt reviewed when the sitting is in the IQA's sample
//   record-outcome      a moderator: accepted (no moderated mark), adjusted (moderated marks) or
//                       rejected (with the reason), signed
import { AssessmentRuleError } from '../assessment/errors.js';
import { nextResultState, type ModerationOutcome, type ResultAction } from '../assessment/result-states.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { HttpError } from '../http/errors.js';
import { SIGN_WORDS, type SignatureKind } from '../protocol/assurance.js';
import type { SessionUser } from '../protocol/roles.js';
import { refuseIfConflicted } from './conflicts.js';
import { iqaReviewState } from './iqa.js';
import { declarationsOf } from './preparation.js';
import { marksRecord, moderationRecord, sign } from './signatures.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

/** The next state, or the machine's refusal as a 409. */
function stepTo(sitting: Sitting, action: ResultAction) {
  try {
    return nextResultState(sitting.resultState, action);
  } catch (err) {
    if (err instanceof AssessmentRuleError) throw new HttpError(409, 'result_state_out_of_order', err.message);
    throw err;
  }
}

interface Step {
  action: ResultAction;
  outcome?: ModerationOutcome | null;
  reason?: string | null;
  signature?: { kind: SignatureKind; statement: string; subject: unknown };
}

function apply(repos: Repositories, sitting: Sitting, me: SessionUser, step: Step, now: number): Sitting {
  const to = stepTo(sitting, step.action);
  repos.transaction(() => {
    const signature = step.signature ? sign(repos, sitting, step.signature.kind, me, step.signature.statement, step.signature.subject, now) : undefined;
    if (!repos.sittings.setResultState(sitting.id, sitting.resultState, to, to === 'moderated' ? (step.outcome ?? null) : null, now)) {
      throw new HttpError(409, 'result_state_out_of_order', 'The sitting was moved on by someone else a moment ago; reload it and try again.');
    }
    repos.assurance.addStep({
      sittingId: sitting.id,
      action: step.action,
      fromState: sitting.resultState,
      toState: to,
      outcome: step.outcome ?? null,
      reason: step.reason ?? null,
      signatureId: signature?.id ?? null,
      byUserId: me.id,
      byRole: me.role,
      at: now,
    });
    repos.auditLog.append({
      at: now,
      actor: auditActor(me),
      ...auditSubject('sitting', sitting),
      action: 'result-state-changed',
      before: { state: sitting.resultState },
      after: { state: to, action: step.action, outcome: step.outcome ?? null, signatureId: signature?.id ?? null },
      reason: step.reason ?? null,
    });
  });
  return repos.sittings.findById(sitting.id)!;
}

/** Why the assessor may not sign yet (empty when they may). */
export function signBlockers(repos: Repositories, sitting: Sitting): string[] {
  if (sitting.resultState !== 'draft') return [];
  const blockers: string[] = [];
  if (sitting.status !== 'ended') blockers.push('End the sitting first.');
  const attempts = repos.attempts.forSitting(sitting.id);
  if (attempts.length === 0) blockers.push('No assignment has been taken.');
  const unmarked = attempts.filter((a) => a.markedAt === null);
  if (unmarked.length) blockers.push(`Finish marking ${unmarked.length === 1 ? 'one attempt' : `${unmarked.length} attempts`} (assignment ${[...new Set(unmarked.map((a) => a.position))].join(', ')}).`);
  if (sitting.status === 'ended' && declarationsOf(repos, sitting.id).end === null) blockers.push('The candidate has not yet confirmed the declaration of authenticity at the end of the sitting.');
  return blockers;
}

export function signMarkSheet(repos: Repositories, sitting: Sitting, me: SessionUser, now: number): Sitting {
  stepTo(sitting, 'sign-mark-sheet');
  refuseIfConflicted(repos, me.id, sitting.candidateUserId, "sign this candidate's mark sheet");
  const blockers = signBlockers(repos, sitting);
  if (blockers.length) throw new HttpError(409, 'not_ready_to_sign', `The mark sheet cannot be signed yet: ${blockers.join(' ')}`);
  return apply(repos, sitting, me, { action: 'sign-mark-sheet', signature: { kind: 'assessor-mark-sheet', statement: SIGN_WORDS.assessor, subject: marksRecord(repos, sitting) } }, now);
}

export function returnToAssessor(repos: Repositories, sitting: Sitting, me: SessionUser, reason: string, now: number): Sitting {
  stepTo(sitting, 'return-to-assessor');
  refuseIfConflicted(repos, me.id, sitting.candidateUserId, "review this candidate's sitting");
  return apply(repos, sitting, me, { action: 'return-to-assessor', reason }, now);
}

/** Why the IQA may not countersign yet (empty when they may). */
export function countersignBlockers(repos: Repositories, sitting: Sitting): string[] {
  if (sitting.resultState !== 'centre-final') return [];
  const review = iqaReviewState(repos, sitting);
  const blockers: string[] = [];
  if (review.disagreements > 0) {
    blockers.push(`You disagree with ${review.disagreements} mark${review.disagreements === 1 ? '' : 's'}: send the sitting back to the assessor, or change your verdict.`);
  }
  if (review.inSample && review.toReview > 0) {
    blockers.push(`This sitting is in your sample: give a verdict on the ${review.toReview} criterion mark${review.toReview === 1 ? '' : 's'} not yet reviewed.`);
  }
  return blockers;
}

export function countersign(repos: Repositories, sitting: Sitting, me: SessionUser, now: number): Sitting {
  stepTo(sitting, 'countersign');
  refuseIfConflicted(repos, me.id, sitting.candidateUserId, "countersign this candidate's sitting");
  const blockers = countersignBlockers(repos, sitting);
  if (blockers.length) throw new HttpError(409, 'not_ready_to_countersign', `The sitting cannot be countersigned yet: ${blockers.join(' ')}`);
  return apply(repos, sitting, me, { action: 'countersign', signature: { kind: 'iqa-countersignature', statement: SIGN_WORDS.iqa, subject: marksRecord(repos, sitting) } }, now);
}

export function recordOutcome(repos: Repositories, sitting: Sitting, me: SessionUser, outcome: ModerationOutcome, reason: string | null, now: number): Sitting {
  stepTo(sitting, 'record-outcome');
  const moderated = repos.attempts.forSitting(sitting.id).some((a) => repos.moderation.marksFor(a.id).length > 0);
  if (outcome === 'accepted' && moderated) throw new HttpError(409, 'outcome_mismatch', 'Some marks of this sitting were moderated: record the outcome as "marks adjusted", or restore the centre marks first.');
  if (outcome === 'adjusted' && !moderated) throw new HttpError(409, 'outcome_mismatch', 'No mark of this sitting was moderated: change the marks on the attempts first, or record the outcome as "accepted".');
  return apply(
    repos,
    sitting,
    me,
    { action: 'record-outcome', outcome, reason, signature: { kind: 'moderator-outcome', statement: SIGN_WORDS.moderator, subject: moderationRecord(repos, sitting, outcome, reason) } },
    now,
  );
}

/** 409 unless the centre's marks may still change (the sitting's result is a draft). */
export function refuseUnlessDraft(sitting: Sitting, what: string): void {
  if (sitting.resultState !== 'draft') {
    throw new HttpError(409, 'result_signed', `The mark sheet of this sitting has been signed, so ${what} is not possible; the internal quality assurer can send it back to the assessor.`);
  }
}
