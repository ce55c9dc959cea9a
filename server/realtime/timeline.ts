// The desktop timeline's rules, apart from the transport: input validation, who may record and
// who may watch an attempt, which call an action belongs to, and storing it exactly once.
import { canSuperviseAttempt } from '../auth/attempt-access.js';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { AttemptEvent } from '../db/repositories/attempt-events.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { SessionUser } from '../protocol/roles.js';
import {
  DESKTOP_EVENT_TYPES,
  MAX_EVENT_PAYLOAD_BYTES,
  type DesktopEventInput,
  type RealtimeError,
  type TimelineEvent,
  type WatchRequest,
} from '../protocol/timeline.js';

const MAX_PAYLOAD_DEPTH = 20;
const ATTEMPT_ID = z.string().min(1, 'is empty').max(64, 'is longer than 64 characters');

/** Why a value is not plain JSON (a nested object or array at most MAX_PAYLOAD_DEPTH deep), or undefined. */
function jsonProblem(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'holds a number that is not finite';
      continue;
    }
    if (typeof value !== 'object') return `holds a ${typeof value}, which is not JSON`;
    if (depth >= MAX_PAYLOAD_DEPTH) return `is nested more than ${MAX_PAYLOAD_DEPTH} levels deep`;
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return 'holds binary data or an object that is not plain JSON';
    for (const v of Object.values(value)) stack.push({ value: v, depth: depth + 1 });
  }
  return undefined;
}

const payloadSchema = z
  .record(z.unknown(), { invalid_type_error: 'must be a JSON object' })
  .superRefine((value, ctx) => {
    const problem = jsonProblem(value);
    if (problem) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
    if (bytes >= MAX_EVENT_PAYLOAD_BYTES) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is ${bytes} bytes of JSON; the limit is ${MAX_EVENT_PAYLOAD_BYTES}` });
  });

export const desktopEventSchema = z
  .object({
    clientId: z.string({ required_error: 'is required' }).uuid('must be a UUID'),
    attemptId: ATTEMPT_ID,
    type: z.enum(DESKTOP_EVENT_TYPES, { errorMap: () => ({ message: `must be one of ${DESKTOP_EVENT_TYPES.join(', ')}` }) }),
    payload: payloadSchema,
    clientAt: z.number({ required_error: 'is required', invalid_type_error: 'must be a number (ms since the epoch)' }).int('must be whole milliseconds').nonnegative(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.type === 'field-changed' && (typeof value.payload.field !== 'string' || value.payload.field === '')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['payload', 'field'], message: 'names the field that changed (a non-empty string)' });
    }
  });

export const watchSchema = z
  .object({ attemptId: ATTEMPT_ID, afterSeq: z.number().int().nonnegative().optional() })
  .strict();

export class RealtimeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toAck(): RealtimeError {
    return { ok: false, error: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

/** Parses input with a schema, or throws a validation failure naming the first bad field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new RealtimeFailure('validation', `The ${what} must be an object.`);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    throw new RealtimeFailure('validation', `The ${what} has unknown field(s): ${issue.keys.join(', ')}.`, issue.keys[0]);
  }
  throw new RealtimeFailure('validation', field ? `${field} ${issue.message}.` : `The ${what} ${issue.message}.`, field || undefined);
}

export const toWire = (e: AttemptEvent): TimelineEvent => ({
  attemptId: e.attemptId,
  seq: e.seq,
  clientId: e.clientId,
  at: e.at,
  clientAt: e.clientAt,
  callId: e.callId,
  offsetMs: e.offsetMs,
  type: e.type,
  payload: e.payload,
});

const NOT_FOUND = () => new RealtimeFailure('not_found', 'There is no such attempt.');

export class TimelineService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  /** The attempt if this user may watch its timeline (its centre's assessor, a moderator, an admin). */
  watchable(user: SessionUser, attemptId: string): Attempt {
    const attempt = this.repos.attempts.findById(attemptId);
    // An unknown id and someone else's attempt look the same, so ids cannot be probed.
    if (!attempt || !canSuperviseAttempt(user, attempt)) throw NOT_FOUND();
    return attempt;
  }

  events(attemptId: string, afterSeq = 0, limit?: number): TimelineEvent[] {
    return this.repos.attemptEvents.list(attemptId, { afterSeq, limit }).map(toWire);
  }

  /**
   * The call an action at `at` belongs to: the candidate's answered call in progress then, or else
   * the most recent call answered since the attempt started. Undefined when there is none.
   */
  callFor(attempt: Attempt, at: number): { id: string; answeredAt: number } | undefined {
    const answered = this.repos.calls
      .list({ userId: attempt.candidateUserId, limit: 50 })
      .filter((c) => c.candidateUserId === attempt.candidateUserId && c.answeredAt !== null && c.answeredAt <= at)
      .sort((a, b) => b.answeredAt! - a.answeredAt!);
    const inProgress = answered.find((c) => (c.endedAt !== null ? c.endedAt >= at : c.state === 'answered'));
    const call = inProgress ?? answered.find((c) => c.answeredAt! >= attempt.createdAt);
    return call && { id: call.id, answeredAt: call.answeredAt! };
  }

  /** Validates and stores one desktop action of a candidate, exactly once per client id. */
  record(user: SessionUser, input: unknown): { event: TimelineEvent; duplicate: boolean } {
    const data = parse(desktopEventSchema, input, 'desktop event');
    const attempt = this.repos.attempts.findById(data.attemptId);
    if (!attempt || user.role !== 'candidate' || attempt.candidateUserId !== user.id) throw NOT_FOUND();
    const stored = this.repos.attemptEvents.findByClientId(attempt.id, data.clientId);
    // A re-sent action is acknowledged again even if the attempt has closed since it was stored.
    if (stored) return { event: toWire(stored), duplicate: true };
    if (attempt.status !== 'open') throw new RealtimeFailure('attempt_closed', 'This attempt is closed; nothing more can be recorded for it.');
    const at = this.clock.now();
    const call = this.callFor(attempt, at);
    const result = this.repos.attemptEvents.append(attempt.id, data.clientId, {
      at,
      clientAt: data.clientAt,
      callId: call?.id ?? null,
      offsetMs: call ? at - call.answeredAt : null,
      type: data.type,
      payload: data.payload,
    });
    return { event: toWire(result.event), duplicate: result.duplicate };
  }
}
