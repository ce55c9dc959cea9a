// Builds the Fastify application from its parts. main.ts gives it the real database, clock and
// media plane; tests give it the same with a temporary database (and use app.inject()).
import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAccessControl } from './auth/access.js';
import { SessionService } from './auth/sessions.js';
import type { Clock } from './clock.js';
import type { Repositories } from './db/repositories/index.js';
import { registerAdminRoutes } from './api/admin-routes.js';
import { registerAuthRoutes } from './api/auth-routes.js';
import { registerHealthRoutes, type MediaHealthSource } from './api/health-routes.js';
import { registerErrorHandling } from './http/errors.js';

export interface AppOptions {
  repos: Repositories;
  clock: Clock;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginRateLimitPerMinute: number;
  bodyLimitBytes: number;
  secureCookies: boolean;
  media?: MediaHealthSource;
  /** Folder of the built client (index.html and assets); omitted in API-only tests. */
  clientDir?: string;
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string; key: string };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimitBytes,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    ...(opts.https ? { https: opts.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;

  const sessions = new SessionService(opts.repos, { idleMs: opts.sessionIdleMs, maxMs: opts.sessionMaxMs }, opts.clock);
  registerErrorHandling(app, opts.bodyLimitBytes);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  registerAccessControl(app, sessions);

  registerHealthRoutes(app, { repos: opts.repos, media: opts.media });
  registerAuthRoutes(app, {
    repos: opts.repos,
    sessions,
    secureCookies: opts.secureCookies,
    loginRateLimitPerMinute: opts.loginRateLimitPerMinute,
  });
  registerAdminRoutes(app, { repos: opts.repos, sessions });

  const indexHtml = opts.clientDir && path.join(opts.clientDir, 'index.html');
  if (opts.clientDir && indexHtml && fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, { root: opts.clientDir, index: false, wildcard: false, prefix: '/' });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && !path.extname(request.url.split('?')[0] ?? '');
    if (isPage && indexHtml && fs.existsSync(indexHtml)) {
      // The SPA routes on the client; every page URL gets index.html.
      return reply.type('text/html').header('cache-control', 'no-cache').send(fs.createReadStream(indexHtml));
    }
    return reply.status(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });

  const purge = setInterval(() => sessions.purgeExpired(), 10 * 60_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return app;
}
