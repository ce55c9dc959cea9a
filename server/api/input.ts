// The one validation style of the API: a route's params, query and body are zod schemas through the
// zod type provider (`fastify-type-provider-zod`), so a schema and its TypeScript type are written
// once, and a malformed request is refused with every bad field named at once
// (server/http/field-problems.ts): paths are dotted ('extraTime.percent', 'marks.2.mark'), and each
// field a request does not take is named by itself. Routes are declared in a zod scope
// (`registerZodRoutes`, or `useZod` on a plugin of one's own such as the attempt scope), whose error
// handler adds `fields` to the 400; every other error goes on to the app's own handler
// (server/http/errors.ts) unchanged. A response schema there is also what the route sends: a field
// it does not declare is dropped.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import { FieldProblems, ValidationFailed } from '../http/field-problems.js';

export { FieldProblems, ValidationFailed };

/** A scope whose routes' params, query, body and response are zod schemas. */
export type ZodScope = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** Adds each problem of a failed parse at its dotted path; each unexpected field by its own path. */
function addIssues(problems: FieldProblems, issues: readonly ZodIssue[]): void {
  for (const issue of issues) {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      // Named by itself, wherever it is (as the API has always named an unexpected field).
      for (const key of issue.keys) problems.add(key, `${key} is not a field this request takes.`);
    } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
      problems.add(at || 'body', at ? `${at} is required.` : 'The request needs a body.');
    } else {
      problems.add(at || 'body', issue.message);
    }
  }
}

/** A sitting, exercise or attempt id in a path: 36 hexadecimal digits and hyphens (looked up in lower case). */
export const idOf36 = z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be an id of 36 hexadecimal digits and hyphens');
/** The `:id` of a route whose id is a sitting's, an exercise's or an attempt's. */
export const idOf36Params = z.object({ id: idOf36 });
/** A database row number in a path or query string: '1' … '9999999999999'. */
export const rowNumber = z.string().regex(/^[1-9][0-9]{0,12}$/, 'must be a record number');
/** The `:id` of a route whose id is a row number (a user, a centre, an enquiry). */
export const rowNumberParams = z.object({ id: rowNumber });

/** A 400 naming one field: for a check that needs the records, made after the request is known to be well formed. */
export const invalid = (field: string, message: string): ValidationFailed => new ValidationFailed({ [field]: message });

/** Checks a value against a zod schema: its parsed value, or a 400 naming every bad field. */
export function parseInput<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const problems = new FieldProblems();
  addIssues(problems, r.error.issues);
  throw problems.error();
}

/** A zod schema as the validator of a request part (Fastify's validator compiler). */
export function fieldValidator({ schema }: { schema: ZodTypeAny }) {
  return (data: unknown): { value: unknown } | { error: Error } => {
    const result = schema.safeParse(data ?? {});
    if (result.success) return { value: result.data };
    const problems = new FieldProblems();
    addIssues(problems, result.error.issues);
    return { error: problems.error() };
  };
}

/** The error handler of a scope whose 400s carry every field problem (`fields`); any other error goes on to the app's handler. */
export function sendFieldErrors(err: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ValidationFailed) {
    return reply.status(400).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), fields: err.fields });
  }
  throw err;
}

/** Makes `plugin` (an encapsulated scope) a zod scope: zod validation and serialisation, 400s naming every bad field. */
export function useZod(plugin: FastifyInstance): ZodScope {
  const scope = plugin.withTypeProvider<ZodTypeProvider>();
  scope.setValidatorCompiler(fieldValidator);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setErrorHandler(sendFieldErrors);
  return scope;
}

/** Registers `routes` in a zod scope of their own. */
export function registerZodRoutes(app: FastifyInstance, routes: (scope: ZodScope) => void): void {
  void app.register(async (plugin) => {
    routes(useZod(plugin));
  });
}
