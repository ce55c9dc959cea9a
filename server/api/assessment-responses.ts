// The response schemas of the sitting and marking routes of one attempt (attempt-scope.ts): the
// sitting it belongs to, its brief, its bookmarks and its marking view. What a route sends is what
// its schema declares; each schema is bound to its wire type in server/protocol/assessment.ts by
// `exactly<T>()` (exact-schema.ts), so the two cannot drift apart.
import { z } from 'zod';
import type {
  BookmarksResponse,
  SittingsResponse,
  Actor,
  AssignmentView,
  AttemptHeading,
  AttemptBrief,
  AttemptSuggestionsView,
  AttemptView,
  Bookmark,
  CallerBriefView,
  CandidateBriefView,
  CoverageCheckView,
  SittingCandidate,
  SittingCandidatesResponse,
  CoverageWarningView,
  MarkingView,
  Person,
  RubricLineView,
  SittingClockView,
  SittingDetail,
  SittingSummary,
  SittingResultView,
} from '../protocol/assessment.js';
import { MODERATION_OUTCOMES, RESULT_STATES, SITTING_STATUSES } from '../protocol/sitting-states.js';
import { exactly } from './exact-schema.js';

export const person = exactly<Person>()(z.object({ id: z.number(), name: z.string() }));
export const actor = exactly<Actor>()(person.extend({ role: z.string() }));
export const attemptHeading = exactly<AttemptHeading>()(z.object({ attemptId: z.string(), sittingId: z.string().nullable(), scenarioKey: z.string(), title: z.string() }));
export const rubricLine = exactly<RubricLineView>()(z.object({ criterionId: z.string(), band: z.string(), description: z.string(), maxMarks: z.number() }));
const grade = z.enum(['Pass', 'Merit', 'Distinction']);
const markingStatus = z.enum(['not-started', 'in-progress', 'awaiting-marks', 'marked']);
const outcome = z.enum(MODERATION_OUTCOMES);

export const sittingResult = exactly<SittingResultView>()(
  z.object({
    status: z.enum(['graded', 'no-grade']),
    grade: grade.nullable(),
    total: z.number(),
    complete: z.boolean(),
    reasons: z.array(z.string()),
    final: z.boolean(),
    centreTotal: z.number(),
    moderated: z.boolean(),
  }),
);

const sittingClock = exactly<SittingClockView>()(
  z.object({
    state: z.enum(['not-started', 'running', 'paused', 'time-up', 'ended']),
    allowedMs: z.number(),
    elapsedMs: z.number(),
    remainingMs: z.number(),
    overrunMs: z.number(),
    readAt: z.number(),
    deadline: z.number().nullable(),
    warning: z.enum(['none', 'five-minutes', 'time-up']).optional(),
    overrunPolicy: z.enum(['warn', 'stop']).optional(),
  }),
);

const attemptView = exactly<AttemptView>()(
  z.object({
    attemptId: z.string(),
    number: z.number(),
    variant: z.string(),
    status: z.enum(['open', 'closed']),
    startedAt: z.number(),
    closedAt: z.number().nullable(),
    mark: z.number().nullable(),
    centreMark: z.number().nullable().optional(),
    moderatedMark: z.number().nullable().optional(),
    note: z.string().nullable().optional(),
    markingStatus: markingStatus.optional(),
    overrunMs: z.number().nullable().optional(),
  }),
);

const assignmentView = exactly<AssignmentView>()(
  z.object({
    position: z.number(),
    scenarioKey: z.string(),
    title: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    type: z.enum(['service', 'sales']),
    attempts: z.array(attemptView),
    countedMark: z.number().nullable(),
    retakeAvailable: z.boolean(),
  }),
);

/** A sitting in a list (GET /api/sittings). */
export const sittingSummary = exactly<SittingSummary>()(
  z.object({
    id: z.string(),
    centreId: z.number(),
    centreName: z.string(),
    candidate: person,
    assessor: person.nullable(),
    status: z.enum(SITTING_STATUSES),
    scheduledFor: z.number().nullable(),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    createdAt: z.number(),
    assignmentNames: z.array(z.string()).optional(),
    result: sittingResult.optional(),
    resultState: z.enum(RESULT_STATES).optional(),
    outcome: outcome.nullable().optional(),
    release: z.object({ released: z.boolean(), provisional: z.boolean(), outcome: outcome.nullable() }).optional(),
    declarationDue: z.enum(['start', 'end']).nullable().optional(),
    assignmentsTaken: z.array(z.object({ position: z.number(), title: z.string() })),
    cancellation: z.object({ at: z.number(), by: z.string(), reason: z.string() }).optional(),
  }),
);
export const sittingsResponse = exactly<SittingsResponse>()(z.object({ sittings: z.array(sittingSummary) }));

const coverageWarning = exactly<CoverageWarningView>()(z.object({ area: z.string(), message: z.string() }));

const sittingCandidate = exactly<SittingCandidate>()(
  z.object({ userId: z.number(), displayName: z.string(), username: z.string(), candidateNumber: z.string().nullable(), centreName: z.string() }),
);
export const sittingCandidatesResponse = exactly<SittingCandidatesResponse>()(z.object({ candidates: z.array(sittingCandidate) }));

/** POST /api/sittings/coverage-check: nothing is stored. */
export const coverageCheck = exactly<CoverageCheckView>()(z.object({ warnings: z.array(coverageWarning), problems: z.array(z.string()) }));

/** A sitting as every route that reads or changes one answers (and POST /api/attempts/:id/close). */
export const sittingDetail = exactly<SittingDetail>()(
  sittingSummary.extend({
    baseMinutes: z.number(),
    extraTime: z
      .discriminatedUnion('kind', [z.object({ kind: z.literal('percent'), percent: z.number() }), z.object({ kind: z.literal('minutes'), minutes: z.number() })])
      .nullable(),
    restBreaks: z.boolean(),
    clock: sittingClock,
    assignments: z.array(assignmentView),
    coverageWarnings: z.array(coverageWarning),
    currentAttemptId: z.string().nullable(),
    preparation: z.object({ identityChecked: z.boolean(), declarations: z.object({ start: z.number().nullable(), end: z.number().nullable() }) }),
  }),
);

// The briefs keep the extra parts a scenario gives them (afterCall, resources, objections…).
const candidateBrief = exactly<CandidateBriefView>()(z.object({ role: z.string(), situation: z.string(), tasks: z.array(z.string()) }).passthrough());
const callerBrief = exactly<CallerBriefView>()(
  z
    .object({
      persona: z.object({ name: z.string(), accountNumber: z.string().optional(), phone: z.string().optional(), description: z.string() }),
      situation: z.string(),
      openingLine: z.string(),
      facts: z.array(z.object({ key: z.string(), label: z.string(), value: z.string(), giveWhen: z.string(), date: z.string().optional() })),
      cues: z.array(z.object({ id: z.string(), when: z.string(), prompt: z.string(), tests: z.array(z.string()).optional() })),
    })
    .passthrough(),
);

export const attemptBrief = exactly<AttemptBrief>()(
  attemptHeading.extend({
    candidateTitle: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    candidateBrief,
    callerBrief: callerBrief.optional(),
    dialNumber: z.string().nullable().optional(),
    presentNumber: z.string().nullable().optional(),
  }),
);

export const bookmark = exactly<Bookmark>()(
  z.object({
    id: z.number(),
    attemptId: z.string(),
    at: z.number(),
    offsetMs: z.number().nullable(),
    callId: z.string().nullable(),
    note: z.string(),
    cueId: z.string().nullable(),
    cueWhen: z.string().nullable(),
    by: person,
  }),
);
export const bookmarksResponse = exactly<BookmarksResponse>()(z.object({ bookmarks: z.array(bookmark) }));

export const markingView = exactly<MarkingView>()(
  attemptHeading.extend({
    criteria: z.array(
      rubricLine.extend({
        mark: z.number().nullable(),
        comment: z.string(),
        suggestion: z.object({ criterionId: z.string(), suggestedMarks: z.number().nullable(), evidence: z.string() }).nullable(),
        overrideReason: z.string().nullable(),
      }),
    ),
    total: z.number().nullable(),
    history: z.array(
      z.object({
        id: z.number(),
        criterionId: z.string(),
        at: z.number(),
        by: actor,
        before: z.number().nullable(),
        after: z.number().nullable(),
        commentBefore: z.string().nullable(),
        commentAfter: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
    bookmarks: z.array(bookmark),
    status: z.enum(['open', 'closed']).optional(),
    markingStatus: markingStatus.optional(),
    markedAt: z.number().nullable().optional(),
  }),
);

/** GET /api/attempts/:id/suggestions. */
export const attemptSuggestions = exactly<AttemptSuggestionsView>()(
  z.object({
    attemptId: z.string(),
    scenario: z.object({ key: z.string(), title: z.string() }),
    callId: z.string().nullable(),
    suggestions: z.array(
      z.object({
        criterionId: z.string(),
        suggestedMarks: z.number().nullable(),
        maxMarks: z.number(),
        outcome: z.enum(['met', 'partly', 'not-met', 'not-applicable', 'no-data']),
        evidence: z.array(z.string()),
        checks: z.array(z.string()),
      }),
    ),
  }),
);
