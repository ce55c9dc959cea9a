// Delayed offer: an initial INVITE without SDP. RFC 3261 §13.2.1
// (https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1): "The UAC MAY ... [send] an INVITE
// without an offer ... If the initial offer is in the first reliable non-failure message from the
// UAS back to the UAC, the answer MUST be in the acknowledgement for that message".
//
// The media plane (media/CallMedia) is built from an offer, so the B2BUA passes the delay on: its
// INVITE to the callee has no SDP either, the callee's WebRTC phone offers in its 200, that offer
// builds the media (the callee is the media plane's 'caller' leg, the caller its 'callee' leg: see
// the legs' mediaId), our offer goes to the caller in our 200, the caller's answer comes in its ACK,
// and the answer for the callee goes in our ACK to the callee's 200 (RFC 3261 §13.2.2.4, https://www.rfc-editor.org/rfc/rfc3261#section-13.2.2.4: "If the
// 2xx contains an offer (based on the rules above), the ACK MUST carry an answer in its body").
import { CallMedia, SdpError } from '../../media/index.js';
import type { Call } from './call.js';
import { ACK_TIMEOUT_MS, type CallContext } from './call-context.js';
import { CAPABILITY_HEADERS } from './capabilities.js';
import { contactHeader } from './dialog-leg.js';
import type { SipResponse } from './message.js';
import { negotiatedAsUac } from './session-timer.js';

export class DelayedOffer {
  constructor(private readonly ctx: CallContext) {}

  /** The callee's 200 to our INVITE without SDP: its body is the offer. */
  async onCalleeOffer(call: Call, response: SipResponse): Promise<void> {
    const callee = call.callee!;
    callee.remoteTag = response.toTag;
    const contact = response.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    if (contact?.uri) callee.remoteTarget = contact.uri.toString();
    const cseq = call.calleeInvite!.cseq;
    // A retransmitted 200: the same ACK again once it exists (§13.2.2.4); until the caller's ACK
    // brings the answer there is nothing to send yet.
    if (call.calleeAnswer !== undefined) return this.ctx.sendAck(callee, cseq, undefined, call.calleeAnswer);
    if (call.calleeOfferTaken) return;
    call.calleeOfferTaken = true;
    if (call.ended) return this.endCallee(call, 'the call had ended');
    call.state.stopTimer('no-answer');
    let media: CallMedia;
    try {
      media = await CallMedia.fromCallerOffer(this.ctx.opts.pool, response.body, { listenIp: this.ctx.opts.listenIp, announcedIp: this.ctx.opts.announcedIp, requestTimeoutMs: this.ctx.opts.mediaRequestTimeoutMs });
    } catch (err) {
      const warning = err instanceof SdpError ? err.message : 'media could not be set up';
      call.log.warn({ err }, 'callee offer in its 200 refused');
      this.endCallee(call, 'unusable SDP offer', 488);
      this.ctx.respondCaller(call, 488, { headers: [['Warning', '399 callmark "the callee offered unusable media"']] });
      return this.ctx.finish(call, 'setup-failed', `callee SDP offer refused: ${warning}`, 488);
    }
    if (call.ended) {
      media.close();
      return this.endCallee(call, 'the call had ended');
    }
    call.media = media;
    media.onClosed((reason) => {
      if (call.phase !== 'ended') void this.ctx.abort(call, reason);
    });
    const offer = await media.createCalleeOffer();
    if (call.ended) return this.endCallee(call, 'the call had ended');
    call.state.transition('answered');
    const timer = call.callerTimer;
    this.ctx.respondCaller(call, 200, { body: offer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    if (timer.kind === 'timer') this.ctx.startSessionTimer(call, call.caller, timer);
    this.ctx.startUacSessionTimer(call, call.callee!, negotiatedAsUac(response, call.calleeInvite!.sessionExpiresS));
    this.ctx.opts.repos.calls.update(call.id, { state: 'answered', answeredAt: this.ctx.now(), sipStatus: 200 });
    this.ctx.event(call, 'answered', 'callee', { delayedOffer: true });
    call.log.info('call answered (delayed offer)');
    call.state.startTimer('ack', ACK_TIMEOUT_MS, () => {
      call.log.warn('no ACK from the caller for our 200 OK');
      this.endCallee(call);
      void this.ctx.hangup(call, null, 'no ACK from the caller', 408);
    });
    call.caller.answerInAck = {
      cseq: call.callerInvite.cseq,
      accept: (answer) => {
        call.caller.answerInAck = undefined;
        void this.onCallerAnswer(call, answer).catch((err: unknown) => {
          call.log.error({ err }, 'the answer in the ACK could not be applied');
          void this.ctx.hangup(call, null, 'internal error', 500);
        });
      },
    };
  }

  /** The caller's ACK to our 200: its body is the answer to our offer. */
  private async onCallerAnswer(call: Call, answer: string | undefined): Promise<void> {
    if (call.phase !== 'answered') return;
    if (!answer) {
      call.log.warn('ACK without the answer to the offer in our 200');
      this.endCallee(call);
      return this.ctx.hangup(call, null, 'no SDP answer in the ACK', 488);
    }
    let calleeAnswer: string;
    try {
      calleeAnswer = await call.media!.acceptCalleeAnswer(answer);
    } catch (err) {
      call.log.warn({ err }, 'caller answer in the ACK refused');
      this.endCallee(call);
      return this.ctx.hangup(call, null, 'unusable SDP answer in the ACK', 488);
    }
    if (call.ended) return;
    call.calleeAnswer = calleeAnswer;
    this.ctx.sendAck(call.callee!, call.calleeInvite!.cseq, undefined, calleeAnswer);
    await this.ctx.startRecording(call);
  }

  /** Before a BYE to the callee (any hang-up): its 200 is ACKed first if the caller's answer never came. */
  ackBeforeBye(call: Call): void {
    if (call.delayedOffer && call.calleeOfferTaken) this.endCallee(call);
  }

  /**
   * The callee's 200 is ACKed without an answer when there will be none, and, when `byeReason` is
   * given, its dialog ended at once. RFC 3261 §13.2.2.4, https://www.rfc-editor.org/rfc/rfc3261#section-13.2.2.4: "If the UAC does not want to accept the
   * offer ... it MUST generate a valid answer in the ACK and then send a BYE immediately": no
   * answer can be generated without the media, so the ACK goes without one, and the BYE follows.
   */
  private endCallee(call: Call, byeReason?: string, cause = 487): void {
    const callee = call.callee;
    if (!callee || call.calleeAnswer !== undefined || call.calleeAckedEmpty) return;
    call.calleeAckedEmpty = true;
    this.ctx.sendAck(callee, call.calleeInvite!.cseq);
    if (byeReason !== undefined) this.ctx.sendInDialog(callee, 'BYE', { headers: [['Reason', `SIP;cause=${cause};text="${byeReason}"`]] });
  }
}
