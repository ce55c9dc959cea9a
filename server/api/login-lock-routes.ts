// Login locks for admins: which accounts and client addresses are locked after too many failed
// logins, and lifting a lock before it runs out (server/auth/login-throttle.ts).
//   GET  /api/login-locks        [admin]  LoginLocksResponse
//   POST /api/login-locks/lift   [admin]  { kind: 'account' | 'address', subject } → { lifted }
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { LOGIN_LOCK_KINDS, type LoginLocksResponse } from '../protocol/login-locks.js';
import { lockLiftedResponse, loginLocks } from './account-responses.js';
import { registerZodRoutes, type ZodScope } from './input.js';

const liftBody = z
  .object({
    kind: z.enum(LOGIN_LOCK_KINDS, { errorMap: () => ({ message: `must be one of ${LOGIN_LOCK_KINDS.join(', ')}` }) }),
    subject: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  })
  .strict();

export function registerLoginLockRoutes(app: FastifyInstance, opts: { repos: Repositories; throttle: LoginThrottle }): void {
  registerZodRoutes(app, (scope) => registerLoginLockScope(scope, opts));
}

function registerLoginLockScope(app: ZodScope, opts: { repos: Repositories; throttle: LoginThrottle }): void {
  app.get('/api/login-locks', { config: { access: ['admin'] }, schema: { response: { 200: loginLocks } } }, async () => {
    const body: LoginLocksResponse = {
      locks: opts.throttle.locks().map((lock) => {
        const user = lock.kind === 'account' ? opts.repos.users.findByUsernameWithHash(lock.subject) : undefined;
        return { ...lock, userId: user?.id ?? null, displayName: user?.displayName ?? null };
      }),
    };
    return body;
  });

  app.post(
    '/api/login-locks/lift',
    { config: { access: ['admin'] }, schema: { body: liftBody, response: { 200: lockLiftedResponse } } },
    async (request) => {
      const { kind, subject } = request.body;
      if (!opts.throttle.lift(kind, subject)) throw new HttpError(404, 'not_found', 'There is no such login lock (it may have run out already).');
      request.log.info({ by: requireSession(request).user.id, kind, subject }, 'login lock lifted');
      return { lifted: true as const };
    },
  );
}
