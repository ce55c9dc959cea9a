// Moderation replay and moderated marks of one attempt, in the attempt scope (attempt-scope.ts,
// under /api/attempts/:id; wire types in server/protocol/moderation.ts, which lists the routes and
// roles). Peaks, metrics and packs are in moderation-routes.ts; this file uses what they serve by URL only.
import { z } from 'zod';
import { scenarioOfAttempt, type AttemptScenarioRef } from '../assessment/scenario-loader.js';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { MAX_REASON, moderationView, saveModeration } from '../moderation/replay/moderated-marks.js';
import { REPLAY_EVENTS_PAGE, replayEventsPage, replayView, UnknownCallError } from '../moderation/replay/replay-view.js';
import { markFields } from '../sittings/marking.js';
import { attemptOf, attemptParams, uuid, type AttemptScope } from './attempt-scope.js';
import { moderationView as moderationViewSchema, replayEventsPage as replayEventsPageSchema, replayView as replayViewSchema } from './moderation-responses.js';

const STAFF = { access: ['assessor', 'moderator', 'admin'], attempt: { use: 'supervise' } } as const;
const MODERATORS = { access: ['moderator', 'admin'], attempt: { use: 'supervise' } } as const;

const saveSchema = z
  .object({
    marks: z
      .array(
        z
          .object({
            ...markFields,
            reason: z.string().max(MAX_REASON, `must be at most ${MAX_REASON} characters`).nullable().optional(),
          })
          .strict(),
      )
      .min(1, 'send at least one criterion')
      .max(100),
  })
  .strict();

const replayQuery = z.object({ callId: uuid.optional() }).strict();
const eventsQuery = z
  .object({
    callId: uuid.optional(),
    afterSeq: z.string().regex(/^[0-9]{1,9}$/, 'Give a sequence number.'),
    limit: z.string().regex(/^[1-9][0-9]{0,3}$/, 'Give a number of events from 1 to 9999.').optional(),
  })
  .strict();

/** A call id that is not one of the attempt's calls is the 404 of an unknown id. */
function unknownCallIsNotFound<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof UnknownCallError) throw new HttpError(404, 'not_found', err.message, 'callId');
    throw err;
  }
}

function rubricOf(attempt: AttemptScenarioRef) {
  const scenario = scenarioOfAttempt(attempt);
  if (!scenario) throw new HttpError(409, 'no_rubric', `The attempt's scenario (${attempt.scenarioKey}) has no rubric to moderate against (a practice attempt).`);
  return scenario;
}

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerReplayRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  scope.get('/replay', { config: STAFF, schema: { params: attemptParams, querystring: replayQuery, response: { 200: replayViewSchema } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    reply.header('cache-control', 'private, no-store');
    return unknownCallIsNotFound(() => replayView(repos, attempt, clock.now(), request.query.callId));
  });

  scope.get('/replay/events', { config: STAFF, schema: { params: attemptParams, querystring: eventsQuery, response: { 200: replayEventsPageSchema } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    reply.header('cache-control', 'private, no-store');
    const limit = Math.min(REPLAY_EVENTS_PAGE, Number(request.query.limit ?? REPLAY_EVENTS_PAGE));
    return unknownCallIsNotFound(() => replayEventsPage(repos, attempt, request.query.callId, Number(request.query.afterSeq), limit));
  });

  scope.get('/moderation', { config: STAFF, schema: { params: attemptParams, response: { 200: moderationViewSchema } } }, async (request) => {
    const attempt = attemptOf(request);
    return moderationView(repos, attempt, rubricOf(attempt));
  });

  scope.put('/moderation', { config: MODERATORS, schema: { params: attemptParams, body: saveSchema, response: { 200: moderationViewSchema } } }, async (request) => {
    const me = requireSession(request).user;
    const attempt = attemptOf(request);
    const scenario = rubricOf(attempt);
    // Moderation checks a submitted sitting: after the IQA countersigned it, until the outcome is signed off.
    const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
    // (An attempt the centre has not finished marking is refused by saveModeration, saying so.)
    if (sitting && attempt.markedAt !== null && sitting.resultState !== 'iqa-countersigned') {
      throw new HttpError(
        409,
        'not_submitted',
        sitting.resultState === 'moderated' ? 'The moderation outcome of this sitting has been signed off: its marks no longer change.' : 'This sitting has not been countersigned by the centre\'s internal quality assurer yet: it is moderated once submitted.',
      );
    }
    saveModeration(repos, attempt, scenario, request.body, me, clock.now());
    // A moderated save writes attempt_moderation and the audit log only: the attempt row is unchanged.
    return moderationView(repos, attempt, scenario);
  });
}
