// An INVITE the B2BUA sends (to the callee, to an added party, a re-INVITE within a dialog), its
// responses handed to a typed delegate as sip.js's core does (src/core/messages/methods/invite.ts,
// OutgoingInviteRequestDelegate: onProgress, onAccept, onReject), plus onRequestTimeout when no
// final response came: RFC 3261 §17.1.1.2, https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2:
// "If the client transaction is still in the 'Calling' state when timer B fires, the client
// transaction SHOULD inform the TU that a timeout has occurred."
import type { SipConnection } from './connection.js';
import type { DialogLeg } from './dialog-leg.js';
import type { OutgoingRequest, SipResponse } from './message.js';
import type { SipServer } from './sip-server.js';
import type { ClientTransaction } from './transactions.js';

export interface OutgoingInviteDelegate {
  /** A provisional response (1xx). */
  onProgress?(response: SipResponse): void;
  /** A 2xx, the first and any retransmission (each needs its ACK, RFC 3261 §13.2.2.4, https://www.rfc-editor.org/rfc/rfc3261#section-13.2.2.4). */
  onAccept(response: SipResponse): void;
  /** A final response 300–699. */
  onReject(response: SipResponse): void;
  /** No final response in time, or the connection closed under the transaction. */
  onRequestTimeout(): void;
}

/** The client transaction's response handler that dispatches to the delegate. */
export function toDelegate(delegate: OutgoingInviteDelegate): ClientTransaction['onResponse'] {
  return (r) => {
    if ('local' in r) return delegate.onRequestTimeout();
    const status = r.statusCode ?? 0;
    if (status < 200) delegate.onProgress?.(r);
    else if (status < 300) delegate.onAccept(r);
    else delegate.onReject(r);
  };
}

export function sendInvite(sip: SipServer, conn: SipConnection, request: Omit<OutgoingRequest, 'method'>, branch: string, delegate: OutgoingInviteDelegate): void {
  sip.sendRequest(conn, { ...request, method: 'INVITE' }, branch, toDelegate(delegate));
}

/**
 * A reliable provisional response to our INVITE is PRACKed. RFC 3262 §4
 * (https://www.rfc-editor.org/rfc/rfc3262#section-4): "If a provisional response is received for
 * an initial request, and that response contains a Require header field containing the option
 * tag 100rel, the response is to be sent reliably ... The UAC MUST send a PRACK for it ... The
 * RAck header field ... contains two numbers and a method tag. The first number is the value from
 * the RSeq header in the provisional response that is being acknowledged. The next number, and
 * the method, are copied from the CSeq in the response", and "Once a reliable provisional
 * response is received, retransmissions of that response MUST be discarded. A response is a
 * retransmission when its dialog ID, CSeq, and RSeq match the original response."
 * The same for the callee's leg (call-setup.ts) and a party's (transfer.ts): `sendPrack` sends the
 * PRACK within the leg's early dialog (CallContext.sendInDialog).
 */
export function prackIfReliable(leg: DialogLeg, response: SipResponse, inviteCSeq: number, sendPrack: (leg: DialogLeg, method: 'PRACK', extra: { headers: [string, string][] }) => unknown): void {
  const required = response.getHeaders('require').join(',').split(',').some((t) => t.trim().toLowerCase() === '100rel');
  const rseq = Number(response.getHeader('rseq'));
  if (!required || !Number.isInteger(rseq) || rseq < 1 || !response.toTag) return;
  if (leg.lastRSeq !== undefined && rseq <= leg.lastRSeq) return;
  leg.lastRSeq = rseq;
  leg.remoteTag = response.toTag;
  const contact = response.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
  if (contact?.uri) leg.remoteTarget = contact.uri.toString();
  sendPrack(leg, 'PRACK', { headers: [['RAck', `${rseq} ${inviteCSeq} INVITE`]] });
}
