// A sitting's quality assurance as staff see it (SittingAssuranceView), and the same record as the
// moderation pack carries it (assurance.json: the state, every step, every signature with what it
// signed, the identity check, the declarations, IQA verdicts and the centre's records).
import { DEFAULT_RELEASE_RULE } from '../assessment/release-rule.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { RESULT_STATE_WORDS, type Person, type SittingAssuranceView } from '../protocol/assurance.js';
import { person } from '../sittings/views.js';
import { iqaReviewState } from './iqa.js';
import { declarationsOf, identityCheckOf, startBlockers } from './preparation.js';
import { releaseFor } from './release.js';
import { countersignBlockers, signBlockers } from './result-workflow.js';
import { signatureViews } from './signatures.js';

const who = (repos: Repositories, id: number): Person => person(repos, id)!;

export function assuranceView(repos: Repositories, sitting: Sitting): SittingAssuranceView {
  const centre = repos.centres.findById(sitting.centreId);
  const candidate = repos.users.findById(sitting.candidateUserId);
  const check = identityCheckOf(repos, sitting.id);
  const release = releaseFor(repos, sitting);
  const records = repos.centreRecords;
  return {
    sittingId: sitting.id,
    sittingStatus: sitting.status,
    centre: { id: sitting.centreId, name: centre?.name ?? `centre ${sitting.centreId}`, centreNumber: centre?.centreNumber ?? null },
    candidate: { id: sitting.candidateUserId, name: candidate?.displayName ?? `user ${sitting.candidateUserId}`, candidateNumber: candidate?.candidateNumber ?? null },
    state: sitting.resultState,
    stateWords: sitting.resultState === 'moderated' && sitting.resultOutcome ? `Moderated: ${sitting.resultOutcome === 'adjusted' ? 'marks adjusted' : sitting.resultOutcome}` : RESULT_STATE_WORDS[sitting.resultState],
    outcome: sitting.resultOutcome,
    stateAt: sitting.resultStateAt,
    releaseRule: centre?.releaseRule ?? DEFAULT_RELEASE_RULE,
    release: { released: release.released, provisional: release.provisional },
    identityCheck: check ? { documentType: check.documentType, documentDetail: check.documentDetail, checkedBy: who(repos, check.checkedByUserId), checkedAt: check.checkedAt } : null,
    declarations: declarationsOf(repos, sitting.id),
    startBlockers: startBlockers(repos, sitting),
    signBlockers: signBlockers(repos, sitting),
    countersignBlockers: countersignBlockers(repos, sitting),
    signatures: signatureViews(repos, sitting),
    steps: repos.assurance.steps(sitting.id).map((s) => ({
      id: s.id,
      action: s.action,
      from: s.fromState,
      to: s.toState,
      outcome: s.outcome,
      reason: s.reason,
      by: { ...who(repos, s.byUserId), role: s.byRole },
      at: s.at,
    })),
    iqa: iqaReviewState(repos, sitting),
    overrun: repos.attempts
      .forSitting(sitting.id)
      .filter((a) => (a.overrunMs ?? 0) > 0)
      .map((a) => ({ attemptId: a.id, position: a.position, overrunMs: a.overrunMs ?? 0 })),
    specialConsiderations: records.specialConsiderations(sitting.id).map((r) => ({ ...r, recordedBy: who(repos, r.recordedBy) })),
    malpractice: records.malpractice(sitting.id).map((r) => ({ ...r, recordedBy: who(repos, r.recordedBy) })),
    enquiries: records.enquiries(sitting.id).map((r) => ({ ...r, recordedBy: who(repos, r.recordedBy), closedBy: r.closedBy === null ? null : who(repos, r.closedBy) })),
  };
}

/** assurance.json of the moderation pack: the view, plus every signature with the record it signed and every IQA verdict. */
export function assuranceRecord(repos: Repositories, sitting: Sitting): unknown {
  return {
    ...assuranceView(repos, sitting),
    signedRecords: repos.assurance.signatures(sitting.id).map((s) => ({ signatureId: s.id, kind: s.kind, subjectSha256: s.subjectSha256, subject: s.subject })),
    iqaVerdicts: repos.assurance.iqaReviews(sitting.id).map((r) => ({ ...r, reviewer: who(repos, r.reviewerUserId) })),
    conflictsOfInterest: repos.assurance.conflicts({ candidateUserId: sitting.candidateUserId }).map((c) => ({ staff: who(repos, c.staffUserId), nature: c.nature, declaredAt: c.declaredAt })),
  };
}
