// User and centre administration, for the admin role only.
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/access.js';
import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import type { SessionService } from '../auth/sessions.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { CENTRE_ROLES, ROLES, type Role } from '../protocol/roles.js';

export interface AdminRouteOptions {
  repos: Repositories;
  sessions: SessionService;
  /** Called when a user must be locked out at once (disabled, password reset): ends their phone too. */
  onLockout?: (userId: number, reason: string) => void;
}

const ADMIN = { access: ['admin'] as const };
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,12}$' } },
} as const;
const passwordSchema = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH } as const;

interface CreateUserBody {
  username: string;
  displayName: string;
  role: Role;
  centreId?: number | null;
  password?: string;
}

export function registerAdminRoutes(app: FastifyInstance, opts: AdminRouteOptions): void {
  const { repos, sessions } = opts;

  app.get('/api/centres', { config: ADMIN }, async () => ({ centres: repos.centres.list() }));

  app.post<{ Body: { name: string } }>(
    '/api/centres',
    {
      config: ADMIN,
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 2, maxLength: 120, pattern: '\\S' } },
        },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim();
      if (repos.centres.findByName(name)) throw new HttpError(409, 'duplicate', `A centre named "${name}" already exists.`, 'name');
      return reply.status(201).send({ centre: repos.centres.create({ name }) });
    },
  );

  app.get<{ Querystring: { centreId?: string } }>(
    '/api/users',
    {
      config: ADMIN,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { centreId: { type: 'string', pattern: '^[1-9][0-9]{0,12}$' } },
        },
      },
    },
    async (request) => ({
      users: repos.users.list(request.query.centreId ? { centreId: Number(request.query.centreId) } : {}),
    }),
  );

  app.post<{ Body: CreateUserBody }>(
    '/api/users',
    {
      config: ADMIN,
      schema: {
        body: {
          type: 'object',
          required: ['username', 'displayName', 'role'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
            displayName: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
            role: { type: 'string', enum: [...ROLES] },
            centreId: { type: ['integer', 'null'], minimum: 1 },
            password: passwordSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const centreId = body.centreId ?? null;
      if (CENTRE_ROLES.includes(body.role) && centreId === null) {
        throw new HttpError(400, 'validation', `A ${body.role} must belong to a centre.`, 'centreId');
      }
      if (centreId !== null && !repos.centres.findById(centreId)) {
        throw new HttpError(400, 'validation', `There is no centre with id ${centreId}.`, 'centreId');
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

  app.post<{ Params: { id: string }; Body: { password?: string } }>(
    '/api/users/:id/password',
    {
      config: ADMIN,
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { password: passwordSchema } },
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      if (!repos.users.findById(id)) throw new HttpError(404, 'not_found', `There is no user with id ${id}.`);
      const password = request.body?.password ?? generatePassword();
      const hash = await hashPassword(password);
      repos.transaction(() => {
        // A reset password is a temporary one: its owner must change it at the next login.
        repos.users.setPasswordHash(id, hash, Date.now(), true);
        sessions.endAllFor(id);
      });
      opts.onLockout?.(id, 'password reset');
      request.log.info({ by: requireSession(request).user.id, userId: id }, 'password reset');
      return request.body?.password ? { ok: true } : { ok: true, password };
    },
  );

  app.post<{ Params: { id: string }; Body: { disabled: boolean } }>(
    '/api/users/:id/disabled',
    {
      config: ADMIN,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['disabled'],
          additionalProperties: false,
          properties: { disabled: { type: 'boolean' } },
        },
      },
    },
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
      return { user: repos.users.findById(id) };
    },
  );
}
