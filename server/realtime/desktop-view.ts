// The assessor's live mirror of the candidate's desktop, apart from the transport: what a view may
// hold (known tabs, forms and field names only, bounded sizes), who may send one (the candidate of
// the attempt, while it is open) and who may watch it (as the timeline: timeline.ts `watchable`),
// the latest view per attempt kept in memory for a watcher who joins late, and the agent state and
// call as the server itself recorded them (the attempt's server events), which the mirror shows
// beside the view. A view is what the candidate's browser says it shows: it is never stored, never
// put on the timeline and never marking evidence (server/protocol/desktop-view.ts).
import { z } from 'zod';
import type { Repositories } from '../db/repositories/index.js';
import type { SessionUser } from '../protocol/roles.js';
import {
  MAX_VIEW_BYTES,
  MAX_VIEW_FIELD_CHARS,
  VIEW_FORM_NAMES,
  VIEW_FORMS,
  VIEW_RECORD_TABS,
  VIEW_TOOL_TABS,
  type DesktopStatus,
  type DesktopViewRelay,
  type ViewFormName,
} from '../protocol/desktop-view.js';
import { AGENT_STATES, type AgentState } from './agent-state.js';
import { parse, RealtimeFailure } from './timeline.js';

const ATTEMPT_ID = z.string().min(1, 'is empty').max(64, 'is longer than 64 characters');

const formSchema = z
  .object({
    name: z.enum(VIEW_FORM_NAMES as [ViewFormName, ...ViewFormName[]], { errorMap: () => ({ message: `must be one of ${VIEW_FORM_NAMES.join(', ')}` }) }),
    fields: z.record(z.string().max(MAX_VIEW_FIELD_CHARS, `must be at most ${MAX_VIEW_FIELD_CHARS} characters`)),
  })
  .strict()
  .superRefine((form, ctx) => {
    const known: Record<string, string> = VIEW_FORMS[form.name].fields;
    const unknown = Object.keys(form.fields).filter((k) => !Object.hasOwn(known, k));
    if (unknown.length > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['fields', unknown[0]!], message: `is not a field of the ${form.name} form` });
  });

const viewSchema = z
  .object({
    customerId: z.number().int().positive().nullable(),
    recordTab: z.enum(VIEW_RECORD_TABS).nullable(),
    toolTab: z.enum(VIEW_TOOL_TABS),
    form: formSchema.nullable(),
  })
  .strict();

export const viewUpdateSchema = z
  .object({ attemptId: ATTEMPT_ID, view: viewSchema })
  .strict()
  .superRefine((update, ctx) => {
    const bytes = new TextEncoder().encode(JSON.stringify(update.view)).length;
    if (bytes >= MAX_VIEW_BYTES) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['view'], message: `is ${bytes} bytes of JSON; the limit is ${MAX_VIEW_BYTES}` });
  });

export const viewWatchSchema = z.object({ attemptId: ATTEMPT_ID }).strict();

/** Attempts whose latest view is kept; the one updated longest ago makes room (each view is under 8 KB). */
export const MAX_KEPT_VIEWS = 2000;

const STATUS_TYPES = ['agent-state', 'call-started', 'call-answered', 'hold', 'resume', 'call-ended'] as const;

/** The agent state and the call in progress as the attempt's server-recorded events tell them. */
export function desktopStatus(repos: Pick<Repositories, 'attemptEvents'>, attemptId: string): DesktopStatus {
  let agentState: AgentState = 'not-ready';
  let agentSince: number | null = null;
  let call = null as DesktopStatus['call'];
  const heldLegs = new Map<string, { since: number; byCandidate: boolean }>();
  for (const e of repos.attemptEvents.list(attemptId, { types: STATUS_TYPES, source: 'server' })) {
    const p = e.payload;
    switch (e.type) {
      case 'agent-state':
        if (typeof p.to === 'string' && (AGENT_STATES as readonly string[]).includes(p.to)) {
          agentState = p.to as AgentState;
          agentSince = e.at;
        }
        break;
      case 'call-started':
        heldLegs.clear();
        call = { direction: p.direction === 'inbound' || p.direction === 'outbound' ? p.direction : null, answered: false, startedAt: e.at, answeredAt: null, heldSince: null, heldByCandidate: false };
        break;
      case 'call-answered':
        if (call) call = { ...call, answered: true, answeredAt: e.at };
        break;
      case 'hold':
        heldLegs.set(typeof p.leg === 'string' ? p.leg : '', { since: e.at, byCandidate: p.byCandidate === true });
        break;
      case 'resume':
        heldLegs.delete(typeof p.leg === 'string' ? p.leg : '');
        break;
      case 'call-ended':
        call = null;
        heldLegs.clear();
        break;
    }
  }
  if (call) {
    // Held while either side holds; since the earliest hold still in force.
    const holds = [...heldLegs.values()].sort((a, b) => a.since - b.since);
    call = { ...call, heldSince: holds[0]?.since ?? null, heldByCandidate: holds.some((h) => h.byCandidate) };
  }
  return { agentState, agentSince, call, lastSeq: repos.attemptEvents.head(attemptId)?.seq ?? 0 };
}

export class DesktopViewService {
  /** The latest view per attempt, oldest update first (a Map keeps insertion order). */
  private readonly latestViews = new Map<string, DesktopViewRelay>();

  constructor(
    private readonly repos: Repositories,
    private readonly now: () => number,
    private readonly maxKept = MAX_KEPT_VIEWS,
  ) {}

  /** Checks a candidate's view and keeps it as the attempt's latest; the relay to send to its watchers. */
  accept(user: SessionUser, input: unknown): DesktopViewRelay {
    const update = parse(viewUpdateSchema, input, 'desktop view');
    const attempt = this.repos.attempts.findById(update.attemptId);
    // Someone else's attempt and an unknown id look the same.
    if (!attempt || user.role !== 'candidate' || attempt.candidateUserId !== user.id) throw new RealtimeFailure('not_found', 'There is no such attempt.');
    if (attempt.status !== 'open') throw new RealtimeFailure('attempt_closed', 'This attempt is closed; its desktop is no longer shown live.');
    const { customerId } = update.view;
    if (customerId !== null && !this.repos.crm.findCustomer(attempt.id, customerId)) {
      throw new RealtimeFailure('validation', 'view.customerId is not a customer of this attempt.', 'view.customerId');
    }
    const relay: DesktopViewRelay = { attemptId: attempt.id, view: update.view, receivedAt: this.now() };
    this.latestViews.delete(attempt.id);
    this.latestViews.set(attempt.id, relay);
    if (this.latestViews.size > this.maxKept) this.latestViews.delete(this.latestViews.keys().next().value!);
    return relay;
  }

  /** The latest view of an attempt, or null (none since the server started, or the attempt closed). */
  latest(attemptId: string): DesktopViewRelay | null {
    const relay = this.latestViews.get(attemptId);
    if (!relay) return null;
    if (this.repos.attempts.findById(attemptId)?.status !== 'open') {
      this.latestViews.delete(attemptId);
      return null;
    }
    return relay;
  }

  status(attemptId: string): DesktopStatus {
    return desktopStatus(this.repos, attemptId);
  }
}
