// A file the server stored (a print-out PDF, a call recording), sent with byte ranges by
// @fastify/send: one place for how send's outcomes become answers, so every stored file answers alike.
import type { Readable } from 'node:stream';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/**
 * Opens `relative` (a URL path) under `root` for the request's byte range, puts send's status (200
 * or 206) and headers (length, range, ETag, Last-Modified) on the reply, and returns the body, to
 * send once the caller has added its own headers. A range outside the file is refused 416 with the
 * file's Content-Range: RFC 9110 §15.5.17, https://www.rfc-editor.org/rfc/rfc9110#section-15.5.17,
 * "the sender SHOULD generate a Content-Range header field specifying the current length of the
 * selected representation". A file that is gone is 404, any other failure 500; `what` names the
 * file in those messages, and `none` is the 404 for a path that is not a file.
 */
export async function openStoredFile(request: FastifyRequest, reply: FastifyReply, file: { root: string; relative: string }, words: { what: string; none: string }): Promise<Readable> {
  const result = await send(request.raw, file.relative, { root: file.root, acceptRanges: true, cacheControl: false, dotfiles: 'deny', index: false });
  if (result.type === 'error') {
    if (result.statusCode === 416) {
      for (const [name, value] of Object.entries(result.headers)) if (value !== undefined && name.toLowerCase() === 'content-range') reply.header(name, value);
      throw new HttpError(416, 'range_not_satisfiable', `The requested byte range is outside the ${words.what}.`);
    }
    if (result.statusCode === 404) throw new HttpError(404, 'not_found', `The ${words.what} file is missing.`);
    throw new HttpError(500, 'internal', `The ${words.what} could not be read.`);
  }
  if (result.type !== 'file') throw new HttpError(404, 'not_found', words.none);
  reply.status(result.statusCode);
  for (const [name, value] of Object.entries(result.headers)) if (value !== undefined) reply.header(name, value);
  return result.stream;
}
