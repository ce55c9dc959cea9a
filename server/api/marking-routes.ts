// Marking an attempt (server/protocol/assessment.ts), in the attempt scope (attempt-scope.ts, under
// /api/attempts/:id): bookmarks, the marking view (rubric, saved marks, automatic suggestions, the
// history of every change) and saving marks. Staff only: candidates never see rubrics, suggestions,
// bookmarks or criterion comments. Assessors of the attempt's centre and admins write; moderators read.
import { z } from 'zod';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { refuseIfConflicted } from '../assurance/conflicts.js';
import { refuseUnlessDraft } from '../assurance/result-workflow.js';
import { findAttemptCall } from '../sittings/attempt-call.js';
import { bookmarkView, markingView, saveMarks, saveMarksSchema } from '../sittings/marking.js';
import { bookmark, bookmarksResponse, markingView as markingViewSchema } from './assessment-responses.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { FieldProblems } from './input.js';

const STAFF = { access: ['assessor', 'moderator', 'admin'], attempt: { use: 'supervise' } } as const;
const WRITERS = { access: ['assessor', 'admin'], attempt: { use: 'supervise' } } as const;

const bookmarkSchema = z
  .object({
    note: z.string().trim().min(1, 'write a note').max(1000, 'must be at most 1000 characters'),
    cueId: z.string().max(64).nullable().optional(),
  })
  .strict();

/** The attempt's scenario; a practice attempt on the demo data has no rubric. */
function rubricOf(attempt: Attempt): Scenario {
  const scenario = scenarioOfAttempt(attempt);
  if (!scenario) throw new HttpError(409, 'no_rubric', `The "${attempt.scenarioKey}" data set has no rubric: marks are given by hand.`);
  return scenario;
}

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerMarkingRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  scope.get('/bookmarks', { config: STAFF, schema: { params: attemptParams, response: { 200: bookmarksResponse } } }, async (request) => {
    const attempt = attemptOf(request);
    const cues = scenarioOfAttempt(attempt)?.callerBrief.cues ?? [];
    return { bookmarks: repos.attemptBookmarks.forAttempt(attempt.id).map((b) => bookmarkView(repos, b, cues)) };
  });

  scope.post('/bookmarks', { config: WRITERS, schema: { params: attemptParams, body: bookmarkSchema, response: { 201: bookmark } } }, async (request, reply) => {
    const me = requireSession(request).user;
    const attempt = attemptOf(request);
    const input = request.body;
    const cueId = input.cueId ?? null;
    const cues = scenarioOfAttempt(attempt)?.callerBrief.cues ?? [];
    if (cueId !== null) {
      if (!cues.some((c) => c.id === cueId)) {
        const problems = new FieldProblems();
        problems.add('cueId', `There is no cue "${cueId}" in this attempt's caller brief.`);
        problems.throwIfAny();
      }
    }
    const now = clock.now();
    // The offset runs from the answer of the attempt's call; before an answer there is none.
    const call = findAttemptCall(repos, attempt);
    const offsetMs = call?.answeredAt != null && now >= call.answeredAt ? now - call.answeredAt : null;
    const added = repos.attemptBookmarks.add({ attemptId: attempt.id, at: now, callId: call?.id ?? null, offsetMs, note: input.note, cueId, createdBy: me.id });
    return reply.status(201).send(bookmarkView(repos, added, cues));
  });

  scope.get('/marking', { config: STAFF, schema: { params: attemptParams, response: { 200: markingViewSchema } } }, async (request) => {
    const attempt = attemptOf(request);
    return markingView(repos, attempt, rubricOf(attempt), clock.now());
  });

  scope.put('/marks', { config: WRITERS, schema: { params: attemptParams, body: saveMarksSchema, response: { 200: markingViewSchema } } }, async (request) => {
    const me = requireSession(request).user;
    const attempt = attemptOf(request);
    const scenario = rubricOf(attempt);
    // Nobody with a declared personal interest marks the candidate; signed marks change only after the IQA sends them back.
    refuseIfConflicted(repos, me.id, attempt.candidateUserId, "mark this candidate's work");
    const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
    if (sitting) refuseUnlessDraft(sitting, 'changing its marks');
    const now = clock.now();
    saveMarks(repos, attempt, scenario, request.body, me, now);
    return markingView(repos, repos.attempts.findById(attempt.id)!, scenario, now);
  });
}
