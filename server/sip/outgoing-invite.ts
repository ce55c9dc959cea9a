// An INVITE the B2BUA sends (to the callee, to an added party, a re-INVITE within a dialog), its
// responses handed to a typed delegate as sip.js's core does (src/core/messages/methods/invite.ts,
// OutgoingInviteRequestDelegate: onProgress, onAccept, onReject), plus onRequestTimeout when no
// final response came: RFC 3261 §17.1.1.2 (https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2):
// "If the client transaction is still in the 'Calling' state when timer B fires, the client
// transaction SHOULD inform the TU that a timeout has occurred."
import type { SipConnection } from './connection.js';
import type { OutgoingRequest, SipResponse } from './message.js';
import type { SipServer } from './sip-server.js';
import type { ClientTransaction } from './transactions.js';

export interface OutgoingInviteDelegate {
  /** A provisional response (1xx). */
  onProgress?(response: SipResponse): void;
  /** A 2xx, the first and any retransmission (each needs its ACK, RFC 3261 §13.2.2.4). */
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
