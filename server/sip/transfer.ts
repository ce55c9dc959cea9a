// REFER in a call (RFC 3515): blind transfer, and the B2BUA as conference focus bringing a third
// party in (RFC 4579 §5.5, https://www.rfc-editor.org/rfc/rfc4579#section-5.5); the new party's INVITE (party-invite.ts), its progress told in NOTIFYs,
// and a party leaving a three-party conference.
import { repeatEvery } from '../clock.js';
import type { Call, PendingParty } from './call.js';
import type { CallContext } from './call-context.js';
import type { CallRouting } from './call-routing.js';
import type { SipConnection } from './connection.js';
import { contactHeader, initialInviteHeaders, inOrder, OUT_OF_ORDER, uacLeg, type DialogLeg } from './dialog-leg.js';
import type { SipRequest } from './message.js';
import { prackIfReliable } from './outgoing-invite.js';
import { AGENT_LEFT, type WaitOutcome } from './offer-queue.js';
import { PartyInvite, referTarget, sipfrag } from './party-invite.js';
import type { Binding } from './registrar.js';
import { DEFAULT_SE_S, negotiatedAsUac, uacInviteHeaders } from './session-timer.js';

/** The expires of our REFER subscription's active NOTIFYs (seconds). */
const NOTIFY_EXPIRES_S = 60;
/** While a party waits in the offer queue, "182 Queued" is said again this often: well within NOTIFY_EXPIRES_S. */
export const QUEUED_NOTIFY_REFRESH_MS = 30_000;

export class Transfers {
  constructor(
    private readonly ctx: CallContext,
    private readonly routing: CallRouting,
  ) {}

  /**
   * REFER in a call's dialog (RFC 3515). Without more it is a blind transfer: the referrer's other
   * party is connected to the Refer-To target and the referrer's leg ends. With
   * `X-Callmark-Refer: conference` the B2BUA, acting as the conference focus (RFC 4579 §5.5, https://www.rfc-editor.org/rfc/rfc4579#section-5.5: a
   * participant asks the focus to bring a party in), adds the target to the call instead.
   * Answered 202 at once; the INVITE's progress follows in NOTIFYs (message/sipfrag).
   */
  onRefer(conn: SipConnection, request: SipRequest): void {
    const found = this.ctx.findDialog(conn, request);
    if (!found) return this.ctx.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (!inOrder(leg, request.cseq)) return this.ctx.sip.respond(conn, request, 500, OUT_OF_ORDER);
    const kind = request.getHeader('x-callmark-refer')?.trim().toLowerCase() === 'conference' ? 'conference' : 'blind';
    const target = referTarget(request.getHeader('refer-to'));
    const refuse = (status: number, reason: string) => this.ctx.sip.respond(conn, request, status, { reason, toTag: leg.localTag });
    if (call.phase !== 'answered') return refuse(403, 'Forbidden (the call is not answered)');
    if (!target) return refuse(400, 'Bad Request (Refer-To must name an extension)');
    if (target.replaces) return refuse(501, 'Not Implemented (attended transfer)');
    // A call that already has three parties refuses for good (403) before "pending" is looked at:
    // the third party joins (call.party, the final NOTIFY) before the other two are re-offered, and
    // 491 there would tell the referrer to try again (RFC 3261 §21.4.27,
    // https://www.rfc-editor.org/rfc/rfc3261#section-21.4.27, "Request Pending") when no later try
    // can succeed. RFC 3515 §2.4.2 (https://www.rfc-editor.org/rfc/rfc3515#section-2.4.2) leaves the
    // refusal of a REFER to the usual SIP responses; 491 is kept for a party still being brought in.
    if (call.party) return refuse(403, kind === 'blind' ? 'Forbidden (no transfer during a conference)' : 'Forbidden (a conference has three parties at most)');
    if (call.pending) return refuse(491, 'Request Pending (a transfer or conference is in progress)');
    this.ctx.sip.respond(conn, request, 202, { toTag: leg.localTag, headers: [contactHeader()] });
    this.ctx.event(call, kind === 'blind' ? 'transfer-requested' : 'conference-requested', leg.role, { by: leg.user.extension, target: target.extension, ...this.targetName(leg, target.extension) });
    call.log.info({ by: leg.role, target: target.extension, kind }, kind === 'blind' ? 'transfer requested' : 'conference requested');
    // The implicit subscription of the REFER: first "Trying", at the end the final status.
    this.notify(leg, 100, 'Trying', false);
    void this.addParty(call, leg, target.extension, kind).catch((err: unknown) => {
      call.log.error({ err }, 'transfer/conference failed');
      this.failParty(call, leg, kind, target.extension, 500, 'internal error');
    });
  }

  /**
   * The target's name as the directory holds it (the users table), for the replay and the live
   * view ("Transferred to Jane Hughes", "Waiting for Jane Hughes"): staff never see the extension the REFER named, and the
   * name is the server's, never what the phone said. Only a user of the referrer's own centre is
   * named; an unknown number or another centre's user is not.
   */
  private targetName(referrer: DialogLeg, extension: string): { targetName?: string } {
    const user = this.ctx.opts.repos.users.findByExtension(extension);
    return user && user.centreId !== null && user.centreId === referrer.user.centreId ? { targetName: user.displayName } : {};
  }

  private notify(leg: DialogLeg, status: number, reason: string, final: boolean): void {
    if (!leg.conn.isOpen) return;
    this.ctx.sendInDialog(leg, 'NOTIFY', {
      headers: [
        ['Event', 'refer'],
        ['Subscription-State', final ? 'terminated;reason=noresource' : `active;expires=${NOTIFY_EXPIRES_S}`],
      ],
      body: sipfrag(status, reason),
      contentType: 'message/sipfrag;version=2.0',
    });
  }

  private async addParty(call: Call, referrer: DialogLeg, extension: string, kind: 'blind' | 'conference'): Promise<void> {
    const checked = this.routing.routeParty(call, referrer, extension);
    if ('status' in checked) return this.failParty(call, referrer, kind, extension, checked.status, checked.reason);
    const other = call.other(referrer.role);
    if (!other || !call.media) return this.failParty(call, referrer, kind, extension, 481, 'Call Does Not Exist');
    const { user } = checked;
    // From here until our INVITE to the target has its outcome, a second REFER gets 491.
    const pending: PendingParty = { kind, target: user, queued: checked.queued };
    call.pending = pending;
    try {
      const binding = checked.queued ? await this.waitForTarget(call, referrer, pending) : checked.binding;
      if (binding) await this.inviteParty(call, referrer, other, pending, binding);
    } finally {
      if (call.pending === pending) call.pending = undefined;
      // The target is free again unless they joined: a call waiting for them may be offered now.
      this.ctx.queue?.offerNext(user.id);
    }
  }

  /**
   * The target is an agent who may not take the call yet (a candidate whose desktop is not Ready):
   * the party waits for them in the offer queue (offer-queue.ts), in the same first-come-first-served
   * order as calls dialled to them, and the referrer is told so in a NOTIFY. RFC 3515 §2.4.5,
   * https://www.rfc-editor.org/rfc/rfc3515#section-2.4.5: "Each NOTIFY MUST contain a body of type
   * "message/sipfrag" ... The body of a NOTIFY MUST begin with a SIP Response Status-Line ... The
   * response class in this status line indicates the status of the referred action": the status
   * line is "182 Queued" (RFC 3261 §21.1.4, https://www.rfc-editor.org/rfc/rfc3261#section-21.1.4),
   * provisional, so the subscription stays active until the final NOTIFY. Resolves with the target's
   * binding once the queue offers them the party (from then they count as busy); undefined when the
   * call ended meanwhile (nothing to tell: the queue only let go of it), the target's sitting ended
   * or their phone is gone (a final NOTIFY with 480 either way).
   */
  private async waitForTarget(call: Call, referrer: DialogLeg, pending: PendingParty): Promise<Binding | undefined> {
    const { target, kind } = pending;
    this.ctx.event(call, 'queued', null, { target: target.extension, ...this.targetName(referrer, target.extension), kind, reason: 'the agent is not ready' });
    call.log.info({ target: target.extension, kind }, 'queued: the agent is not ready');
    this.notify(referrer, 182, 'Queued', false);
    // The wait may be long: the subscription is kept alive by saying so again before the expires of
    // the last NOTIFY runs out. RFC 6665 §4.2.2, https://www.rfc-editor.org/rfc/rfc6665#section-4.2.2:
    // with "active" the notifier "MUST also include in the "Subscription-State" header field an
    // "expires" parameter that indicates the time remaining on the subscription".
    const stopRefresh = repeatEvery(this.ctx.opts.clock, QUEUED_NOTIFY_REFRESH_MS, () => {
      if (!call.ended) this.notify(referrer, 182, 'Queued', false);
    });
    let outcome: WaitOutcome;
    try {
      // Counted as the target's from the moment it is offered, so a second call is not offered to them too.
      outcome = await this.ctx.queue!.wait(call.id, target, () => (pending.queued = false));
    } finally {
      stopRefresh();
    }
    if (outcome === 'withdrawn' || call.ended) return undefined;
    if (outcome === 'agent-left') {
      this.failParty(call, referrer, kind, target.extension, AGENT_LEFT.status, AGENT_LEFT.reason);
      return undefined;
    }
    this.ctx.event(call, 'offered', null, { target: target.extension, ...this.targetName(referrer, target.extension) });
    const binding = this.ctx.sip.registrar.lookup(target.extension);
    if (!binding) this.failParty(call, referrer, kind, target.extension, 480, 'Temporarily Unavailable');
    return binding;
  }

  /** Our INVITE to the party and, once they answer, the transfer or conference completed. */
  private async inviteParty(call: Call, referrer: DialogLeg, other: DialogLeg, pending: PendingParty, binding: Binding): Promise<void> {
    const { target: user, kind } = pending;
    const extension = user.extension;
    if (!call.media) return;
    const mediaId = `party-${++call.partyCount}`;
    // A transfer target hears the party being transferred; a conference party hears both, each on
    // its own m-line (the referrer first).
    const offer = await call.media.createPartyOffer(mediaId, kind === 'blind' ? [other.mediaId] : [referrer.mediaId, other.mediaId]);
    if (call.ended) return;
    // The target sees who it is talking to: the transferred party, or the one who conferences it in.
    const presented = kind === 'blind' ? other.user : referrer.user;
    const leg = uacLeg({ role: 'party', mediaId, conn: binding.conn, user, remoteTarget: binding.contact, localUri: this.ctx.uriOf(presented), remoteUri: this.ctx.uriOf(user) }, this.ctx.opts.clock);
    const branch = this.ctx.sip.newBranch();
    // The same offer of 100rel and session timers as our INVITE to a callee (session-timer.ts).
    const headers = initialInviteHeaders(leg, branch, presented.displayName, [['Referred-By', `<${this.ctx.uriOf(referrer.user)}>`], ...uacInviteHeaders(DEFAULT_SE_S)]);
    const invite = new PartyInvite({
      sip: this.ctx.sip,
      conn: binding.conn,
      uri: binding.contact,
      headers,
      branch,
      body: offer,
      timeoutMs: this.ctx.opts.noAnswerTimeoutMs,
      clock: this.ctx.opts.clock,
      onProgress: (r) => prackIfReliable(leg, r, 1, (l, method, extra) => this.ctx.sendInDialog(l, method, extra)),
      ack: (r) => {
        leg.remoteTag = r.toTag;
        const code = r.statusCode ?? 0;
        this.ctx.sendAck(leg, 1, code < 300 ? this.ctx.sip.newBranch() : branch);
      },
      hangUpLate: (r) => {
        leg.remoteTag = r.toTag;
        this.ctx.sendAck(leg, 1);
        this.ctx.sendInDialog(leg, 'BYE');
      },
    });
    pending.leg = leg;
    pending.invite = invite;
    const outcome = await invite.outcome;
    if (!outcome.ok) {
      await call.media.removeParty(mediaId).catch(() => {});
      return this.failParty(call, referrer, kind, extension, outcome.status, outcome.reason);
    }
    if (outcome.remoteTarget) leg.remoteTarget = outcome.remoteTarget;
    // The referrer (or the other party) may have hung up while the target was ringing.
    if (call.ended || !call.legs().includes(referrer) || !call.legs().includes(other)) {
      this.ctx.sendInDialog(leg, 'BYE');
      await call.media.removeParty(mediaId).catch(() => {});
      if (!call.ended) this.failParty(call, referrer, kind, extension, 487, 'Request Terminated');
      return;
    }
    try {
      await call.media.acceptPartyAnswer(mediaId, outcome.response.body);
    } catch (err) {
      call.log.warn({ err }, 'the added party answered with unusable SDP');
      this.ctx.sendInDialog(leg, 'BYE', { headers: [['Reason', 'SIP;cause=488;text="unusable SDP answer"']] });
      await call.media.removeParty(mediaId).catch(() => {});
      return this.failParty(call, referrer, kind, extension, 488, 'Not Acceptable Here');
    }
    this.ctx.track(leg.sipCallId, call);
    // A call on hold is taken off hold: the new party joins a live conversation.
    if (call.heldBy !== null) {
      call.heldBy = null;
      await call.media.setHold(false);
    }
    // The session timer the party's 2xx set (RFC 4028 §7.2, https://www.rfc-editor.org/rfc/rfc4028#section-7.2), run as for the callee's dialog.
    this.ctx.startUacSessionTimer(call, leg, negotiatedAsUac(outcome.response, DEFAULT_SE_S));
    if (kind === 'blind') await this.completeTransfer(call, referrer, other, leg);
    else await this.completeConference(call, referrer, other, leg);
  }

  private failParty(call: Call, referrer: DialogLeg, kind: 'blind' | 'conference', extension: string, status: number, reason: string): void {
    call.log.info({ target: extension, status, reason }, kind === 'blind' ? 'transfer failed' : 'conference failed');
    if (call.ended || !call.legs().includes(referrer)) return; // the referrer's dialog is gone: nobody to tell
    this.ctx.event(call, kind === 'blind' ? 'transfer-failed' : 'conference-failed', referrer.role, { target: extension, ...this.targetName(referrer, extension), status, reason });
    this.notify(referrer, status, reason || 'Failed', true);
  }

  /** The target answered: it takes the referrer's place, the other party is re-offered, the referrer leaves. */
  private async completeTransfer(call: Call, referrer: DialogLeg, other: DialogLeg, target: DialogLeg): Promise<void> {
    const media = call.media!;
    const { repos } = this.ctx.opts;
    const referrerProducer = media.producerOf(referrer.mediaId);
    // A call between staff (no candidate) put through to a candidate is the candidate's call from now on.
    const candidateJoins = target.user.role === 'candidate' && repos.calls.find(call.id)?.candidateUserId === null;
    // The leg on the left channel until now (the caller's, in a call between staff).
    const otherWasLeft = other.role === call.candidateRole;
    await media.switchSource(other.mediaId, referrer.mediaId, target.mediaId);
    // The target takes the referrer's place (and role) in the call.
    target.role = referrer.role;
    if (referrer === call.caller) call.caller = target;
    else call.callee = target;
    if (candidateJoins) {
      // Named before the transfer's event is stored, so it and every later event reach the
      // candidate's attempt (server/realtime/call-evidence.ts); the events stored before stay as they were.
      call.candidateRole = target.role;
      repos.calls.update(call.id, { candidateUserId: target.user.id });
    }
    this.ctx.untrack(referrer.sipCallId);
    referrer.sessionTimer?.stop();
    // Named from the user records the B2BUA routed by (server-side), as the replay shows them.
    this.ctx.event(call, 'transferred', target.role, { from: referrer.user.extension, to: target.user.extension, fromName: referrer.user.displayName, toName: target.user.displayName });
    call.log.info({ to: target.user.extension }, 'call transferred');
    this.notify(referrer, 200, 'OK', true);
    if (referrer.conn.isOpen) this.ctx.sendInDialog(referrer, 'BYE', { headers: [['Reason', 'SIP;cause=200;text="transferred"']] });
    // The recording keeps the referrer's audio up to now: its leg is ended (what the worker still
    // holds of it read) before its transport closes, which would discard that. Bounded, never rejects.
    if (referrerProducer) await call.recorder?.endLeg(referrerProducer);
    await media.removeParty(referrer.mediaId);
    // The referrer is free again: a call waiting for them may be offered.
    this.ctx.queue?.offerNext(referrer.user.id);
    // The target is everyone else (right), or, when the call becomes the candidate's, the candidate:
    // alone on the left from now on, the other party moved to the right (what the channels hold up
    // to now is left as it was recorded).
    if (candidateJoins) {
      const otherProducer = media.producerOf(other.mediaId);
      if (otherWasLeft && otherProducer) {
        // The other party stays (its media too): its new leg on the right starts now, not after the old one closes.
        void call.recorder?.endLeg(otherProducer);
        await this.recordParty(call, other, 'right');
      }
      await this.recordParty(call, target, 'left');
      if (call.recorder) this.ctx.event(call, 'recording-channels', null, { left: target.role, right: other.role, from: 'transfer' });
    } else {
      await this.recordParty(call, target, 'right');
    }
    // The other party's m-line now carries the target's audio with a new SSRC: tell its browser.
    await this.ctx.reinvite(call, other);
  }

  private async completeConference(call: Call, referrer: DialogLeg, other: DialogLeg, party: DialogLeg): Promise<void> {
    const media = call.media!;
    call.party = party;
    for (const leg of [referrer, other]) await media.addSource(leg.mediaId, party.mediaId);
    this.ctx.event(call, 'conference-started', referrer.role, { by: referrer.user.extension, party: party.user.extension, partyName: party.user.displayName, parties: 3 });
    call.log.info({ party: party.user.extension }, 'conference started');
    this.notify(referrer, 200, 'OK', true);
    await this.recordParty(call, party, 'right');
    for (const leg of [referrer, other]) if (call.legs().includes(leg)) await this.ctx.reinvite(call, leg);
  }

  /** Records the leg's audio from now on, on `side`: left is the candidate only, right everyone else. */
  private async recordParty(call: Call, leg: DialogLeg, side: 'left' | 'right'): Promise<void> {
    const producer = call.media?.producerOf(leg.mediaId);
    if (!producer || !call.recorder) return;
    await call.recorder.addLeg(side, producer).catch((err: unknown) => call.log.warn({ err }, 'the added party could not be recorded'));
  }

  /**
   * A party leaves a three-party conference (BYE or lost connection): the other two stay connected,
   * as in a contact centre where the agent drops out and leaves the customer with the supervisor.
   */
  async leaveConference(call: Call, leg: DialogLeg, reason: string): Promise<void> {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    const producer = call.media?.producerOf(leg.mediaId);
    // The recording keeps the party's audio up to now; its leg ends (bounded, never rejects) before
    // its transport closes below, which would discard what the worker still holds of it.
    const legEnded = producer ? call.recorder?.endLeg(producer) : undefined;
    this.ctx.event(call, 'conference-party-left', leg.role, { extension: leg.user.extension, reason, remaining: 2 });
    call.log.info({ leg: leg.role, reason }, 'a party left the conference');
    const party = call.party!;
    // The conference party takes the place (and role) of whoever left.
    if (leg !== party) {
      party.role = leg.role;
      if (leg === call.caller) call.caller = party;
      else call.callee = party;
    }
    call.party = undefined;
    this.ctx.untrack(leg.sipCallId);
    leg.sessionTimer?.stop();
    await legEnded;
    await call.media?.removeParty(leg.mediaId).catch((err: unknown) => call.log.warn({ err }, 'could not remove the party'));
    // Whoever left is free again: a call waiting for them may be offered.
    this.ctx.queue?.offerNext(leg.user.id);
    // Tell the two who stay: the departed party's m-line goes inactive (their phones count parties).
    call.relayChain = call.relayChain
      .then(async () => {
        for (const l of call.legs()) if (call.phase === 'answered') await this.ctx.reinvite(call, l);
      })
      .catch((err: unknown) => call.log.warn({ err }, 'could not re-offer after a party left'));
  }

}
