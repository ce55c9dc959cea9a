// Moderation replay, moderated marks, the audit log and the sample (wire types in
// server/protocol/moderation.ts, which lists the routes and roles).
// Peaks, metrics and packs are in moderation-routes.ts; this file uses what they serve by URL only.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scenarioOfAttempt, type AttemptScenarioRef } from '../assessment/scenario-loader.js';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { MAX_REASON, moderationView, saveModeration } from '../moderation/replay/moderated-marks.js';
import { REPLAY_EVENTS_PAGE, replayEventsPage, replayView, UnknownCallError } from '../moderation/replay/replay-view.js';
import { inSample, sampleView } from '../moderation/replay/sample.js';
import type { AuditLogPage } from '../protocol/moderation.js';
import { markFields } from '../sittings/marking.js';
import { parseInput, withFieldErrors } from './input.js';

const STAFF = { access: ['assessor', 'moderator', 'admin'] } as const;
const MODERATORS = { access: ['moderator', 'admin'] } as const;
const uuid = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;

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

const sampleChangeSchema = z
  .object({
    centreId: z.number().int().positive(),
    sittingId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a sitting id'),
    reason: z.string().trim().min(1, 'say why').max(MAX_REASON, `must be at most ${MAX_REASON} characters`),
  })
  .strict();

export function registerReplayRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const attempts = new AttemptAccess(repos);

  const scenarioOf = (attempt: AttemptScenarioRef) => {
    const scenario = scenarioOfAttempt(attempt);
    if (!scenario) throw new HttpError(409, 'no_rubric', `The attempt's scenario (${attempt.scenarioKey}) has no rubric to moderate against (a practice attempt).`);
    return scenario;
  };

  app.get<{ Params: { id: string }; Querystring: { callId?: string } }>(
    '/api/attempts/:id/replay',
    { config: STAFF, schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { callId: uuid } } } },
    async (request, reply) => {
      const attempt = attempts.supervised(requireSession(request).user, request.params.id);
      reply.header('cache-control', 'private, no-store');
      try {
        return replayView(repos, attempt, clock.now(), request.query.callId);
      } catch (err) {
        if (err instanceof UnknownCallError) throw new HttpError(404, 'not_found', err.message, 'callId');
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string }; Querystring: { callId?: string; afterSeq: string; limit?: string } }>(
    '/api/attempts/:id/replay/events',
    {
      config: STAFF,
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          required: ['afterSeq'],
          additionalProperties: false,
          properties: { callId: uuid, afterSeq: { type: 'string', pattern: '^[0-9]{1,9}$' }, limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } },
        },
      },
    },
    async (request, reply) => {
      const attempt = attempts.supervised(requireSession(request).user, request.params.id);
      reply.header('cache-control', 'private, no-store');
      const limit = Math.min(REPLAY_EVENTS_PAGE, Number(request.query.limit ?? REPLAY_EVENTS_PAGE));
      try {
        return replayEventsPage(repos, attempt, request.query.callId, Number(request.query.afterSeq), limit);
      } catch (err) {
        if (err instanceof UnknownCallError) throw new HttpError(404, 'not_found', err.message, 'callId');
        throw err;
      }
    },
  );

  withFieldErrors(app, (scope) => {
    scope.get<{ Params: { id: string } }>('/api/attempts/:id/moderation', { config: STAFF, schema: { params: idParams } }, async (request) => {
      const attempt = attempts.supervised(requireSession(request).user, request.params.id);
      return moderationView(repos, attempt, scenarioOf(attempt));
    });

    scope.put<{ Params: { id: string } }>('/api/attempts/:id/moderation', { config: MODERATORS, schema: { params: idParams } }, async (request) => {
      const me = requireSession(request).user;
      const attempt = attempts.supervised(me, request.params.id);
      const scenario = scenarioOf(attempt);
      const input = parseInput(saveSchema, request.body);
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
      saveModeration(repos, attempt, scenario, input, me, clock.now());
      // A moderated save writes attempt_moderation and the audit log only: the attempt row is unchanged.
      return moderationView(repos, attempt, scenario);
    });

    const sampleChange = (action: 'add' | 'remove') => async (request: { body: unknown; session: unknown }) => {
      const me = requireSession(request as never).user;
      const input = parseInput(sampleChangeSchema, request.body);
      const sitting = repos.sittings.findById(input.sittingId.toLowerCase());
      if (!sitting || sitting.centreId !== input.centreId) throw new HttpError(404, 'not_found', 'There is no such sitting in this centre.', 'sittingId');
      if (sitting.status !== 'ended') throw new HttpError(409, 'sitting_not_ended', 'Only an ended sitting can be sampled.', 'sittingId');
      const now = clock.now();
      const before = inSample(sampleView(repos, input.centreId), sitting.id);
      if (before === (action === 'add')) {
        throw new HttpError(409, action === 'add' ? 'already_sampled' : 'not_sampled', action === 'add' ? 'The sitting is in the sample already.' : 'The sitting is not in the sample.', 'sittingId');
      }
      repos.transaction(() => {
        repos.moderation.addSampleChange({ centreId: input.centreId, sittingId: sitting.id, action, reason: input.reason, at: now, byUserId: me.id });
        repos.auditLog.append({
          at: now,
          actor: { userId: me.id, role: me.role },
          centreId: input.centreId,
          action: action === 'add' ? 'sample-sitting-added' : 'sample-sitting-removed',
          subjectType: 'sitting',
          subjectId: sitting.id,
          before: { inSample: before },
          after: { inSample: !before },
          reason: input.reason,
        });
      });
      return sampleView(repos, input.centreId);
    };
    scope.post('/api/moderation/sample/add', { config: MODERATORS }, sampleChange('add'));
    scope.post('/api/moderation/sample/remove', { config: MODERATORS }, sampleChange('remove'));
  });

  app.get<{ Querystring: { centreId: number } }>(
    '/api/moderation/sample',
    { config: MODERATORS, schema: { querystring: { type: 'object', required: ['centreId'], additionalProperties: false, properties: { centreId: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } } },
    async (request) => {
      const centreId = Number(request.query.centreId);
      if (!repos.centres.findById(centreId)) throw new HttpError(404, 'not_found', 'There is no such centre.', 'centreId');
      return sampleView(repos, centreId);
    },
  );

  app.get<{ Querystring: { subjectType?: string; subjectId?: string; centreId?: string; action?: string; before?: string; limit?: string } }>(
    '/api/audit-log',
    {
      config: MODERATORS,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            subjectType: { type: 'string', pattern: '^[a-z-]{1,40}$' },
            subjectId: { type: 'string', minLength: 1, maxLength: 100 },
            centreId: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
            action: { type: 'string', pattern: '^[a-z-]{1,60}$' },
            before: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
            limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
          },
        },
      },
    },
    async (request): Promise<AuditLogPage> => {
      const q = request.query;
      const limit = Math.min(200, Number(q.limit ?? 50));
      const rows = repos.auditLog.page({
        subjectType: q.subjectType,
        subjectId: q.subjectId?.toLowerCase(),
        centreId: q.centreId === undefined ? undefined : Number(q.centreId),
        action: q.action,
        before: q.before === undefined ? undefined : Number(q.before),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const names = new Map<number, string>();
      const nameOf = (id: number) => {
        if (!names.has(id)) names.set(id, repos.users.findById(id)?.displayName ?? `user ${id}`);
        return names.get(id)!;
      };
      // The chain is checked on the first page only: it reads the whole log.
      const check = q.before === undefined ? repos.auditLog.verify() : undefined;
      return {
        entries: page.map((r) => ({
          id: r.id,
          at: r.at,
          actor: r.actorUserId === null ? null : { id: r.actorUserId, name: nameOf(r.actorUserId), role: r.actorRole ?? '' },
          centreId: r.centreId,
          action: r.action,
          subjectType: r.subjectType,
          subjectId: r.subjectId,
          before: r.before,
          after: r.after,
          reason: r.reason,
          hash: r.hash,
        })),
        nextBefore: rows.length > limit ? page[page.length - 1]!.id : null,
        ...(check ? { chain: check.ok ? { ok: true, rows: check.rows } : { ok: false, rows: check.rows, message: check.message } } : {}),
      };
    },
  );
}
