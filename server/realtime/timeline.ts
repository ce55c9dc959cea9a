// The desktop timeline's rules, apart from the transport: input validation, who may record and
// who may watch an attempt, which call an action belongs to, and storing it exactly once.
// The browser reports browser-only events only (protocol/timeline.ts BROWSER_EVENT_TYPES), stored
// as 'browser' and bounded per attempt (BrowserEventQuota); every type the server records itself
// is refused here with 'server_recorded' (server/realtime/evidence.ts records those).
import { canSuperviseAttempt } from '../auth/attempt-access.js';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { SessionUser } from '../protocol/roles.js';
import {
  DESKTOP_EVENT_TYPES,
  MAX_EVENT_PAYLOAD_BYTES,
  SERVER_EVENT_TYPES,
  type RealtimeError,
  type TimelineEvent,
} from '../protocol/timeline.js';
import { callFor, toWire } from './evidence.js';

export { toWire };

/** Per-attempt limits on what a candidate's browser may add to the timeline. */
export interface BrowserEventQuota {
  /** Browser-reported events an attempt may hold. */
  events: number;
  /** Their payloads' JSON, in bytes (UTF-8), all together. */
  bytes: number;
}

/** Generous for a real attempt (a busy one reports a few hundred searches and look-ups). */
export const DEFAULT_BROWSER_EVENT_QUOTA: Readonly<BrowserEventQuota> = Object.freeze({ events: 2000, bytes: 2 * 1024 * 1024 });

/** What the browser may not report, in words for the error: the action that the server records instead. */
const RECORDED_BY: Partial<Record<string, string>> = {
  'identity-check': 'identity checks, from the check you make on the customer record',
  'field-changed': 'record changes, from the change you save',
  'note-added': 'notes, from the note you add',
  'order-created': 'orders, from the order you place',
  'case-created': 'cases, from the case you raise',
  'callback-created': 'callbacks and tasks, from the one you book',
  'message-sent': 'messages, from the e-mail or SMS you send',
  'message-filed': 'filing, from the folder you file a message in',
  'auto-reply-set': 'the auto-reply, from the one you switch on or off',
  printout: 'print-outs, from the print-out you make',
  'wrap-up': 'wrap-ups, from the wrap-up you complete',
  'agent-state': 'agent-state changes, from the state you choose',
};

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
  .strict();

/** The refusal of a type the server records itself, before anything else is looked at. */
function refuseServerRecorded(input: unknown): void {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return;
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !(SERVER_EVENT_TYPES as readonly string[]).includes(type)) return;
  const what = RECORDED_BY[type] ?? 'call events, from the call itself';
  throw new RealtimeFailure('server_recorded', `The server records ${what}; the desktop cannot report a "${type}" event.`, 'type');
}

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

const NOT_FOUND = () => new RealtimeFailure('not_found', 'There is no such attempt.');

export class TimelineService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
    private readonly quota: BrowserEventQuota = DEFAULT_BROWSER_EVENT_QUOTA,
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

  /** Validates and stores one browser-reported action of a candidate, exactly once per client id. */
  record(user: SessionUser, input: unknown): { event: TimelineEvent; duplicate: boolean } {
    refuseServerRecorded(input);
    const data = parse(desktopEventSchema, input, 'desktop event');
    const attempt = this.repos.attempts.findById(data.attemptId);
    if (!attempt || user.role !== 'candidate' || attempt.candidateUserId !== user.id) throw NOT_FOUND();
    const stored = this.repos.attemptEvents.findByClientId(attempt.id, data.clientId);
    // A re-sent action is acknowledged again even if the attempt has closed since it was stored.
    if (stored) return { event: toWire(stored), duplicate: true };
    if (attempt.status !== 'open') throw new RealtimeFailure('attempt_closed', 'This attempt is closed; nothing more can be recorded for it.');
    // Handlers run synchronously from here to the append, so the usage read cannot go stale.
    this.checkQuota(attempt, data.payload);
    const at = this.clock.now();
    const call = callFor(this.repos, attempt, at);
    const result = this.repos.attemptEvents.append(attempt.id, data.clientId, {
      at,
      clientAt: data.clientAt,
      callId: call?.id ?? null,
      offsetMs: call ? at - call.answeredAt : null,
      type: data.type,
      payload: data.payload,
      source: 'browser',
    });
    return { event: toWire(result.event), duplicate: result.duplicate };
  }

  private checkQuota(attempt: Attempt, payload: Record<string, unknown>): void {
    const used = this.repos.attemptEvents.browserUsage(attempt.id);
    const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
    if (used.events + 1 > this.quota.events) {
      throw new RealtimeFailure('quota', `This attempt already holds ${used.events} events reported by the desktop, its limit; nothing more can be added to it.`);
    }
    if (used.bytes + bytes > this.quota.bytes) {
      throw new RealtimeFailure('quota', `This attempt's events reported by the desktop already hold ${used.bytes} bytes; adding ${bytes} more would pass its limit of ${this.quota.bytes}.`);
    }
  }
}
