// Wire types of the realtime desktop timeline (socket.io on /socket.io), shared with the client.
//
// Candidate → server   'desktop:event'  DesktopEventInput, ack DesktopEventAck
// Watcher   → server   'timeline:watch' { attemptId, afterSeq? }, ack WatchAck
// Server    → watchers 'timeline:event' TimelineEvent (room attempt:<id>, each stored event once)
//
// Connections authenticate with the session cookie; without a live session the handshake fails
// with connect_error message 'unauthenticated'.

export const REALTIME_PATH = '/socket.io';

/**
 * Who put an event on the attempt's timeline. Marking evidence is what the SERVER saw happen: it
 * records identity checks, record edits, notes, cases, orders, callbacks, messages, print-outs,
 * wrap-ups and agent-state changes from the HTTP route that performed them, and call events from
 * the SIP call itself, in the same transaction as the action. The candidate's browser may report
 * only what happens in the browser (a search typed, a record or tab opened, a screen pop shown):
 * such events are 'browser', labelled "reported by the candidate's browser" wherever they are
 * shown, and never earn a mark.
 */
export type EventSource = 'server' | 'browser';

/** The only types 'desktop:event' accepts; stored with source 'browser'. */
export const BROWSER_EVENT_TYPES = ['screen-pop', 'search', 'record-opened', 'tab-opened'] as const;

/**
 * Types the server records itself (source 'server'); 'desktop:event' refuses every one of them
 * with the error 'server_recorded'. Call events come from the B2BUA's call timeline
 * (server/realtime/call-evidence.ts); 'recording-finalised' chains the recording's hash.
 */
export const SERVER_EVENT_TYPES = [
  'identity-check',
  'field-changed',
  'note-added',
  'order-created',
  'case-created',
  'callback-created',
  'message-sent',
  'message-filed',
  'auto-reply-set',
  'printout',
  'wrap-up',
  'agent-state',
  'call-started',
  'call-answered',
  'hold',
  'resume',
  'transfer',
  'conference',
  'call-ended',
  'recording-finalised',
] as const;
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

/** What the desktop may send over 'desktop:event': browser-only types. */
export const DESKTOP_EVENT_TYPES = BROWSER_EVENT_TYPES;
export type DesktopEventType = (typeof DESKTOP_EVENT_TYPES)[number];

/** The JSON text of a payload must be shorter than this many bytes (UTF-8). */
export const MAX_EVENT_PAYLOAD_BYTES = 16 * 1024;

/**
 * Payload fields. Browser-reported (as the desktop sends them):
 *   screen-pop { number?, resultCount?, customerIds? }   search { query, resultCount }
 *   record-opened { recordType?, recordId?, customerId?, accountNumber?, label? }   tab-opened { tab }
 * Server-recorded (server/realtime/evidence.ts builds them from the action's own data; `summary`
 * is a one-line description in words):
 *   identity-check { checkId, customerId, accountNumber, passed, required, asked, correct,
 *                    questions: [{ questionId, question, asked, correct }], summary }
 *   field-changed { customerId, accountNumber, field, old, new, version }
 *   note-added { noteId, customerId, accountNumber, length }
 *   order-created / case-created / callback-created { customerId, accountNumber, the record's fields }
 *   message-sent { messageId, customerId, channel, to, cc, subject, templateKey, attachments }
 *   message-filed { messageId, customerId, folder, filedAt }   auto-reply-set { enabled, bodyLength }
 *   printout { printoutId, kind, subjectId, title, sha256, pages }
 *   wrap-up { wrapUpId, code, customerId, callId, notesLength }   agent-state { from, to }
 *   call-started { callEventId, direction, from, to, dialledNumber? }   call-answered / call-ended
 *   hold / resume { callEventId, leg, byCandidate }
 *   transfer { callEventId, target, targetName, outcome: 'transferred' | 'failed', status? }
 *   conference { callEventId, target?, targetName, outcome: 'joined' | 'failed', parties?, status? }
 *   (target: the extension named, never shown; targetName: the directory's name, null when unknown)
 */
export type DesktopEventPayload = Record<string, unknown>;

export interface DesktopEventInput {
  /** A UUID the desktop gives the action once; re-sending it never stores it twice. */
  clientId: string;
  attemptId: string;
  type: DesktopEventType;
  payload: DesktopEventPayload;
  /** The desktop's clock (ms since the epoch) when the action was made. */
  clientAt: number;
}

export interface TimelineEvent {
  attemptId: string;
  /** 1, 2, 3… per attempt, in the order the server stored the actions. */
  seq: number;
  clientId: string;
  /** Server time the action was stored (ms since the epoch). */
  at: number;
  clientAt: number | null;
  /** The call the action belongs to, and its offset from that call's answer; null without a call. */
  callId: string | null;
  offsetMs: number | null;
  type: string;
  payload: DesktopEventPayload;
  /** Who recorded it: the server, or the candidate's browser (see EventSource). */
  source: EventSource;
}

export interface RealtimeError {
  ok: false;
  /**
   * validation | server_recorded (a type the server records itself) | quota (the attempt's
   * browser-reported events are at their limit) | not_found | attempt_closed | unauthenticated |
   * rate_limited | internal
   */
  error: string;
  message: string;
  field?: string;
}

export type DesktopEventAck = { ok: true; seq: number; duplicate: boolean } | RealtimeError;

export interface WatchRequest {
  attemptId: string;
  /** Only events after this seq (a watcher that reconnects asks for what it missed). */
  afterSeq?: number;
}

export type WatchAck = { ok: true; events: TimelineEvent[] } | RealtimeError;

/** GET /api/attempts/:id/timeline?afterSeq=&limit= (default limit 1000, at most 5000). */
export interface TimelineResponse {
  events: TimelineEvent[];
  /** Present when there are more events: ask again with afterSeq = this. */
  nextAfterSeq?: number;
}

export const TIMELINE_PAGE_DEFAULT = 1000;
export const TIMELINE_PAGE_MAX = 5000;

/** Ack errors after which re-sending the same action can never succeed. */
export const PERMANENT_EVENT_ERRORS: readonly string[] = ['validation', 'server_recorded', 'quota', 'not_found', 'attempt_closed'];
