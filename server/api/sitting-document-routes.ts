// The documents of sittings, for staff: a sitting's candidate mark sheet (PDF) and the results
// export (CSV, one row per sitting of the caller's centre; moderators and admins get every
// centre's, or one centre's with ?centreId=).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderMarkSheet } from '../assessment-docs/mark-sheet.js';
import { resultsCsv } from '../assessment-docs/results-csv.js';
import { sittingRecord } from '../assessment-docs/sitting-record.js';
import { requireSession } from '../auth/access.js';
import { SittingAccess } from '../auth/sitting-access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { idOf36Params, registerZodRoutes, type ZodScope } from './input.js';

const STAFF = { access: ['assessor', 'moderator', 'admin'] } as const;

export function registerSittingDocumentRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const sittings = new SittingAccess(repos);
  registerZodRoutes(app, (scope) => registerDocuments(scope, repos, clock, sittings));
}

function registerDocuments(app: ZodScope, repos: Repositories, clock: Clock, sittings: SittingAccess): void {
  app.get('/api/sittings/:id/mark-sheet.pdf', { config: { ...STAFF, sendsFile: 'application/pdf' }, schema: { params: idOf36Params } }, async (request, reply) => {
    const me = requireSession(request).user;
    const sitting = sittings.readable(me, request.params.id);
    const pdf = renderMarkSheet(sittingRecord(repos, sitting, clock.now()), { printedAt: clock.now(), printedBy: me.displayName });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="mark-sheet-${sitting.id.slice(0, 8)}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });

  app.get(
    '/api/results.csv',
    { config: { ...STAFF, sendsFile: 'text/csv' }, schema: { querystring: z.object({ centreId: z.string().regex(/^[0-9]{1,9}$/, 'must be a centre number').optional() }).strict() } },
    async (request, reply) => {
      const me = requireSession(request).user;
      // Assessors: their own centre, whatever is asked. Moderators and admins: all, or the one asked for.
      const asked = request.query.centreId === undefined ? undefined : Number(request.query.centreId);
      const centreId = me.role === 'assessor' ? (me.centreId ?? -1) : asked;
      const list = repos.sittings.list(centreId === undefined ? {} : { centreId });
      // A sitting cancelled before it started has no result to report.
      const csv = resultsCsv(list.filter((s) => s.status !== 'cancelled').map((s) => sittingRecord(repos, s, clock.now())));
      const day = new Date(clock.now()).toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="callmark-results-${day}.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );
}
