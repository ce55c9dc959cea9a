// Setting a call up: the caller's INVITE answered as UAS, a new INVITE to the callee as UAC (its
// responses through the typed delegate of outgoing-invite.ts), media built from the caller's offer,
// ringing and answer passed back, no answer and CANCEL (RFC 3261 §9.1, https://www.rfc-editor.org/rfc/rfc3261#section-9.1).
import { CallMedia, SdpError } from '../../media/index.js';
import type { User } from '../db/repositories/users.js';
import { Call } from './call.js';
import { ACK_TIMEOUT_MS, type CallContext } from './call-context.js';
import { isRefusal, type CallRouting, type RouteRefusal } from './call-routing.js';
import { calleeInviteMachine } from './call-state.js';
import { CAPABILITY_HEADERS } from './capabilities.js';
import type { SipConnection } from './connection.js';
import { contactHeader, initialInviteHeaders, newTag, uacLeg, uasLeg, type LegRole } from './dialog-leg.js';
import type { HeaderList, SipRequest, SipResponse } from './message.js';
import { AGENT_LEFT } from './offer-queue.js';
import { prackIfReliable, sendInvite } from './outgoing-invite.js';
import type { DelayedOffer } from './delayed-offer.js';
import type { Binding } from './registrar.js';
import { DEFAULT_SE_S, negotiateAsUas, negotiatedAsUac, uacInviteHeaders } from './session-timer.js';

export class CallSetup {
  constructor(
    private readonly ctx: CallContext,
    private readonly routing: CallRouting,
    private readonly delayed: DelayedOffer,
  ) {}

  async startCall(conn: SipConnection, request: SipRequest): Promise<void> {
    if (this.ctx.closing) return this.ctx.sip.respond(conn, request, 503, { reason: 'Server Shutting Down', headers: [['Retry-After', '30']] });
    this.ctx.sip.respond(conn, request, 100);
    const refuse = (r: RouteRefusal) => this.ctx.sip.respond(conn, request, r.status, { ...(r.toTag ? { toTag: newTag() } : {}), ...(r.reason ? { reason: r.reason } : {}) });
    const route = this.routing.route(conn.authenticatedExtension, (request.ruri as { user?: string } | undefined)?.user ?? '');
    if (isRefusal(route)) return refuse(route);
    const { callerUser, calleeUser, dialledNumber } = route;
    const callerTimer = negotiateAsUas(request);
    if (callerTimer.kind === 'malformed') return this.ctx.sip.respond(conn, request, 400, { reason: callerTimer.reason });
    // RFC 4028 §6, https://www.rfc-editor.org/rfc/rfc4028#section-6: "422 Session Interval Too
    // Small ... MUST contain a Min-SE header field with the minimum timer duration".
    if (callerTimer.kind === 'too-brief') return this.ctx.sip.respond(conn, request, 422, { toTag: newTag(), reason: 'Session Interval Too Small', headers: callerTimer.headers });
    // An INVITE without a body is a delayed offer (delayed-offer.ts); a body must be SDP.
    const delayedOffer = !request.body;
    if (!delayedOffer && request.getHeader('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp') {
      return this.ctx.sip.respond(conn, request, 488, { toTag: newTag(), headers: [['Warning', '399 callmark "the INVITE body must be an SDP offer"']] });
    }
    const queued = this.ctx.queue?.mustWait(calleeUser) ?? false;
    const binding = this.routing.reach(route, queued);
    if (isRefusal(binding)) return refuse(binding);

    const candidateRole: LegRole = callerUser.role !== 'candidate' && calleeUser.role === 'candidate' ? 'callee' : 'caller';
    const contact = request.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    const caller = uasLeg(
      {
        role: 'caller',
        // With a delayed offer the media plane is built from the callee's offer: the callee is its 'caller'.
        mediaId: delayedOffer ? 'callee' : 'caller',
        conn,
        user: callerUser,
        sipCallId: request.callId,
        remoteTag: request.fromTag,
        remoteTarget: contact?.uri?.toString() ?? request.from.uri.toString(),
        localUri: request.to.uri.toString(),
        remoteUri: request.from.uri.toString(),
        remoteCSeq: request.cseq,
      },
      this.ctx.opts.clock,
    );
    const call = new Call(caller, request, candidateRole, this.ctx.opts.logger, this.ctx.opts.clock);
    // Counted as the callee's call from now on (isBusy), unless it waits in the queue first.
    if (!queued) call.offering = calleeUser;
    this.ctx.addCall(call);
    call.dialledNumber = dialledNumber;
    call.delayedOffer = delayedOffer;
    call.callerTimer = callerTimer;
    // RFC 3262 §3, https://www.rfc-editor.org/rfc/rfc3262#section-3: "If the UAC requires
    // reliable provisional responses ... [with] the option tag 100rel in the Require header field
    // ... the UAS MUST send any non-100 provisional response reliably."
    const requires = request.getHeaders('require').join(',').split(',').map((t) => t.trim().toLowerCase());
    if (requires.includes('100rel')) call.reliable = { rseq: Math.floor(Math.random() * 1000) + 1 };
    try {
      await this.setUpCall(call, callerUser, calleeUser, binding, queued);
    } catch (err) {
      // The call ended while its media was being set up (the caller hung up or disconnected):
      // finish() has run and closed the router under the awaited step. Nothing went wrong here.
      if (call.ended) {
        call.log.info({ err: (err as Error).message }, 'call set-up abandoned: the call ended meanwhile');
        return;
      }
      call.log.error({ err }, 'call set-up failed');
      this.ctx.respondCaller(call, 500);
      await this.ctx.finish(call, 'failed', 'internal error during set-up', 500);
    }
  }

  private async setUpCall(call: Call, callerUser: User, calleeUser: User, binding: Binding, queued: boolean): Promise<void> {
    const { repos } = this.ctx.opts;
    const request = call.callerInvite;
    const candidateRole = call.candidateRole;
    const caller = call.caller;
    this.ctx.track(caller.sipCallId, call);
    const candidate = candidateRole === 'caller' ? callerUser : calleeUser;
    repos.calls.create({
      id: call.id,
      centreId: candidate.centreId ?? callerUser.centreId,
      callerUserId: callerUser.id,
      calleeUserId: calleeUser.id,
      callerExtension: callerUser.extension,
      calleeExtension: calleeUser.extension,
      candidateUserId: candidate.role === 'candidate' ? candidate.id : null,
      invitedAt: this.ctx.now(),
    });
    this.ctx.event(call, 'invite', 'caller', { from: callerUser.extension, to: calleeUser.extension, ...(call.dialledNumber ? { dialledNumber: call.dialledNumber } : {}) });
    call.log.info({ from: callerUser.extension, to: calleeUser.extension }, 'call set-up');

    if (call.delayedOffer) {
      const reached = await this.calleeToRing(call, calleeUser, binding, queued);
      if (reached) this.inviteCallee(call, callerUser, calleeUser, reached, undefined);
      return;
    }
    try {
      const media = await CallMedia.fromCallerOffer(this.ctx.opts.pool, request.body, { listenIp: this.ctx.opts.listenIp, announcedIp: this.ctx.opts.announcedIp, requestTimeoutMs: this.ctx.opts.mediaRequestTimeoutMs });
      if (call.ended) {
        // Cancelled (or disconnected) while the media was being set up: finish() has run already.
        media.close();
        return;
      }
      call.media = media;
    } catch (err) {
      const warning = err instanceof SdpError ? err.message : 'media could not be set up';
      call.log.warn({ err }, 'caller offer refused');
      this.ctx.respondCaller(call, err instanceof SdpError ? 488 : 500, { headers: [['Warning', `399 callmark "${warning.replace(/"/g, "'")}"`]] });
      return this.ctx.finish(call, 'setup-failed', warning, err instanceof SdpError ? 488 : 500);
    }
    call.media.onClosed((reason) => {
      if (call.phase !== 'ended') void this.ctx.abort(call, reason);
    });
    const reached = await this.calleeToRing(call, calleeUser, binding, queued);
    if (!reached) return;

    const offer = await call.media.createCalleeOffer();
    if (call.ended) return;
    this.inviteCallee(call, callerUser, calleeUser, reached, offer);
  }

  /**
   * The callee's phone to ring, once it may be: after the queue offers the call (when it waited for
   * its agent) and only while its connection is open. Undefined when the call ended instead (480
   * to the caller for a phone that went away).
   */
  private async calleeToRing(call: Call, calleeUser: User, binding: Binding, queued: boolean): Promise<Binding | undefined> {
    const reached = queued ? await this.waitForAgent(call, calleeUser) : binding;
    if (!reached) return undefined;
    if (!reached.conn.isOpen) {
      this.ctx.respondCaller(call, 480);
      await this.ctx.finish(call, 'unavailable', 'callee disconnected', 480);
      return undefined;
    }
    return reached;
  }

  /**
   * The call waits for its agent (offer-queue.ts): the caller gets 182 Queued (RFC 3261 §21.1.4,
   * https://www.rfc-editor.org/rfc/rfc3261#section-21.1.4) and the callee's phone is not rung until
   * the queue offers the call. Resolves with the callee's binding when it is offered (then it counts
   * as the callee's call); undefined when it ended while it waited, the callee's sitting ended (480
   * to the caller, `AGENT_LEFT`), or the callee's phone was gone.
   */
  private async waitForAgent(call: Call, calleeUser: User): Promise<Binding | undefined> {
    // The agent by the users table's name (the replay: "Waiting for Jane Hughes"), as a transfer names
    // its target; the call policy has already kept the caller to the agent's own centre.
    this.ctx.event(call, 'queued', 'callee', { targetName: calleeUser.displayName, reason: 'the agent is not ready' });
    call.log.info('queued: the agent is not ready');
    // A 1xx with a To tag opens an early dialog, which needs our Contact (as for the 180).
    if (call.reliable) this.ctx.sendReliableProvisional(call, 182, [contactHeader()]);
    else this.ctx.respondCaller(call, 182, { reason: 'Queued', headers: [contactHeader()] });
    // Counted as the callee's call (isBusy) from the moment it is offered.
    const outcome = await this.ctx.queue!.wait(call.id, calleeUser, () => (call.offering = calleeUser));
    if (outcome === 'withdrawn' || call.ended) return undefined;
    if (outcome === 'agent-left') {
      this.ctx.respondCaller(call, AGENT_LEFT.status, { reason: AGENT_LEFT.reason });
      await this.ctx.finish(call, 'unavailable', 'the sitting ended while the call waited', AGENT_LEFT.status);
      return undefined;
    }
    this.ctx.event(call, 'offered', 'callee', { targetName: calleeUser.displayName });
    const binding = this.ctx.sip.registrar.lookup(calleeUser.extension);
    if (!binding) {
      this.ctx.respondCaller(call, 480, { reason: 'Temporarily Unavailable (not registered)' });
      await this.ctx.finish(call, 'unavailable', 'the callee was no longer registered when the call was offered', 480);
      return undefined;
    }
    return binding;
  }

  /** Our INVITE to the callee: with our offer, or without SDP when the caller's INVITE had none (delayed-offer.ts). */
  private inviteCallee(call: Call, callerUser: User, calleeUser: User, binding: Binding, offer: string | undefined): void {
    const request = call.callerInvite;
    const callee = uacLeg({ role: 'callee', mediaId: call.delayedOffer ? 'caller' : 'callee', conn: binding.conn, user: calleeUser, remoteTarget: binding.contact, localUri: this.ctx.uriOf(callerUser), remoteUri: this.ctx.uriOf(calleeUser) }, this.ctx.opts.clock);
    call.callee = callee;
    this.ctx.track(callee.sipCallId, call);
    const branch = this.ctx.sip.newBranch();
    // An assessor playing a customer presents the customer's number and name (X-Presented-Number,
    // X-Presented-Name): the candidate's phone shows the caller as a customer's call would, never the
    // assessor or an extension. Only from assessors; a name only with a number, and only plain
    // words (it goes into the From display-name, RFC 3261 §25.1, https://www.rfc-editor.org/rfc/rfc3261#section-25.1 quoted-string: no quotes or backslashes).
    const presented = request.getHeader('x-presented-number')?.trim();
    const presentsNumber = Boolean(presented && callerUser.role === 'assessor' && /^\+?[0-9][0-9 ]{2,19}$/.test(presented));
    const presentedName = request.getHeader('x-presented-name')?.trim();
    const nameOk = presentsNumber && presentedName !== undefined && /^[\p{L}\p{N} .,'’-]{1,60}$/u.test(presentedName);
    // A number presented with no usable name shows as the number alone, as a phone shows a caller
    // it has no name for: never the assessor's name beside a customer's number.
    const shownName = nameOk ? presentedName : presentsNumber && presented ? presented : callerUser.displayName;
    const headers = initialInviteHeaders(callee, branch, shownName);
    // Supported: 100rel, timer; Session-Expires and Min-SE (RFC 4028 §7.1, https://www.rfc-editor.org/rfc/rfc4028#section-7.1, session-timer.ts).
    headers.push(...uacInviteHeaders(DEFAULT_SE_S));
    if (call.dialledNumber) headers.push(['X-Dialled-Number', call.dialledNumber]);
    // The presented number also lets the desktop screen-pop.
    if (presented && presentsNumber) {
      headers.push(['X-Presented-Number', presented]);
      // Kept with the name shown, so the staff's call list names the caller as the candidate saw them.
      this.ctx.event(call, 'presented-number', 'caller', { number: presented, ...(nameOk ? { name: presentedName } : {}) });
    }
    call.calleeInvite = { branch, cseq: 1, uri: binding.contact, headers, body: offer, sessionExpiresS: DEFAULT_SE_S, state: calleeInviteMachine(this.ctx.opts.clock) };
    call.state.startTimer('no-answer', this.ctx.opts.noAnswerTimeoutMs, () => this.noAnswer(call));
    this.sendCalleeInvite(call);
  }

  /** Sends (or, after a 422, sends again) our INVITE to the callee as `call.calleeInvite` describes it. */
  private sendCalleeInvite(call: Call): void {
    const inv = call.calleeInvite!;
    const failed = (err: unknown): void => {
      call.log.error({ err }, 'error handling the callee response');
      void this.ctx.abort(call, 'internal error');
    };
    sendInvite(this.ctx.sip, call.callee!.conn, { uri: inv.uri, headers: inv.headers, body: inv.body }, inv.branch, {
      onProgress: (r) => {
        try {
          this.onCalleeProgress(call, r);
        } catch (err) {
          failed(err);
        }
      },
      onAccept: (r) => void (call.delayedOffer ? this.delayed.onCalleeOffer(call, r) : this.onCalleeAccept(call, r)).catch(failed),
      onReject: (r) => void this.onCalleeReject(call, r).catch(failed),
      onRequestTimeout: () => void this.onCalleeTimeout(call).catch(failed),
    });
  }

  /** No final response from the callee within the transaction's time, or its connection closed. */
  private async onCalleeTimeout(call: Call): Promise<void> {
    const callee = call.callee!;
    if (call.phase === 'answered' || call.phase === 'ended') return;
    const code = callee.conn.isOpen ? 408 : 480;
    this.ctx.respondCaller(call, code);
    return this.ctx.finish(call, 'unavailable', callee.conn.isOpen ? 'no response from the callee' : 'callee disconnected', code);
  }

  private onCalleeProgress(call: Call, response: SipResponse): void {
    const callee = call.callee!;
    const status = response.statusCode ?? 0;
    const invite = call.calleeInvite!.state;
    if (invite.is('calling')) invite.transition('proceeding');
    if (response.toTag) callee.remoteTag = response.toTag;
    prackIfReliable(callee, response, call.calleeInvite!.cseq, (leg, method, extra) => this.ctx.sendInDialog(leg, method, extra));
    if ((status === 180 || status === 183) && call.phase === 'setup') {
      call.state.transition('ringing');
      this.ctx.opts.repos.calls.update(call.id, { state: 'ringing', ringingAt: this.ctx.now() });
      this.ctx.event(call, 'ringing', 'callee');
      // A 1xx with a To tag opens an early dialog, which needs our Contact (sip.js drops it otherwise).
      if (call.reliable) this.ctx.sendReliableProvisional(call, 180, [contactHeader()]);
      else this.ctx.respondCaller(call, 180, { headers: [contactHeader()] });
    }
    if (invite.is('cancel-pending')) this.sendCancel(call);
  }

  private async onCalleeAccept(call: Call, response: SipResponse): Promise<void> {
    const callee = call.callee!;
    callee.remoteTag = response.toTag;
    const contact = response.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    if (contact?.uri) callee.remoteTarget = contact.uri.toString();
    this.ctx.sendAck(callee, call.calleeInvite!.cseq);
    // A retransmitted 200 (RFC 3261 §13.3.1.4, https://www.rfc-editor.org/rfc/rfc3261#section-13.3.1.4:
    // the callee "periodically retransmit[s] the 2xx response ... until it receives an ACK"): the ACK
    // above is all it needs (§13.2.2.4), also while the first one's answer is still being applied
    // (`call.answering` is set before that await): applying it twice would refuse the second and end
    // the call the callee has just answered.
    if (call.phase === 'answered' || call.answering) return;
    if (call.phase === 'ended') {
      this.ctx.sendInDialog(callee, 'BYE');
      return;
    }
    call.state.stopTimer('no-answer');
    let answer: string;
    try {
      const applying = call.media!.acceptCalleeAnswer(response.body);
      call.answering = applying.catch(() => undefined);
      answer = await applying;
    } catch (err) {
      call.log.warn({ err }, 'callee answer refused');
      this.ctx.sendInDialog(callee, 'BYE', { headers: [['Reason', 'SIP;cause=488;text="unusable SDP answer"']] });
      this.ctx.respondCaller(call, 488, { headers: [['Warning', '399 callmark "the callee answered with unusable media"']] });
      return this.ctx.finish(call, 'setup-failed', 'callee SDP answer refused', 488);
    }
    if (call.ended) {
      // The caller went (CANCEL, BYE, lost connection) while the answer was being applied: the
      // callee's dialog is confirmed, so it gets a BYE, and the call stays ended.
      this.ctx.sendInDialog(callee, 'BYE');
      return;
    }
    call.state.transition('answered');
    const timer = call.callerTimer;
    this.ctx.respondCaller(call, 200, { body: answer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    if (timer.kind === 'timer') this.ctx.startSessionTimer(call, call.caller, timer);
    this.ctx.startUacSessionTimer(call, callee, negotiatedAsUac(response, call.calleeInvite!.sessionExpiresS));
    const answeredAt = this.ctx.now();
    this.ctx.opts.repos.calls.update(call.id, { state: 'answered', answeredAt, sipStatus: 200 });
    this.ctx.event(call, 'answered', 'callee');
    call.log.info('call answered');
    call.state.startTimer('ack', ACK_TIMEOUT_MS, () => {
      call.log.warn('no ACK from the caller for our 200 OK');
      void this.ctx.hangup(call, null, 'no ACK from the caller', 408);
    });
    await this.ctx.startRecording(call);
  }

  private async onCalleeReject(call: Call, response: SipResponse): Promise<void> {
    const callee = call.callee!;
    const status = response.statusCode ?? 0;
    // A final failure from the callee: ACK it (hop by hop, same branch, with its To tag) and pass it on.
    if (response.toTag) callee.remoteTag = response.toTag;
    this.ctx.sendAck(callee, call.calleeInvite!.cseq, call.calleeInvite!.branch);
    if (call.phase === 'ended') return;
    if (status === 422 && this.retryWithMinSe(call, response)) return;
    const passOn = status;
    const reasonText = response.reasonPhrase ?? '';
    this.ctx.respondCaller(call, passOn, { reason: reasonText });
    const reason = status === 486 ? 'busy' : status === 603 ? 'declined' : status === 487 ? 'cancelled' : status === 480 ? 'unavailable' : 'failed';
    return this.ctx.finish(call, reason, `callee answered ${status} ${reasonText}`, passOn);
  }

  /**
   * RFC 4028 §7.3, https://www.rfc-editor.org/rfc/rfc4028#section-7.3: "If the response is a 422,
   * the UAC MAY retry the request. If it does, it MUST use the Min-SE header field in the 422 as the
   * minimum session expiration." Retried once, in a new transaction (CSeq one higher, the same
   * Call-ID and From tag, RFC 3261 §8.1.3.5, https://www.rfc-editor.org/rfc/rfc3261#section-8.1.3.5), unless the caller has cancelled meanwhile.
   */
  private retryWithMinSe(call: Call, response: SipResponse): boolean {
    const inv = call.calleeInvite!;
    const callee = call.callee!;
    const minSe = Number(/^\s*(\d{1,10})/.exec(response.getHeader('min-se') ?? '')?.[1]);
    if (inv.cseq !== 1 || !(inv.state.is('calling') || inv.state.is('proceeding'))) return false;
    if (!Number.isInteger(minSe) || minSe <= inv.sessionExpiresS || minSe > 86_400) return false;
    const branch = this.ctx.sip.newBranch();
    const cseq = ++callee.localCSeq;
    callee.remoteTag = undefined;
    const headers: HeaderList = inv.headers.map(([name, value]): [string, string] => {
      if (name === 'Via') return [name, value.replace(/;branch=[^;]+/, `;branch=${branch}`)];
      if (name === 'CSeq') return [name, `${cseq} INVITE`];
      if (name === 'Session-Expires' || name === 'Min-SE') return [name, String(minSe)];
      return [name, value];
    });
    call.calleeInvite = { ...inv, branch, cseq, headers, sessionExpiresS: minSe, state: calleeInviteMachine(this.ctx.opts.clock) };
    call.log.info({ minSe }, 'callee asked for a longer session interval (422): INVITE sent again');
    this.sendCalleeInvite(call);
    return true;
  }

  private noAnswer(call: Call): void {
    if (call.phase !== 'setup' && call.phase !== 'ringing') return;
    call.log.info('no answer: cancelling');
    this.ctx.event(call, 'no-answer', 'callee', { afterMs: this.ctx.opts.noAnswerTimeoutMs });
    this.sendCancelToCallee(call);
    this.ctx.respondCaller(call, 408, { reason: 'Request Timeout (no answer)' });
    void this.ctx.finish(call, 'no-answer', `no answer after ${Math.round(this.ctx.opts.noAnswerTimeoutMs / 1000)} s`, 408);
  }

  /**
   * CANCELs our INVITE to the callee. RFC 3261 §9.1, https://www.rfc-editor.org/rfc/rfc3261#section-9.1:
   * "If no provisional response has been received, the CANCEL request MUST NOT be sent; rather, the
   * client MUST wait for the arrival of a provisional response before sending the request": until
   * then the INVITE is `cancel-pending` and the 1xx handler calls this again.
   */
  sendCancelToCallee(call: Call): void {
    const inv = call.calleeInvite;
    const callee = call.callee;
    if (!inv || !callee) return;
    if (inv.state.is('calling')) return inv.state.transition('cancel-pending');
    if (inv.state.is('proceeding')) this.sendCancel(call);
  }

  /** The CANCEL itself, once a provisional response has come (`proceeding` or `cancel-pending`). */
  private sendCancel(call: Call): void {
    const inv = call.calleeInvite!;
    const callee = call.callee!;
    inv.state.transition('cancelled');
    const headers = inv.headers
      .filter(([n]) => ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID'].includes(n))
      .concat([['CSeq', `${inv.cseq} CANCEL`]]);
    this.ctx.sip.sendRequest(callee.conn, { method: 'CANCEL', uri: inv.uri, headers }, inv.branch, () => {});
  }

}
