// Wire types of sittings, briefs, bookmarks, marking and results (HTTP JSON), shared with the client.
// Types only: the client imports this file, so nothing here may pull in server code at runtime.
//
// Routes (roles in brackets; "staff" = assessor of the sitting's centre, moderator, admin; every
// staff route is limited to the user's own centre, admins to any):
//   GET  /api/sittings                          [candidate: own | staff]  → { sittings: SittingSummary[] }
//   POST /api/sittings                          [assessor, admin]         CreateSittingInput → SittingDetail (201)
//   GET  /api/sittings/candidates               [assessor, admin]         → { candidates: SittingCandidate[] } (an assessor's centre; an admin's: every centre)
//   GET  /api/sittings/:id                      [candidate: own | staff]  → SittingDetail (candidate: CandidateSittingView)
//        (a candidate sees marks and the result only when the centre's release rule allows, and
//        then labelled provisional until moderation is complete: `release`)
//   POST /api/sittings/:id/start                [assessor, admin]         → SittingDetail   (starts the server-side clock;
//        409 'not_ready' until the identity check is recorded and the candidate confirmed the declaration)
//   POST /api/sittings/:id/rest-break           [assessor, admin]         { action: 'start' | 'end' } → SittingDetail
//   POST /api/sittings/:id/end                  [assessor, admin]         → SittingDetail   (closes the sitting)
//        (an attempt still open is closed with it, with its own audit row)
//   POST /api/sittings/:id/assignments/:n/attempts [assessor, admin]      → SittingDetail   (n = 1..4: starts the
//        assignment's first attempt, or a re-take when the rules allow one; 409 with the reason otherwise)
//   POST /api/attempts/:id/close                [assessor, admin]         → SittingDetail   (added: ends an attempt of a
//        sitting without finishing its marking, so the next assignment can begin; 409 for a practice attempt)
//   GET  /api/attempts/:id/brief                [candidate: own | staff]  → AttemptBrief (callerBrief only for staff)
//   GET  /api/attempts/:id/bookmarks            [staff]                   → { bookmarks: Bookmark[] }
//   POST /api/attempts/:id/bookmarks            [assessor, admin]         BookmarkInput → Bookmark (201)
//   GET  /api/attempts/:id/marking              [staff]                   → MarkingView
//   GET  /api/attempts/:id/suggestions          [staff]                   → AttemptSuggestionsView
//   PUT  /api/attempts/:id/marks                [assessor, admin]         SaveMarksInput → MarkingView
//   GET  /api/sittings/:id/mark-sheet.pdf       [staff]                   → application/pdf
//   GET  /api/results.csv                       [staff]                   → text/csv (one row per sitting of the centre)
//        (moderators and admins, who have no centre: every centre's, or ?centreId=<id> for one)
//
// Errors are the usual { error, message, fields? } with 400 (validation, per field), 403, 404, 409.
// A 400 from these routes is a ValidationErrorBody: `field` names the first problem, `fields` all of them.

import type { ModerationOutcome, OverrunPolicy, ResultState, SittingStatus } from './sitting-states.js';

export type Grade = 'Pass' | 'Merit' | 'Distinction';

/** A user as a view names them. */
export interface Person {
  id: number;
  name: string;
}

/** A user who acted, with the role they acted in (a mark changed, a step taken, a signature). */
export type Actor = Person & { role: string };

/** What heads every view of one attempt (its brief, marking, moderation): the attempt, its sitting, its scenario. */
export interface AttemptHeading {
  attemptId: string;
  sittingId: string | null;
  scenarioKey: string;
  /** The scenario's full title (a candidate reading the brief gets the candidate-facing title). */
  title: string;
}

/** A line of the rubric as every marking view shows it. */
export interface RubricLineView {
  criterionId: string;
  band: string;
  description: string;
  maxMarks: number;
}

/** The body of a 400: every bad field with its message, keyed by dotted path ('extraTime.percent', 'marks.2.mark'). */
export interface ValidationErrorBody {
  error: 'validation';
  message: string;
  field?: string;
  fields: Record<string, string>;
}

export { SITTING_STATUSES, type SittingStatus } from './sitting-states.js';
export type ClockState = 'not-started' | 'running' | 'paused' | 'time-up' | 'ended';
export type ExtraTimeInput = { kind: 'percent'; percent: number } | { kind: 'minutes'; minutes: number };

export interface CreateSittingInput {
  candidateUserId: number;
  /** Exactly four different scenario keys (s1…s6), in the order they will be taken. */
  scenarioKeys: string[];
  /** When it is planned (ms since the epoch); optional. */
  scheduledFor?: number | null;
  /** Base time in whole minutes, default 60. */
  baseMinutes?: number;
  /** Access arrangements agreed before the sitting. */
  extraTime?: ExtraTimeInput | null;
  restBreaks?: boolean;
  /** The centre assessor who runs it; defaults to the creating assessor. */
  assessorUserId?: number;
}

export interface CoverageWarningView {
  area: string;
  message: string;
}

/**
 * A candidate a new sitting can be for, as the centre tells two apart: the name, the centre's
 * candidate number (null until the admin gives one) and the username; no extension.
 */
export interface SittingCandidate {
  userId: number;
  displayName: string;
  username: string;
  candidateNumber: string | null;
  centreName: string;
}

/** POST /api/sittings/coverage-check: what the chosen assignments would leave unassessed, before creation. */
export interface CoverageCheckView {
  warnings: CoverageWarningView[];
  /** Choices the sitting would be refused for (the same scenario type twice); the count is not judged below four. */
  problems: string[];
}

export interface SittingClockView {
  state: ClockState;
  /** Base time plus extra time. */
  allowedMs: number;
  /** Working time used: wall time since the start (to now or to the end) less rest breaks. */
  elapsedMs: number;
  remainingMs: number;
  /** How far past the time allowed (0 when not past). */
  overrunMs: number;
  /** Server time the reading was taken at; clients count down from here. */
  readAt: number;
  /** When time runs (or ran) out if no further break is taken; null before the start. */
  deadline: number | null;
  /** 'five-minutes' once 5 minutes or less are left, 'time-up' once the time allowed is used. */
  warning?: 'none' | 'five-minutes' | 'time-up';
  /** What happens at time up: 'warn' (the work goes on, overrun recorded) or 'stop' (the sitting ends). */
  overrunPolicy?: OverrunPolicy;
}

export interface SittingSummary {
  id: string;
  centreId: number;
  /** The centre's name, for lists that span centres (the moderator's home). */
  centreName: string;
  candidate: Person;
  assessor: Person | null;
  status: SittingStatus;
  scheduledFor: number | null;
  startedAt: number | null;
  endedAt: number | null;
  /** When it was created, so two sittings planned for no particular time are told apart. */
  createdAt: number;
  /** Staff only: the four assignments in order, as the assessor knows them ("S1", "S4"…). */
  assignmentNames?: string[];
  /** Staff always; a candidate only when the centre's release rule allows (see `release`). */
  result?: SittingResultView;
  /** Staff only: where the result stands (draft → centre-final → iqa-countersigned → moderated). */
  resultState?: ResultState;
  /** Staff only: the moderation outcome once moderated. */
  outcome?: ModerationOutcome | null;
  /** Candidates only: whether results are released to them, provisional until moderated, and the outcome once moderated. */
  release?: { released: boolean; provisional: boolean; outcome: ModerationOutcome | null };
  /** Candidates only: a declaration of authenticity they still have to confirm ('start' before it starts, 'end' once ended), else null. */
  declarationDue?: 'start' | 'end' | null;
  /** The assignments with at least one attempt, position 1 first, titled as the viewer may read them (a candidate: the candidate-facing title). */
  assignmentsTaken: Array<{ position: number; title: string }>;
  /** When a cancelled sitting was cancelled, by whom and why. */
  cancellation?: { at: number; by: string; reason: string };
}

/** The sittings the caller may see (GET /api/sittings). */
export interface SittingsResponse {
  sittings: SittingSummary[];
}

/** The candidates a sitting can be for (GET /api/sittings/candidates). */
export interface SittingCandidatesResponse {
  candidates: SittingCandidate[];
}

/** PATCH /api/sittings/:id: what may change before the sitting starts (each field optional; null clears the planned time). */
export interface EditSittingInput {
  candidateUserId?: number;
  assessorUserId?: number;
  scheduledFor?: number | null;
}

/** POST /api/sittings/:id/cancel. */
export interface CancelSittingInput {
  reason: string;
}

export type AttemptMarkingStatus = 'not-started' | 'in-progress' | 'awaiting-marks' | 'marked';

export interface AttemptView {
  attemptId: string;
  /** 1 for the first attempt, 2 for the re-take… */
  number: number;
  variant: string;
  status: 'open' | 'closed';
  startedAt: number;
  closedAt: number | null;
  /** The assignment mark 0–12 that counts once marked (the moderated mark when one exists, else the centre mark), else null. */
  mark: number | null;
  /** The centre's mark, once its marking is finished. */
  centreMark?: number | null;
  /** The moderated mark, when a moderator changed any criterion. */
  moderatedMark?: number | null;
  /** Said when the attempt began, e.g. that a re-take uses the same variant because there is no other. */
  note?: string | null;
  /** Where the centre's marking of this attempt stands. */
  markingStatus?: AttemptMarkingStatus;
  /** How much of the attempt ran past the sitting's time allowed (ms), once closed. */
  overrunMs?: number | null;
}

export interface AssignmentView {
  /** 1..4 in the sitting. */
  position: number;
  scenarioKey: string;
  /** Staff: the scenario's full title. The candidate: the candidate-facing title. */
  title: string;
  direction: 'inbound' | 'outbound';
  type: 'service' | 'sales';
  attempts: AttemptView[];
  /** The mark that counts under the re-take policy, or null. */
  countedMark: number | null;
  /** Present when a re-take may be started now (mark below 6, limit not reached). */
  retakeAvailable: boolean;
}

/**
 * A sitting's result as every view shows it (server/sittings/results.ts computes it once): the
 * result that counts, moderated marks included.
 */
export interface SittingResultView {
  status: 'graded' | 'no-grade';
  grade: Grade | null;
  /** The total that counts (moderated marks where a moderator changed any). */
  total: number;
  complete: boolean;
  /** For no-grade: why, in words (one per reason). */
  reasons: string[];
  /** True when nothing can change it any more. */
  final: boolean;
  /** The centre's own total, before moderation (equal to `total` when nothing was moderated). */
  centreTotal: number;
  /** A moderator changed some mark of the sitting. */
  moderated: boolean;
}

export interface SittingDetail extends SittingSummary {
  baseMinutes: number;
  extraTime: ExtraTimeInput | null;
  restBreaks: boolean;
  clock: SittingClockView;
  assignments: AssignmentView[];
  coverageWarnings: CoverageWarningView[];
  /** Staff always; a candidate only when released (SittingSummary.release). */
  result?: SittingResultView;
  /** The attempt the candidate is working on now (open), if any. */
  currentAttemptId: string | null;
  /** Before the start: whether the identity check is recorded, and when the candidate confirmed the declarations. */
  preparation: { identityChecked: boolean; declarations: { start: number | null; end: number | null } };
}

/** What a candidate sees of a sitting: no briefs of callers, no rubric, no criterion marks. */
export type CandidateSittingView = SittingDetail;

export interface CandidateBriefView {
  role: string;
  situation: string;
  tasks: string[];
  [extra: string]: unknown;
}

export interface CallerCue {
  id: string;
  when: string;
  prompt: string;
  /** Criterion ids the cue gives evidence for. */
  tests?: string[];
}

export interface CallerBriefView {
  persona: { name: string; accountNumber?: string; phone?: string; description: string };
  situation: string;
  openingLine: string;
  /** A fact relative to the sitting day has its value worked out ("Friday 13 February 2026") and `date` 'YYYY-MM-DD'. */
  facts: Array<{ key: string; label: string; value: string; giveWhen: string; date?: string }>;
  cues: CallerCue[];
  [extra: string]: unknown;
}

/** `title`: staff read the scenario's full title, the candidate the candidate-facing one. */
export interface AttemptBrief extends AttemptHeading {
  /** The title the candidate sees (nothing the caller brief withholds). */
  candidateTitle: string;
  direction: 'inbound' | 'outbound';
  candidateBrief: CandidateBriefView;
  /** Staff only. */
  callerBrief?: CallerBriefView;
  /** The extension the candidate dials for an outbound assignment (the assessor's), staff and candidate. */
  dialNumber?: string | null;
  /** The number the assessor presents when calling in (the persona's phone), staff only. */
  presentNumber?: string | null;
}

export interface BookmarkInput {
  note: string;
  /** The cue the bookmark belongs to, if it was dropped from a cue card. */
  cueId?: string | null;
}

export interface Bookmark {
  id: number;
  attemptId: string;
  at: number;
  /** From the answer of the attempt's call, null if no call was answered yet. */
  offsetMs: number | null;
  callId: string | null;
  note: string;
  cueId: string | null;
  /** When the cue is played, in the caller brief's words ("after the candidate first quotes the price"); null without a cue, or for a cue the brief no longer has. */
  cueWhen: string | null;
  by: Person;
}

/** The attempt's bookmarks (GET /api/attempts/:id/bookmarks). */
export interface BookmarksResponse {
  bookmarks: Bookmark[];
}

export interface CriterionSuggestionView {
  criterionId: string;
  /** The suggested marks, or null when the check could not decide (the assessor marks by hand). */
  suggestedMarks: number | null;
  /** Why, in words (e.g. "answered after 9 s (limit 15 s)"). */
  evidence: string;
}

/** How far an automatic check found a criterion met. */
export type SuggestionOutcome = 'met' | 'partly' | 'not-met' | 'not-applicable' | 'no-data';

/** A criterion's suggested mark as the automatic checks worked it out (server/assessment/auto-checks.ts). */
export interface CriterionSuggestionDetail {
  criterionId: string;
  /** null: the data cannot decide; the assessor marks it. */
  suggestedMarks: number | null;
  maxMarks: number;
  outcome: SuggestionOutcome;
  /** Sentences for the assessor: what was seen, with times into the call. */
  evidence: string[];
  /** The kinds of check behind the suggestion. */
  checks: string[];
}

/** GET /api/attempts/:id/suggestions [staff]: the pre-filled marking suggestions of an attempt. */
export interface AttemptSuggestionsView {
  attemptId: string;
  scenario: { key: string; title: string };
  callId: string | null;
  suggestions: CriterionSuggestionDetail[];
}

export interface CriterionMarkView extends RubricLineView {
  /** The saved mark, null until marked. */
  mark: number | null;
  comment: string;
  suggestion: CriterionSuggestionView | null;
  /** The reason given when the saved mark differs from the suggestion. */
  overrideReason: string | null;
}

export interface MarkChange {
  id: number;
  criterionId: string;
  at: number;
  by: Actor;
  before: number | null;
  after: number | null;
  commentBefore: string | null;
  commentAfter: string | null;
  reason: string | null;
}

export interface MarkingView extends AttemptHeading {
  criteria: CriterionMarkView[];
  /** Sum of the saved marks (0–12), null until every criterion has a mark. */
  total: number | null;
  /** Every change of every mark, oldest first (the audit trail). */
  history: MarkChange[];
  bookmarks: Bookmark[];
  /** The attempt: open while the candidate works; closed by `final` marks, the close route or the sitting's end. */
  status?: 'open' | 'closed';
  /** 'marked' once `final` marks were saved: from then on the attempt's total is its centre mark. */
  markingStatus?: AttemptMarkingStatus;
  markedAt?: number | null;
}

export interface SaveMarksInput {
  marks: Array<{
    criterionId: string;
    mark: number;
    comment?: string;
    /** Required when the mark differs from a decided suggestion. */
    overrideReason?: string | null;
  }>;
  /** Required when any already-saved mark changes. */
  reason?: string | null;
  /** Close the attempt when every criterion is marked (marking finished). */
  final?: boolean;
}
