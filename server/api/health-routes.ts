// Liveness and readiness for operators and load balancers: the database answers and the media
// workers are running. Anyone gets the verdict and how many workers are alive; the details (each
// worker's process id and routers, i.e. live calls) only an admin (logged in) or the metrics
// scraper (its bearer token, CALLMARK_METRICS_TOKEN) gets, under `details`. What is sent is what
// the response schema declares (no browser page reads it: its type is here, not in server/protocol/).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WorkerPoolHealth } from '../../media/index.js';
import type { Repositories } from '../db/repositories/index.js';
import { hasMetricsToken } from '../metrics/route.js';
import { exactly } from './exact-schema.js';
import { registerZodRoutes } from './input.js';

export interface MediaHealthSource {
  health(): WorkerPoolHealth;
}

/** What GET /healthz answers: 200 when the database answers and every media worker is alive, else 503. */
interface HealthReport {
  status: 'ok' | 'degraded';
  database: 'ok' | 'unavailable';
  /** Media workers running and alive; null without a media plane. */
  media: { workers: number; alive: number } | null;
  /** To an admin or the metrics scraper only: each worker (null without a media plane). */
  details?: { media: WorkerPoolHealth | null };
}

const workerPoolHealth = exactly<WorkerPoolHealth>()(
  z.object({ workers: z.array(z.object({ index: z.number(), pid: z.number(), routers: z.number(), alive: z.boolean() })), replacements: z.number() }),
);

const healthReport = exactly<HealthReport>()(
  z.object({
    status: z.enum(['ok', 'degraded']),
    database: z.enum(['ok', 'unavailable']),
    media: z.object({ workers: z.number(), alive: z.number() }).nullable(),
    details: z.object({ media: workerPoolHealth.nullable() }).optional(),
  }),
);

export function registerHealthRoutes(app: FastifyInstance, opts: { repos: Repositories; media: MediaHealthSource | undefined; metricsToken?: string }): void {
  registerZodRoutes(app, (scope) => {
    scope.get('/healthz', { config: { access: 'public' }, schema: { response: { 200: healthReport, 503: healthReport } } }, async (request, reply) => {
      let database: HealthReport['database'] = 'ok';
      try {
        opts.repos.db.prepare('SELECT 1').get();
      } catch {
        database = 'unavailable';
      }
      const media = opts.media?.health();
      const mediaOk = !media || (media.workers.length > 0 && media.workers.every((w) => w.alive));
      const ok = database === 'ok' && mediaOk;
      const operator = request.session?.user.role === 'admin' || hasMetricsToken(request.headers.authorization, opts.metricsToken);
      const report: HealthReport = {
        status: ok ? 'ok' : 'degraded',
        database,
        media: media ? { workers: media.workers.length, alive: media.workers.filter((w) => w.alive).length } : null,
        ...(operator ? { details: { media: media ?? null } } : {}),
      };
      return reply.status(ok ? 200 : 503).send(report);
    });
  });
}
