// Liveness and readiness for operators and load balancers: the database answers and the media
// workers are running. Anyone gets the verdict and how many workers are alive; the details (each
// worker's process id and routers, i.e. live calls) only an admin (logged in) or the metrics
// scraper (its bearer token, CALLMARK_METRICS_TOKEN) gets, under `details`.
import type { FastifyInstance } from 'fastify';
import type { WorkerPoolHealth } from '../../media/index.js';
import type { Repositories } from '../db/repositories/index.js';
import { hasMetricsToken } from '../metrics/route.js';

export interface MediaHealthSource {
  health(): WorkerPoolHealth;
}

export function registerHealthRoutes(app: FastifyInstance, opts: { repos: Repositories; media: MediaHealthSource | undefined; metricsToken?: string }): void {
  app.get('/healthz', { config: { access: 'public' } }, async (request, reply) => {
    let database = 'ok';
    try {
      opts.repos.db.prepare('SELECT 1').get();
    } catch {
      database = 'unavailable';
    }
    const media = opts.media?.health();
    const mediaOk = !media || (media.workers.length > 0 && media.workers.every((w) => w.alive));
    const ok = database === 'ok' && mediaOk;
    const operator = request.session?.user.role === 'admin' || hasMetricsToken(request.headers.authorization, opts.metricsToken);
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      database,
      media: media ? { workers: media.workers.length, alive: media.workers.filter((w) => w.alive).length } : null,
      ...(operator ? { details: { media: media ?? null } } : {}),
    });
  });
}
