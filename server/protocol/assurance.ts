// Wire types of the quality-assurance workflow of a sitting (HTTP JSON), shared with the client.
// Types only: the client imports this file, so nothing here may pull in server code at runtime.
//
// Routes (server/api/assurance-routes.ts, centre-admin-routes.ts, standardisation-routes.ts; every
// staff route is limited to the user's own centre, admins and moderators to any):
//   GET  /api/sittings/:id/assurance          [assessor, iqa, moderator, admin] → SittingAssuranceView
//   POST /api/sittings/:id/identity-check     [assessor, admin]  IdentityCheckInput → SittingAssuranceView (before the start only)
//   POST /api/sittings/:id/declarations       [candidate]        DeclarationInput → CandidateDeclarations (own sitting; start before it starts, end after it ends)
//   POST /api/sittings/:id/sign               [assessor]         SignInput → SittingAssuranceView (draft → centre-final)
//   POST /api/sittings/:id/return             [iqa]              ReasonInput → SittingAssuranceView (centre-final → draft)
//   POST /api/sittings/:id/countersign        [iqa]              SignInput → SittingAssuranceView (centre-final → iqa-countersigned)
//   POST /api/sittings/:id/moderation-outcome [moderator]        OutcomeInput → SittingAssuranceView (iqa-countersigned → moderated)
//   GET  /api/conflicts                       [assessor, iqa, admin] → { conflicts: ConflictView[] } (staff: their own; admin: every centre's)
//   POST /api/conflicts                       [assessor, iqa]    ConflictInput → ConflictView (201)
//   GET  /api/centre/people                   [assessor, iqa]    → CentrePeople (the user's own centre, enabled accounts)
//   GET  /api/iqa/sittings                    [iqa]              → IqaQueueView (the IQA's centre)
//   GET  /api/iqa/attempts/:id                [iqa]              → IqaAttemptView
//   PUT  /api/iqa/attempts/:id/reviews        [iqa]              IqaReviewInput → IqaAttemptView
//   PUT  /api/centres/:id/settings            [admin]            CentreSettingsInput → { centre: CentreView }
//   POST /api/users/:id/candidate-number      [admin]            { candidateNumber: string | null } → { user }
//   POST /api/sittings/:id/special-consideration [admin]         SpecialConsiderationInput → SittingAssuranceView (201)
//   POST /api/sittings/:id/malpractice        [admin]            MalpracticeInput → SittingAssuranceView (201)
//   POST /api/sittings/:id/enquiries          [admin]            EnquiryInput → SittingAssuranceView (201)
//   POST /api/enquiries/:id/close             [admin]            { outcome: string } → SittingAssuranceView
//   GET  /api/standardisation                 [assessor, iqa, admin] → { exercises: StandardisationSummary[] }
//   GET  /api/standardisation/attempts        [iqa]              → { attempts: StandardisationAttemptOption[] }
//   POST /api/standardisation                 [iqa]              NewStandardisationInput → StandardisationResultsView (201)
//   GET  /api/standardisation/:id             [assessor, iqa, admin] → StandardisationMarkingView (assessor) | StandardisationResultsView
//   PUT  /api/standardisation/:id/marks       [assessor]         StandardisationMarksInput → StandardisationMarkingView
//   POST /api/standardisation/:id/close       [iqa]              → StandardisationResultsView
//   GET  /api/standardisation/:id/agreement.csv [iqa, admin]     → text/csv
// Refusals: 409 for a step out of order (e.g. countersigning a draft) or a sitting not ready (no
// identity check); 403 'conflict_of_interest' for staff who declared a personal interest in the
// candidate; 400 for bad input (per field).
import type { Actor, Person, RubricLineView } from './assessment.js';
import type { ModerationOutcome, OverrunPolicy, ReleaseRule, ResultState, SittingStatus } from './sitting-states.js';

export { MODERATION_OUTCOMES, RESULT_STATES, type ModerationOutcome, type ResultState } from './sitting-states.js';

export type { OverrunPolicy, ReleaseRule };
export const ID_DOCUMENT_TYPES = ['passport', 'driving-licence', 'warrant-card', 'photo-id-card', 'signed-id', 'third-party'] as const;
export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];
export const SIGNATURE_KINDS = ['candidate-declaration-start', 'candidate-declaration-end', 'assessor-mark-sheet', 'iqa-countersignature', 'moderator-outcome'] as const;
export type SignatureKind = (typeof SIGNATURE_KINDS)[number];
/** The internal quality assurer's verdict on one centre mark. */
export type IqaVerdict = 'agree' | 'disagree';

export const ID_DOCUMENT_WORDS: Record<IdDocumentType, string> = {
  passport: 'Passport',
  'driving-licence': 'Photocard driving licence',
  'warrant-card': 'Warrant card (HM forces or police)',
  'photo-id-card': 'Other photo ID card (employee, student, travel)',
  'signed-id': 'ID with a signature (e.g. bank card)',
  'third-party': 'Confirmed by a third party (e.g. line manager)',
};

export const RESULT_STATE_WORDS: Record<ResultState, string> = {
  draft: 'Draft: the centre is marking',
  'centre-final': 'Signed by the assessor: waiting for internal quality assurance',
  'iqa-countersigned': 'Countersigned: waiting for moderation',
  moderated: 'Moderated',
};

export const OUTCOME_WORDS: Record<ModerationOutcome, string> = {
  accepted: 'Accepted',
  adjusted: 'Marks adjusted',
  rejected: 'Rejected',
};

export const RELEASE_RULE_LABELS: Record<ReleaseRule, string> = {
  'centre-final': 'When the assessor signs the mark sheet (provisional)',
  'iqa-countersigned': 'When the internal quality assurer countersigns (provisional)',
  moderated: 'Only when moderation is complete',
};

/** The words a candidate confirms, at the start and at the end of the sitting. */
export const DECLARATION_WORDS = {
  start:
    'I confirm that I am the candidate named for this sitting, that I will do the work on my own without help from anyone, and that I have read the guidance and understand that my calls are recorded.',
  end: 'I confirm that the calls and the work on the computer in this sitting were done by me alone, without help from anyone.',
} as const;

export const SIGN_WORDS = {
  assessor: 'I confirm that I assessed this candidate, that the marks on the mark sheet are my judgement against the marking criteria, and that I have no personal interest in the result.',
  iqa: 'I have checked the assessment decisions for this sitting and I countersign them.',
  moderator: 'I have moderated this sitting and I sign off the outcome given.',
} as const;

export type { Person };

export interface SignatureView {
  id: number;
  kind: SignatureKind;
  by: Actor;
  signedAt: number;
  statement: string;
  /** SHA-256 of what was signed (the canonical JSON of the marks, or of the declaration). */
  subjectSha256: string;
  /** Whether what was signed still hashes the same today (false after the marks changed, e.g. once sent back). */
  stillMatches: boolean;
  /** A later step (the IQA sending the sitting back) replaced this signature. */
  superseded: boolean;
}

export interface ResultStepView {
  id: number;
  action: string;
  from: ResultState;
  to: ResultState;
  outcome: ModerationOutcome | null;
  reason: string | null;
  by: Actor;
  at: number;
}

export interface IdentityCheckView {
  documentType: IdDocumentType;
  documentDetail: string;
  checkedBy: Person;
  checkedAt: number;
}

export interface CandidateDeclarations {
  /** When the candidate confirmed the declaration of authenticity before the sitting, or null. */
  start: number | null;
  /** ... and after it ended, or null. */
  end: number | null;
}

export const SPECIAL_CONSIDERATION_CATEGORIES = ['illness', 'injury', 'bereavement', 'domestic-crisis', 'other'] as const;
export type SpecialConsiderationCategory = (typeof SPECIAL_CONSIDERATION_CATEGORIES)[number];
/** JCQ M1: candidate malpractice; M2(a): staff or centre malpractice or maladministration. */
export const MALPRACTICE_FORMS = ['M1', 'M2a'] as const;
export type MalpracticeForm = (typeof MALPRACTICE_FORMS)[number];
export type EnquiryKind = 'enquiry' | 'appeal';

export interface SpecialConsiderationView {
  id: number;
  category: SpecialConsiderationCategory;
  incidentDate: string;
  details: string;
  evidence: string;
  adjustmentRequested: string;
  recordedBy: Person;
  recordedAt: number;
}

export interface MalpracticeView {
  id: number;
  form: MalpracticeForm;
  incidentDate: string;
  personsInvolved: string;
  nature: string;
  evidence: string;
  statementObtained: boolean;
  reportedToAwardingBodyOn: string | null;
  actionTaken: string;
  recordedBy: Person;
  recordedAt: number;
}

export interface EnquiryView {
  id: number;
  kind: EnquiryKind;
  raisedBy: string;
  receivedOn: string;
  grounds: string;
  recordedBy: Person;
  recordedAt: number;
  closedAt: number | null;
  closedBy: Person | null;
  outcome: string | null;
}

export interface AttemptOverrunView {
  attemptId: string;
  position: number | null;
  overrunMs: number;
}

/** Everything of a sitting's quality assurance, for staff. */
export interface SittingAssuranceView {
  sittingId: string;
  /** The sitting itself: scheduled, in progress or ended. */
  sittingStatus: SittingStatus;
  centre: { id: number; name: string; centreNumber: string | null };
  candidate: Person & { candidateNumber: string | null };
  state: ResultState;
  stateWords: string;
  outcome: ModerationOutcome | null;
  stateAt: number | null;
  releaseRule: ReleaseRule;
  /** Whether the candidate sees results now, and labelled provisional. */
  release: { released: boolean; provisional: boolean };
  identityCheck: IdentityCheckView | null;
  declarations: CandidateDeclarations;
  /** What still stops the sitting from starting (empty once it may start, or after it started). */
  startBlockers: string[];
  /** What still stops the assessor from signing (empty when they may sign, or once signed). */
  signBlockers: string[];
  /** What still stops the IQA from countersigning. */
  countersignBlockers: string[];
  signatures: SignatureView[];
  steps: ResultStepView[];
  /** IQA verdicts standing on the current centre marks. */
  iqa: { inSample: boolean; reviewed: number; toReview: number; disagreements: number };
  overrun: AttemptOverrunView[];
  specialConsiderations: SpecialConsiderationView[];
  malpractice: MalpracticeView[];
  enquiries: EnquiryView[];
}

export interface IdentityCheckInput {
  documentType: IdDocumentType;
  /** Which document, or who vouched for the candidate (required for 'photo-id-card', 'signed-id' and 'third-party'). */
  documentDetail?: string;
}

export interface DeclarationInput {
  moment: 'start' | 'end';
  confirm: true;
}

export interface SignInput {
  confirm: true;
}

export interface ReasonInput {
  reason: string;
}

export interface OutcomeInput {
  outcome: ModerationOutcome;
  /** Required for 'adjusted' and 'rejected'. */
  reason?: string;
}

export interface ConflictInput {
  candidateUserId: number;
  nature: string;
}

export interface ConflictView {
  id: number;
  staff: Actor;
  candidate: Person;
  nature: string;
  declaredAt: number;
}

/** The declarations of personal interest the caller may see (GET /api/conflicts). */
export interface ConflictsResponse {
  conflicts: ConflictView[];
}

export interface CentrePeople {
  candidates: Person[];
  assessors: Person[];
}

/** A marked, recorded attempt a standardisation exercise may use. */
export interface StandardisationAttemptOption {
  attemptId: string;
  label: string;
  markedAt: number;
}

/** The marked attempts an IQA may choose for a standardisation exercise (GET /api/standardisation/attempts). */
export interface StandardisationAttemptsResponse {
  attempts: StandardisationAttemptOption[];
}

export interface IqaSittingView {
  sittingId: string;
  candidate: Person;
  assessor: Person | null;
  endedAt: number | null;
  state: ResultState;
  /** Chosen by the sampling rule for the IQA to review (every fail is). */
  inSample: boolean;
  sampleReasons: string[];
  total: number | null;
  grade: string | null;
  attempts: Array<{ attemptId: string; position: number | null; title: string; number: number; centreMark: number | null; reviewed: number; criteria: number; disagreements: number }>;
  /** The IQA declared a personal interest in this candidate. */
  conflict: boolean;
}

export interface IqaQueueView {
  centreId: number;
  /** Signed by the assessor, waiting for the IQA. */
  awaiting: IqaSittingView[];
  /** Countersigned or moderated (most recent first). */
  done: IqaSittingView[];
}

export interface IqaCriterionView extends RubricLineView {
  centreMark: number | null;
  comment: string;
  overrideReason: string | null;
  verdict: IqaVerdict | null;
  reason: string;
  /** The standing verdict was given on another mark (the assessor changed it since). */
  outOfDate: boolean;
}

/** A recorded call of an attempt, to play: where to fetch it, and how long it lasts when known. */
export interface RecordingLink {
  callId: string;
  url: string;
  durationMs: number | null;
}

export interface IqaAttemptView {
  attemptId: string;
  sittingId: string;
  state: ResultState;
  candidate: Person;
  position: number | null;
  title: string;
  centreTotal: number | null;
  criteria: IqaCriterionView[];
  recordings: RecordingLink[];
}

export interface IqaReviewInput {
  verdicts: Array<{ criterionId: string; verdict: IqaVerdict; reason?: string }>;
}

export interface CentreSettingsInput {
  centreNumber: string | null;
  releaseRule: ReleaseRule;
  maxRetakes: number;
  overrunPolicy: OverrunPolicy;
  appealWindowDays: number;
}

export interface CentreView extends CentreSettingsInput {
  id: number;
  name: string;
  isDemo: boolean;
}

/** The centres (GET /api/centres). */
export interface CentresResponse {
  centres: CentreView[];
}

/** One centre as saved (POST /api/centres, PUT /api/centres/:id/settings). */
export interface CentreResponse {
  centre: CentreView;
}

export interface SpecialConsiderationInput
  extends Pick<SpecialConsiderationView, 'category' | 'incidentDate' | 'details'>,
    Partial<Pick<SpecialConsiderationView, 'evidence' | 'adjustmentRequested'>> {}

export interface MalpracticeInput
  extends Pick<MalpracticeView, 'form' | 'incidentDate' | 'personsInvolved' | 'nature'>,
    Partial<Pick<MalpracticeView, 'evidence' | 'statementObtained' | 'reportedToAwardingBodyOn' | 'actionTaken'>> {}

export type EnquiryInput = Pick<EnquiryView, 'kind' | 'raisedBy' | 'receivedOn' | 'grounds'>;

export interface StandardisationSummary {
  id: string;
  title: string;
  createdAt: number;
  closedAt: number | null;
  attempt: { attemptId: string; title: string };
  participants: number;
  submitted: number;
  /** For an assessor: whether they have submitted their marks. */
  mySubmittedAt?: number | null;
}

/** The standardisation exercises (GET /api/standardisation). */
export interface StandardisationExercisesResponse {
  exercises: StandardisationSummary[];
}

export interface NewStandardisationInput {
  attemptId: string;
  title: string;
  assessorUserIds: number[];
}

export interface StandardisationMarkingView {
  id: string;
  title: string;
  closedAt: number | null;
  scenarioTitle: string;
  candidateBrief: { role: string; situation: string; tasks: string[] };
  recordings: RecordingLink[];
  criteria: Array<RubricLineView & { mark: number | null; comment: string }>;
  submittedAt: number | null;
}

export interface StandardisationMarksInput {
  marks: Array<{ criterionId: string; mark: number; comment?: string }>;
  /** Submit: every criterion must be marked; no change after. */
  submit?: boolean;
}

export interface AgreementFigure {
  agreeing: number;
  compared: number;
  rate: number | null;
}

export interface StandardisationResultsView {
  id: string;
  title: string;
  createdAt: number;
  closedAt: number | null;
  scenarioTitle: string;
  attemptId: string;
  assessors: Array<Person & { submittedAt: number | null; total: number | null; withOthers: AgreementFigure; withReference: AgreementFigure; meanDifference: number | null }>;
  criteria: Array<{ criterionId: string; description: string; maxMarks: number; reference: number | null; marks: Array<number | null>; spread: number | null; pairwise: AgreementFigure; withReference: AgreementFigure }>;
  overall: AgreementFigure;
  referenceTotal: number | null;
}
