// Login, logout and "who am I". Bad username, bad password and disabled account all get the same
// answer, after the same amount of work, so the login form tells an attacker nothing. Failed logins
// are limited per client address and per account (auth/login-throttle.ts), whatever cookie is sent.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE, requireSession } from '../auth/access.js';
import { isRefusal, type LoginRefusal, type LoginThrottle } from '../auth/login-throttle.js';
import { dummyPasswordHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordHashingBusy, verifyPassword } from '../auth/passwords.js';
import type { SessionService } from '../auth/sessions.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionInfo } from '../protocol/roles.js';
import { authStatusResponse, sessionInfo } from './account-responses.js';
import { invalid, registerZodRoutes, type ZodScope } from './input.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

export interface AuthRouteOptions {
  repos: Repositories;
  sessions: SessionService;
  /** Secure cookies always (HTTPS), or only for requests that arrived over HTTPS (a trusted proxy says so). */
  secureCookies: boolean;
  throttle: LoginThrottle;
  clock: Clock;
  /** Called after a logout, e.g. to end the user's phone connections when no session is left. */
  onLogout?: (userId: number, tokenHash: string) => void;
  /** Called for each session a password change ended (the account's other devices): ends their sockets and phones too. */
  onSessionEnded?: (userId: number, tokenHash: string) => void;
}

const passwordChangeBody = z
  .object({
    currentPassword: z.string().min(1, 'must not be empty').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
    // The length rule is checked in the handler, so its message says it in words.
    newPassword: z.string().max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
  })
  .strict();

const loginBody = z
  .object({
    username: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    password: z.string().min(1, 'must not be empty').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
  })
  .strict();

const inWords = (ms: number): string => {
  const s = Math.ceil(ms / 1000);
  return s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
};

function refusalError(r: LoginRefusal): HttpError {
  const who = r.kind === 'address' ? 'from your network' : 'for this account';
  const message = r.reason === 'locked'
    ? `${r.kind === 'address' ? 'Logins from your network are' : 'This account is'} locked after too many failed logins, for ${inWords(r.retryAfterMs)} more; an administrator can lift the lock.`
    : `Too many failed logins ${who}; try again in ${inWords(r.retryAfterMs)}.`;
  return new HttpError(429, 'rate_limited', message);
}

export function registerAuthRoutes(app: FastifyInstance, opts: AuthRouteOptions): void {
  registerZodRoutes(app, (scope) => registerAuthScope(scope, opts));
}

function registerAuthScope(app: ZodScope, opts: AuthRouteOptions): void {
  const { repos, sessions } = opts;

  app.post(
    '/api/auth/login',
    {
      schema: { body: loginBody, response: { 200: sessionInfo } },
      // The per-address limit of the API as a whole does not apply: the login throttle is stricter.
      config: { access: 'public', rateLimit: false },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const attempt = opts.throttle.begin(request.ip, username);
      if (isRefusal(attempt)) {
        request.log.info({ username, ip: request.ip, limit: attempt.kind, reason: attempt.reason }, 'login refused by the login limit');
        void reply.header('retry-after', String(Math.ceil(attempt.retryAfterMs / 1000)));
        throw refusalError(attempt);
      }
      const user = repos.users.findByUsernameWithHash(username.trim());
      let passwordOk: boolean;
      try {
        passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      } catch (err) {
        attempt.abandoned();
        if (!(err instanceof PasswordHashingBusy)) throw err;
        void reply.header('retry-after', '2');
        throw new HttpError(503, 'busy', 'The server is busy checking other logins; try again in a moment.');
      }
      if (!user || !passwordOk || user.disabled) {
        attempt.failed();
        request.log.info({ username, ip: request.ip }, 'login refused');
        throw new HttpError(401, 'invalid_credentials', 'Invalid username or password.');
      }
      attempt.succeeded();
      if (request.session) sessions.end(request.session.tokenHash);
      const { token, session } = sessions.start(user.id);
      void reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies || request.protocol === 'https',
      });
      request.log.info({ userId: user.id, role: user.role }, 'login');
      const body: SessionInfo = { user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
      return body;
    },
  );

  // Self-service password change: the current password first (a wrong one counts against the login
  // limits, as a failed login does: auth/login-throttle.ts), the length rule of every password, the
  // scrypt hash; the account's sessions on other devices end, this one goes on, and the change is
  // audited (never the password or its hash). Clears a change an administrator's password required.
  app.post(
    '/api/auth/password',
    { schema: { body: passwordChangeBody, response: { 200: sessionInfo } }, config: { access: 'authenticated', duringPasswordChange: true } },
    async (request) => {
      const session = requireSession(request);
      const me = session.user;
      const { currentPassword, newPassword } = request.body;
      const attempt = opts.throttle.begin(request.ip, me.username);
      if (isRefusal(attempt)) {
        request.log.info({ userId: me.id, ip: request.ip, limit: attempt.kind, reason: attempt.reason }, 'password change refused by the login limit');
        throw refusalError(attempt);
      }
      let currentOk: boolean;
      try {
        currentOk = await verifyPassword(currentPassword, repos.users.passwordHashOf(me.id) ?? (await dummyPasswordHash()));
      } catch (err) {
        attempt.abandoned();
        if (!(err instanceof PasswordHashingBusy)) throw err;
        throw new HttpError(503, 'busy', 'The server is busy checking other passwords; try again in a moment.');
      }
      if (!currentOk) {
        attempt.failed();
        request.log.info({ userId: me.id, ip: request.ip }, 'password change refused: wrong current password');
        throw new HttpError(400, 'wrong_password', 'That is not your current password.', 'currentPassword');
      }
      attempt.succeeded();
      if (newPassword.length < MIN_PASSWORD_LENGTH) {
        throw invalid('newPassword', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      if (newPassword === currentPassword) {
        throw new HttpError(400, 'same_password', 'Choose a password different from the one you have now.', 'newPassword');
      }
      const hash = await hashPassword(newPassword);
      const now = opts.clock.now();
      const ended = repos.transaction(() => {
        repos.users.setPasswordHash(me.id, hash, now, false);
        const endedHashes = sessions.endOthersFor(me.id, session.tokenHash);
        repos.auditLog.append({
          at: now,
          actor: auditActor(me),
          ...auditSubject('user', me),
          action: 'password-changed',
          before: { mustChangePassword: me.mustChangePassword },
          after: { mustChangePassword: false, otherSessionsEnded: endedHashes.length },
        });
        return endedHashes;
      });
      for (const tokenHash of ended) opts.onSessionEnded?.(me.id, tokenHash);
      request.log.info({ userId: me.id, otherSessionsEnded: ended.length }, 'password changed');
      const fresh = sessions.resolve(request.cookies[SESSION_COOKIE]);
      if (!fresh) throw new HttpError(401, 'unauthenticated', 'Your session has ended or you are not logged in. Log in again.');
      const body: SessionInfo = { user: fresh.user, csrfToken: fresh.csrfToken, expiresAt: fresh.expiresAt };
      return body;
    },
  );

  // No content: the 204 schema says so, so nothing could ever be sent with it.
  app.post('/api/auth/logout', { config: { access: 'authenticated', duringPasswordChange: true }, schema: { response: { 204: z.undefined() } } }, async (request, reply) => {
    const session = requireSession(request);
    sessions.end(session.tokenHash);
    opts.onLogout?.(session.user.id, session.tokenHash);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  // The page asks on every load who is logged in: "nobody" is an answer, not an error (a 401 here
  // would put a failed request in the console of every visit to the login page).
  app.get('/api/auth/status', { config: { access: 'public', duringPasswordChange: true }, schema: { response: { 200: authStatusResponse } } }, async (request) => {
    const s = request.session;
    const session: SessionInfo | null = s ? { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt } : null;
    return { session };
  });

  app.get('/api/auth/session', { config: { access: 'authenticated', duringPasswordChange: true }, schema: { response: { 200: sessionInfo } } }, async (request) => {
    const s = requireSession(request);
    const body: SessionInfo = { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    return body;
  });
}
