// Quality assurance records of sittings (migration 11, server/assurance/): electronic signatures,
// the steps of the result state machine, identity checks, conflicts of interest and the internal
// quality assurer's reviews. All append-only: the newest row stands, older rows are the history.
import type { ModerationOutcome, ResultAction, ResultState } from '../../assessment/result-states.js';
import type { IdDocumentType, IqaVerdict, SignatureKind } from '../../protocol/assurance.js';
import { insertInto, insertWithId, selectFrom, snakeCaseColumns } from '../columns.js';
import type { Db } from '../connection.js';
import { whereSet } from '../where.js';

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

const SIGNATURE_COLUMNS = snakeCaseColumns<Signature>()(['id', 'sittingId', 'kind', 'userId', 'role', 'name', 'statement', 'subject', 'subjectSha256', 'signedAt']);
const STEP_COLUMNS = snakeCaseColumns<ResultStep>()(['id', 'sittingId', 'action', 'fromState', 'toState', 'outcome', 'reason', 'signatureId', 'byUserId', 'byRole', 'at']);
const IDENTITY_CHECK_COLUMNS = snakeCaseColumns<IdentityCheck>()(['id', 'sittingId', 'documentType', 'documentDetail', 'checkedByUserId', 'checkedAt']);
const CONFLICT_COLUMNS = snakeCaseColumns<ConflictOfInterest>()(['id', 'centreId', 'staffUserId', 'candidateUserId', 'nature', 'declaredAt']);
const REVIEW_COLUMNS = snakeCaseColumns<IqaReview>()(['id', 'sittingId', 'attemptId', 'criterionId', 'centreMark', 'verdict', 'reason', 'reviewerUserId', 'at']);
const SIGNATURE_SELECT = selectFrom('sitting_signatures', SIGNATURE_COLUMNS);
const STEP_SELECT = selectFrom('sitting_result_transitions', STEP_COLUMNS);
const IDENTITY_CHECK_SELECT = selectFrom('sitting_identity_checks', IDENTITY_CHECK_COLUMNS);
const CONFLICT_SELECT = selectFrom('conflicts_of_interest', CONFLICT_COLUMNS);
const REVIEW_SELECT = selectFrom('iqa_reviews', REVIEW_COLUMNS);

const toSignature = (r: Omit<Signature, 'subject'> & { subject: string }): Signature => ({ ...r, subject: JSON.parse(r.subject) as unknown });

export class AssuranceRepository {
  constructor(private readonly db: Db) {}

  /** `subjectJson` is the canonical JSON whose SHA-256 is `subjectSha256` (server/assurance/signatures.ts). */
  addSignature(input: Omit<Signature, 'id' | 'subject'> & { subjectJson: string }): Signature {
    const info = this.db.prepare(insertInto('sitting_signatures', SIGNATURE_COLUMNS, ['id'])).run({ ...input, subject: input.subjectJson });
    return toSignature(this.db.prepare(`${SIGNATURE_SELECT} WHERE id = ?`).get(Number(info.lastInsertRowid)) as Omit<Signature, 'subject'> & { subject: string });
  }

  /** Oldest first. */
  signatures(sittingId: string): Signature[] {
    return (this.db.prepare(`${SIGNATURE_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as Array<Omit<Signature, 'subject'> & { subject: string }>).map(toSignature);
  }

  addStep(input: Omit<ResultStep, 'id'>): ResultStep {
    return insertWithId(this.db, 'sitting_result_transitions', STEP_COLUMNS, input);
  }

  /** Oldest first. */
  steps(sittingId: string): ResultStep[] {
    return this.db.prepare(`${STEP_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as ResultStep[];
  }

  addIdentityCheck(input: Omit<IdentityCheck, 'id'>): IdentityCheck {
    return insertWithId(this.db, 'sitting_identity_checks', IDENTITY_CHECK_COLUMNS, input);
  }

  /** Oldest first: the last one stands. */
  identityChecks(sittingId: string): IdentityCheck[] {
    return this.db.prepare(`${IDENTITY_CHECK_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as IdentityCheck[];
  }

  declareConflict(input: Omit<ConflictOfInterest, 'id'>): ConflictOfInterest {
    return insertWithId(this.db, 'conflicts_of_interest', CONFLICT_COLUMNS, input);
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
    return insertWithId(this.db, 'iqa_reviews', REVIEW_COLUMNS, input);
  }

  /** Every verdict on the sitting's attempts, oldest first. */
  iqaReviews(sittingId: string): IqaReview[] {
    return this.db.prepare(`${REVIEW_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as IqaReview[];
  }
}
