// How deeply a JSON request body may nest. Code that walks a value recursively (canonicalJson for
// hashes, validators, the scenario editor) would overflow the stack on a body such as 10 000 nested
// arrays, a few kilobytes long; no request of this API needs more than a handful of levels. The
// limit is applied where JSON enters: every application/json body (app.ts) and JSON sent as text
// (the scenario editor).
import { HttpError } from './errors.js';

export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value (a scalar is 0), walked without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const here = depth + 1;
    deepest = Math.max(deepest, here);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, here]);
  }
  return deepest;
}

export const tooDeep = (): HttpError =>
  new HttpError(400, 'too_deep', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep; no request needs that.`);

/** Throws the 400 when a parsed body nests deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(value: unknown): void {
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw tooDeep();
}
