// Reliable provisional responses to the caller (RFC 3262, https://www.rfc-editor.org/rfc/rfc3262):
// the 180 sent with Require: 100rel and an RSeq, retransmitted until its PRACK, and PRACK answered.
import type { Call } from './call.js';
import { T1_MS, type CallContext } from './call-context.js';
import type { SipConnection } from './connection.js';
import type { HeaderList, SipRequest } from './message.js';

export class ReliableProvisionals {
  constructor(private readonly ctx: CallContext) {}

  /**
   * A provisional response to the caller, sent reliably. RFC 3262 §3: "The provisional response
   * MUST establish a dialog ... [and] contain a Require header field containing the option tag
   * 100rel, and MUST include an RSeq header field", "The reliable provisional response is passed
   * to the transaction layer periodically with an interval that starts at T1 seconds and doubles
   * for each retransmission", "Once a matching PRACK is received, retransmissions of the reliable
   * provisional response MUST cease", and "If a reliable provisional response is retransmitted
   * for 64*T1 seconds without reception of a corresponding PRACK, the UAS SHOULD reject the
   * original request with a 5xx response." At most two are sent (182 Queued while the call waits
   * for its agent, offer-queue.ts, then the 180), and one still awaiting its PRACK keeps the next
   * from being sent, so §3's "MUST NOT send a second reliable provisional response until the
   * first is acknowledged" holds.
   */
  sendReliableProvisional(call: Call, status: number, headers: HeaderList): void {
    const reliable = call.reliable!;
    if (reliable.unacked) return;
    const rseq = ++reliable.rseq;
    const send = () => this.ctx.sip.respond(call.caller.conn, call.callerInvite, status, { toTag: call.caller.localTag, headers: [...headers, ['Require', '100rel'], ['RSeq', String(rseq)]] });
    let elapsedMs = 0;
    const schedule = (intervalMs: number) => {
      call.state.startTimer('prack', intervalMs, () => {
        elapsedMs += intervalMs;
        if (elapsedMs >= 64 * T1_MS) {
          reliable.unacked = undefined;
          call.log.warn('no PRACK for the reliable 180');
          this.ctx.sendCancelToCallee(call);
          this.ctx.respondCaller(call, 504, { reason: 'No PRACK' });
          void this.ctx.finish(call, 'failed', 'no PRACK from the caller', 504);
          return;
        }
        send();
        // Doubling, and the last wait ends at 64*T1 exactly, when the request is given up.
        schedule(Math.min(intervalMs * 2, 64 * T1_MS - elapsedMs));
      });
    };
    reliable.unacked = { rseq };
    send();
    schedule(T1_MS);
  }

  /**
   * PRACK in the caller's early dialog. RFC 3262 §3: "If the PRACK does not match any
   * unacknowledged reliable provisional response, the UAS MUST respond to the PRACK with a 481
   * response. If the PRACK does match an unacknowledged reliable provisional response, it MUST be
   * responded to with a 2xx response." The match is RAck = response-num CSeq-num Method (§7.2).
   */
  onPrack(conn: SipConnection, request: SipRequest): void {
    const found = this.ctx.findDialog(conn, request);
    if (!found) return this.ctx.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (request.cseq > leg.remoteCSeq) leg.remoteCSeq = request.cseq;
    const rack = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(request.getHeader('rack') ?? '');
    const unacked = call.reliable?.unacked;
    const matches = leg.role === 'caller' && unacked && rack && Number(rack[1]) === unacked.rseq && Number(rack[2]) === call.callerInvite.cseq && rack[3] === 'INVITE';
    if (!matches) return this.ctx.sip.respond(conn, request, 481, { toTag: leg.localTag });
    call.state.stopTimer('prack');
    call.reliable!.unacked = undefined;
    this.ctx.sip.respond(conn, request, 200, { toTag: leg.localTag });
  }

}
