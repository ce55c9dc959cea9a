// Access control for every route. Each route declares config.access:
//   'public'          anyone (login, health)
//   'authenticated'   any logged-in user
//   Role[]            only these roles
// A route under /api without a declaration is refused at start-up, so none can be forgotten.
// State-changing requests of logged-in users must carry the session's CSRF token in X-CSRF-Token,
// and any request that names an Origin must name this server.
// A user whose password an administrator set (users.must_change_password) may call only the routes
// declared with config.duringPasswordChange (change the password, read the session, log out) until
// they have chosen their own: every other route answers 403 password_change_required.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../protocol/roles.js';
import { HttpError } from '../http/errors.js';
import type { ActiveSession, SessionService } from './sessions.js';

export type Access = 'public' | 'authenticated' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Open to a user who must still change the password an administrator set (default: closed). */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    session: ActiveSession | undefined;
  }
  interface FastifyInstance {
    /** Every route registered, with its declared access: the authorization matrix test walks it. */
    routeAccess: Array<{ method: string; url: string; access: Access }>;
  }
}

export const SESSION_COOKIE = 'callmark_session';
export const CSRF_HEADER = 'x-csrf-token';
export const PASSWORD_CHANGE_REQUIRED = 'Choose a new password before you go on: the one you were given is for your first login only.';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireSession(request: FastifyRequest): ActiveSession {
  if (!request.session) throw new HttpError(401, 'unauthenticated', 'Log in first.');
  return request.session;
}

/** Whether a request that names an Origin names this server (the host it was sent to); one that names none passes. The HTTP routes and the socket.io handshake (realtime/index.ts) both apply it. */
export function originMatchesHost(headers: Pick<IncomingHttpHeaders, 'origin' | 'host'>): boolean {
  const origin = headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

export function registerAccessControl(app: FastifyInstance, sessions: SessionService): void {
  app.decorate('routeAccess', []);
  app.decorateRequest('session', undefined);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (access === undefined) {
      if (route.url.startsWith('/api')) throw new Error(`route ${methods.join(',')} ${route.url} does not declare config.access`);
      return;
    }
    for (const method of methods) if (method !== 'HEAD') app.routeAccess.push({ method, url: route.url, access });
  });

  // The session is resolved first (app-level onRequest), the refusal comes in preParsing: route-level
  // onRequest hooks run in between, among them the API rate limit, so refused requests (e.g. a
  // made-up session cookie per request) are counted too. preParsing still comes before the body is read.
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined) return;
    if (!SAFE_METHODS.has(request.method) && !originMatchesHost(request.headers)) {
      throw new HttpError(403, 'bad_origin', 'This request came from another site and was refused.');
    }
    request.session = sessions.resolve(request.cookies[SESSION_COOKIE]);
  });

  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    if (!request.session) {
      if (request.cookies[SESSION_COOKIE]) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      throw new HttpError(401, 'unauthenticated', 'Your session has ended or you are not logged in. Log in again.');
    }
    if (request.session.user.mustChangePassword && request.routeOptions.config?.duringPasswordChange !== true) {
      throw new HttpError(403, 'password_change_required', PASSWORD_CHANGE_REQUIRED);
    }
    if (access !== 'authenticated' && !access.includes(request.session.user.role)) {
      throw new HttpError(403, 'forbidden', `This is not available to the ${request.session.user.role} role.`);
    }
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== request.session.csrfToken) {
      throw new HttpError(403, 'csrf', 'The request is missing its security token; reload the page and try again.');
    }
  });
}
