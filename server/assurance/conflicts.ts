// Conflicts of interest (seed 003, "Guidance on assessment": no part of a learner's assessment,
// internal quality assurance included, by anyone with a personal interest in the result). A member
// of staff declares their own interest in a candidate; from then on the server refuses them every
// decision on that candidate: running or marking a sitting, signing its mark sheet, reviewing or
// countersigning it, marking it in a standardisation exercise.
import type { Repositories } from '../db/repositories/index.js';
import type { ConflictOfInterest } from '../db/repositories/assurance.js';
import { HttpError } from '../http/errors.js';
import type { ConflictView } from '../protocol/assurance.js';
import { person } from '../sittings/views.js';

export function conflictOf(repos: Repositories, staffUserId: number | null, candidateUserId: number): ConflictOfInterest | undefined {
  return staffUserId === null ? undefined : repos.assurance.conflict(staffUserId, candidateUserId);
}

/** Throws 403 'conflict_of_interest' when this member of staff declared an interest in the candidate. */
export function refuseIfConflicted(repos: Repositories, staffUserId: number, candidateUserId: number, what: string): void {
  const c = conflictOf(repos, staffUserId, candidateUserId);
  if (!c) return;
  const staff = repos.users.findById(staffUserId)?.displayName ?? `user ${staffUserId}`;
  const candidate = repos.users.findById(candidateUserId)?.displayName ?? `candidate ${candidateUserId}`;
  throw new HttpError(403, 'conflict_of_interest', `${staff} declared a personal interest in ${candidate} (${c.nature}), so cannot ${what}. Another member of staff must do it.`);
}

export function conflictView(repos: Repositories, c: ConflictOfInterest): ConflictView {
  const staff = repos.users.findById(c.staffUserId);
  return {
    id: c.id,
    staff: { id: c.staffUserId, name: staff?.displayName ?? `user ${c.staffUserId}`, role: staff?.role ?? 'unknown' },
    candidate: person(repos, c.candidateUserId)!,
    nature: c.nature,
    declaredAt: c.declaredAt,
  };
}
