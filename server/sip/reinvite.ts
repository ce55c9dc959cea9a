// Offers within a confirmed call: a leg's re-INVITE (with SDP, or without, RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2) or UPDATE
// (RFC 3311), hold and resume relayed to the other party, and our own re-INVITEs (hold, a new party's
// SSRC, a session refresh) retried after glare (reinvite-glare.ts).
import { randomInt } from 'node:crypto';
import { MediaNoAnswerError, SdpError, type ReofferHold } from '../../media/index.js';
import { Call, offerSettled, offerStarted, stillInCall } from './call.js';
import { ACK_TIMEOUT_MS, type CallContext } from './call-context.js';
import { CAPABILITY_HEADERS, SUPPORTED } from './capabilities.js';
import type { SipConnection } from './connection.js';
import { contactHeader, inOrder, OUT_OF_ORDER, type DialogLeg, type LegRole } from './dialog-leg.js';
import type { HeaderList, SipRequest, SipResponse } from './message.js';
import { toDelegate } from './outgoing-invite.js';
import { glareBackoffMs, pause, refusedForGlare, REINVITE_ATTEMPTS } from './reinvite-glare.js';
import { negotiateAsUas, type SessionTimerOffer } from './session-timer.js';

export class Reinvites {
  constructor(private readonly ctx: CallContext) {}

  onReinvite(conn: SipConnection, request: SipRequest): void {
    const found = this.ctx.findDialog(conn, request);
    if (!found || found.call.phase !== 'answered') return this.ctx.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (!inOrder(leg, request.cseq)) return this.ctx.sip.respond(conn, request, 500, OUT_OF_ORDER);
    if (!call.offers.is('idle')) {
      const [status, extra] = offerPendingRefusal(call, leg);
      return this.ctx.sip.respond(conn, request, status, extra);
    }
    // Glare: our own re-INVITE on this dialog is still in progress (RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2). The party
    // retries after its back-off, by which time ours is answered.
    if (leg.ourOffer.is('offering')) return this.ctx.sip.respond(conn, request, 491);
    const timer = negotiateAsUas(request);
    if (timer.kind === 'malformed') return this.ctx.sip.respond(conn, request, 400, { reason: timer.reason });
    if (timer.kind === 'too-brief') return this.ctx.sip.respond(conn, request, 422, { toTag: leg.localTag, reason: 'Session Interval Too Small', headers: timer.headers });
    if (!request.body) {
      offerStarted(call, leg, 'awaiting-ack');
      void this.offerInReinviteAnswer(call, leg, request, timer).catch((err: unknown) => {
        offerSettled(call);
        call.log.warn({ err, ...mediaStep(err) }, 'offerless re-INVITE refused');
        this.ctx.sip.respond(conn, request, 500, { toTag: leg.localTag, ...retryAfterMedia(err) });
      });
      return;
    }
    offerStarted(call, leg, 'answering');
    void this.handleReinvite(call, leg, request, timer)
      .catch((err: unknown) => {
        call.log.warn({ err, ...mediaStep(err) }, 're-INVITE refused');
        this.ctx.sip.respond(conn, request, err instanceof SdpError ? 488 : 500, retryAfterMedia(err));
      })
      .finally(() => offerSettled(call));
  }

  /**
   * A re-INVITE with an offer: answered once the media has taken it, hold or resume included, so
   * a 200 never says a call is held or resumed when the media is not. RFC 3261 §14.2,
   * https://www.rfc-editor.org/rfc/rfc3261#section-14.2: "If the session description has changed,
   * the UAS MUST adjust the session parameters accordingly, possibly after asking the user for
   * confirmation." A step the worker does not answer is refused (500, Retry-After) with the call as
   * it was: "If a UA receives a non-2xx final response to a re-INVITE, the session parameters MUST
   * remain unchanged, as if no re-INVITE had been issued" (§14.1).
   */
  private async handleReinvite(call: Call, leg: DialogLeg, request: SipRequest, timer: SessionTimerOffer): Promise<void> {
    const { answer, hold } = await call.media!.answerReoffer(leg.mediaId, request.body, holdRule(call, leg));
    // Nothing below awaits: the hold, its event and the offer's end (offerSettled) are all in place
    // before the phone can act on the 200.
    this.ctx.sip.respond(leg.conn, request, 200, { toTag: leg.localTag, body: answer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    this.ctx.sessionRefreshed(call, leg, timer);
    this.holdTaken(call, leg, hold);
  }

  /**
   * A re-INVITE without a body. RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2:
   * "If the session description has changed, the UAS MUST adjust the session parameters
   * accordingly ... a UAC MAY send a re-INVITE with no session description, in which case the
   * first reliable non-failure response to the re-INVITE will contain the offer", and §13.2.1
   * (https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1): "If the initial offer is in the first
   * reliable non-failure message from the UAS back to the UAC, the answer MUST be in the
   * acknowledgement for that message". The offer is the leg's current media (held or not); the
   * re-INVITE stays in progress, so crossing offers get 491, until the ACK brings the answer.
   */
  private async offerInReinviteAnswer(call: Call, leg: DialogLeg, request: SipRequest, timer: SessionTimerOffer): Promise<void> {
    const offer = await call.media!.createReoffer(leg.mediaId, call.offerDirectionTo(leg));
    const done = (): void => {
      leg.answerInAck = undefined;
      offerSettled(call); // stops the ack-answer timer
    };
    call.offers.startTimer('ack-answer', ACK_TIMEOUT_MS, () => {
      call.log.warn({ leg: leg.role }, 'no ACK with an answer to our offer in a re-INVITE 200');
      done();
    });
    leg.answerInAck = {
      cseq: request.cseq,
      accept: (answer) => {
        if (!answer) {
          // The ACK came without the answer the RFC requires: the media stays as it was.
          call.log.warn({ leg: leg.role }, 'ACK without the answer to our re-INVITE offer');
          return done();
        }
        // The exchange is complete for the leg once it sent the ACK: a new offer from it is
        // answered after this one is applied (CallMedia runs its steps in order).
        done();
        void call.media?.acceptReanswer(leg.mediaId, answer).catch((err: unknown) => call.log.warn({ err }, 'answer in the ACK refused'));
      },
    };
    this.ctx.sip.respond(leg.conn, request, 200, { toTag: leg.localTag, body: offer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    this.ctx.sessionRefreshed(call, leg, timer);
  }

  /**
   * The call's hold as the media step changed it (answerReoffer's `hold`): recorded on the call and
   * its timeline (the marking's hold times come from these events), then the other party told.
   */
  private holdTaken(call: Call, leg: DialogLeg, hold: 'held' | 'lifted' | undefined): void {
    if (hold === 'held' && call.heldBy === null) {
      call.heldBy = leg.role;
      this.ctx.event(call, 'hold', leg.role);
      call.log.info({ by: leg.role }, 'call on hold');
      this.queueRelay(call, leg.role);
    } else if (hold === 'lifted' && call.heldBy === leg.role) {
      // (A transfer that took the call off hold meanwhile has said so itself: heldBy is null.)
      call.heldBy = null;
      this.ctx.event(call, 'resume', leg.role);
      call.log.info({ by: leg.role }, 'call resumed');
      this.queueRelay(call, leg.role);
    }
  }

  /** The holder's own re-INVITE is answered at once; telling the other party follows in order. */
  private queueRelay(call: Call, holder: LegRole): void {
    call.relayChain = call.relayChain
      .then(() => (call.phase === 'answered' ? this.relayHold(call, holder) : undefined))
      .catch((err: unknown) => call.log.warn({ err }, 'could not tell the other party about hold/resume'));
  }

  /** Tells the other party it is held or resumed, with a re-INVITE of our own. */
  private async relayHold(call: Call, holder: LegRole): Promise<void> {
    const other = call.other(holder);
    if (!other) return;
    await this.reinvite(call, other);
  }

  /**
   * A server-originated re-INVITE with the leg's current media (hold and resume, a new party's
   * SSRC after a transfer, an extra m-line in a conference); resolves once it is answered, or
   * given up. Queued behind our other re-INVITEs on the leg, so a glare retry never crosses them.
   */
  reinvite(call: Call, leg: DialogLeg): Promise<void> {
    const done = leg.reinvites.then(() => this.reinviteUntilAccepted(call, leg));
    leg.reinvites = done.catch(() => {});
    return done;
  }

  /**
   * Sends the re-INVITE; when it is refused for glare, waits (RFC 3261 §14.1, https://www.rfc-editor.org/rfc/rfc3261#section-14.1) and sends it again
   * with a fresh offer and a new CSeq, so that hold, resume or a new SSRC is never silently lost.
   */
  private async reinviteUntilAccepted(call: Call, leg: DialogLeg): Promise<void> {
    for (let attempt = 1; stillInCall(call, leg); attempt++) {
      const refusal = await this.sendReinvite(call, leg);
      if (!refusal) return;
      if (attempt >= REINVITE_ATTEMPTS) {
        call.log.warn({ leg: leg.role, status: refusal.statusCode, attempts: attempt }, 're-INVITE refused for glare every time: given up');
        return;
      }
      const waitMs = glareBackoffMs(leg, refusal);
      call.log.info({ leg: leg.role, status: refusal.statusCode, waitMs: Math.round(waitMs) }, 're-INVITE glare: sending it again');
      await pause(this.ctx.opts.clock, waitMs);
    }
  }

  /** One re-INVITE transaction; resolves with the final response when it was refused for glare. */
  private async sendReinvite(call: Call, leg: DialogLeg): Promise<SipResponse | undefined> {
    if (!call.media) return undefined;
    // The direction is read now, each attempt: a hold or resume during a glare wait is offered as it is.
    const offer = await call.media.createReoffer(leg.mediaId, call.offerDirectionTo(leg));
    if (!stillInCall(call, leg)) return undefined;
    const cseq = leg.localCSeq + 1;
    leg.ourOffer.transition('offering');
    return new Promise<SipResponse | undefined>((resolve) => {
      const settle = (glare?: SipResponse) => {
        if (leg.ourOffer.is('offering')) leg.ourOffer.transition('idle');
        resolve(glare);
      };
      let inviteBranch = '';
      let answered = false;
      // When the B2BUA refreshes this dialog's session (RFC 4028 §7.4, https://www.rfc-editor.org/rfc/rfc4028#section-7.4), every re-INVITE it sends is a refresh.
      const refresh = leg.sessionTimer?.weRefresh ? leg.sessionTimer.intervalS : undefined;
      const headers: HeaderList = refresh === undefined ? [] : [['Session-Expires', `${refresh};refresher=uac`], ['Supported', SUPPORTED]];
      const onFinal = (r: SipResponse): void => {
        const code = r.statusCode ?? 0;
        if (refresh !== undefined && !answered) {
          // RFC 4028 §10, https://www.rfc-editor.org/rfc/rfc4028#section-10: "If the session refresh request transaction times out or generates a 408
          // or 481 response, then the UAC sends a BYE request." A 2xx starts the next interval.
          if (code === 408 || code === 481) this.ctx.refreshFailed(call, leg, code);
          else if (code < 300) leg.sessionTimer?.start(refresh, 'uas');
        }
        // 2xx: end-to-end ACK with a new branch; other finals: hop-by-hop ACK in the INVITE's transaction.
        this.ctx.sendAck(leg, cseq, code < 300 ? this.ctx.sip.newBranch() : inviteBranch);
        // A retransmitted final response needs its ACK again, nothing more (the leg may have a newer re-INVITE pending).
        if (answered) return;
        answered = true;
        if (code < 300 && r.body) {
          // Still pending until the media has the answer: a re-INVITE from the leg waits for that.
          call.media?.acceptReanswer(leg.mediaId, r.body).then(
            () => settle(),
            (err: unknown) => {
              call.log.warn({ err }, 're-answer refused');
              settle();
            },
          );
          return;
        }
        settle(refusedForGlare(r) ? r : undefined);
      };
      const onRequestTimeout = (): void => {
        if (refresh !== undefined) this.ctx.refreshFailed(call, leg, 408);
        settle();
      };
      inviteBranch = this.ctx.sendInDialog(leg, 'INVITE', { body: offer, headers }, toDelegate({ onAccept: onFinal, onReject: onFinal, onRequestTimeout }));
    });
  }

  /**
   * UPDATE (RFC 3311, https://www.rfc-editor.org/rfc/rfc3311) in an early or confirmed dialog: a
   * session refresh without a body (RFC 4028 §7.4 allows either method), or an offer.
   */
  onUpdate(conn: SipConnection, request: SipRequest): void {
    const found = this.ctx.findDialog(conn, request);
    if (!found) return this.ctx.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (!inOrder(leg, request.cseq)) return this.ctx.sip.respond(conn, request, 500, OUT_OF_ORDER);
    const timer = negotiateAsUas(request);
    if (timer.kind === 'malformed') return this.ctx.sip.respond(conn, request, 400, { reason: timer.reason });
    if (timer.kind === 'too-brief') return this.ctx.sip.respond(conn, request, 422, { toTag: leg.localTag, reason: 'Session Interval Too Small', headers: timer.headers });
    // RFC 3311 §5.2, https://www.rfc-editor.org/rfc/rfc3311#section-5.2: "the UAS MUST ... [send]
    // a Contact header field in the 2xx response".
    const ok = [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' && call.phase === 'answered' ? timer.headers : [])] as HeaderList;
    const hasOffer = Boolean(request.body);
    if (call.phase !== 'answered') {
      if (call.phase === 'ended') return this.ctx.sip.respond(conn, request, 481);
      if (hasOffer) {
        // RFC 3311 §5.2, https://www.rfc-editor.org/rfc/rfc3311#section-5.2: "If an UPDATE is received that contains an offer, and the UAS has
        // generated an offer (in an UPDATE, PRACK or INVITE) to which it has not yet received an
        // answer, the UAS MUST reject the UPDATE with a 491 response. Similarly, if an UPDATE is
        // received that contains an offer, and the UAS has received an offer (in an UPDATE, PRACK,
        // or INVITE) to which it has not yet generated an answer, the UAS MUST reject the UPDATE
        // with a 500 response, and MUST include a Retry-After header field in the response."
        // Early, the caller's INVITE offer awaits our answer (in the 200) and our offer to the
        // callee awaits its answer.
        if (leg.role === 'caller') return this.ctx.sip.respond(conn, request, 500, { toTag: leg.localTag, reason: 'Offer Pending', headers: [['Retry-After', '2']] });
        return this.ctx.sip.respond(conn, request, 491, { toTag: leg.localTag });
      }
      return this.ctx.sip.respond(conn, request, 200, { toTag: leg.localTag, headers: ok });
    }
    if (!hasOffer) {
      this.ctx.sip.respond(conn, request, 200, { toTag: leg.localTag, headers: ok });
      return this.ctx.sessionRefreshed(call, leg, timer);
    }
    // An offer in a confirmed dialog: like a re-INVITE's, glare included (RFC 3311 §5.2, https://www.rfc-editor.org/rfc/rfc3311#section-5.2: 491 while our offer is pending).
    if (!call.offers.is('idle')) {
      const [status, extra] = offerPendingRefusal(call, leg);
      return this.ctx.sip.respond(conn, request, status, { toTag: leg.localTag, ...extra });
    }
    if (leg.ourOffer.is('offering')) return this.ctx.sip.respond(conn, request, 491, { toTag: leg.localTag });
    offerStarted(call, leg, 'answering');
    // Answered once the media has taken it, hold or resume included, as a re-INVITE's offer is.
    void (async () => {
      const { answer, hold } = await call.media!.answerReoffer(leg.mediaId, request.body, holdRule(call, leg));
      this.ctx.sip.respond(conn, request, 200, { toTag: leg.localTag, body: answer, headers: ok });
      this.ctx.sessionRefreshed(call, leg, timer);
      this.holdTaken(call, leg, hold);
    })()
      .catch((err: unknown) => {
        call.log.warn({ err, ...mediaStep(err) }, 'UPDATE offer refused');
        this.ctx.sip.respond(conn, request, err instanceof SdpError ? 488 : 500, { toTag: leg.localTag, ...retryAfterMedia(err) });
      })
      .finally(() => offerSettled(call));
  }

}

/**
 * What an offer from `leg` may do to the call's hold: hold it when nobody does, lift it when this
 * leg holds it. Hold puts one other party on hold; in a conference there are two, so hold is not
 * offered there (the softphone hides the button): the offer is answered and nothing is paused.
 */
function holdRule(call: Call, leg: DialogLeg): ReofferHold | undefined {
  if (call.party) return undefined;
  if (call.heldBy === null) return 'may-hold';
  return call.heldBy === leg.role ? 'may-lift' : undefined;
}

/** The media step that went unanswered, for the log line (the call's logger adds the call id). */
function mediaStep(err: unknown): { mediaStep?: string; mediaRequest?: string } {
  return err instanceof MediaNoAnswerError ? { mediaStep: err.step, mediaRequest: err.request } : {};
}

/**
 * A media worker that did not answer is a temporary condition, so the 500 says when to try again.
 * RFC 3261 §21.5.1, https://www.rfc-editor.org/rfc/rfc3261#section-21.5.1: "The client MAY display
 * the specific error condition and MAY retry the request after several seconds. If the condition is
 * temporary, the server MAY indicate when the client may retry the request using the Retry-After
 * header field."
 */
function retryAfterMedia(err: unknown): { headers?: HeaderList } {
  return err instanceof MediaNoAnswerError ? { headers: [['Retry-After', '5']] } : {};
}

/**
 * The refusal of an offer (re-INVITE or UPDATE) from `leg` while the call is in another offer exchange.
 * - The leg's own earlier offer still unanswered: RFC 3261 §14.2
 *   (https://www.rfc-editor.org/rfc/rfc3261#section-14.2): "A UAS that receives a second INVITE
 *   before it sends the final response to a first INVITE with a lower CSeq sequence number on the
 *   same dialog MUST return a 500 (Server Internal Error) response to the second INVITE and MUST
 *   include a Retry-After header field with a randomly chosen value of between 0 and 10 seconds";
 *   for an UPDATE, RFC 3311 §5.2 (https://www.rfc-editor.org/rfc/rfc3311#section-5.2) asks the
 *   same 500 with Retry-After.
 * - Otherwise 491: our offer in the 200 to the leg's offerless re-INVITE awaits its answer (§14.2:
 *   "an INVITE it had sent on that dialog is in progress"; RFC 3311 §5.2: an offer "to which it has
 *   not yet received an answer" gets 491), or another party's offer is being answered, which
 *   re-INVITEs this leg when it changes the hold, and "a UAC MUST NOT initiate a new INVITE
 *   transaction within a dialog while another INVITE transaction is in progress in either
 *   direction" (§14.1, https://www.rfc-editor.org/rfc/rfc3261#section-14.1): the phone retries
 *   after its glare back-off.
 */
function offerPendingRefusal(call: Call, leg: DialogLeg): [491] | [500, { reason: string; headers: HeaderList }] {
  if (call.offerFrom === leg && call.offers.is('answering')) return [500, { reason: 'Offer Pending', headers: [['Retry-After', String(randomInt(0, 11))]] }];
  return [491];
}
