// The response schemas of the quality-assurance routes (assurance-routes.ts, centre-admin-routes.ts)
// and of standardisation (standardisation-routes.ts). What a route sends is what its schema
// declares; each schema is bound to its wire type in server/protocol/assurance.ts by `exactly<T>()`
// (exact-schema.ts), so the two cannot drift apart.
import { z } from 'zod';
import type {
  ConflictsResponse,
  StandardisationAttemptsResponse,
  StandardisationExercisesResponse,
  AgreementFigure,
  AttemptOverrunView,
  CandidateDeclarations,
  CentrePeople,
  ConflictView,
  EnquiryView,
  IdentityCheckView,
  IqaAttemptView,
  IqaQueueView,
  IqaSittingView,
  MalpracticeView,
  ResultStepView,
  SignatureView,
  SittingAssuranceView,
  SpecialConsiderationView,
  StandardisationAttemptOption,
  StandardisationMarkingView,
  StandardisationResultsView,
  StandardisationSummary,
} from '../protocol/assurance.js';
import { ID_DOCUMENT_TYPES, MALPRACTICE_FORMS, SIGNATURE_KINDS, SPECIAL_CONSIDERATION_CATEGORIES } from '../protocol/assurance.js';
import { MODERATION_OUTCOMES, RELEASE_RULES, RESULT_STATES, SITTING_STATUSES } from '../protocol/sitting-states.js';
import { actor, person, rubricLine } from './assessment-responses.js';
import { exactly } from './exact-schema.js';

const resultState = z.enum(RESULT_STATES);
const outcome = z.enum(MODERATION_OUTCOMES);

const signature = exactly<SignatureView>()(
  z.object({
    id: z.number(),
    kind: z.enum(SIGNATURE_KINDS),
    by: actor,
    signedAt: z.number(),
    statement: z.string(),
    subjectSha256: z.string(),
    stillMatches: z.boolean(),
    superseded: z.boolean(),
  }),
);

const resultStep = exactly<ResultStepView>()(
  z.object({ id: z.number(), action: z.string(), from: resultState, to: resultState, outcome: outcome.nullable(), reason: z.string().nullable(), by: actor, at: z.number() }),
);

const identityCheck = exactly<IdentityCheckView>()(z.object({ documentType: z.enum(ID_DOCUMENT_TYPES), documentDetail: z.string(), checkedBy: person, checkedAt: z.number() }));

/** POST /api/sittings/:id/declarations. */
export const candidateDeclarations = exactly<CandidateDeclarations>()(z.object({ start: z.number().nullable(), end: z.number().nullable() }));

const overrun = exactly<AttemptOverrunView>()(z.object({ attemptId: z.string(), position: z.number().nullable(), overrunMs: z.number() }));

const specialConsideration = exactly<SpecialConsiderationView>()(
  z.object({
    id: z.number(),
    category: z.enum(SPECIAL_CONSIDERATION_CATEGORIES),
    incidentDate: z.string(),
    details: z.string(),
    evidence: z.string(),
    adjustmentRequested: z.string(),
    recordedBy: person,
    recordedAt: z.number(),
  }),
);

const malpractice = exactly<MalpracticeView>()(
  z.object({
    id: z.number(),
    form: z.enum(MALPRACTICE_FORMS),
    incidentDate: z.string(),
    personsInvolved: z.string(),
    nature: z.string(),
    evidence: z.string(),
    statementObtained: z.boolean(),
    reportedToAwardingBodyOn: z.string().nullable(),
    actionTaken: z.string(),
    recordedBy: person,
    recordedAt: z.number(),
  }),
);

const enquiry = exactly<EnquiryView>()(
  z.object({
    id: z.number(),
    kind: z.enum(['enquiry', 'appeal']),
    raisedBy: z.string(),
    receivedOn: z.string(),
    grounds: z.string(),
    recordedBy: person,
    recordedAt: z.number(),
    closedAt: z.number().nullable(),
    closedBy: person.nullable(),
    outcome: z.string().nullable(),
  }),
);

/** Everything of a sitting's quality assurance, as every step of it answers. */
export const sittingAssurance = exactly<SittingAssuranceView>()(
  z.object({
    sittingId: z.string(),
    sittingStatus: z.enum(SITTING_STATUSES),
    centre: z.object({ id: z.number(), name: z.string(), centreNumber: z.string().nullable() }),
    candidate: person.extend({ candidateNumber: z.string().nullable() }),
    state: resultState,
    stateWords: z.string(),
    outcome: outcome.nullable(),
    stateAt: z.number().nullable(),
    releaseRule: z.enum(RELEASE_RULES),
    release: z.object({ released: z.boolean(), provisional: z.boolean() }),
    identityCheck: identityCheck.nullable(),
    declarations: candidateDeclarations,
    startBlockers: z.array(z.string()),
    signBlockers: z.array(z.string()),
    countersignBlockers: z.array(z.string()),
    signatures: z.array(signature),
    steps: z.array(resultStep),
    iqa: z.object({ inSample: z.boolean(), reviewed: z.number(), toReview: z.number(), disagreements: z.number() }),
    overrun: z.array(overrun),
    specialConsiderations: z.array(specialConsideration),
    malpractice: z.array(malpractice),
    enquiries: z.array(enquiry),
  }),
);

export const conflict = exactly<ConflictView>()(z.object({ id: z.number(), staff: actor, candidate: person, nature: z.string(), declaredAt: z.number() }));
export const conflictsResponse = exactly<ConflictsResponse>()(z.object({ conflicts: z.array(conflict) }));

export const centrePeople = exactly<CentrePeople>()(z.object({ candidates: z.array(person), assessors: z.array(person) }));

const iqaSitting = exactly<IqaSittingView>()(
  z.object({
    sittingId: z.string(),
    candidate: person,
    assessor: person.nullable(),
    endedAt: z.number().nullable(),
    state: resultState,
    inSample: z.boolean(),
    sampleReasons: z.array(z.string()),
    total: z.number().nullable(),
    grade: z.string().nullable(),
    attempts: z.array(
      z.object({
        attemptId: z.string(),
        position: z.number().nullable(),
        title: z.string(),
        number: z.number(),
        centreMark: z.number().nullable(),
        reviewed: z.number(),
        criteria: z.number(),
        disagreements: z.number(),
      }),
    ),
    conflict: z.boolean(),
  }),
);

export const iqaQueue = exactly<IqaQueueView>()(z.object({ centreId: z.number(), awaiting: z.array(iqaSitting), done: z.array(iqaSitting) }));

const recording = z.object({ callId: z.string(), url: z.string(), durationMs: z.number().nullable() });

export const iqaAttempt = exactly<IqaAttemptView>()(
  z.object({
    attemptId: z.string(),
    sittingId: z.string(),
    state: resultState,
    candidate: person,
    position: z.number().nullable(),
    title: z.string(),
    centreTotal: z.number().nullable(),
    criteria: z.array(
      rubricLine.extend({
        centreMark: z.number().nullable(),
        comment: z.string(),
        overrideReason: z.string().nullable(),
        verdict: z.enum(['agree', 'disagree']).nullable(),
        reason: z.string(),
        outOfDate: z.boolean(),
      }),
    ),
    recordings: z.array(recording),
  }),
);

export const standardisationSummary = exactly<StandardisationSummary>()(
  z.object({
    id: z.string(),
    title: z.string(),
    createdAt: z.number(),
    closedAt: z.number().nullable(),
    attempt: z.object({ attemptId: z.string(), title: z.string() }),
    participants: z.number(),
    submitted: z.number(),
    mySubmittedAt: z.number().nullable().optional(),
  }),
);
export const standardisationExercisesResponse = exactly<StandardisationExercisesResponse>()(z.object({ exercises: z.array(standardisationSummary) }));

export const standardisationAttemptOption = exactly<StandardisationAttemptOption>()(z.object({ attemptId: z.string(), label: z.string(), markedAt: z.number() }));
export const standardisationAttemptsResponse = exactly<StandardisationAttemptsResponse>()(z.object({ attempts: z.array(standardisationAttemptOption) }));

/** What an assessor marking an exercise blind sees: their own marks only. */
export const standardisationMarking = exactly<StandardisationMarkingView>()(
  z.object({
    id: z.string(),
    title: z.string(),
    closedAt: z.number().nullable(),
    scenarioTitle: z.string(),
    candidateBrief: z.object({ role: z.string(), situation: z.string(), tasks: z.array(z.string()) }),
    recordings: z.array(recording),
    criteria: z.array(rubricLine.extend({ mark: z.number().nullable(), comment: z.string() })),
    submittedAt: z.number().nullable(),
  }),
);

const agreement = exactly<AgreementFigure>()(z.object({ agreeing: z.number(), compared: z.number(), rate: z.number().nullable() }));

export const standardisationResults = exactly<StandardisationResultsView>()(
  z.object({
    id: z.string(),
    title: z.string(),
    createdAt: z.number(),
    closedAt: z.number().nullable(),
    scenarioTitle: z.string(),
    attemptId: z.string(),
    assessors: z.array(
      person.extend({ submittedAt: z.number().nullable(), total: z.number().nullable(), withOthers: agreement, withReference: agreement, meanDifference: z.number().nullable() }),
    ),
    criteria: z.array(
      z.object({
        criterionId: z.string(),
        description: z.string(),
        maxMarks: z.number(),
        reference: z.number().nullable(),
        marks: z.array(z.number().nullable()),
        spread: z.number().nullable(),
        pairwise: agreement,
        withReference: agreement,
      }),
    ),
    overall: agreement,
    referenceTotal: z.number().nullable(),
  }),
);

/**
 * GET /api/standardisation/:id: the blind marking view (an assessor) or the results (the IQA, an
 * admin). Results first: a marking view lacks the results' `assessors`, so it never parses as results.
 */
export const standardisationExercise = exactly<StandardisationMarkingView | StandardisationResultsView>()(z.union([standardisationResults, standardisationMarking]));
