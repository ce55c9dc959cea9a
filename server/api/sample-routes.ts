// The moderation sample of a centre and the audit log (wire types in server/protocol/moderation.ts,
// which lists the routes and roles). Moderators and admins only.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { MAX_REASON } from '../moderation/replay/moderated-marks.js';
import { inSample, sampleView } from '../moderation/replay/sample.js';
import type { AuditLogPage } from '../protocol/moderation.js';
import { parseInput, withFieldErrors } from './input.js';

const MODERATORS = { access: ['moderator', 'admin'] } as const;

const sampleChangeSchema = z
  .object({
    centreId: z.number().int().positive(),
    sittingId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a sitting id'),
    reason: z.string().trim().min(1, 'say why').max(MAX_REASON, `must be at most ${MAX_REASON} characters`),
  })
  .strict();

export function registerSampleRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  withFieldErrors(app, (scope) => {
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
