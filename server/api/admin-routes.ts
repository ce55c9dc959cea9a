// User and centre administration, for the admin role only.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import type { SessionService } from '../auth/sessions.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { CENTRE_ROLES, ROLES } from '../protocol/roles.js';
import { centreResponse, centresResponse, newUserResponse, passwordResetResponse, userResponse, usersResponse } from './account-responses.js';
import { invalid, registerZodRoutes, type ZodScope } from './input.js';

export interface AdminRouteOptions {
  repos: Repositories;
  sessions: SessionService;
  /** Called when a user must be locked out at once (disabled, password reset): ends their phone too. */
  onLockout?: (userId: number, reason: string) => void;
}

const ADMIN = { access: ['admin'] as const };
const idParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,12}$/, 'must be a user number') });
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
const centreBody = z.object({ name: z.string().min(2, 'must be at least 2 characters').max(120, 'must be at most 120 characters').regex(/\S/, 'must not be blank') }).strict();
const usersQuery = z.object({ centreId: z.string().regex(/^[1-9][0-9]{0,12}$/, 'must be a centre number').optional() }).strict();
const createUserBody = z
  .object({
    username: z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(64, 'must be at most 64 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must start with a letter or digit and hold only letters, digits, dots, hyphens and underscores'),
    displayName: z.string().min(1, 'must not be empty').max(120, 'must be at most 120 characters').regex(/\S/, 'must not be blank'),
    role: z.enum(ROLES, { errorMap: () => ({ message: `must be one of ${ROLES.join(', ')}` }) }),
    centreId: z.number().int().min(1).nullable().optional(),
    password: password.optional(),
  })
  .strict();

export function registerAdminRoutes(app: FastifyInstance, opts: AdminRouteOptions): void {
  registerZodRoutes(app, (scope) => registerAdminScope(scope, opts));
}

function registerAdminScope(app: ZodScope, opts: AdminRouteOptions): void {
  const { repos, sessions } = opts;

  app.get('/api/centres', { config: ADMIN, schema: { response: { 200: centresResponse } } }, async () => ({ centres: repos.centres.list() }));

  app.post(
    '/api/centres',
    { config: ADMIN, schema: { body: centreBody, response: { 201: centreResponse } } },
    async (request, reply) => {
      const name = request.body.name.trim();
      if (repos.centres.findByName(name)) throw new HttpError(409, 'duplicate', `A centre named "${name}" already exists.`, 'name');
      return reply.status(201).send({ centre: repos.centres.create({ name }) });
    },
  );

  app.get(
    '/api/users',
    { config: ADMIN, schema: { querystring: usersQuery, response: { 200: usersResponse } } },
    async (request) => ({
      users: repos.users.list(request.query.centreId ? { centreId: Number(request.query.centreId) } : {}),
    }),
  );

  app.post(
    '/api/users',
    { config: ADMIN, schema: { body: createUserBody, response: { 201: newUserResponse } } },
    async (request, reply) => {
      const body = request.body;
      const centreId = body.centreId ?? null;
      if (CENTRE_ROLES.includes(body.role) && centreId === null) {
        throw invalid('centreId', `A ${body.role} must belong to a centre.`);
      }
      if (centreId !== null && !repos.centres.findById(centreId)) {
        throw invalid('centreId', `There is no centre with id ${centreId}.`);
      }
      if (repos.users.findByUsernameWithHash(body.username)) {
        throw new HttpError(409, 'duplicate', `The username "${body.username}" is taken.`, 'username');
      }
      const password = body.password ?? generatePassword();
      const user = repos.users.create({
        username: body.username,
        displayName: body.displayName.trim(),
        role: body.role,
        centreId,
        passwordHash: await hashPassword(password),
        // A password the administrator set (chosen or generated) is for the first login only.
        mustChangePassword: true,
      });
      request.log.info({ by: requireSession(request).user.id, userId: user.id, role: user.role }, 'user created');
      return reply.status(201).send({ user, ...(body.password ? {} : { password }) });
    },
  );

  app.post(
    '/api/users/:id/password',
    { config: ADMIN, schema: { params: idParams, body: z.object({ password: password.optional() }).strict(), response: { 200: passwordResetResponse } } },
    async (request) => {
      const id = Number(request.params.id);
      if (!repos.users.findById(id)) throw new HttpError(404, 'not_found', `There is no user with id ${id}.`);
      const password = request.body.password ?? generatePassword();
      const hash = await hashPassword(password);
      repos.transaction(() => {
        // A reset password is a temporary one: its owner must change it at the next login.
        repos.users.setPasswordHash(id, hash, Date.now(), true);
        sessions.endAllFor(id);
      });
      opts.onLockout?.(id, 'password reset');
      request.log.info({ by: requireSession(request).user.id, userId: id }, 'password reset');
      return request.body.password ? { ok: true as const } : { ok: true as const, password };
    },
  );

  app.post(
    '/api/users/:id/disabled',
    { config: ADMIN, schema: { params: idParams, body: z.object({ disabled: z.boolean() }).strict(), response: { 200: userResponse } } },
    async (request) => {
      const id = Number(request.params.id);
      const me = requireSession(request).user;
      if (!repos.users.findById(id)) throw new HttpError(404, 'not_found', `There is no user with id ${id}.`);
      if (id === me.id && request.body.disabled) {
        throw new HttpError(409, 'self_disable', 'You cannot disable your own account.', 'disabled');
      }
      repos.transaction(() => {
        repos.users.setDisabled(id, request.body.disabled);
        if (request.body.disabled) sessions.endAllFor(id);
      });
      if (request.body.disabled) opts.onLockout?.(id, 'account disabled');
      request.log.info({ by: me.id, userId: id, disabled: request.body.disabled }, 'user disabled flag set');
      return { user: repos.users.findById(id)! };
    },
  );
}
