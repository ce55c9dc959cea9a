// Server-recorded evidence: the events marking relies on, appended to the attempt's timeline by
// the server, from the action's own data, in the same SQLite transaction as the action (the HTTP
// route that changed the record, or the SIP call event). Nothing here takes the browser's word:
// the candidate's browser reports only browser-only events, through 'desktop:event'
// (timeline.ts), and those are stored as 'browser'.
//
//   record()  appends one event with source 'server' and the call it belongs to, inside the
//             caller's transaction (nested transactions are savepoints), and pushes it to the
//             attempt's live watchers once that transaction has committed.
//   payloads  what each server-recorded type holds, built from the stored rows (protocol/timeline.ts
//             lists the fields). Free text (notes, descriptions, message bodies) stays in the CRM
//             tables, where retention can anonymise it; the timeline holds ids, codes and lengths.
import { randomUUID } from 'node:crypto';
import type { IdentityOutcome } from '../assessment/identity.js';
import type { Clock } from '../clock.js';
import type { AttemptEvent } from '../db/repositories/attempt-events.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Callback, Case, Customer, IdentityCheck, Note, Order, WrapUp } from '../db/repositories/crm.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Printout } from '../db/repositories/printouts.js';
import type { Message } from '../protocol/crm.js';
import type { ServerEventType, TimelineEvent } from '../protocol/timeline.js';

/** The wire form of a stored event (protocol/timeline.ts TimelineEvent). */
export const toWire = (e: AttemptEvent): TimelineEvent => {
  // The stored event less what only the store keeps (its row id and the chain's bookkeeping).
  const { id: _id, sourceInChain: _sourceInChain, prevHash: _prevHash, hash: _hash, ...wire } = e;
  return wire;
};

/**
 * The call an action at `at` belongs to: the candidate's answered call in progress then, or else
 * the most recent call answered since the attempt started. Undefined when there is none.
 */
export function callFor(repos: Pick<Repositories, 'calls'>, attempt: Attempt, at: number): { id: string; answeredAt: number } | undefined {
  const answered = repos.calls
    .list({ userId: attempt.candidateUserId, limit: 50 })
    .filter((c) => c.candidateUserId === attempt.candidateUserId && c.answeredAt !== null && c.answeredAt <= at)
    .sort((a, b) => b.answeredAt! - a.answeredAt!);
  const inProgress = answered.find((c) => (c.endedAt !== null ? c.endedAt >= at : c.state === 'answered'));
  const call = inProgress ?? answered.find((c) => c.answeredAt! >= attempt.createdAt);
  return call && { id: call.id, answeredAt: call.answeredAt! };
}

export interface RecordOptions {
  /** Server time of the action (default: now). */
  at?: number;
  /** A stable id makes the append idempotent (e.g. one entry per call event); default a new one. */
  clientId?: string;
  /** The call the event belongs to, when the action names it (a call event); default callFor(). */
  call?: { id: string; answeredAt: number | null } | null;
}

export class Evidence {
  private readonly listeners: Array<(event: TimelineEvent) => void> = [];

  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  /** Told of every server-recorded event once it is stored for good (the live view pushes it). */
  onStored(listener: (event: TimelineEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Does an action and records its evidence on the attempt's timeline, in ONE transaction: the
   * evidence is built from what the action stored, and neither is kept without the other.
   */
  recorded<T>(attempt: Attempt, act: () => T, evidenceOf: (result: T) => Array<[ServerEventType, Record<string, unknown>]>): T {
    return this.repos.transaction(() => {
      const result = act();
      for (const [type, payload] of evidenceOf(result)) this.record(attempt, type, payload);
      return result;
    });
  }

  /** Appends one server-recorded event (see the top of this file). Call it inside the action's transaction. */
  record(attempt: Pick<Attempt, 'id' | 'candidateUserId' | 'createdAt'> & Partial<Attempt>, type: ServerEventType, payload: Record<string, unknown>, opts: RecordOptions = {}): AttemptEvent {
    const at = opts.at ?? this.clock.now();
    const call = opts.call !== undefined ? opts.call : callFor(this.repos, attempt as Attempt, at);
    const { event, duplicate } = this.repos.attemptEvents.append(attempt.id, opts.clientId ?? `server:${randomUUID()}`, {
      at,
      clientAt: null,
      callId: call?.id ?? null,
      offsetMs: call && call.answeredAt !== null ? at - call.answeredAt : null,
      type,
      payload,
      source: 'server',
    });
    if (!duplicate && this.listeners.length > 0) this.publishWhenCommitted(event);
    return event;
  }

  /**
   * better-sqlite3 transactions are synchronous, so by the next microtask the action's
   * transaction has committed or rolled back; an event rolled back with it is never pushed.
   */
  private publishWhenCommitted(event: AttemptEvent): void {
    queueMicrotask(() => {
      const stored = this.repos.attemptEvents.findByClientId(event.attemptId, event.clientId);
      if (!stored || stored.hash !== event.hash) return;
      const wire = toWire(stored);
      for (const listener of this.listeners) listener(wire);
    });
  }
}

// --- payloads of the server-recorded types ---------------------------------------------------------

/** A shallow copy without the named keys. */
function without<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Omit<T, K> {
  const copy: Partial<T> = { ...o };
  for (const k of keys) delete copy[k];
  return copy as Omit<T, K>;
}

/** A shallow copy of only the named keys, in the order they are named (the payload's key order). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const copy: Partial<Pick<T, K>> = {};
  for (const k of keys) copy[k] = o[k];
  return copy as Pick<T, K>;
}

const who = (c: Pick<Customer, 'id' | 'accountNumber'>) => ({ customerId: c.id, accountNumber: c.accountNumber });
const name = (c: Pick<Customer, 'firstName' | 'lastName' | 'accountNumber'>) => `${c.firstName} ${c.lastName} (${c.accountNumber})`;

export const evidencePayload = {
  identityCheck(customer: Customer, check: IdentityCheck, outcome: IdentityOutcome): Record<string, unknown> {
    return {
      ...who(customer),
      checkId: check.id,
      ...pick(outcome, ['passed', 'required', 'asked', 'correct']),
      // Which questions were asked and whether each was right; the answers given stay in the CRM copy.
      questions: check.results.map((r) => ({ questionId: r.questionId, question: r.question, asked: r.given.trim() !== '', correct: r.correct })),
      summary: `${name(customer)}: ${outcome.summary}`,
    };
  },
  fieldChanged(customer: Customer, change: { field: string; old: unknown; new: unknown }, version: number): Record<string, unknown> {
    return { ...who(customer), field: change.field, old: change.old ?? null, new: change.new ?? null, version };
  },
  note(customer: Customer, note: Note): Record<string, unknown> {
    return { ...who(customer), noteId: note.id, length: note.body.length };
  },
  order(customer: Customer, order: Order): Record<string, unknown> {
    return {
      ...who(customer),
      orderId: order.id,
      ...pick(order, ['reference', 'status', 'totalPence', 'monthlyPence', 'oneOffPence']),
      lines: order.lines.map((l) => ({ productCode: l.productCode, quantity: l.quantity, unitPricePence: l.unitPricePence, saleType: l.saleType })),
    };
  },
  caseCreated(customer: Customer, created: Case): Record<string, unknown> {
    // Every field of the case as stored, but the description (free text) only by its length.
    return { ...who(customer), caseId: created.id, ...without(created, ['id', 'customerId', 'origin', 'createdAt', 'description']), descriptionLength: created.description.length };
  },
  callback(customer: Customer, callback: Callback): Record<string, unknown> {
    return {
      ...who(customer),
      callbackId: callback.id,
      ...without(callback, ['id', 'customerId', 'origin', 'createdAt', 'reason', 'phone']),
      hasPhone: callback.phone !== null,
      reasonLength: callback.reason.length,
    };
  },
  message(message: Message, customer: Customer | undefined): Record<string, unknown> {
    return {
      ...(customer ? who(customer) : { customerId: message.customerId }),
      messageId: message.id,
      ...pick(message, ['channel', 'to', 'cc', 'subject', 'templateKey']),
      attachments: message.attachments.map((a) => (a.kind === 'document' ? { kind: a.kind, key: a.key, name: a.name } : { kind: a.kind, orderId: a.orderId, name: a.name })),
      bodyLength: message.body.length,
      // A reply names the incoming message it answers (U2-7.2-process-received reads it).
      inReplyTo: message.inReplyTo,
    };
  },
  wrapUp(wrapUp: WrapUp, customer: Customer | undefined): Record<string, unknown> {
    return {
      ...(customer ? who(customer) : { customerId: wrapUp.customerId }),
      wrapUpId: wrapUp.id,
      ...pick(wrapUp, ['code', 'callId']),
      notesLength: wrapUp.notes.length,
    };
  },
  printout(p: Printout): Record<string, unknown> {
    return { printoutId: p.id, kind: p.kind, subjectId: p.subjectId, title: p.title, label: p.title, sha256: p.sha256, bytes: p.bytes, pages: p.pages };
  },
  agentState(from: string, to: string): Record<string, unknown> {
    return { from, to };
  },
  messageFiled(message: Message): Record<string, unknown> {
    return { messageId: message.id, customerId: message.customerId, folder: message.folder, filedAt: message.filedAt };
  },
  autoReply(reply: { enabled: boolean; body: string | null }): Record<string, unknown> {
    return { enabled: reply.enabled, bodyLength: reply.body?.length ?? 0 };
  },
};
