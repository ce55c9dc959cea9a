// Marking an attempt (server/protocol/assessment.ts): bookmarks, the marking view (rubric, saved
// marks, automatic suggestions, the history of every change) and saving marks. Staff only:
// candidates never see rubrics, suggestions, bookmarks or criterion comments. Assessors of the
// attempt's centre and admins write; moderators read.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { refuseIfConflicted } from '../assurance/conflicts.js';
import { refuseUnlessDraft } from '../assurance/result-workflow.js';
import { findAttemptCall } from '../sittings/attempt-call.js';
import { bookmarkView, markingView, saveMarks, saveMarksSchema } from '../sittings/marking.js';
import { FieldProblems, parseInput, withFieldErrors } from './input.js';

const STAFF = { access: ['assessor', 'moderator', 'admin'] } as const;
const WRITERS = { access: ['assessor', 'admin'] } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } } } as const;

const bookmarkSchema = z
  .object({
    note: z.string().trim().min(1, 'write a note').max(1000, 'must be at most 1000 characters'),
    cueId: z.string().max(64).nullable().optional(),
  })
  .strict();

export function registerMarkingRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const attempts = new AttemptAccess(repos);

  /** The attempt (staff of its centre) and its scenario; a practice attempt on the demo data has no rubric. */
  const supervised = (me: SessionUser, id: string): { attempt: Attempt; scenario: Scenario } => {
    const attempt = attempts.supervised(me, id);
    const scenario = scenarioOfAttempt(attempt);
    if (!scenario) throw new HttpError(409, 'no_rubric', `The "${attempt.scenarioKey}" data set has no rubric: marks are given by hand.`);
    return { attempt, scenario };
  };

  withFieldErrors(app, (scope) => {
    scope.get<{ Params: { id: string } }>('/api/attempts/:id/bookmarks', { config: STAFF, schema: { params: idParams } }, async (request) => {
      const attempt = attempts.supervised(requireSession(request).user, request.params.id);
      return { bookmarks: repos.attemptBookmarks.forAttempt(attempt.id).map((b) => bookmarkView(repos, b)) };
    });

    scope.post<{ Params: { id: string } }>('/api/attempts/:id/bookmarks', { config: WRITERS, schema: { params: idParams } }, async (request, reply) => {
      const me = requireSession(request).user;
      const attempt = attempts.supervised(me, request.params.id);
      const input = parseInput(bookmarkSchema, request.body);
      const cueId = input.cueId ?? null;
      if (cueId !== null) {
        const cues = scenarioOfAttempt(attempt)?.callerBrief.cues ?? [];
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
      const bookmark = repos.attemptBookmarks.add({ attemptId: attempt.id, at: now, callId: call?.id ?? null, offsetMs, note: input.note, cueId, createdBy: me.id });
      return reply.status(201).send(bookmarkView(repos, bookmark));
    });

    scope.get<{ Params: { id: string } }>('/api/attempts/:id/marking', { config: STAFF, schema: { params: idParams } }, async (request) => {
      const { attempt, scenario } = supervised(requireSession(request).user, request.params.id);
      return markingView(repos, attempt, scenario, clock.now());
    });

    scope.put<{ Params: { id: string } }>('/api/attempts/:id/marks', { config: WRITERS, schema: { params: idParams } }, async (request) => {
      const me = requireSession(request).user;
      const { attempt, scenario } = supervised(me, request.params.id);
      const input = parseInput(saveMarksSchema, request.body);
      // Nobody with a declared personal interest marks the candidate; signed marks change only after the IQA sends them back.
      refuseIfConflicted(repos, me.id, attempt.candidateUserId, "mark this candidate's work");
      const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
      if (sitting) refuseUnlessDraft(sitting, 'changing its marks');
      const now = clock.now();
      saveMarks(repos, attempt, scenario, input, me, now);
      return markingView(repos, repos.attempts.findById(attempt.id)!, scenario, now);
    });
  });
}
