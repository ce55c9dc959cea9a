// Wire types of the realtime desktop timeline (socket.io on /socket.io), shared with the client.
//
// Candidate → server   'desktop:event'  DesktopEventInput, ack DesktopEventAck
// Watcher   → server   'timeline:watch' { attemptId, afterSeq? }, ack WatchAck
// Server    → watchers 'timeline:event' TimelineEvent (room attempt:<id>, each stored event once)
//
// Connections authenticate with the session cookie; without a live session the handshake fails
// with connect_error message 'unauthenticated'.

export const REALTIME_PATH = '/socket.io';

export const DESKTOP_EVENT_TYPES = [
  'screen-pop',
  'search',
  'record-opened',
  'identity-check',
  'field-changed',
  'note-added',
  'order-created',
  'case-created',
  'callback-created',
  'hold',
  'resume',
  'transfer',
  'conference',
  'message-sent',
  'printout',
  'wrap-up',
  'agent-state',
] as const;
export type DesktopEventType = (typeof DESKTOP_EVENT_TYPES)[number];

/** The JSON text of a payload must be shorter than this many bytes (UTF-8). */
export const MAX_EVENT_PAYLOAD_BYTES = 16 * 1024;

/**
 * Conventional payload fields (only field-changed's `field` is required; the assessor's view
 * summarises with the others when present):
 *   screen-pop { callerNumber?, matches? }   search { query, resultCount }
 *   record-opened { recordType?, recordId?, label? }   identity-check { passed, method? }
 *   field-changed { record?, field, old, new }   *-created { id?, label?, summary? }
 *   message-sent { channel, to }   printout { label? }   wrap-up { outcome, notes? }
 *   agent-state { state }   transfer { target, kind: 'blind', outcome: 'transferred' | 'failed', status? }
 *   conference { target, kind: 'conference', outcome: 'joined' | 'failed', parties?, status? }
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
}

export interface RealtimeError {
  ok: false;
  /** validation | not_found | attempt_closed | unauthenticated | rate_limited | internal */
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
export const PERMANENT_EVENT_ERRORS: readonly string[] = ['validation', 'not_found', 'attempt_closed'];
