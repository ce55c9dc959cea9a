// Before and around a sitting: the candidate's identity check (seed 003, "ID requirements": each
// learner's identification is checked before they undertake the assessment) and the candidate's
// declaration of authenticity, confirmed at the start and again at the end (seed 000: "the
// authenticity of the assignments will be confirmed at moderation"). Both are recorded by the
// server with its own time and the logged-in user; the sitting cannot start without them.
import type { IdentityCheck } from '../db/repositories/assurance.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { HttpError } from '../http/errors.js';
import { DECLARATION_WORDS, type CandidateDeclarations, type IdDocumentType } from '../protocol/assurance.js';
import type { SessionUser } from '../protocol/roles.js';
import { declarationRecord, sign } from './signatures.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

export function identityCheckOf(repos: Repositories, sittingId: string): IdentityCheck | undefined {
  return repos.assurance.identityChecks(sittingId).at(-1);
}

export function declarationsOf(repos: Repositories, sittingId: string): CandidateDeclarations {
  const signatures = repos.assurance.signatures(sittingId);
  return {
    start: signatures.find((s) => s.kind === 'candidate-declaration-start')?.signedAt ?? null,
    end: signatures.find((s) => s.kind === 'candidate-declaration-end')?.signedAt ?? null,
  };
}

/** Why the sitting may not start yet, in words (empty: it may, or it has started). */
export function startBlockers(repos: Repositories, sitting: Sitting): string[] {
  if (sitting.status !== 'scheduled') return [];
  const blockers: string[] = [];
  if (!identityCheckOf(repos, sitting.id)) blockers.push("Record the candidate's identity check first.");
  if (declarationsOf(repos, sitting.id).start === null) blockers.push('The candidate has not yet confirmed the declaration of authenticity on their guidance page.');
  return blockers;
}

export function recordIdentityCheck(repos: Repositories, sitting: Sitting, me: SessionUser, input: { documentType: IdDocumentType; documentDetail: string }, now: number): IdentityCheck {
  if (sitting.status === 'cancelled') throw new HttpError(409, 'sitting_cancelled', 'This sitting was cancelled: no identity check is recorded for it.');
  if (sitting.status !== 'scheduled') throw new HttpError(409, 'sitting_started', "The sitting has started: the identity check is recorded before the start and can no longer be changed.");
  return repos.transaction(() => {
    const check = repos.assurance.addIdentityCheck({ sittingId: sitting.id, documentType: input.documentType, documentDetail: input.documentDetail, checkedByUserId: me.id, checkedAt: now });
    repos.auditLog.append({
      at: now,
      actor: auditActor(me),
      ...auditSubject('sitting', sitting),
      action: 'identity-checked',
      after: { documentType: check.documentType, documentDetail: check.documentDetail, checkedBy: me.id },
    });
    return check;
  });
}

/** The candidate confirms the declaration: 'start' before the sitting starts, 'end' once it has ended; each once. */
export function confirmDeclaration(repos: Repositories, sitting: Sitting, me: SessionUser, moment: 'start' | 'end', now: number): CandidateDeclarations {
  const done = declarationsOf(repos, sitting.id);
  if (done[moment] !== null) throw new HttpError(409, 'already_declared', `You confirmed this declaration already, on ${new Date(done[moment]).toISOString()}.`);
  if (sitting.status === 'cancelled') throw new HttpError(409, 'sitting_cancelled', 'This sitting was cancelled: there is nothing to declare.');
  if (moment === 'start' && sitting.status !== 'scheduled') throw new HttpError(409, 'sitting_started', 'The sitting has started: the declaration at the start is confirmed before it.');
  if (moment === 'end' && sitting.status !== 'ended') throw new HttpError(409, 'sitting_not_ended', 'The declaration at the end is confirmed once the sitting has ended.');
  const statement = DECLARATION_WORDS[moment];
  repos.transaction(() => sign(repos, sitting, moment === 'start' ? 'candidate-declaration-start' : 'candidate-declaration-end', me, statement, declarationRecord(sitting, moment, statement), now));
  return declarationsOf(repos, sitting.id);
}
