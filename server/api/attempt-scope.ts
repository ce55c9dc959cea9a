// The routes of one attempt, under /api/attempts/:id, as one encapsulated Fastify plugin (the
// Plugins Guide's `register` with a `prefix`): each route says in `config.attempt` how it uses the
// attempt, and one preHandler hook loads and authorises it once (server/auth/attempt-access.ts)
// before the handler runs, which reads it with `attemptOf(request)`. Params, query and body are
// zod schemas through the zod type provider, so a route's schema and its TypeScript types are
// written once; a bad request is refused with every bad field named (server/http/field-problems.ts);
// a route's response schema is also what it sends: a field the schema does not declare is dropped.
// Every route declares one (a route that sends a file says so in `config.sendsFile`), or the app
// does not start (response-declarations.ts, the one check of every scope).
//
// The hook runs after validation, as the handlers' own checks did before: a malformed request is a
// 400 whoever sends it, then an attempt the user may not see is the 404 of an unknown id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { useZod, type ZodScope } from './input.js';
import { requireResponseDeclarations } from './response-declarations.js';

/** How a route uses its attempt (server/auth/attempt-access.ts has the rules). */
export type AttemptUse =
  /** The attempt's candidate and its supervisors. */
  | { use: 'read' }
  /** Supervisors only (staff of its centre, moderators, admins). */
  | { use: 'supervise' }
  /**
   * The attempt's candidate while it is open; `closed` is the 409's sentence once it is not. With
   * `sittingTime`, a sitting past its time under the 'stop' policy has ended first.
   */
  | { use: 'write'; closed: string; sittingTime: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every route of the attempt scope. */
    attempt?: AttemptUse;
  }
  interface FastifyRequest {
    /** Loaded by the attempt scope's hook; read it with attemptOf(). */
    loadedAttempt: Attempt | undefined;
  }
}

/** The scope routes are declared on: the zod type provider types their params, query and body. */
export type AttemptScope = ZodScope;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A database row id in a path or query string: '1' … '9999999999999'. */
export const rowId = z.string().regex(/^[1-9][0-9]{0,12}$/, 'Give a record number.');
/** A uuid in a path (any case; looked up in lower case). */
export const uuid = z.string().regex(UUID, 'Give an id as 8-4-4-4-12 hexadecimal digits.');
/** The prefix's own parameter; routes with more parameters extend it. */
export const attemptParams = z.object({ id: uuid });
/** A query string that takes no parameters. */
export const noQuery = z.object({}).strict();

/** The attempt the scope's hook loaded for this request. */
export function attemptOf(request: FastifyRequest): Attempt {
  const attempt = request.loadedAttempt;
  if (!attempt) throw new Error(`${request.method} ${request.url}: the attempt scope loaded no attempt (config.attempt missing?)`);
  return attempt;
}

export interface AttemptScopeOptions {
  repos: Repositories;
  clock: Clock;
}

/** Registers `routes` under /api/attempts/:id, in a scope that loads and authorises the attempt once. */
export function registerAttemptScope(app: FastifyInstance, opts: AttemptScopeOptions, routes: (scope: AttemptScope) => void): void {
  const timed = new AttemptAccess(opts.repos, opts.clock);
  const untimed = new AttemptAccess(opts.repos);
  void app.register(
    async (plugin) => {
      // A 400 of this scope names every bad field (`fields`), as in every zod scope (input.ts).
      const scope = useZod(plugin);
      scope.decorateRequest('loadedAttempt', undefined);
      // What a route sends is what its schema declares (config.sendsFile for a file): the app's one
      // check (response-declarations.ts), installed here only when the app has not installed it.
      requireResponseDeclarations(plugin, ' of the attempt scope');
      scope.addHook('onRoute', (route) => {
        if (route.config?.attempt === undefined) throw new Error(`route ${String(route.method)} ${route.url} of the attempt scope does not declare config.attempt`);
      });
      scope.addHook('preHandler', async (request) => {
        const use = request.routeOptions.config.attempt!;
        const user = requireSession(request).user;
        const id = (request.params as { id: string }).id;
        request.loadedAttempt =
          use.use === 'read' ? timed.readable(user, id) : use.use === 'supervise' ? timed.supervised(user, id) : (use.sittingTime ? timed : untimed).writable(user, id, use.closed);
      });
      routes(scope);
    },
    { prefix: '/api/attempts/:id' },
  );
}
