// The sitting routes of one attempt, in the attempt scope (attempt-scope.ts, under /api/attempts/:id;
// server/protocol/assessment.ts lists them): closing an attempt of a sitting without finishing its
// marking, so the next assignment can begin, and the attempt's brief.
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import { auditActor } from '../db/repositories/audit-log.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { attemptBrief } from '../sittings/brief.js';
import { closeAttempt, enforceOverrunPolicy } from '../sittings/closing.js';
import { sittingDetail } from '../sittings/views.js';
import { attemptBrief as attemptBriefSchema, sittingDetail as sittingDetailSchema } from './assessment-responses.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';

/** The assessors of the attempt's centre and admins, who run sittings. */
const RUNNERS = { access: ['assessor', 'admin'], attempt: { use: 'supervise' } } as const;
/** The brief of an attempt: its candidate and the staff who supervise attempts (the IQA reviews marks, not briefs). */
const BRIEF_READERS = { access: ['candidate', 'assessor', 'moderator', 'admin'], attempt: { use: 'read' } } as const;

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerSittingAttemptRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  scope.post('/close', { config: RUNNERS, schema: { params: attemptParams, response: { 200: sittingDetailSchema } } }, async (request) => {
    const me = requireSession(request).user;
    const attempt = attemptOf(request);
    if (!attempt.sittingId) throw new HttpError(409, 'not_in_sitting', 'This is a practice attempt, not part of a sitting.');
    const now = clock.now();
    const sitting = enforceOverrunPolicy(repos, repos.sittings.findById(attempt.sittingId)!, now);
    if (repos.attempts.findById(attempt.id)!.status !== 'open') throw new HttpError(409, 'attempt_closed', 'This attempt is already closed.');
    repos.transaction(() => {
      closeAttempt(repos, attempt, now, auditActor(me), null);
    });
    return sittingDetail(repos, repos.sittings.findById(sitting.id)!, me, clock.now());
  });

  scope.get('/brief', { config: BRIEF_READERS, schema: { params: attemptParams, response: { 200: attemptBriefSchema } } }, async (request) => {
    const me = requireSession(request).user;
    const attempt = attemptOf(request);
    const scenario = scenarioOfAttempt(attempt);
    if (!scenario) throw new HttpError(404, 'no_brief', `The "${attempt.scenarioKey}" data set is free practice: it has no brief.`);
    return attemptBrief(repos, attempt, scenario, me);
  });
}
