// What the parts of the B2BUA share: its options, the SIP server, the call registry and the steps
// every part takes on a call (sending on a leg, answering the caller, storing an event, ending).
// B2bua (b2bua.ts) implements it; call-setup.ts, reinvite.ts, session-refresh.ts, transfer.ts,
// reliable-provisional.ts and call-recording.ts are given it, so none of them imports another.
import type { FastifyBaseLogger } from 'fastify';
import type { MediaWorkerPool } from '../../media/index.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { User } from '../db/repositories/users.js';
import type { Call } from './call.js';
import type { CallPolicy } from './call-policy.js';
import type { OfferGate, OfferQueue } from './offer-queue.js';
import type { SipConnection } from './connection.js';
import type { DialogLeg, LegRole } from './dialog-leg.js';
import type { HeaderList, SipRequest } from './message.js';
import type { SessionTimerOffer } from './session-timer.js';
import type { SipServer } from './sip-server.js';
import type { ClientTransaction } from './transactions.js';

export interface B2buaOptions {
  sip: SipServer;
  repos: Repositories;
  clock: Clock;
  logger: FastifyBaseLogger;
  pool: MediaWorkerPool;
  listenIp: string;
  announcedIp?: string;
  /** How long a request to the media worker may go unanswered before its step fails (default media's MEDIA_REQUEST_TIMEOUT_MS). */
  mediaRequestTimeoutMs?: number;
  recordingsDir: string;
  noAnswerTimeoutMs: number;
  /** Whether a call between these two users is allowed, and why not (server/sip/call-policy.ts). */
  callPolicy?: CallPolicy;
  /** Whether a call may ring the callee's phone now (a candidate: only while Ready); without it, always. */
  offerGate?: OfferGate;
}

/** RFC 3261 §13.3.1.4, https://www.rfc-editor.org/rfc/rfc3261#section-13.3.1.4: the UAS retransmits its 2xx until the ACK, and gives up after 64*T1 = 32 s. */
export const ACK_TIMEOUT_MS = 32_000;
/** RFC 3261 §17.1.1.1, https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.1 T1, the round-trip estimate: 500 ms. */
export const T1_MS = 500;

export interface CallContext {
  readonly opts: B2buaOptions;
  readonly sip: SipServer;
  /** Whether the server is shutting down (new calls get 503). */
  readonly closing: boolean;
  /** Calls waiting for an agent who may not take them yet (offer-queue.ts); none without a gate. */
  readonly queue: OfferQueue | undefined;
  now(): number;
  /** Stores a call event (the append-only timeline). */
  event(call: Call, type: string, leg?: LegRole | null, detail?: Record<string, unknown> | null): void;
  uriOf(user: User): string;
  /** Whether the extension is in a call, or being brought into one. */
  isBusy(extension: string): boolean;
  /** Requests with this Call-ID belong to the call (each leg's dialog has its own). */
  track(sipCallId: string, call: Call): void;
  untrack(sipCallId: string): void;
  /** Adds a call to the registry. */
  addCall(call: Call): void;
  /** The call and leg whose dialog an in-dialog request belongs to. */
  findDialog(conn: SipConnection, request: SipRequest): { call: Call; leg: DialogLeg } | undefined;
  /** Sends a request within the leg's dialog (next CSeq, our Contact); returns its branch. */
  sendInDialog(leg: DialogLeg, method: string, extra?: { headers?: HeaderList; body?: string; contentType?: string }, onResponse?: ClientTransaction['onResponse']): string;
  /** An ACK in the leg's dialog; `body` is an SDP answer (to an offer in a 2xx, RFC 3261 §13.2.1, https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1). */
  sendAck(leg: DialogLeg, cseq: number, branch?: string, body?: string): void;
  /** A response to the caller's INVITE; a final one is sent once only. */
  respondCaller(call: Call, status: number, opts?: { reason?: string; headers?: HeaderList; body?: string }): void;
  /** CANCELs our INVITE to the callee (once it may be, RFC 3261 §9.1, https://www.rfc-editor.org/rfc/rfc3261#section-9.1). */
  sendCancelToCallee(call: Call): void;
  /** Ends an answered call: BYE to the other party (or both when `from` is null), recording finalised. */
  hangup(call: Call, from: LegRole | null, reason: string, status: number, connectionLost?: boolean): Promise<void>;
  /** Ends a call because of a server-side failure. */
  abort(call: Call, reason: string): Promise<void>;
  /** Ends the call: stored, recording finalised, media freed. */
  finish(call: Call, outcome: string, reason: string, status: number): Promise<void>;
  /** Shutdown waits for this (a recording being finalised). */
  keepUntilDone(done: Promise<void>): Promise<void>;
  // Steps one part of the B2BUA asks of another.
  /** A re-INVITE of ours to the leg with its current media, hold included (reinvite.ts). */
  reinvite(call: Call, leg: DialogLeg): Promise<void>;
  /** A party leaves a three-party conference (transfer.ts). */
  leaveConference(call: Call, leg: DialogLeg, reason: string): Promise<void>;
  /** Starts the leg's session timer as negotiated in the 2xx we sent it (session-refresh.ts). */
  startSessionTimer(call: Call, leg: DialogLeg, timer: Extract<SessionTimerOffer, { kind: 'timer' }>): void;
  /** Starts the session timer of a dialog we INVITEd (the callee's, an added party's), as the 2xx to our INVITE set it (session-refresh.ts). */
  startUacSessionTimer(call: Call, leg: DialogLeg, timer: { intervalS: number; weRefresh: boolean }): void;
  /** A refresh from the leg was answered 2xx (session-refresh.ts). */
  sessionRefreshed(call: Call, leg: DialogLeg, timer: SessionTimerOffer): void;
  /** Our session refresh to the leg failed (session-refresh.ts). */
  refreshFailed(call: Call, leg: DialogLeg, status: number): void;
  /** The call's recording starts (call-recording.ts). */
  startRecording(call: Call): Promise<void>;
  /** A provisional response to the caller, sent reliably (reliable-provisional.ts). */
  sendReliableProvisional(call: Call, status: number, headers: HeaderList): void;
}
