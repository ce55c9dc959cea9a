// The B2BUA's INVITE to a party added to a live call (a blind-transfer target, a conference party),
// and the bits of REFER (RFC 3515) it needs: the target in Refer-To, and the NOTIFY bodies
// (message/sipfrag) that tell the referrer how the INVITE went.
//
// Unlike the first INVITE of a call, nobody waits on the other side of this one: its outcome is a
// status code the B2BUA turns into a NOTIFY and call events. A 2xx arriving after we gave up (timeout
// or the call ended) is ACKed and ended with a BYE, so the party's phone never stays off-hook.
import type { Clock } from '../clock.js';
import type { SipConnection } from './connection.js';
import type { HeaderList, SipResponse } from './message.js';
import type { SipServer } from './sip-server.js';
import { sendInvite } from './outgoing-invite.js';

export type PartyInviteOutcome =
  | { ok: true; response: SipResponse; remoteTag: string | undefined; remoteTarget: string | undefined }
  | { ok: false; status: number; reason: string };

export interface PartyInviteOptions {
  sip: SipServer;
  conn: SipConnection;
  uri: string;
  headers: HeaderList;
  branch: string;
  body: string;
  /** The party's time to answer, on the injected clock. */
  timeoutMs: number;
  clock: Clock;
  /** Ends an answered dialog we no longer want (2xx after cancel): ACK then BYE, built by the caller. */
  hangUpLate: (response: SipResponse) => void;
  /** ACKs a 2xx we keep. */
  ack: (response: SipResponse) => void;
  /** A provisional response (a reliable one is PRACKed, as on the callee's leg). */
  onProgress: (response: SipResponse) => void;
}

export class PartyInvite {
  readonly outcome: Promise<PartyInviteOutcome>;
  private settle!: (o: PartyInviteOutcome) => void;
  private provisional = false;
  private cancelWanted = false;
  private cancelSent = false;
  private settled = false;
  private cancelStatus: { status: number; reason: string } | undefined;
  /** Cancels the no-answer timer; undefined once disposed. */
  private stopNoAnswer: (() => void) | undefined;

  constructor(private readonly o: PartyInviteOptions) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.stopNoAnswer = o.clock.setTimer(o.timeoutMs, () => this.cancel(408, 'no answer'));
    sendInvite(o.sip, o.conn, { uri: o.uri, headers: o.headers, body: o.body }, o.branch, {
      onProgress: (r) => this.onResponse(r),
      onAccept: (r) => this.onResponse(r),
      onReject: (r) => this.onResponse(r),
      onRequestTimeout: () => this.finish({ ok: false, status: this.o.conn.isOpen ? 408 : 480, reason: this.o.conn.isOpen ? 'no response' : 'disconnected' }),
    });
  }

  /** Gives up on the INVITE (CANCEL once the party has answered provisionally, RFC 3261 §9.1, https://www.rfc-editor.org/rfc/rfc3261#section-9.1). */
  cancel(status = 487, reason = 'cancelled'): void {
    if (this.settled) return;
    this.cancelWanted = true;
    this.cancelStatus ??= { status, reason };
    this.sendCancel();
    // The party's 487 settles it; a party that never answered at all is given up on at once.
    if (!this.provisional) this.finish({ ok: false, ...this.cancelStatus });
  }

  private sendCancel(): void {
    if (!this.cancelWanted || this.cancelSent || !this.provisional) return;
    this.cancelSent = true;
    const headers = this.o.headers
      .filter(([n]) => ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID'].includes(n))
      .concat([['CSeq', `${cseqNumber(this.o.headers)} CANCEL`]]);
    this.o.sip.sendRequest(this.o.conn, { method: 'CANCEL', uri: this.o.uri, headers }, this.o.branch, () => {});
  }

  /** Stops the no-answer timer (done once the INVITE has its outcome). */
  dispose(): void {
    this.stopNoAnswer?.();
    this.stopNoAnswer = undefined;
  }

  private finish(o: PartyInviteOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.dispose();
    this.settle(o);
  }

  private onResponse(r: SipResponse): void {
    const status = r.statusCode ?? 0;
    if (status < 200) {
      this.provisional = true;
      if (!this.settled) this.o.onProgress(r);
      this.sendCancel();
      return;
    }
    if (status < 300) {
      if (this.settled || this.cancelWanted) {
        this.o.hangUpLate(r);
        this.finish({ ok: false, ...(this.cancelStatus ?? { status: 487, reason: 'cancelled' }) });
        return;
      }
      this.o.ack(r);
      const contact = r.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
      return this.finish({ ok: true, response: r, remoteTag: r.toTag, remoteTarget: contact?.uri?.toString() });
    }
    // Non-2xx finals are ACKed hop by hop by the caller of this class through ack().
    this.o.ack(r);
    if (this.cancelStatus && status === 487) return this.finish({ ok: false, ...this.cancelStatus });
    this.finish({ ok: false, status, reason: r.reasonPhrase ?? '' });
  }
}

function cseqNumber(headers: HeaderList): number {
  return Number(headers.find(([n]) => n === 'CSeq')?.[1].split(' ')[0] ?? 1);
}

/** The extension a Refer-To names (`<sip:2003@callmark.local>` → '2003'), or undefined. */
export function referTarget(referTo: string | undefined): { extension: string; replaces: boolean } | undefined {
  if (!referTo) return undefined;
  const m = /sips?:([^@;>?\s]+)@/i.exec(referTo);
  if (!m?.[1]) return undefined;
  return { extension: decodeURIComponent(m[1]), replaces: /[?&]replaces=/i.test(referTo) };
}

/** A message/sipfrag body for a NOTIFY: the status line of the INVITE's outcome. */
export function sipfrag(status: number, reason: string): string {
  return `SIP/2.0 ${status} ${reason.replace(/[\r\n]/g, ' ')}\r\n`;
}
