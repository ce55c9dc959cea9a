// Request bodies checked with zod, reporting every bad field at once (server/http/field-problems.ts).
// Paths are dotted ('extraTime.percent', 'marks.2.mark'). Routes that use this register inside
// withFieldErrors(), whose error handler adds `fields` to the 400; every other error goes on to
// the app's own handler (server/http/errors.ts) unchanged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { FieldProblems, ValidationFailed } from '../http/field-problems.js';

export { FieldProblems, ValidationFailed };

export function parseInput<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const problems = new FieldProblems();
  for (const issue of r.error.issues) problems.add(issue.path.join('.') || 'body', issue.message);
  problems.throwIfAny();
  throw new Error('unreachable: a failed parse has issues');
}

/** The error handler of a scope whose 400s carry every field problem (`fields`); any other error goes on to the app's handler. */
export function sendFieldErrors(err: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ValidationFailed) {
    return reply.status(400).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), fields: err.fields });
  }
  throw err;
}

/** Registers `routes` in a scope whose 400s carry every field problem. */
export function withFieldErrors(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.setErrorHandler(sendFieldErrors);
    routes(scope);
  });
}
