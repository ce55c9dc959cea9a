// Quality assurance records of sittings (migration 11, server/assurance/): electronic signatures,
// the steps of the result state machine, identity checks, conflicts of interest and the internal
// quality assurer's reviews. All append-only: the newest row stands, older rows are the history.
import type { ModerationOutcome, ResultAction, ResultState } from '../../assessment/result-states.js';
import type { Db } from '../connection.js';
import { whereSet } from '../where.js';

export const SIGNATURE_KINDS = ['candidate-declaration-start', 'candidate-declaration-end', 'assessor-mark-sheet', 'iqa-countersignature', 'moderator-outcome'] as const;
export type SignatureKind = (typeof SIGNATURE_KINDS)[number];

export interface Signature {
  id: number;
  sittingId: string;
  kind: SignatureKind;
  userId: number;
  role: string;
  /** The signer's name when they signed. */
  name: string;
  /** The words signed. */
  statement: string;
  /** What was signed, and the SHA-256 of its canonical JSON. */
  subject: unknown;
  subjectSha256: string;
  signedAt: number;
}

export interface ResultStep {
  id: number;
  sittingId: string;
  action: ResultAction;
  fromState: ResultState;
  toState: ResultState;
  outcome: ModerationOutcome | null;
  reason: string | null;
  signatureId: number | null;
  byUserId: number;
  byRole: string;
  at: number;
}

export const ID_DOCUMENT_TYPES = ['passport', 'driving-licence', 'warrant-card', 'photo-id-card', 'signed-id', 'third-party'] as const;
export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];

export interface IdentityCheck {
  id: number;
  sittingId: string;
  documentType: IdDocumentType;
  documentDetail: string;
  checkedByUserId: number;
  checkedAt: number;
}

export interface ConflictOfInterest {
  id: number;
  centreId: number;
  staffUserId: number;
  candidateUserId: number;
  nature: string;
  declaredAt: number;
}

export type IqaVerdict = 'agree' | 'disagree';

export interface IqaReview {
  id: number;
  sittingId: string;
  attemptId: string;
  criterionId: string;
  /** The centre mark the verdict was given on. */
  centreMark: number;
  verdict: IqaVerdict;
  reason: string;
  reviewerUserId: number;
  at: number;
}

const SIGNATURE_SELECT = `SELECT id, sitting_id AS sittingId, kind, user_id AS userId, role, name, statement, subject, subject_sha256 AS subjectSha256, signed_at AS signedAt FROM sitting_signatures`;
const STEP_SELECT = `SELECT id, sitting_id AS sittingId, action, from_state AS fromState, to_state AS toState, outcome, reason, signature_id AS signatureId, by_user_id AS byUserId, by_role AS byRole, at FROM sitting_result_transitions`;
const CONFLICT_SELECT = `SELECT id, centre_id AS centreId, staff_user_id AS staffUserId, candidate_user_id AS candidateUserId, nature, declared_at AS declaredAt FROM conflicts_of_interest`;
const REVIEW_SELECT = `SELECT id, sitting_id AS sittingId, attempt_id AS attemptId, criterion_id AS criterionId, centre_mark AS centreMark, verdict, reason, reviewer_user_id AS reviewerUserId, at FROM iqa_reviews`;

const toSignature = (r: Omit<Signature, 'subject'> & { subject: string }): Signature => ({ ...r, subject: JSON.parse(r.subject) as unknown });

export class AssuranceRepository {
  constructor(private readonly db: Db) {}

  /** `subjectJson` is the canonical JSON whose SHA-256 is `subjectSha256` (server/assurance/signatures.ts). */
  addSignature(input: Omit<Signature, 'id' | 'subject'> & { subjectJson: string }): Signature {
    const info = this.db
      .prepare(
        `INSERT INTO sitting_signatures (sitting_id, kind, user_id, role, name, statement, subject, subject_sha256, signed_at)
         VALUES (@sittingId, @kind, @userId, @role, @name, @statement, @subjectJson, @subjectSha256, @signedAt)`,
      )
      .run(input);
    return toSignature(this.db.prepare(`${SIGNATURE_SELECT} WHERE id = ?`).get(Number(info.lastInsertRowid)) as Omit<Signature, 'subject'> & { subject: string });
  }

  /** Oldest first. */
  signatures(sittingId: string): Signature[] {
    return (this.db.prepare(`${SIGNATURE_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as Array<Omit<Signature, 'subject'> & { subject: string }>).map(toSignature);
  }

  addStep(input: Omit<ResultStep, 'id'>): ResultStep {
    const info = this.db
      .prepare(
        `INSERT INTO sitting_result_transitions (sitting_id, action, from_state, to_state, outcome, reason, signature_id, by_user_id, by_role, at)
         VALUES (@sittingId, @action, @fromState, @toState, @outcome, @reason, @signatureId, @byUserId, @byRole, @at)`,
      )
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  /** Oldest first. */
  steps(sittingId: string): ResultStep[] {
    return this.db.prepare(`${STEP_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as ResultStep[];
  }

  addIdentityCheck(input: Omit<IdentityCheck, 'id'>): IdentityCheck {
    const info = this.db
      .prepare('INSERT INTO sitting_identity_checks (sitting_id, document_type, document_detail, checked_by_user_id, checked_at) VALUES (@sittingId, @documentType, @documentDetail, @checkedByUserId, @checkedAt)')
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  /** Oldest first: the last one stands. */
  identityChecks(sittingId: string): IdentityCheck[] {
    return this.db
      .prepare('SELECT id, sitting_id AS sittingId, document_type AS documentType, document_detail AS documentDetail, checked_by_user_id AS checkedByUserId, checked_at AS checkedAt FROM sitting_identity_checks WHERE sitting_id = ? ORDER BY id')
      .all(sittingId) as IdentityCheck[];
  }

  declareConflict(input: Omit<ConflictOfInterest, 'id'>): ConflictOfInterest {
    const info = this.db
      .prepare('INSERT INTO conflicts_of_interest (centre_id, staff_user_id, candidate_user_id, nature, declared_at) VALUES (@centreId, @staffUserId, @candidateUserId, @nature, @declaredAt)')
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  conflict(staffUserId: number, candidateUserId: number): ConflictOfInterest | undefined {
    return this.db.prepare(`${CONFLICT_SELECT} WHERE staff_user_id = ? AND candidate_user_id = ?`).get(staffUserId, candidateUserId) as ConflictOfInterest | undefined;
  }

  /** A centre's declarations, or one member of staff's; newest first. */
  conflicts(filter: { centreId?: number; staffUserId?: number; candidateUserId?: number }): ConflictOfInterest[] {
    const { where, args } = whereSet(filter, { centreId: 'centre_id = @centreId', staffUserId: 'staff_user_id = @staffUserId', candidateUserId: 'candidate_user_id = @candidateUserId' });
    return this.db.prepare(`${CONFLICT_SELECT}${where} ORDER BY id DESC`).all(args) as ConflictOfInterest[];
  }

  addIqaReview(input: Omit<IqaReview, 'id'>): IqaReview {
    const info = this.db
      .prepare(
        `INSERT INTO iqa_reviews (sitting_id, attempt_id, criterion_id, centre_mark, verdict, reason, reviewer_user_id, at)
         VALUES (@sittingId, @attemptId, @criterionId, @centreMark, @verdict, @reason, @reviewerUserId, @at)`,
      )
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  /** Every verdict on the sitting's attempts, oldest first. */
  iqaReviews(sittingId: string): IqaReview[] {
    return this.db.prepare(`${REVIEW_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as IqaReview[];
  }
}
