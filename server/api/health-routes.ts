// Liveness and readiness for operators and load balancers: the database answers and the media
// workers are running.
import type { FastifyInstance } from 'fastify';
import type { WorkerPoolHealth } from '../../media/index.js';
import type { Repositories } from '../db/repositories/index.js';

export interface MediaHealthSource {
  health(): WorkerPoolHealth;
}

export function registerHealthRoutes(app: FastifyInstance, opts: { repos: Repositories; media: MediaHealthSource | undefined }): void {
  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => {
    let database = 'ok';
    try {
      opts.repos.db.prepare('SELECT 1').get();
    } catch {
      database = 'unavailable';
    }
    const media = opts.media?.health();
    const mediaOk = !media || (media.workers.length > 0 && media.workers.every((w) => w.alive));
    const ok = database === 'ok' && mediaOk;
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      database,
      media: media ?? null,
    });
  });
}
