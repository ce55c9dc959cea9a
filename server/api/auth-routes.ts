// Login, logout and "who am I". Bad username, bad password and disabled account all get the same
// answer, after the same amount of work, so the login form tells an attacker nothing.
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, requireSession } from '../auth/access.js';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../auth/passwords.js';
import type { SessionService } from '../auth/sessions.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionInfo } from '../protocol/roles.js';

export interface AuthRouteOptions {
  repos: Repositories;
  sessions: SessionService;
  secureCookies: boolean;
  loginRateLimitPerMinute: number;
  /** Called after a logout, e.g. to end the user's phone connections when no session is left. */
  onLogout?: (userId: number, tokenHash: string) => void;
}

const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
  },
} as const;

export function registerAuthRoutes(app: FastifyInstance, opts: AuthRouteOptions): void {
  const { repos, sessions } = opts;

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      schema: { body: loginBody },
      config: {
        access: 'public',
        rateLimit: { max: opts.loginRateLimitPerMinute, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = repos.users.findByUsernameWithHash(username.trim());
      const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !passwordOk || user.disabled) {
        request.log.info({ username }, 'login refused');
        throw new HttpError(401, 'invalid_credentials', 'Invalid username or password.');
      }
      if (request.session) sessions.end(request.session.tokenHash);
      const { token, session } = sessions.start(user.id);
      void reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies,
      });
      request.log.info({ userId: user.id, role: user.role }, 'login');
      const body: SessionInfo = { user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
      return body;
    },
  );

  app.post('/api/auth/logout', { config: { access: 'authenticated' } }, async (request, reply) => {
    const session = requireSession(request);
    sessions.end(session.tokenHash);
    opts.onLogout?.(session.user.id, session.tokenHash);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/auth/session', { config: { access: 'authenticated' } }, async (request) => {
    const s = requireSession(request);
    const body: SessionInfo = { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    return body;
  });
}
