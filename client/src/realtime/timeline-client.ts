// The desktop's side of the timeline: every action gets a UUID client id and the desktop's time,
// goes into an outbox kept in localStorage (so it survives a reload or a crash), and is sent over
// socket.io one at a time, in order. An action leaves the outbox only when the server has
// acknowledged it; after a reconnect (or a reload) the outbox is sent again from the start, and the
// server stores each client id once, so nothing is lost and nothing is stored twice.
//
// Runs in the browser and in Node (tests): the storage and the socket factory can be injected.
import { stayConnected } from './stay-connected.js';
import { io, type Socket } from 'socket.io-client';
import {
  PERMANENT_EVENT_ERRORS,
  REALTIME_PATH,
  type DesktopEventAck,
  type DesktopEventInput,
  type DesktopEventPayload,
  type DesktopEventType,
} from '../../../server/protocol/timeline.js';

/** The part of the Web Storage API the outbox uses (window.localStorage in the browser). */
export interface OutboxStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface RejectedAction {
  action: DesktopEventInput;
  error: string;
  message: string;
  field?: string;
}

export interface TimelineState {
  /** The socket is connected and authenticated. */
  online: boolean;
  /** Actions recorded but not yet acknowledged by the server. */
  pending: number;
  /** Actions the server refused for good (invalid, unknown or closed attempt); they are not re-sent. */
  rejected: readonly RejectedAction[];
  /** The last connection or storage problem, for the user (e.g. 'unauthenticated'). */
  problem: string | undefined;
}

export interface TimelineClientOptions {
  attemptId: string;
  /** Where the outbox lives; window.localStorage by default. */
  storage?: OutboxStorage;
  /** Makes the (not yet connected or auto-connecting) socket.io socket; same-origin by default. */
  connect?: () => Socket;
  now?: () => number;
  /** How long to wait for an acknowledgement before sending the same action again. */
  ackTimeoutMs?: number;
  /** Pause before re-sending after a transient refusal (rate limit, server error). */
  retryDelayMs?: number;
}

export const outboxKey = (attemptId: string): string => `callmark.timeline.outbox.${attemptId}`;

/** A version-4 UUID, also where crypto.randomUUID is missing (pages not in a secure context). */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const defaultConnect = (): Socket => io({ path: REALTIME_PATH, withCredentials: true });

export class TimelineClient {
  readonly attemptId: string;
  private readonly storage: OutboxStorage | undefined;
  private readonly now: () => number;
  private readonly ackTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly socket: Socket;
  private outbox: DesktopEventInput[];
  /** The send awaiting its acknowledgement; a stale answer (other token) is ignored. */
  private inFlight: { clientId: string; token: number } | undefined;
  private token = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private state: TimelineState;
  private readonly listeners = new Set<(state: TimelineState) => void>();
  private closed = false;
  /** Client ids this page saw acknowledged or refused for good: the only ones it may drop from storage. */
  private readonly settled = new Set<string>();

  private readonly stopStayingConnected: () => void;
  constructor(opts: TimelineClientOptions) {
    this.attemptId = opts.attemptId;
    this.storage = opts.storage ?? (typeof localStorage === 'undefined' ? undefined : localStorage);
    this.now = opts.now ?? Date.now;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.outbox = this.load();
    this.state = { online: false, pending: this.outbox.length, rejected: [], problem: undefined };
    this.socket = (opts.connect ?? defaultConnect)();
    this.socket.on('connect', this.onConnect);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('connect_error', this.onConnectError);
    this.stopStayingConnected = stayConnected(this.socket);
    if (this.socket.connected) this.onConnect();
    else if (!this.socket.active) this.socket.connect();
  }

  /** Records one desktop action; it is sent now or, when offline, as soon as the socket is back. */
  record(type: DesktopEventType, payload: DesktopEventPayload = {}): DesktopEventInput {
    if (this.closed) throw new Error('this timeline client is closed');
    const action: DesktopEventInput = { clientId: newClientId(), attemptId: this.attemptId, type, payload, clientAt: this.now() };
    this.outbox.push(action);
    this.save();
    this.update({ pending: this.outbox.length });
    this.pump();
    return action;
  }

  getState = (): TimelineState => this.state;

  /** Calls listener on every change of state; returns the function that stops it. */
  subscribe = (listener: (state: TimelineState) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Resolves when every recorded action has been acknowledged (or refused for good). */
  drained(): Promise<void> {
    if (this.outbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.subscribe((s) => {
        if (s.pending === 0) {
          stop();
          resolve();
        }
      });
    });
  }

  /** The actions still waiting for the server, oldest first. */
  pendingActions(): readonly DesktopEventInput[] {
    return [...this.outbox];
  }

  /** Connects again after the server refused the connection (e.g. once the user has logged in again). */
  reconnect(): void {
    if (!this.closed && !this.socket.connected) this.socket.connect();
  }

  /** Disconnects; the outbox stays in storage for the next client of this attempt. */
  close(): void {
    this.closed = true;
    this.stopStayingConnected();
    clearTimeout(this.retryTimer);
    this.socket.off('connect', this.onConnect);
    this.socket.off('disconnect', this.onDisconnect);
    this.socket.off('connect_error', this.onConnectError);
    this.socket.disconnect();
    this.update({ online: false });
  }

  private readonly onConnect = (): void => {
    this.inFlight = undefined;
    this.update({ online: true, problem: undefined });
    this.pump();
  };

  private readonly onDisconnect = (): void => {
    // Whatever was in flight may or may not have been stored: it is sent again on reconnect.
    this.inFlight = undefined;
    clearTimeout(this.retryTimer);
    this.update({ online: false });
  };

  private readonly onConnectError = (err: Error): void => {
    this.update({ online: false, problem: err.message || 'connection failed' });
  };

  /** Sends the oldest unacknowledged action, if connected and nothing is in flight. */
  private pump(): void {
    if (this.closed || this.inFlight || !this.socket.connected) return;
    const action = this.outbox[0];
    if (!action) return;
    const token = ++this.token;
    this.inFlight = { clientId: action.clientId, token };
    this.socket.timeout(this.ackTimeoutMs).emit('desktop:event', action, (err: Error | null, ack?: DesktopEventAck) => {
      if (this.inFlight?.token !== token) return;
      this.inFlight = undefined;
      if (err || !ack) {
        // No answer in time: send the same action again (the server stores it once).
        this.pump();
        return;
      }
      if (ack.ok) {
        if (this.state.problem === 'rate_limited' || this.state.problem === 'internal') this.update({ problem: undefined });
        this.remove(action.clientId);
        this.pump();
        return;
      }
      if (PERMANENT_EVENT_ERRORS.includes(ack.error)) {
        this.remove(action.clientId);
        this.update({ rejected: [...this.state.rejected, { action, error: ack.error, message: ack.message, ...(ack.field ? { field: ack.field } : {}) }] });
        this.pump();
        return;
      }
      // Transient (rate limit, server error, session ended): keep it first in line and try again.
      this.update({ problem: ack.error });
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pump(), this.retryDelayMs);
    });
  }

  private remove(clientId: string): void {
    this.settled.add(clientId);
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((a) => a.clientId !== clientId);
    if (this.outbox.length === before) return;
    this.save();
    this.update({ pending: this.outbox.length });
  }

  private load(): DesktopEventInput[] {
    try {
      const text = this.storage?.getItem(outboxKey(this.attemptId));
      const list = text ? (JSON.parse(text) as unknown) : [];
      return Array.isArray(list) ? (list as DesktopEventInput[]).filter((a) => a && typeof a.clientId === 'string' && a.attemptId === this.attemptId) : [];
    } catch {
      return [];
    }
  }

  /**
   * The stored outbox is shared by every tab of the attempt: it holds the union of their pending
   * actions. A tab writes back what is stored plus its own, less only what it saw settled, so one tab
   * never erases another's queue; whatever a closed tab left is sent by the next page that loads.
   */
  private save(): void {
    try {
      const key = outboxKey(this.attemptId);
      const mine = new Set(this.outbox.map((a) => a.clientId));
      const others = this.load().filter((a) => !mine.has(a.clientId) && !this.settled.has(a.clientId));
      const union = [...others, ...this.outbox];
      if (union.length === 0) this.storage?.removeItem(key);
      else this.storage?.setItem(key, JSON.stringify(union));
    } catch {
      // Storage full or blocked: the outbox still works for this page, but would not survive a reload.
      this.update({ problem: 'storage' });
    }
  }

  private update(patch: Partial<TimelineState>): void {
    const next = { ...this.state, ...patch };
    const keys = Object.keys(patch) as Array<keyof TimelineState>;
    if (keys.every((k) => next[k] === this.state[k])) return;
    this.state = next;
    for (const l of [...this.listeners]) l(next);
  }
}
