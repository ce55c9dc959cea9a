// Transaction bookkeeping (RFC 3261 §17) for a reliable transport. Server side: a retransmitted
// request (same branch and method) is answered with the last response again and never processed
// twice. Client side: responses are matched to the request we sent by Via branch and CSeq method,
// and a request left unanswered for 32 s (Timer B/F) completes with a local 408.
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
    this.table.set(this.key(request), { expires: Date.now() + TRANSACTION_LIFETIME_MS });
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
    t.expires = Date.now() + TRANSACTION_LIFETIME_MS;
    this.table.set(k, t);
  }

  sweep(now = Date.now()): void {
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
  timer: NodeJS.Timeout | undefined;
  final: boolean;
  unsubscribeClose: () => void;
}

/**
 * Client transactions are keyed by branch AND method: a CANCEL reuses its INVITE's branch
 * (RFC 3261 §9.1) and both transactions must keep receiving their own responses.
 */
export class ClientTransactions {
  private readonly table = new Map<string, ClientTransaction>();

  constructor(private readonly timeoutMs = TRANSACTION_LIFETIME_MS) {}

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
    const timer = setTimeout(fail, this.timeoutMs);
    timer.unref();
    // The transaction also fails at once if its connection goes away.
    const unsubscribeClose = conn.onClose(fail);
    this.table.set(key, { method, conn, onResponse, timer, final: false, unsubscribeClose });
  }

  private remove(key: string, t: ClientTransaction): void {
    clearTimeout(t.timer);
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
      if (t.method === 'INVITE') {
        clearTimeout(t.timer);
        t.timer = undefined;
      }
    } else if (!t.final) {
      t.final = true;
      clearTimeout(t.timer);
      t.unsubscribeClose();
      // Keep INVITE transactions a while so retransmitted 2xx responses still match.
      if (t.method === 'INVITE') {
        const cleanup = setTimeout(() => this.table.delete(key), this.timeoutMs);
        cleanup.unref();
      } else this.table.delete(key);
    }
    t.onResponse(response);
    return true;
  }

  cancelAll(): void {
    for (const [key, t] of this.table) this.remove(key, t);
  }
}
