// Transaction bookkeeping (RFC 3261 §17, https://www.rfc-editor.org/rfc/rfc3261#section-17) for a reliable transport. Server side: a retransmitted
// request (same branch and method) is answered with the last response again and never processed
// twice. Client side: responses are matched to the request we sent by Via branch and CSeq method,
// and a request left unanswered for 32 s (Timer B/F) completes with a local 408. Time and timers
// are the injected Clock's; dispose() clears every timer left.
import type { Clock } from '../clock.js';
import type { SipConnection } from './connection.js';
import type { SipRequest, SipResponse } from './message.js';

const TRANSACTION_LIFETIME_MS = 32_000;
const MAX_KEPT_RESPONSE = 8 * 1024;

interface ServerTransaction {
  lastResponse?: string;
  expires: number;
}

export class ServerTransactions {
  private readonly table = new Map<string, ServerTransaction>();

  constructor(private readonly clock: Clock) {}

  private key(request: SipRequest): string {
    // ACK to a non-2xx final response belongs to the INVITE transaction; CANCEL has its own.
    const method = request.method === 'ACK' ? 'INVITE' : request.method;
    return `${request.viaBranch}|${method}|${request.callId}`;
  }

  /** True when this request is a retransmission (its last response, if any, has been re-sent). */
  absorbRetransmission(request: SipRequest, conn: SipConnection): boolean {
    const t = this.table.get(this.key(request));
    if (!t || request.method === 'ACK') return false;
    if (t.lastResponse) conn.send(t.lastResponse);
    return true;
  }

  begin(request: SipRequest): void {
    if (request.method === 'ACK') return;
    this.table.set(this.key(request), { expires: this.clock.now() + TRANSACTION_LIFETIME_MS });
  }

  /** Whether a non-2xx final response was sent in this INVITE transaction (so an ACK with its branch is the hop-by-hop one). */
  hasNon2xxFinal(request: SipRequest): boolean {
    const t = this.table.get(this.key(request));
    return Boolean(t?.lastResponse && /^SIP\/2\.0 [3-6]\d\d /.test(t.lastResponse));
  }

  recordResponse(request: SipRequest, response: string): void {
    const k = this.key(request);
    const t = this.table.get(k) ?? { expires: 0 };
    // Bounded memory: a huge response (e.g. from a request padded with Via headers) is not kept;
    // a retransmission of that request is then absorbed without an answer.
    t.lastResponse = response.length <= MAX_KEPT_RESPONSE ? response : undefined;
    t.expires = this.clock.now() + TRANSACTION_LIFETIME_MS;
    this.table.set(k, t);
  }

  sweep(now = this.clock.now()): void {
    for (const [k, t] of this.table) if (t.expires < now) this.table.delete(k);
  }

  get size(): number {
    return this.table.size;
  }
}

export interface ClientTransaction {
  method: string;
  conn: SipConnection;
  onResponse: (response: SipResponse | { statusCode: 408; local: true }) => void;
  /** Cancels Timer B/F (RFC 3261 §17.1.1.2, https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2: 64*T1 = 32 s); undefined once stopped. */
  stopTimer: (() => void) | undefined;
  final: boolean;
  unsubscribeClose: () => void;
}

/**
 * Client transactions are keyed by branch AND method: a CANCEL reuses its INVITE's branch
 * (RFC 3261 §9.1, https://www.rfc-editor.org/rfc/rfc3261#section-9.1) and both transactions must keep receiving their own responses.
 */
export class ClientTransactions {
  private readonly table = new Map<string, ClientTransaction>();
  /** Completed INVITE transactions kept for retransmitted 2xx responses, by key: the timer that forgets each. */
  private readonly lingering = new Map<string, () => void>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = TRANSACTION_LIFETIME_MS,
  ) {}

  private static key(branch: string, method: string): string {
    return `${branch}|${method}`;
  }

  start(branch: string, method: string, conn: SipConnection, onResponse: ClientTransaction['onResponse']): void {
    const key = ClientTransactions.key(branch, method);
    const fail = () => {
      const t = this.table.get(key);
      if (!t || t.final) return;
      this.remove(key, t);
      t.onResponse({ statusCode: 408, local: true });
    };
    const stopTimer = this.clock.setTimer(this.timeoutMs, fail);
    // The transaction also fails at once if its connection goes away.
    const unsubscribeClose = conn.onClose(fail);
    this.lingering.get(key)?.();
    this.lingering.delete(key);
    this.table.set(key, { method, conn, onResponse, stopTimer, final: false, unsubscribeClose });
  }

  private stopTimer(t: ClientTransaction): void {
    t.stopTimer?.();
    t.stopTimer = undefined;
  }

  private remove(key: string, t: ClientTransaction): void {
    this.stopTimer(t);
    t.unsubscribeClose();
    this.table.delete(key);
  }

  /** Hands a response to its transaction; false when none matches (a stray response is dropped). */
  dispatch(response: SipResponse, conn: SipConnection): boolean {
    const key = ClientTransactions.key(response.viaBranch, response.method);
    const t = this.table.get(key);
    if (!t || t.conn !== conn) return false;
    const status = response.statusCode ?? 0;
    if (status < 200) {
      // A provisional response stops Timer B: the INVITE may now ring for as long as the B2BUA allows.
      if (t.method === 'INVITE') this.stopTimer(t);
    } else if (!t.final) {
      t.final = true;
      this.stopTimer(t);
      t.unsubscribeClose();
      // Keep INVITE transactions a while so retransmitted 2xx responses still match.
      if (t.method === 'INVITE') {
        this.lingering.set(
          key,
          this.clock.setTimer(this.timeoutMs, () => {
            this.lingering.delete(key);
            if (this.table.get(key) === t) this.table.delete(key);
          }),
        );
      } else this.table.delete(key);
    }
    t.onResponse(response);
    return true;
  }

  /** Stops every timer and forgets every transaction (shutdown): no response handler is called afterwards. */
  dispose(): void {
    for (const [key, t] of this.table) this.remove(key, t);
    for (const stop of this.lingering.values()) stop();
    this.lingering.clear();
  }

  /** Transactions still known (awaiting a response, or completed INVITEs kept for retransmissions). */
  get size(): number {
    return this.table.size;
  }
}
