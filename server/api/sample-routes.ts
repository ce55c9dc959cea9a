// The moderation sample of a centre and the audit log (wire types in server/protocol/moderation.ts,
// which lists the routes and roles). Moderators and admins only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { MAX_REASON } from '../moderation/replay/moderated-marks.js';
import { inSample, sampleView } from '../moderation/replay/sample.js';
import type { AuditLogPage, SampleChangeInput } from '../protocol/moderation.js';
import { registerZodRoutes } from './input.js';
import { auditLogPage, sampleView as sampleViewSchema } from './moderation-responses.js';
import { auditActor } from '../db/repositories/audit-log.js';

const MODERATORS = { access: ['moderator', 'admin'] } as const;
const centreNumber = z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a centre number');

const sampleChangeSchema = z
  .object({
    centreId: z.number().int().positive(),
    sittingId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a sitting id'),
    reason: z.string().trim().min(1, 'say why').max(MAX_REASON, `must be at most ${MAX_REASON} characters`),
  })
  .strict();

export function registerSampleRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  registerZodRoutes(app, (scope) => {
    const sampleChange = (action: 'add' | 'remove') => async (request: FastifyRequest, input: SampleChangeInput) => {
      const me = requireSession(request).user;
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
          actor: auditActor(me),
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
    const change = { config: MODERATORS, schema: { body: sampleChangeSchema, response: { 200: sampleViewSchema } } };
    scope.post('/api/moderation/sample/add', change, async (request) => sampleChange('add')(request, request.body));
    scope.post('/api/moderation/sample/remove', change, async (request) => sampleChange('remove')(request, request.body));

    scope.get(
      '/api/moderation/sample',
      { config: MODERATORS, schema: { querystring: z.object({ centreId: centreNumber }).strict(), response: { 200: sampleViewSchema } } },
      async (request) => {
        const centreId = Number(request.query.centreId);
        if (!repos.centres.findById(centreId)) throw new HttpError(404, 'not_found', 'There is no such centre.', 'centreId');
        return sampleView(repos, centreId);
      },
    );

    scope.get(
      '/api/audit-log',
      {
        config: MODERATORS,
        schema: {
          querystring: z
            .object({
              subjectType: z.string().regex(/^[a-z-]{1,40}$/, 'must be 1 to 40 lower-case letters and hyphens').optional(),
              subjectId: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
              centreId: centreNumber.optional(),
              action: z.string().regex(/^[a-z-]{1,60}$/, 'must be 1 to 60 lower-case letters and hyphens').optional(),
              before: z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be an entry number').optional(),
              limit: z.string().regex(/^[1-9][0-9]{0,2}$/, 'must be a number from 1 to 999').optional(),
            })
            .strict(),
          response: { 200: auditLogPage },
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
  });
}
