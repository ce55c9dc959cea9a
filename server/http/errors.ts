// One error shape for every API failure: { error: <code>, message: <sentence>, field?: <name> }.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiError } from '../protocol/roles.js';

/** An error a route throws on purpose, with the HTTP status and code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface AjvLikeError {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

function fieldOf(errors: AjvLikeError[] | undefined): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  if (first.params?.missingProperty) return first.params.missingProperty;
  if (first.params?.additionalProperty) return first.params.additionalProperty;
  const path = first.instancePath?.replace(/^\//, '').replace(/\//g, '.');
  return path || undefined;
}

export function registerErrorHandling(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((err: FastifyError & { field?: string }, request, reply) => {
    let status = 500;
    let body: ApiError = { error: 'internal', message: 'Something went wrong on the server; it has been logged.' };
    if (err instanceof HttpError) {
      status = err.statusCode;
      body = { error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
    } else if (err.validation) {
      status = 400;
      const field = fieldOf(err.validation);
      body = { error: 'validation', message: err.message, ...(field ? { field } : {}) };
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      body = { error: 'body_too_large', message: `The request body is larger than the limit of ${bodyLimitBytes} bytes.` };
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      status = 400;
      body = { error: 'invalid_json', message: `The request body is not valid JSON: ${err.message}` };
    } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      status = 400;
      body = { error: 'invalid_json', message: 'The request body is empty but its content type says JSON.' };
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
      body = { error: 'unsupported_media_type', message: 'Send the request body as application/json.' };
    } else if (err.statusCode === 429) {
      status = 429;
      body = { error: 'rate_limited', message: err.message || 'Too many requests; wait a minute and try again.' };
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = { error: err.code?.toLowerCase() ?? 'bad_request', message: err.message };
    }
    if (status >= 500) request.log.error({ err }, 'request failed');
    void reply.status(status).send(body);
  });
}
