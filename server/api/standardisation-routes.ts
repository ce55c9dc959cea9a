// Standardisation exercises (routes and roles in server/protocol/assurance.ts): the IQA sets one up
// on a recorded attempt with several assessors, each assessor marks it blind, and the IQA (and
// admins) see and export the agreement.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createExercise, exerciseCandidates, exerciseSummaries, markingView, resultsCsv, resultsView, saveStandardisationMarks, visibleExercise } from '../assurance/standardisation.js';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { standardisationAttemptsResponse, standardisationExercise, standardisationExercisesResponse, standardisationMarking, standardisationResults } from './assurance-responses.js';
import { idOf36Params, parseInput, registerZodRoutes } from './input.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';


const createSchema = z
  .object({
    attemptId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be an attempt id'),
    title: z.string().trim().min(1, 'give the exercise a title').max(200, 'must be at most 200 characters'),
    assessorUserIds: z.array(z.number().int().positive()).max(50, 'at most 50 assessors'),
  })
  .strict();
const marksSchema = z
  .object({
    marks: z.array(z.object({ criterionId: z.string().min(1).max(100), mark: z.number().int('must be a whole number').min(0, 'must be 0 or more'), comment: z.string().max(2000).optional() }).strict()).max(100),
    submit: z.boolean().optional(),
  })
  .strict();

export function registerStandardisationRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  registerZodRoutes(app, (scope) => {
    scope.get('/api/standardisation', { config: { access: ['assessor', 'iqa', 'admin'] }, schema: { response: { 200: standardisationExercisesResponse } } }, async (request) => {
      return { exercises: exerciseSummaries(repos, requireSession(request).user) };
    });

    scope.get('/api/standardisation/attempts', { config: { access: ['iqa'] }, schema: { response: { 200: standardisationAttemptsResponse } } }, async (request) => {
      return { attempts: exerciseCandidates(repos, requireSession(request).user) };
    });

    scope.post('/api/standardisation', { config: { access: ['iqa'] }, schema: { response: { 201: standardisationResults } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const ex = createExercise(repos, me, parseInput(createSchema, request.body), clock.now());
      return reply.status(201).send(resultsView(repos, ex));
    });

    scope.get('/api/standardisation/:id', { config: { access: ['assessor', 'iqa', 'admin'] }, schema: { params: idOf36Params, response: { 200: standardisationExercise } } }, async (request) => {
      const me = requireSession(request).user;
      const ex = visibleExercise(repos, me, request.params.id);
      // Blind: an assessor sees their own marks only, never the centre's or another assessor's.
      return me.role === 'assessor' ? markingView(repos, me, ex) : resultsView(repos, ex);
    });

    scope.put('/api/standardisation/:id/marks', { config: { access: ['assessor'] }, schema: { params: idOf36Params, response: { 200: standardisationMarking } } }, async (request) => {
      const me = requireSession(request).user;
      const ex = visibleExercise(repos, me, request.params.id);
      saveStandardisationMarks(repos, me, ex, parseInput(marksSchema, request.body), clock.now());
      return markingView(repos, me, repos.standardisation.find(ex.id)!);
    });

    scope.post('/api/standardisation/:id/close', { config: { access: ['iqa'] }, schema: { params: idOf36Params, response: { 200: standardisationResults } } }, async (request) => {
      const me = requireSession(request).user;
      const ex = visibleExercise(repos, me, request.params.id);
      const now = clock.now();
      repos.transaction(() => {
        if (!repos.standardisation.close(ex.id, now)) throw new HttpError(409, 'exercise_closed', 'This standardisation exercise is closed already.');
        repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('standardisation', ex), action: 'standardisation-closed' });
      });
      return resultsView(repos, repos.standardisation.find(ex.id)!);
    });

    scope.get('/api/standardisation/:id/agreement.csv', { config: { access: ['iqa', 'admin'], sendsFile: 'text/csv' }, schema: { params: idOf36Params } }, async (request, reply) => {
      const me = requireSession(request).user;
      const ex = visibleExercise(repos, me, request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="standardisation-${ex.id.slice(0, 8)}.csv"`)
        .header('cache-control', 'no-store')
        .send(resultsCsv(resultsView(repos, ex)));
    });
  });
}
