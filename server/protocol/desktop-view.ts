// Wire types of the assessor's live mirror of the candidate's desktop (socket.io on /socket.io).
//
// Candidate → server    'desktop-view:update'  DesktopViewUpdate, ack DesktopViewAck
// Watcher   → server    'desktop-view:watch'   { attemptId }, ack DesktopViewWatchAck (the latest view, if any)
// Watcher   → server    'desktop-view:unwatch' { attemptId }
// Server    → watchers  'desktop-view:changed' DesktopViewRelay (room desktop-view:<attemptId>)
// Server    → watchers  'desktop-view:status'  DesktopStatusRelay (agent state and call, from the server's own records)
//
// What the view says is what the candidate's BROWSER says it shows: it is never marking evidence,
// never stored (the server keeps the latest one per attempt in memory, for a watcher who joins late)
// and is shown as "what the candidate sees now". The agent state and the call with its hold come
// from what the server recorded itself (the attempt's server events), never from the view.

import { CUSTOMER_FIELD_WORDS } from './words.js';

/** The tabs of the customer record, as the desktop shows them. */
export const VIEW_RECORD_TABS = ['identity', 'details', 'notes', 'callbacks', 'cases', 'orders'] as const;
export type ViewRecordTab = (typeof VIEW_RECORD_TABS)[number];

/** The tabs of the messages and knowledge panel. */
export const VIEW_TOOL_TABS = ['inbox', 'compose', 'knowledge'] as const;
export type ViewToolTab = (typeof VIEW_TOOL_TABS)[number];

/** The most lines an order form has (OrderForm allows 20). */
export const VIEW_ORDER_LINES = 20;
/** The most security questions a record has whose answers are mirrored. */
export const VIEW_IDENTITY_ANSWERS = 5;

const orderLineFields = (): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (let n = 1; n <= VIEW_ORDER_LINES; n += 1) {
    fields[`line${n}Product`] = `Product, line ${n}`;
    fields[`line${n}Quantity`] = `Quantity, line ${n}`;
    fields[`line${n}SaleType`] = `Sale type, line ${n}`;
  }
  return fields;
};
const identityFields = (): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (let n = 1; n <= VIEW_IDENTITY_ANSWERS; n += 1) fields[`answer${n}`] = `Answer to question ${n}`;
  return fields;
};

/**
 * The forms of the customer record whose fields are mirrored as they are typed (before they are
 * sent), each with its known field names and what the desktop calls each field. A view naming any
 * other form or field is refused.
 */
export const VIEW_FORMS = {
  identity: { title: 'Security questions', fields: identityFields() },
  details: { title: 'Editing details', fields: CUSTOMER_FIELD_WORDS },
  note: { title: 'New note', fields: { body: 'Note' } },
  callback: { title: 'New callback or task', fields: { kind: 'Callback or task', dueAt: 'Due', priority: 'Priority', phone: 'Phone', reason: 'Reason' } },
  case: { title: 'New case', fields: { type: 'Type', category: 'Category', priority: 'Priority', credit: 'Goodwill credit (£)', description: 'Description', escalated: 'Escalate to a team leader' } },
  order: { title: 'New order', fields: orderLineFields() },
} as const satisfies Record<string, { title: string; fields: Record<string, string> }>;
export type ViewFormName = keyof typeof VIEW_FORMS;
export const VIEW_FORM_NAMES = Object.keys(VIEW_FORMS) as ViewFormName[];

/** A field's value as the desktop shows it (a choice in words, "Yes"/"No" for a tick box). */
export const MAX_VIEW_FIELD_CHARS = 2000;
/** The JSON text of a whole view must be shorter than this many bytes (UTF-8). */
export const MAX_VIEW_BYTES = 8 * 1024;
/** The desktop sends at most this many views a second (the server's socket rate limit applies too). */
export const VIEW_UPDATES_PER_SECOND = 10;

/** What the candidate's desktop shows now, as its browser reports it. */
export interface DesktopView {
  /** The customer record open (its id in the attempt's CRM), or null. */
  customerId: number | null;
  /** The record's tab in front (null without a record). */
  recordTab: ViewRecordTab | null;
  toolTab: ViewToolTab;
  /** The form last worked in on the record, with its fields as they stand, or null. */
  form: { name: ViewFormName; fields: Record<string, string> } | null;
}

export interface DesktopViewUpdate {
  attemptId: string;
  view: DesktopView;
}

/** A view as relayed to watchers: the server's time it arrived. */
export interface DesktopViewRelay {
  attemptId: string;
  view: DesktopView;
  receivedAt: number;
}

/** The candidate's agent state on the desktop (Ready, Not ready, On call, Wrap-up), as the server records it. */
export const AGENT_STATES = ['ready', 'not-ready', 'on-call', 'wrap-up'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** The agent state as the server recorded it last (GET /api/attempts/:id/agent-state; since is null before any was set). */
export interface AgentStateResponse {
  state: AgentState;
  since: number | null;
}

/** An agent state set (POST /api/attempts/:id/agent-state): the state now, the one before, and whether it changed. */
export interface AgentStateChangeResponse {
  state: AgentState;
  from: AgentState;
  changed: boolean;
}

/** The agent state and call as the server recorded them (times are the server's, ms since the epoch). */
export interface DesktopStatus {
  agentState: AgentState;
  /** When the agent state was set (null: never set, the initial Not ready). */
  agentSince: number | null;
  call: {
    direction: 'inbound' | 'outbound' | null;
    /** Ringing until answered. */
    answered: boolean;
    startedAt: number;
    answeredAt: number | null;
    /** Held by either side since then, or null. */
    heldSince: number | null;
    heldByCandidate: boolean;
  } | null;
  /** The seq of the attempt's last timeline event (a watcher reads the open record again when it moves). */
  lastSeq: number;
}

export interface DesktopStatusRelay {
  attemptId: string;
  status: DesktopStatus;
}

export type DesktopViewAck = { ok: true } | { ok: false; error: string; message: string; field?: string };
export type DesktopViewWatchAck = { ok: true; latest: DesktopViewRelay | null; status: DesktopStatus } | { ok: false; error: string; message: string };
