// GET /metrics (Prometheus text format) and the HTTP timing hook.
//
// Not public: a scraper sends `Authorization: Bearer <CALLMARK_METRICS_TOKEN>`, and a logged-in
// admin may open it in the browser. The route deliberately declares no config.access: the global
// access hook knows only sessions and roles, and "admin or bearer token" is decided here. It is not
// under /api, so it is also outside the authorization matrix (tests/server/metrics.test.ts covers it).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../auth/access.js';
import type { SessionService } from '../auth/sessions.js';
import { HttpError } from '../http/errors.js';
import type { AppMetrics } from './app-metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteOptions {
  metrics: AppMetrics;
  sessions: SessionService;
  /** Bearer token for scrapers; without one only admins (by session) can read /metrics. */
  token?: string;
}

/** Compares digests so neither the token's length nor its content leaks through timing. */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether the request carries `Authorization: Bearer <the metrics token>` (false when no token is configured). */
export function hasMetricsToken(authorization: string | undefined, token: string | undefined): boolean {
  const m = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return Boolean(token && m && tokenMatches(m[1]!, token));
}

/** Times every request; call first in buildApp so the hook covers every route registered after it. */
export function registerHttpTiming(app: FastifyInstance, metrics: AppMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
}

export function registerMetricsRoute(app: FastifyInstance, opts: MetricsRouteOptions): void {
  // The Prometheus text format, not JSON: declared as the file it sends (server/api/response-declarations.ts).
  app.get(METRICS_PATH, { config: { sendsFile: opts.metrics.contentType } }, async (request, reply) => {
    const auth = request.headers.authorization;
    if (auth !== undefined) {
      if (!hasMetricsToken(auth, opts.token)) {
        throw new HttpError(401, 'unauthenticated', 'The metrics token is wrong or metrics tokens are not configured.');
      }
    } else {
      const session = opts.sessions.resolve(request.cookies[SESSION_COOKIE]);
      if (!session) throw new HttpError(401, 'unauthenticated', 'Log in as an admin or send the metrics bearer token.');
      if (session.user.role !== 'admin') throw new HttpError(403, 'forbidden', `This is not available to the ${session.user.role} role.`);
    }
    const body = await opts.metrics.metrics();
    return reply.header('content-type', opts.metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
