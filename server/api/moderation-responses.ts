// The response schemas of the moderation routes: the centre's sample (sample-routes.ts); the waveform
// peaks as JSON and the check of an uploaded pack (moderation-routes.ts); of one attempt (attempt-scope.ts): the replay, the
// next page of its timeline, the moderated marks and the call metrics; and the attempt's timeline as
// recorded (GET …/timeline, timeline-routes.ts; wire type in server/protocol/timeline.ts). What a route sends is what its
// schema declares; each schema is bound to its wire type in server/protocol/moderation.ts by
// `exactly<T>()` (exact-schema.ts), so the two cannot drift apart.
import { z } from 'zod';
import type { AttemptMetrics, AuditLogEntryView, AuditLogPage, CallMetrics, ModerationView, PackProblem, PackVerificationResult, PeaksJson, ReplayEvent, ReplayEventsPage, ReplayView, SampleSittingView, SampleView } from '../protocol/moderation.js';
import type { TimelineEvent, TimelineResponse } from '../protocol/timeline.js';
import { actor, attemptHeading, person, rubricLine, sittingResult } from './assessment-responses.js';
import { message, printoutSummary } from './attempt-responses.js';
import { exactly } from './exact-schema.js';

const ms = z.number().nullable();

const replayEvent = exactly<ReplayEvent>()(
  z.object({
    id: z.string(),
    source: z.enum(['call', 'desktop', 'bookmark']),
    type: z.string(),
    at: z.number(),
    offsetMs: z.number(),
    leg: z.string().nullable().optional(),
    byCandidate: z.boolean().optional(),
    seq: z.number().optional(),
    clientAt: ms.optional(),
    payload: z.record(z.unknown()),
    recordedBy: z.enum(['server', 'browser']).optional(),
    summary: z.string().optional(),
  }),
);

const timelineEvent = exactly<TimelineEvent>()(
  z.object({
    attemptId: z.string(),
    seq: z.number(),
    clientId: z.string(),
    at: z.number(),
    clientAt: ms,
    callId: z.string().nullable(),
    offsetMs: ms,
    type: z.string(),
    payload: z.record(z.unknown()),
    source: z.enum(['server', 'browser']),
  }),
);

export const timelineResponse = exactly<TimelineResponse>()(z.object({ events: z.array(timelineEvent), nextAfterSeq: z.number().optional() }));

export const replayEventsPage = exactly<ReplayEventsPage>()(z.object({ events: z.array(replayEvent), nextAfterSeq: ms }));

export const replayView = exactly<ReplayView>()(
  z.object({
    attempt: z.object({
      id: z.string(),
      scenarioKey: z.string(),
      title: z.string(),
      status: z.enum(['open', 'closed']),
      createdAt: z.number(),
      closedAt: ms,
      markedAt: ms,
      position: ms,
      variant: z.string().nullable(),
      retakeOf: z.string().nullable(),
    }),
    sitting: z.object({ id: z.string(), status: z.string(), startedAt: ms, endedAt: ms }).nullable(),
    centre: person,
    candidate: person,
    assessor: person.nullable(),
    call: z
      .object({
        id: z.string(),
        invitedAt: z.number(),
        ringingAt: ms,
        answeredAt: ms,
        endedAt: ms,
        endReason: z.string().nullable(),
        recordingStartedAt: ms,
        recording: z
          .object({ url: z.string(), peaksUrl: z.string(), status: z.string().nullable(), durationMs: ms, sha256: z.string().nullable(), bytes: ms })
          .nullable(),
        channels: z.object({ left: z.literal('candidate'), right: z.string() }),
        alignment: z.object({ originAt: z.number(), originSource: z.enum(['recording', 'answer', 'invite']), toleranceMs: z.number(), note: z.string() }),
      })
      .nullable(),
    calls: z.array(z.object({ id: z.string(), invitedAt: z.number(), answeredAt: ms, hasRecording: z.boolean() })),
    events: z.array(replayEvent),
    moreEvents: z.object({ afterSeq: z.number() }).nullable(),
    holds: z.array(
      z.object({ startMs: z.number(), endMs: z.number(), lengthMs: z.number(), over60: z.boolean(), endedBy: z.string(), source: z.enum(['call', 'desktop']) }),
    ),
    bookmarks: z.array(z.object({ id: z.number(), at: z.number(), offsetMs: z.number(), note: z.string(), cueId: z.string().nullable(), by: person })),
    printouts: z.array(printoutSummary.extend({ offsetMs: ms })),
    messages: z.array(
      message
        .omit({ customerId: true, attachments: true, origin: true })
        .extend({ attachments: z.array(z.object({ kind: z.enum(['document', 'order']), name: z.string() })), offsetMs: ms }),
    ),
    finalState: z
      .object({
        scenarioKey: z.string(),
        fields: z.array(
          z.object({
            accountNumber: z.string(),
            customerName: z.string().nullable(),
            field: z.string(),
            kind: z.string(),
            expected: z.string(),
            final: z.string(),
            initial: z.string(),
            match: z.boolean(),
            planted: z.boolean(),
          }),
        ),
        followUps: z.array(
          z.object({
            label: z.string(),
            channel: z.string(),
            expectedTo: z.string(),
            expectedCc: z.array(z.string()),
            messageId: ms,
            sentTo: z.string().nullable(),
            match: z.boolean(),
            problem: z.string().nullable(),
          }),
        ),
        mismatches: z.number(),
        anonymised: z.boolean(),
      })
      .nullable(),
  }),
);

export const moderationView = exactly<ModerationView>()(
  attemptHeading.extend({
    centreMarked: z.boolean(),
    criteria: z.array(
      rubricLine.extend({
        centreMark: ms,
        comment: z.string(),
        moderatedMark: ms,
        reason: z.string().nullable(),
        moderatedBy: person.nullable(),
        moderatedAt: ms,
      }),
    ),
    centreTotal: ms,
    moderatedTotal: ms,
    countedTotal: ms,
    sittingResult: sittingResult.nullable(),
    history: z.array(
      z.object({
        id: z.number(),
        at: z.number(),
        by: actor,
        criterionId: z.string(),
        centreMark: ms,
        before: ms,
        after: ms,
        reason: z.string().nullable(),
      }),
    ),
  }),
);

const callMetrics = exactly<CallMetrics>()(
  z.object({
    callId: z.string(),
    answered: z.boolean(),
    timeToAnswerMs: ms,
    candidateTalkMs: ms,
    otherTalkMs: ms,
    silenceMs: ms,
    overtalkMs: ms,
    holdCount: z.number(),
    longestHoldMs: ms,
    totalHoldMs: z.number(),
    holds: z.array(z.object({ start: z.number(), end: ms, durationMs: ms, fromMs: ms, toMs: ms, endedBy: z.enum(['resume', 'call-end', 'open']) })),
    handleTimeMs: ms,
    wrapUpMs: ms,
    analysis: z.object({ status: z.enum(['pending', 'done', 'failed', 'no-recording']), error: z.string().nullable(), durationMs: ms }),
  }),
);

export const attemptMetrics = exactly<AttemptMetrics>()(
  z.object({
    attemptId: z.string(),
    calls: z.array(callMetrics),
    totals: callMetrics
      .pick({ candidateTalkMs: true, otherTalkMs: true, silenceMs: true, overtalkMs: true, holdCount: true, longestHoldMs: true, handleTimeMs: true, wrapUpMs: true })
      .extend({ calls: z.number() }),
  }),
);

const gradeOrNull = z.enum(['Pass', 'Merit', 'Distinction']).nullable();

const sampleSitting = exactly<SampleSittingView>()(
  z.object({
    sittingId: z.string(),
    candidate: person,
    assessor: person.nullable(),
    endedAt: ms,
    total: ms,
    grade: gradeOrNull,
    centreTotal: ms,
    centreGrade: gradeOrNull,
    moderated: z.boolean(),
    source: z.enum(['rule', 'added']),
    reasons: z.array(z.string()),
    explanations: z.array(z.string()),
    overrideReason: z.string().nullable(),
    attempts: z.array(z.object({ attemptId: z.string(), position: ms, scenarioKey: z.string(), retake: z.boolean() })),
  }),
);

export const sampleView = exactly<SampleView>()(
  z.object({
    centreId: z.number(),
    of: z.number(),
    config: z.object({ percentage: z.number(), boundaryMargin: z.number(), perAssessor: z.number(), includeRetakes: z.boolean(), seed: z.string() }),
    sample: z.array(sampleSitting),
    removed: z.array(sampleSitting),
    sittings: z.array(z.object({ sittingId: z.string(), candidate: person, endedAt: ms, inSample: z.boolean() })),
  }),
);


const auditLogEntry = exactly<AuditLogEntryView>()(
  z.object({
    id: z.number(),
    at: z.number(),
    actor: actor.nullable(),
    centreId: z.number().nullable(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    // Free-form on purpose: each action records the state before and after in its own shape (a
    // sitting, a mark, centre settings…), stored as written and shown to the moderator as it is.
    before: z.unknown(),
    after: z.unknown(),
    reason: z.string().nullable(),
    hash: z.string(),
  }),
);

/** GET /api/audit-log. */
export const auditLogPage = exactly<AuditLogPage>()(
  z.object({
    entries: z.array(auditLogEntry),
    nextBefore: z.number().nullable(),
    chain: z.object({ ok: z.boolean(), rows: z.number(), message: z.string().optional() }).optional(),
  }),
);

/** GET /api/calls/:id/peaks?format=json (the bytes otherwise: config.sendsFile). */
export const peaksJson = exactly<PeaksJson>()(
  z.object({ callId: z.string(), channels: z.number(), peaksPerSecond: z.number(), durationMs: z.number(), left: z.array(z.number()), right: z.array(z.number()) }),
);

const packProblem = exactly<PackProblem>()(z.object({ file: z.string(), entry: z.string().optional(), message: z.string() }));

/** POST /api/packs/verify: the check of an uploaded pack, and whether this server issued it. */
export const packVerificationResult = exactly<PackVerificationResult>()(
  z.object({
    ok: z.boolean(),
    problems: z.array(packProblem),
    summary: z.string(),
    checked: z.object({ files: z.number(), timelineEntries: z.number(), auditEntries: z.number() }),
    manifest: z
      .object({
        packId: z.string(),
        createdAt: z.number(),
        createdBy: z.object({ userId: z.number(), role: z.string(), name: z.string() }).nullable(),
        scope: z.object({ sittings: z.array(z.string()), attempts: z.array(z.string()) }),
      })
      .optional(),
    issuedByThisServer: z.boolean(),
  }),
);
