// The back-to-back user agent. Each call has two dialogs: the caller's INVITE ends here (we are its
// UAS) and we place a new INVITE to the callee (we are its UAC). Media is anchored in mediasoup
// (media/CallMedia) and recorded (media/CallRecorder) from answer to hang-up. Every step is stored
// on the call row and its append-only event timeline.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { CallMedia, CallRecorder, SdpError, type MediaWorkerPool } from '../../media/index.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { User } from '../db/repositories/users.js';
import type { SipConnection } from './connection.js';
import type { HeaderList, SipRequest, SipResponse } from './message.js';
import type { CallPolicy } from './call-policy.js';
import type { Registrar } from './registrar.js';
import type { ClientTransaction } from './transactions.js';
import type { DialogHandler, SipServer } from './sip-server.js';
import { PartyInvite, referTarget, sipfrag } from './party-invite.js';
import { Call, dtmfDigit, offerSettled } from './call.js';
import { glareBackoffMs, pause, refusedForGlare, REINVITE_ATTEMPTS } from './reinvite-glare.js';
import { CAPABILITY_HEADERS, SUPPORTED } from './capabilities.js';
import { contactHeader, dialogHeaders, initialInviteHeaders, newTag, uacLeg, uasLeg, type DialogLeg, type LegRole } from './dialog-leg.js';
import { sendInvite, toDelegate } from './outgoing-invite.js';
import { negotiateAsUas, SessionTimer, type SessionTimerOffer } from './session-timer.js';
import { calleeInviteMachine } from './call-state.js';
import { OfferQueue, type OfferGate } from './offer-queue.js';

export interface B2buaOptions {
  sip: SipServer;
  repos: Repositories;
  clock: Clock;
  logger: FastifyBaseLogger;
  pool: MediaWorkerPool;
  listenIp: string;
  announcedIp?: string;
  recordingsDir: string;
  noAnswerTimeoutMs: number;
  /** Whether a call between these two users is allowed, and why not (server/sip/call-policy.ts). */
  callPolicy?: CallPolicy;
  /** Whether a call may ring the callee's phone now (a candidate: only while Ready); without it, always. */
  offerGate?: OfferGate;
}

const ACK_TIMEOUT_MS = 32_000;
/** RFC 3261 §17.1.1.1 T1, the round-trip estimate: 500 ms. */
const T1_MS = 500;

export class B2bua implements DialogHandler {
  /** Calls by the SIP Call-ID of either leg. */
  private readonly bySipCallId = new Map<string, Call>();
  private readonly calls = new Set<Call>();
  /** Calls being ended (recording finalising); shutdown waits for them. */
  private readonly finishing = new Set<Promise<void>>();
  private closing = false;
  /** Calls waiting for an agent who may not take them yet (offer-queue.ts). */
  private readonly queue: OfferQueue | undefined;

  constructor(private readonly opts: B2buaOptions) {
    opts.sip.setDialogHandler(this);
    this.queue = opts.offerGate ? new OfferQueue(opts.offerGate, (extension) => this.isBusy(extension)) : undefined;
  }

  /** Calls waiting in the queue for an agent. */
  get queuedCalls(): number {
    return this.queue?.size ?? 0;
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  private get sip(): SipServer {
    return this.opts.sip;
  }

  private now(): number {
    return this.opts.clock.now();
  }

  private event(call: Call, type: string, leg: LegRole | null = null, detail: Record<string, unknown> | null = null): void {
    // The call_events leg column knows caller and callee only; the conference party says so in detail.
    if (leg === 'party') detail = { party: true, ...detail };
    this.opts.repos.calls.addEvent(call.id, this.now(), type, leg === 'party' ? null : leg, detail);
  }

  private uriOf(user: User): string {
    return `sip:${user.extension}@${this.sip.realm}`;
  }

  private isBusy(extension: string): boolean {
    for (const c of this.calls) {
      if (c.phase === 'ended') continue;
      if (c.offering?.extension === extension || [...c.legs(), c.pending?.leg].some((l) => l?.user.extension === extension)) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ sending on a leg

  private sendInDialog(
    leg: DialogLeg,
    method: string,
    extra: { headers?: HeaderList; body?: string; contentType?: string } = {},
    onResponse?: ClientTransaction['onResponse'],
  ): string {
    const branch = this.sip.newBranch();
    leg.localCSeq++;
    const headers: HeaderList = [
      ...dialogHeaders(leg, branch, `${leg.localCSeq} ${method}`),
      contactHeader(),
      ...(extra.headers ?? []),
    ];
    this.sip.sendRequest(leg.conn, { method, uri: leg.remoteTarget, headers, body: extra.body, contentType: extra.contentType }, branch, onResponse ?? (() => {}));
    return branch;
  }

  private sendAck(leg: DialogLeg, cseq: number, branch = this.sip.newBranch()): void {
    this.sip.sendRequest(
      leg.conn,
      {
        method: 'ACK',
        uri: leg.remoteTarget,
        headers: dialogHeaders(leg, branch, `${cseq} ACK`),
      },
      branch,
    );
  }

  private respondCaller(call: Call, status: number, opts: { reason?: string; headers?: HeaderList; body?: string } = {}): void {
    if (status >= 200) {
      if (!call.callerTx.may('completed')) return;
      call.callerTx.transition('completed');
      call.state.stopTimer('prack');
    }
    this.sip.respond(call.caller.conn, call.callerInvite, status, { toTag: call.caller.localTag, ...opts });
  }

  // ------------------------------------------------------------------ INVITE

  onInvite(conn: SipConnection, request: SipRequest): void {
    if (request.toTag) return this.onReinvite(conn, request);
    void this.startCall(conn, request).catch((err: unknown) => {
      this.opts.logger.error({ err }, 'call set-up failed');
      this.sip.respond(conn, request, 500);
    });
  }

  private async startCall(conn: SipConnection, request: SipRequest): Promise<void> {
    const { repos } = this.opts;
    if (this.closing) return this.sip.respond(conn, request, 503, { reason: 'Server Shutting Down', headers: [['Retry-After', '30']] });
    this.sip.respond(conn, request, 100);
    const callerUser = repos.users.findByExtension(conn.authenticatedExtension ?? '');
    const targetExt = (request.ruri as { user?: string } | undefined)?.user ?? '';
    let calleeUser = repos.users.findByExtension(targetExt);
    // Outbound assignments: a candidate dials a customer's number from the call list or a record;
    // the assessor of the candidate's open attempt plays that customer and takes the call.
    let dialledNumber: string | undefined;
    if (!calleeUser && callerUser?.role === 'candidate' && /^\+?[0-9]{6,15}$/.test(targetExt)) {
      const attempt = repos.attempts.openForCandidate(callerUser.id).find((a) => a.assessorUserId !== null);
      if (attempt?.assessorUserId) {
        calleeUser = repos.users.findById(attempt.assessorUserId);
        dialledNumber = targetExt;
      }
    }
    if (!callerUser || callerUser.disabled) return this.sip.respond(conn, request, 403);
    if (!calleeUser || calleeUser.disabled) return this.sip.respond(conn, request, 404, { toTag: newTag() });
    if (calleeUser.id === callerUser.id) return this.sip.respond(conn, request, 482, { toTag: newTag(), reason: 'Loop Detected (you called yourself)' });
    const decision = this.opts.callPolicy?.(callerUser, calleeUser);
    if (decision && !decision.allowed) return this.sip.respond(conn, request, decision.status, { toTag: newTag(), reason: decision.reason });
    const callerTimer = negotiateAsUas(request);
    if (callerTimer.kind === 'malformed') return this.sip.respond(conn, request, 400, { reason: callerTimer.reason });
    // RFC 4028 §6 (https://www.rfc-editor.org/rfc/rfc4028#section-6): "422 Session Interval Too
    // Small ... MUST contain a Min-SE header field with the minimum timer duration".
    if (callerTimer.kind === 'too-brief') return this.sip.respond(conn, request, 422, { toTag: newTag(), reason: 'Session Interval Too Small', headers: callerTimer.headers });
    if (request.getHeader('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp' || !request.body) {
      return this.sip.respond(conn, request, 488, { toTag: newTag(), headers: [['Warning', '399 callmark "an SDP offer is required in the INVITE"']] });
    }
    const binding = this.sip.registrar.lookup(calleeUser.extension);
    if (!binding) return this.sip.respond(conn, request, 480, { toTag: newTag(), reason: 'Temporarily Unavailable (not registered)' });
    // An agent who may not take calls yet (a candidate who is not Ready) is not busy: the call waits.
    const queued = this.queue?.mustWait(calleeUser) ?? false;
    if (!queued && this.isBusy(calleeUser.extension)) return this.sip.respond(conn, request, 486, { toTag: newTag() });
    if (this.isBusy(callerUser.extension)) return this.sip.respond(conn, request, 486, { toTag: newTag(), reason: 'Busy Here (you are already on a call)' });

    const candidateRole: LegRole = callerUser.role !== 'candidate' && calleeUser.role === 'candidate' ? 'callee' : 'caller';
    const contact = request.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    const caller = uasLeg(
      {
        role: 'caller',
        mediaId: 'caller',
        conn,
        user: callerUser,
        sipCallId: request.callId,
        remoteTag: request.fromTag,
        remoteTarget: contact?.uri?.toString() ?? request.from.uri.toString(),
        localUri: request.to.uri.toString(),
        remoteUri: request.from.uri.toString(),
        remoteCSeq: request.cseq,
      },
      this.opts.clock,
    );
    const call = new Call(caller, request, candidateRole, this.opts.logger, this.opts.clock);
    // Counted as the callee's call from now on (isBusy), unless it waits in the queue first.
    if (!queued) call.offering = calleeUser;
    this.calls.add(call);
    call.dialledNumber = dialledNumber;
    call.callerTimer = callerTimer;
    // RFC 3262 §3 (https://www.rfc-editor.org/rfc/rfc3262#section-3): "If the UAC requires
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
      this.respondCaller(call, 500);
      await this.finish(call, 'failed', 'internal error during set-up', 500);
    }
  }

  private async setUpCall(call: Call, callerUser: User, calleeUser: User, found: NonNullable<ReturnType<Registrar['lookup']>>, queued: boolean): Promise<void> {
    let binding = found;
    const { repos } = this.opts;
    const request = call.callerInvite;
    const candidateRole = call.candidateRole;
    const caller = call.caller;
    this.bySipCallId.set(caller.sipCallId, call);
    const candidate = candidateRole === 'caller' ? callerUser : calleeUser;
    repos.calls.create({
      id: call.id,
      centreId: candidate.centreId ?? callerUser.centreId,
      callerUserId: callerUser.id,
      calleeUserId: calleeUser.id,
      callerExtension: callerUser.extension,
      calleeExtension: calleeUser.extension,
      candidateUserId: candidate.role === 'candidate' ? candidate.id : null,
      invitedAt: this.now(),
    });
    this.event(call, 'invite', 'caller', { from: callerUser.extension, to: calleeUser.extension, ...(call.dialledNumber ? { dialledNumber: call.dialledNumber } : {}) });
    call.log.info({ from: callerUser.extension, to: calleeUser.extension }, 'call set-up');

    try {
      const media = await CallMedia.fromCallerOffer(this.opts.pool, request.body, { listenIp: this.opts.listenIp, announcedIp: this.opts.announcedIp });
      if (call.ended) {
        // Cancelled (or disconnected) while the media was being set up: finish() has run already.
        media.close();
        return;
      }
      call.media = media;
    } catch (err) {
      const warning = err instanceof SdpError ? err.message : 'media could not be set up';
      call.log.warn({ err }, 'caller offer refused');
      this.respondCaller(call, err instanceof SdpError ? 488 : 500, { headers: [['Warning', `399 callmark "${warning.replace(/"/g, "'")}"`]] });
      return this.finish(call, 'setup-failed', warning, err instanceof SdpError ? 488 : 500);
    }
    call.media.onClosed((reason) => {
      if (call.phase !== 'ended') void this.abort(call, reason);
    });
    if (queued) {
      const offered = await this.waitForAgent(call, calleeUser);
      if (!offered || call.ended) return;
      const now = this.sip.registrar.lookup(calleeUser.extension);
      if (!now) {
        this.respondCaller(call, 480, { reason: 'Temporarily Unavailable (not registered)' });
        return this.finish(call, 'unavailable', 'the callee was no longer registered when the call was offered', 480);
      }
      binding = now;
    }
    if (!binding.conn.isOpen) {
      this.respondCaller(call, 480);
      return this.finish(call, 'unavailable', 'callee disconnected', 480);
    }

    const offer = await call.media.createCalleeOffer();
    if (call.ended) return;
    const callee = uacLeg({ role: 'callee', mediaId: 'callee', conn: binding.conn, user: calleeUser, remoteTarget: binding.contact, localUri: this.uriOf(callerUser), remoteUri: this.uriOf(calleeUser) }, this.opts.clock);
    call.callee = callee;
    this.bySipCallId.set(callee.sipCallId, call);
    const branch = this.sip.newBranch();
    // An assessor playing a customer presents the customer's number and name (X-Presented-Number,
    // X-Presented-Name): the candidate's phone shows the caller as a customer's call would, never the
    // assessor or an extension. Only from assessors; a name only with a number, and only plain
    // words (it goes into the From display-name, RFC 3261 §25.1 quoted-string: no quotes or backslashes).
    const presented = request.getHeader('x-presented-number')?.trim();
    const presentsNumber = Boolean(presented && callerUser.role === 'assessor' && /^\+?[0-9][0-9 ]{2,19}$/.test(presented));
    const presentedName = request.getHeader('x-presented-name')?.trim();
    const nameOk = presentsNumber && presentedName !== undefined && /^[\p{L}\p{N} .,'’-]{1,60}$/u.test(presentedName);
    const headers = initialInviteHeaders(callee, branch, nameOk ? presentedName! : callerUser.displayName);
    if (call.dialledNumber) headers.push(['X-Dialled-Number', call.dialledNumber]);
    // The presented number also lets the desktop screen-pop.
    if (presented && presentsNumber) {
      headers.push(['X-Presented-Number', presented]);
      this.event(call, 'presented-number', 'caller', { number: presented });
    }
    call.calleeInvite = { branch, cseq: 1, uri: binding.contact, headers, state: calleeInviteMachine(this.opts.clock) };
    call.state.startTimer('no-answer', this.opts.noAnswerTimeoutMs, () => this.noAnswer(call));
    const failed = (err: unknown): void => {
      call.log.error({ err }, 'error handling the callee response');
      void this.abort(call, 'internal error');
    };
    sendInvite(this.sip, callee.conn, { uri: binding.contact, headers, body: offer }, branch, {
      onProgress: (r) => {
        try {
          this.onCalleeProgress(call, r);
        } catch (err) {
          failed(err);
        }
      },
      onAccept: (r) => void this.onCalleeAccept(call, r).catch(failed),
      onReject: (r) => void this.onCalleeReject(call, r).catch(failed),
      onRequestTimeout: () => void this.onCalleeTimeout(call).catch(failed),
    });
  }

  /**
   * The call waits for its agent (offer-queue.ts): the caller gets 182 Queued (RFC 3261 §21.1.4)
   * and the callee's phone is not rung until the queue offers the call. Resolves true when it is
   * offered (then it counts as the callee's call), false when it ended while it waited.
   */
  private async waitForAgent(call: Call, calleeUser: User): Promise<boolean> {
    this.event(call, 'queued', 'callee', { reason: 'the agent is not ready' });
    call.log.info('queued: the agent is not ready');
    // A 1xx with a To tag opens an early dialog, which needs our Contact (as for the 180).
    if (call.reliable) this.sendReliableProvisional(call, 182, [contactHeader()]);
    else this.respondCaller(call, 182, { reason: 'Queued', headers: [contactHeader()] });
    const offered = await this.queue!.wait(call.id, calleeUser);
    if (!offered || call.ended) return false;
    call.offering = calleeUser;
    this.event(call, 'offered', 'callee');
    return true;
  }

  /** No final response from the callee within the transaction's time, or its connection closed. */
  private async onCalleeTimeout(call: Call): Promise<void> {
    const callee = call.callee!;
    if (call.phase === 'answered' || call.phase === 'ended') return;
    const code = callee.conn.isOpen ? 408 : 480;
    this.respondCaller(call, code);
    return this.finish(call, 'unavailable', callee.conn.isOpen ? 'no response from the callee' : 'callee disconnected', code);
  }

  private onCalleeProgress(call: Call, response: SipResponse): void {
    const callee = call.callee!;
    const status = response.statusCode ?? 0;
    const invite = call.calleeInvite!.state;
    if (invite.is('calling')) invite.transition('proceeding');
    if (response.toTag) callee.remoteTag = response.toTag;
    if ((status === 180 || status === 183) && call.phase === 'setup') {
      call.state.transition('ringing');
      this.opts.repos.calls.update(call.id, { state: 'ringing', ringingAt: this.now() });
      this.event(call, 'ringing', 'callee');
      // A 1xx with a To tag opens an early dialog, which needs our Contact (sip.js drops it otherwise).
      if (call.reliable) this.sendReliableProvisional(call, 180, [contactHeader()]);
      else this.respondCaller(call, 180, { headers: [contactHeader()] });
    }
    if (invite.is('cancel-pending')) this.sendCancel(call);
  }

  private async onCalleeAccept(call: Call, response: SipResponse): Promise<void> {
    const callee = call.callee!;
    callee.remoteTag = response.toTag;
    const contact = response.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    if (contact?.uri) callee.remoteTarget = contact.uri.toString();
    this.sendAck(callee, call.calleeInvite!.cseq);
    if (call.phase === 'answered') return; // a retransmitted 200: the ACK above is all it needs
    if (call.phase === 'ended') {
      this.sendInDialog(callee, 'BYE');
      return;
    }
    call.state.stopTimer('no-answer');
    let answer: string;
    try {
      answer = await call.media!.acceptCalleeAnswer(response.body);
    } catch (err) {
      call.log.warn({ err }, 'callee answer refused');
      this.sendInDialog(callee, 'BYE', { headers: [['Reason', 'SIP;cause=488;text="unusable SDP answer"']] });
      this.respondCaller(call, 488, { headers: [['Warning', '399 callmark "the callee answered with unusable media"']] });
      return this.finish(call, 'setup-failed', 'callee SDP answer refused', 488);
    }
    if (call.ended) {
      // The caller went (CANCEL, BYE, lost connection) while the answer was being applied: the
      // callee's dialog is confirmed, so it gets a BYE, and the call stays ended.
      this.sendInDialog(callee, 'BYE');
      return;
    }
    call.state.transition('answered');
    const timer = call.callerTimer;
    this.respondCaller(call, 200, { body: answer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    if (timer.kind === 'timer') this.startSessionTimer(call, call.caller, timer);
    const answeredAt = this.now();
    this.opts.repos.calls.update(call.id, { state: 'answered', answeredAt, sipStatus: 200 });
    this.event(call, 'answered', 'callee');
    call.log.info('call answered');
    call.state.startTimer('ack', ACK_TIMEOUT_MS, () => {
      call.log.warn('no ACK from the caller for our 200 OK');
      void this.hangup(call, null, 'no ACK from the caller', 408);
    });
    await this.startRecording(call);
  }

  private async onCalleeReject(call: Call, response: SipResponse): Promise<void> {
    const callee = call.callee!;
    const status = response.statusCode ?? 0;
    // A final failure from the callee: ACK it (hop by hop, same branch, with its To tag) and pass it on.
    if (response.toTag) callee.remoteTag = response.toTag;
    this.sendAck(callee, call.calleeInvite!.cseq, call.calleeInvite!.branch);
    if (call.phase === 'ended') return;
    const passOn = status;
    const reasonText = response.reasonPhrase ?? '';
    this.respondCaller(call, passOn, { reason: reasonText });
    const reason = status === 486 ? 'busy' : status === 603 ? 'declined' : status === 487 ? 'cancelled' : status === 480 ? 'unavailable' : 'failed';
    return this.finish(call, reason, `callee answered ${status} ${reasonText}`, passOn);
  }

  private noAnswer(call: Call): void {
    if (call.phase !== 'setup' && call.phase !== 'ringing') return;
    call.log.info('no answer: cancelling');
    this.event(call, 'no-answer', 'callee', { afterMs: this.opts.noAnswerTimeoutMs });
    this.sendCancelToCallee(call);
    this.respondCaller(call, 408, { reason: 'Request Timeout (no answer)' });
    void this.finish(call, 'no-answer', `no answer after ${Math.round(this.opts.noAnswerTimeoutMs / 1000)} s`, 408);
  }

  /**
   * CANCELs our INVITE to the callee. RFC 3261 §9.1 (https://www.rfc-editor.org/rfc/rfc3261#section-9.1):
   * "If no provisional response has been received, the CANCEL request MUST NOT be sent; rather, the
   * client MUST wait for the arrival of a provisional response before sending the request": until
   * then the INVITE is `cancel-pending` and the 1xx handler calls this again.
   */
  private sendCancelToCallee(call: Call): void {
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
    this.sip.sendRequest(callee.conn, { method: 'CANCEL', uri: inv.uri, headers }, inv.branch, () => {});
  }

  // ------------------------------------------------------------------ re-INVITE (hold / resume / ICE restart)

  private findDialog(conn: SipConnection, request: SipRequest): { call: Call; leg: DialogLeg } | undefined {
    const call = this.bySipCallId.get(request.callId);
    if (!call) return undefined;
    for (const leg of call.legs()) {
      if (leg.sipCallId !== request.callId || leg.conn !== conn) continue;
      if (request.toTag === leg.localTag && (!leg.remoteTag || request.fromTag === leg.remoteTag)) return { call, leg };
    }
    return undefined;
  }

  private onReinvite(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found || found.call.phase !== 'answered') return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (request.cseq <= leg.remoteCSeq) return this.sip.respond(conn, request, 500, { reason: 'CSeq out of order', headers: [['Retry-After', '1']] });
    leg.remoteCSeq = request.cseq;
    if (!call.offers.is('idle')) return this.sip.respond(conn, request, 491);
    // Glare: our own re-INVITE on this dialog is still in progress (RFC 3261 §14.2). The party
    // retries after its back-off, by which time ours is answered.
    if (leg.ourOffer.is('offering')) return this.sip.respond(conn, request, 491);
    const timer = negotiateAsUas(request);
    if (timer.kind === 'malformed') return this.sip.respond(conn, request, 400, { reason: timer.reason });
    if (timer.kind === 'too-brief') return this.sip.respond(conn, request, 422, { toTag: leg.localTag, reason: 'Session Interval Too Small', headers: timer.headers });
    if (!request.body) {
      call.offers.transition('awaiting-ack');
      void this.offerInReinviteAnswer(call, leg, request, timer).catch((err: unknown) => {
        offerSettled(call);
        call.log.warn({ err }, 'offerless re-INVITE refused');
        this.sip.respond(conn, request, 500, { toTag: leg.localTag });
      });
      return;
    }
    call.offers.transition('answering');
    void this.handleReinvite(call, leg, request, timer)
      .catch((err: unknown) => {
        call.log.warn({ err }, 're-INVITE refused');
        this.sip.respond(conn, request, err instanceof SdpError ? 488 : 500);
      })
      .finally(() => offerSettled(call));
  }

  private async handleReinvite(call: Call, leg: DialogLeg, request: SipRequest, timer: SessionTimerOffer): Promise<void> {
    const { answer, direction } = await call.media!.answerReoffer(leg.mediaId, request.body);
    this.sip.respond(leg.conn, request, 200, { toTag: leg.localTag, body: answer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    this.sessionRefreshed(call, leg, timer);
    // From here on the re-INVITE is answered: a failure below is logged, never a second response.
    await this.applyHold(call, leg, direction).catch((err: unknown) => call.log.warn({ err }, 'hold/resume could not be applied'));
  }

  /**
   * A re-INVITE without a body. RFC 3261 §14.2 (https://www.rfc-editor.org/rfc/rfc3261#section-14.2):
   * "If the session description has changed, the UAS MUST adjust the session parameters
   * accordingly ... a UAC MAY send a re-INVITE with no session description, in which case the
   * first reliable non-failure response to the re-INVITE will contain the offer", and §13.2.1
   * (https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1): "If the initial offer is in the first
   * reliable non-failure message from the UAS back to the UAC, the answer MUST be in the
   * acknowledgement for that message". The offer is the leg's current media (held or not); the
   * re-INVITE stays in progress, so crossing offers get 491, until the ACK brings the answer.
   */
  private async offerInReinviteAnswer(call: Call, leg: DialogLeg, request: SipRequest, timer: SessionTimerOffer): Promise<void> {
    const offer = await call.media!.createReoffer(leg.mediaId, call.heldBy !== null && call.heldBy !== leg.role ? 'sendonly' : 'sendrecv');
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
    this.sip.respond(leg.conn, request, 200, { toTag: leg.localTag, body: offer, headers: [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' ? timer.headers : [])] });
    this.sessionRefreshed(call, leg, timer);
  }

  private async applyHold(call: Call, leg: DialogLeg, direction: string): Promise<void> {
    // Hold puts one other party on hold; in a conference there are two, so hold is not offered
    // there (the softphone hides the button): the re-INVITE is answered and nothing is paused.
    if (call.party) return;
    const holding = direction === 'sendonly' || direction === 'inactive';
    const wasHeldByThisLeg = call.heldBy === leg.role;
    if (holding && call.heldBy === null) {
      call.heldBy = leg.role;
      await call.media!.setHold(true);
      this.event(call, 'hold', leg.role);
      call.log.info({ by: leg.role }, 'call on hold');
      this.queueRelay(call, leg.role, 'sendonly');
    } else if (!holding && wasHeldByThisLeg) {
      call.heldBy = null;
      await call.media!.setHold(false);
      this.event(call, 'resume', leg.role);
      call.log.info({ by: leg.role }, 'call resumed');
      this.queueRelay(call, leg.role, 'sendrecv');
    }
  }

  /** The holder's own re-INVITE is answered at once; telling the other party follows in order. */
  private queueRelay(call: Call, holder: LegRole, direction: 'sendonly' | 'sendrecv'): void {
    call.relayChain = call.relayChain
      .then(() => (call.phase === 'answered' ? this.relayHold(call, holder, direction) : undefined))
      .catch((err: unknown) => call.log.warn({ err }, 'could not tell the other party about hold/resume'));
  }

  /** Tells the other party it is held or resumed, with a re-INVITE of our own. */
  private async relayHold(call: Call, holder: LegRole, direction: 'sendonly' | 'sendrecv'): Promise<void> {
    const other = call.other(holder);
    if (!other) return;
    await this.reinvite(call, other, direction);
  }

  /**
   * A server-originated re-INVITE with the leg's current media (hold and resume, a new party's
   * SSRC after a transfer, an extra m-line in a conference); resolves once it is answered, or
   * given up. Queued behind our other re-INVITEs on the leg, so a glare retry never crosses them.
   */
  private reinvite(call: Call, leg: DialogLeg, direction: 'sendonly' | 'sendrecv'): Promise<void> {
    const done = leg.reinvites.then(() => this.reinviteUntilAccepted(call, leg, direction));
    leg.reinvites = done.catch(() => {});
    return done;
  }

  /** Whether a re-INVITE to this leg still makes sense: the call is up and the leg still in it. */
  private stillInCall(call: Call, leg: DialogLeg): boolean {
    return call.phase === 'answered' && call.legs().includes(leg) && leg.conn.isOpen;
  }

  /**
   * Sends the re-INVITE; when it is refused for glare, waits (RFC 3261 §14.1) and sends it again
   * with a fresh offer and a new CSeq, so that hold, resume or a new SSRC is never silently lost.
   */
  private async reinviteUntilAccepted(call: Call, leg: DialogLeg, direction: 'sendonly' | 'sendrecv'): Promise<void> {
    for (let attempt = 1; this.stillInCall(call, leg); attempt++) {
      const refusal = await this.sendReinvite(call, leg, direction);
      if (!refusal) return;
      if (attempt >= REINVITE_ATTEMPTS) {
        call.log.warn({ leg: leg.role, status: refusal.statusCode, attempts: attempt }, 're-INVITE refused for glare every time: given up');
        return;
      }
      const waitMs = glareBackoffMs(leg, refusal);
      call.log.info({ leg: leg.role, status: refusal.statusCode, waitMs: Math.round(waitMs) }, 're-INVITE glare: sending it again');
      await pause(waitMs);
    }
  }

  /** One re-INVITE transaction; resolves with the final response when it was refused for glare. */
  private async sendReinvite(call: Call, leg: DialogLeg, direction: 'sendonly' | 'sendrecv'): Promise<SipResponse | undefined> {
    if (!call.media) return undefined;
    const offer = await call.media.createReoffer(leg.mediaId, direction);
    if (!this.stillInCall(call, leg)) return undefined;
    const cseq = leg.localCSeq + 1;
    leg.ourOffer.transition('offering');
    return new Promise<SipResponse | undefined>((resolve) => {
      const settle = (glare?: SipResponse) => {
        if (leg.ourOffer.is('offering')) leg.ourOffer.transition('idle');
        resolve(glare);
      };
      let inviteBranch = '';
      let answered = false;
      // When the B2BUA refreshes this dialog's session (RFC 4028 §7.4), every re-INVITE it sends is a refresh.
      const refresh = leg.sessionTimer?.weRefresh ? leg.sessionTimer.intervalS : undefined;
      const headers: HeaderList = refresh === undefined ? [] : [['Session-Expires', `${refresh};refresher=uac`], ['Supported', SUPPORTED]];
      const onFinal = (r: SipResponse): void => {
        const code = r.statusCode ?? 0;
        if (refresh !== undefined && !answered) {
          // RFC 4028 §10: "If the session refresh request transaction times out or generates a 408
          // or 481 response, then the UAC sends a BYE request." A 2xx starts the next interval.
          if (code === 408 || code === 481) this.refreshFailed(call, leg, code);
          else if (code < 300) leg.sessionTimer?.start(refresh, 'uas');
        }
        // 2xx: end-to-end ACK with a new branch; other finals: hop-by-hop ACK in the INVITE's transaction.
        this.sendAck(leg, cseq, code < 300 ? this.sip.newBranch() : inviteBranch);
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
        if (refresh !== undefined) this.refreshFailed(call, leg, 408);
        settle();
      };
      inviteBranch = this.sendInDialog(leg, 'INVITE', { body: offer, headers }, toDelegate({ onAccept: onFinal, onReject: onFinal, onRequestTimeout }));
    });
  }

  // ------------------------------------------------------------------ session timers (RFC 4028) and UPDATE (RFC 3311)

  /** Starts the leg's session timer as negotiated in the 2xx we sent it. */
  private startSessionTimer(call: Call, leg: DialogLeg, timer: Extract<SessionTimerOffer, { kind: 'timer' }>): void {
    leg.sessionTimer ??= new SessionTimer(this.opts.clock, {
      expired: () => this.sessionExpired(call, leg),
      refreshNow: () => {
        if (!this.stillInCall(call, leg)) return;
        // Our refresh is a re-INVITE with the leg's current media (sip.js answers no UPDATE).
        void this.reinvite(call, leg, call.heldBy !== null && call.heldBy !== leg.role ? 'sendonly' : 'sendrecv');
      },
    });
    leg.sessionTimer.start(timer.intervalS, timer.refresher);
  }

  /**
   * A refresh (re-INVITE or UPDATE) from the leg was answered 2xx: the interval starts again. RFC
   * 4028 §9: a refresh without Session-Expires turns the timer off ("the UAS MUST NOT ... [use] a
   * session timer" when the UAC neither requested nor supports one).
   */
  private sessionRefreshed(call: Call, leg: DialogLeg, timer: SessionTimerOffer): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    if (timer.kind === 'timer') this.startSessionTimer(call, leg, timer);
    else leg.sessionTimer?.stop();
  }

  /** The refresher of this leg's dialog did not refresh in time: the session is over. */
  private sessionExpired(call: Call, leg: DialogLeg): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    const reason = `session timer expired: no refresh from the ${leg.role}`;
    call.log.warn({ leg: leg.role }, reason);
    this.event(call, 'session-expired', leg.role);
    if (call.party) {
      if (leg.conn.isOpen) this.sendInDialog(leg, 'BYE', { headers: [['Reason', `SIP;cause=408;text="${reason}"`]] });
      void this.leaveConference(call, leg, reason);
      return;
    }
    void this.hangup(call, null, reason, 408);
  }

  /** Our session refresh failed (RFC 4028 §10): the dialog is gone, so the call ends. */
  private refreshFailed(call: Call, leg: DialogLeg, status: number): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    call.log.warn({ leg: leg.role, status }, 'session refresh failed');
    this.event(call, 'session-expired', leg.role, { refreshStatus: status });
    void this.hangup(call, null, `session refresh to the ${leg.role} failed (${status})`, 408);
  }

  /**
   * UPDATE (RFC 3311, https://www.rfc-editor.org/rfc/rfc3311) in an early or confirmed dialog: a
   * session refresh without a body (RFC 4028 §7.4 allows either method), or an offer.
   */
  onUpdate(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (request.cseq <= leg.remoteCSeq) return this.sip.respond(conn, request, 500, { reason: 'CSeq out of order', headers: [['Retry-After', '1']] });
    leg.remoteCSeq = request.cseq;
    const timer = negotiateAsUas(request);
    if (timer.kind === 'malformed') return this.sip.respond(conn, request, 400, { reason: timer.reason });
    if (timer.kind === 'too-brief') return this.sip.respond(conn, request, 422, { toTag: leg.localTag, reason: 'Session Interval Too Small', headers: timer.headers });
    // RFC 3311 §5.2 (https://www.rfc-editor.org/rfc/rfc3311#section-5.2): "the UAS MUST ... [send]
    // a Contact header field in the 2xx response".
    const ok = [contactHeader(), ...CAPABILITY_HEADERS, ...(timer.kind === 'timer' && call.phase === 'answered' ? timer.headers : [])] as HeaderList;
    const hasOffer = Boolean(request.body);
    if (call.phase !== 'answered') {
      if (call.phase === 'ended') return this.sip.respond(conn, request, 481);
      if (hasOffer) {
        // RFC 3311 §5.2: "If an UPDATE is received that contains an offer, and the UAS has
        // generated an offer (in an UPDATE, PRACK or INVITE) to which it has not yet received an
        // answer, the UAS MUST reject the UPDATE with a 491 response. Similarly, if an UPDATE is
        // received that contains an offer, and the UAS has received an offer (in an UPDATE, PRACK,
        // or INVITE) to which it has not yet generated an answer, the UAS MUST reject the UPDATE
        // with a 500 response, and MUST include a Retry-After header field in the response."
        // Early, the caller's INVITE offer awaits our answer (in the 200) and our offer to the
        // callee awaits its answer.
        if (leg.role === 'caller') return this.sip.respond(conn, request, 500, { toTag: leg.localTag, reason: 'Offer Pending', headers: [['Retry-After', '2']] });
        return this.sip.respond(conn, request, 491, { toTag: leg.localTag });
      }
      return this.sip.respond(conn, request, 200, { toTag: leg.localTag, headers: ok });
    }
    if (!hasOffer) {
      this.sip.respond(conn, request, 200, { toTag: leg.localTag, headers: ok });
      return this.sessionRefreshed(call, leg, timer);
    }
    // An offer in a confirmed dialog: like a re-INVITE's, glare included (RFC 3311 §5.2: 491 while our offer is pending).
    if (!call.offers.is('idle') || leg.ourOffer.is('offering')) return this.sip.respond(conn, request, 491, { toTag: leg.localTag });
    call.offers.transition('answering');
    void (async () => {
      const { answer, direction } = await call.media!.answerReoffer(leg.mediaId, request.body);
      this.sip.respond(conn, request, 200, { toTag: leg.localTag, body: answer, headers: ok });
      this.sessionRefreshed(call, leg, timer);
      await this.applyHold(call, leg, direction).catch((err: unknown) => call.log.warn({ err }, 'hold/resume could not be applied'));
    })()
      .catch((err: unknown) => {
        call.log.warn({ err }, 'UPDATE offer refused');
        this.sip.respond(conn, request, err instanceof SdpError ? 488 : 500, { toTag: leg.localTag });
      })
      .finally(() => offerSettled(call));
  }

  // ------------------------------------------------------------------ reliable provisional responses (RFC 3262)

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
  private sendReliableProvisional(call: Call, status: number, headers: HeaderList): void {
    const reliable = call.reliable!;
    if (reliable.unacked) return;
    const rseq = ++reliable.rseq;
    const send = () => this.sip.respond(call.caller.conn, call.callerInvite, status, { toTag: call.caller.localTag, headers: [...headers, ['Require', '100rel'], ['RSeq', String(rseq)]] });
    let elapsedMs = 0;
    const schedule = (intervalMs: number) => {
      call.state.startTimer('prack', intervalMs, () => {
        elapsedMs += intervalMs;
        if (elapsedMs >= 64 * T1_MS) {
          reliable.unacked = undefined;
          call.log.warn('no PRACK for the reliable 180');
          this.sendCancelToCallee(call);
          this.respondCaller(call, 504, { reason: 'No PRACK' });
          void this.finish(call, 'failed', 'no PRACK from the caller', 504);
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
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (request.cseq > leg.remoteCSeq) leg.remoteCSeq = request.cseq;
    const rack = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(request.getHeader('rack') ?? '');
    const unacked = call.reliable?.unacked;
    const matches = leg.role === 'caller' && unacked && rack && Number(rack[1]) === unacked.rseq && Number(rack[2]) === call.callerInvite.cseq && rack[3] === 'INVITE';
    if (!matches) return this.sip.respond(conn, request, 481, { toTag: leg.localTag });
    call.state.stopTimer('prack');
    call.reliable!.unacked = undefined;
    this.sip.respond(conn, request, 200, { toTag: leg.localTag });
  }

  // ------------------------------------------------------------------ ACK, CANCEL, BYE, INFO

  onAck(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return;
    if (found.leg.role === 'caller') found.call.state.stopTimer('ack');
    // The answer to the offer we made in the 200 to a re-INVITE without SDP (RFC 3261 §13.2.1).
    const waiting = found.leg.answerInAck;
    if (waiting && waiting.cseq === request.cseq) waiting.accept(request.body || undefined);
  }

  onCancel(conn: SipConnection, request: SipRequest): void {
    const call = this.bySipCallId.get(request.callId);
    if (!call || call.caller.conn !== conn || call.callerInvite.viaBranch !== request.viaBranch) {
      return this.sip.respond(conn, request, 481);
    }
    this.sip.respond(conn, request, 200, { toTag: call.caller.localTag });
    if (call.callerTx.is('completed')) return; // too late: the call was answered or had already failed
    this.respondCaller(call, 487);
    this.event(call, 'cancel', 'caller');
    if (call.callee) this.sendCancelToCallee(call);
    void this.finish(call, 'cancelled', 'cancelled by the caller', 487);
  }

  onBye(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    this.sip.respond(conn, request, 200, { toTag: leg.localTag });
    if (call.phase !== 'answered') {
      // A BYE before the answer (early dialog) ends the attempt like a CANCEL would.
      if (leg.role === 'caller') {
        this.respondCaller(call, 487);
        this.sendCancelToCallee(call);
        void this.finish(call, 'cancelled', 'the caller hung up before the answer', 487);
      }
      return;
    }
    if (call.party) return void this.leaveConference(call, leg, `hung up by the ${leg.role}`);
    void this.hangup(call, leg.role, `hung up by the ${leg.role}`, 200);
  }

  onInfo(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    this.sip.respond(conn, request, 200, { toTag: leg.localTag });
    const digit = dtmfDigit(request.body);
    if (digit) this.event(call, 'dtmf', leg.role, { digit, via: 'info' });
    if (call.phase !== 'answered') return;
    for (const other of call.others(leg.role)) {
      this.sendInDialog(other, 'INFO', { body: request.body, contentType: request.getHeader('content-type') ?? 'application/dtmf-relay' });
    }
  }

  hasDialogsOn(conn: SipConnection): boolean {
    for (const call of this.calls) if (call.pending?.leg.conn === conn || call.legs().some((l) => l.conn === conn)) return true;
    return false;
  }

  onConnectionClosed(conn: SipConnection): void {
    for (const call of [...this.calls]) {
      if (call.pending?.leg.conn === conn) call.pending.invite.cancel(480, 'disconnected');
      const lost = call.legs().find((l) => l.conn === conn);
      const role: LegRole | undefined = lost?.role;
      if (!lost || !role || call.phase === 'ended') continue;
      call.log.info({ leg: role }, 'a party lost its connection');
      if (call.phase === 'answered' && call.party) void this.leaveConference(call, lost, `the ${role} lost its connection`);
      else if (call.phase === 'answered') void this.hangup(call, role, `the ${role} lost its connection`, 200, true);
      else if (role === 'caller') {
        this.sendCancelToCallee(call);
        void this.finish(call, 'cancelled', 'the caller lost its connection', 487);
      } else {
        this.respondCaller(call, 480);
        void this.finish(call, 'unavailable', 'the callee lost its connection', 480);
      }
    }
  }

  // ------------------------------------------------------------------ REFER: blind transfer and conference

  /**
   * REFER in a call's dialog (RFC 3515). Without more it is a blind transfer: the referrer's other
   * party is connected to the Refer-To target and the referrer's leg ends. With
   * `X-Callmark-Refer: conference` the B2BUA, acting as the conference focus (RFC 4579 §5.5: a
   * participant asks the focus to bring a party in), adds the target to the call instead.
   * Answered 202 at once; the INVITE's progress follows in NOTIFYs (message/sipfrag).
   */
  onRefer(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    if (request.cseq <= leg.remoteCSeq) return this.sip.respond(conn, request, 500, { reason: 'CSeq out of order', headers: [['Retry-After', '1']] });
    leg.remoteCSeq = request.cseq;
    const kind = request.getHeader('x-callmark-refer')?.trim().toLowerCase() === 'conference' ? 'conference' : 'blind';
    const target = referTarget(request.getHeader('refer-to'));
    const refuse = (status: number, reason: string) => this.sip.respond(conn, request, status, { reason, toTag: leg.localTag });
    if (call.phase !== 'answered') return refuse(403, 'Forbidden (the call is not answered)');
    if (!target) return refuse(400, 'Bad Request (Refer-To must name an extension)');
    if (target.replaces) return refuse(501, 'Not Implemented (attended transfer)');
    if (call.pending) return refuse(491, 'Request Pending (a transfer or conference is in progress)');
    if (call.party) return refuse(403, kind === 'blind' ? 'Forbidden (no transfer during a conference)' : 'Forbidden (a conference has three parties at most)');
    this.sip.respond(conn, request, 202, { toTag: leg.localTag, headers: [contactHeader()] });
    this.event(call, kind === 'blind' ? 'transfer-requested' : 'conference-requested', leg.role, { by: leg.user.extension, target: target.extension });
    call.log.info({ by: leg.role, target: target.extension, kind }, kind === 'blind' ? 'transfer requested' : 'conference requested');
    // The implicit subscription of the REFER: first "Trying", at the end the final status.
    this.notify(leg, 100, 'Trying', false);
    void this.addParty(call, leg, target.extension, kind).catch((err: unknown) => {
      call.log.error({ err }, 'transfer/conference failed');
      this.failParty(call, leg, kind, target.extension, 500, 'internal error');
    });
  }

  private notify(leg: DialogLeg, status: number, reason: string, final: boolean): void {
    if (!leg.conn.isOpen) return;
    this.sendInDialog(leg, 'NOTIFY', {
      headers: [
        ['Event', 'refer'],
        ['Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=60'],
      ],
      body: sipfrag(status, reason),
      contentType: 'message/sipfrag;version=2.0',
    });
  }

  /** Whether `extension` can be brought into this call by `by`; a SIP status and reason if not. */
  private checkTarget(call: Call, by: DialogLeg, extension: string): { user: User; binding: NonNullable<ReturnType<Registrar['lookup']>> } | { status: number; reason: string } {
    const user = this.opts.repos.users.findByExtension(extension);
    if (!user || user.disabled) return { status: 404, reason: 'Not Found' };
    if (call.legs().some((l) => l.user.id === user.id)) return { status: 482, reason: 'Loop Detected (already in this call)' };
    // The one who asks, and everyone already in the call, must be allowed to reach the target.
    const policy = this.opts.callPolicy;
    const refused = policy && [by.user, ...call.legs().map((l) => l.user)].map((u) => policy(u, user)).find((d) => !d.allowed);
    if (refused && !refused.allowed) return { status: refused.status, reason: refused.reason };
    const binding = this.sip.registrar.lookup(user.extension);
    if (!binding) return { status: 480, reason: 'Temporarily Unavailable' };
    if (this.isBusy(user.extension)) return { status: 486, reason: 'Busy Here' };
    return { user, binding };
  }

  private async addParty(call: Call, referrer: DialogLeg, extension: string, kind: 'blind' | 'conference'): Promise<void> {
    const checked = this.checkTarget(call, referrer, extension);
    if ('status' in checked) return this.failParty(call, referrer, kind, extension, checked.status, checked.reason);
    const other = call.other(referrer.role);
    if (!other || !call.media) return this.failParty(call, referrer, kind, extension, 481, 'Call Does Not Exist');
    const { user, binding } = checked;
    const mediaId = `party-${++call.partyCount}`;
    // A transfer target hears the party being transferred; a conference party hears both, each on
    // its own m-line (the referrer first).
    const offer = await call.media.createPartyOffer(mediaId, kind === 'blind' ? [other.mediaId] : [referrer.mediaId, other.mediaId]);
    if (call.ended) return;
    // The target sees who it is talking to: the transferred party, or the one who conferences it in.
    const presented = kind === 'blind' ? other.user : referrer.user;
    const leg = uacLeg({ role: 'party', mediaId, conn: binding.conn, user, remoteTarget: binding.contact, localUri: this.uriOf(presented), remoteUri: this.uriOf(user) }, this.opts.clock);
    const branch = this.sip.newBranch();
    const headers = initialInviteHeaders(leg, branch, presented.displayName, [['Referred-By', `<${this.uriOf(referrer.user)}>`]]);
    const invite = new PartyInvite({
      sip: this.sip,
      conn: binding.conn,
      uri: binding.contact,
      headers,
      branch,
      body: offer,
      timeoutMs: this.opts.noAnswerTimeoutMs,
      ack: (r) => {
        leg.remoteTag = r.toTag;
        const code = r.statusCode ?? 0;
        this.sendAck(leg, 1, code < 300 ? this.sip.newBranch() : branch);
      },
      hangUpLate: (r) => {
        leg.remoteTag = r.toTag;
        this.sendAck(leg, 1);
        this.sendInDialog(leg, 'BYE');
      },
    });
    call.pending = { kind, leg, invite };
    const outcome = await invite.outcome;
    call.pending = undefined;
    if (!outcome.ok) {
      await call.media.removeParty(mediaId).catch(() => {});
      return this.failParty(call, referrer, kind, extension, outcome.status, outcome.reason);
    }
    if (outcome.remoteTarget) leg.remoteTarget = outcome.remoteTarget;
    // The referrer (or the other party) may have hung up while the target was ringing.
    if (call.ended || !call.legs().includes(referrer) || !call.legs().includes(other)) {
      this.sendInDialog(leg, 'BYE');
      await call.media.removeParty(mediaId).catch(() => {});
      if (!call.ended) this.failParty(call, referrer, kind, extension, 487, 'Request Terminated');
      return;
    }
    try {
      await call.media.acceptPartyAnswer(mediaId, outcome.response.body);
    } catch (err) {
      call.log.warn({ err }, 'the added party answered with unusable SDP');
      this.sendInDialog(leg, 'BYE', { headers: [['Reason', 'SIP;cause=488;text="unusable SDP answer"']] });
      await call.media.removeParty(mediaId).catch(() => {});
      return this.failParty(call, referrer, kind, extension, 488, 'Not Acceptable Here');
    }
    this.bySipCallId.set(leg.sipCallId, call);
    // A call on hold is taken off hold: the new party joins a live conversation.
    if (call.heldBy !== null) {
      call.heldBy = null;
      await call.media.setHold(false);
    }
    if (kind === 'blind') await this.completeTransfer(call, referrer, other, leg);
    else await this.completeConference(call, referrer, other, leg);
  }

  private failParty(call: Call, referrer: DialogLeg, kind: 'blind' | 'conference', extension: string, status: number, reason: string): void {
    call.log.info({ target: extension, status, reason }, kind === 'blind' ? 'transfer failed' : 'conference failed');
    if (call.ended || !call.legs().includes(referrer)) return; // the referrer's dialog is gone: nobody to tell
    this.event(call, kind === 'blind' ? 'transfer-failed' : 'conference-failed', referrer.role, { target: extension, status, reason });
    this.notify(referrer, status, reason || 'Failed', true);
  }

  /** The target answered: it takes the referrer's place, the other party is re-offered, the referrer leaves. */
  private async completeTransfer(call: Call, referrer: DialogLeg, other: DialogLeg, target: DialogLeg): Promise<void> {
    const media = call.media!;
    const referrerProducer = media.producerOf(referrer.mediaId);
    await media.switchSource(other.mediaId, referrer.mediaId, target.mediaId);
    // The target takes the referrer's place (and role) in the call.
    target.role = referrer.role;
    if (referrer === call.caller) call.caller = target;
    else call.callee = target;
    this.bySipCallId.delete(referrer.sipCallId);
    referrer.sessionTimer?.stop();
    this.event(call, 'transferred', target.role, { from: referrer.user.extension, to: target.user.extension });
    call.log.info({ to: target.user.extension }, 'call transferred');
    this.notify(referrer, 200, 'OK', true);
    if (referrer.conn.isOpen) this.sendInDialog(referrer, 'BYE', { headers: [['Reason', 'SIP;cause=200;text="transferred"']] });
    await media.removeParty(referrer.mediaId);
    // The recording keeps the referrer's audio up to now; the target is everyone else: right.
    if (referrerProducer) call.recorder?.endLeg(referrerProducer);
    await this.recordParty(call, target);
    // The other party's m-line now carries the target's audio with a new SSRC: tell its browser.
    await this.reinvite(call, other, 'sendrecv');
  }

  private async completeConference(call: Call, referrer: DialogLeg, other: DialogLeg, party: DialogLeg): Promise<void> {
    const media = call.media!;
    call.party = party;
    for (const leg of [referrer, other]) await media.addSource(leg.mediaId, party.mediaId);
    this.event(call, 'conference-started', referrer.role, { by: referrer.user.extension, party: party.user.extension, parties: 3 });
    call.log.info({ party: party.user.extension }, 'conference started');
    this.notify(referrer, 200, 'OK', true);
    await this.recordParty(call, party);
    for (const leg of [referrer, other]) if (call.legs().includes(leg)) await this.reinvite(call, leg, 'sendrecv');
  }

  private async recordParty(call: Call, leg: DialogLeg): Promise<void> {
    const producer = call.media?.producerOf(leg.mediaId);
    if (!producer || !call.recorder) return;
    // Left is the candidate only; a party joining later is never the candidate (they were in the call).
    await call.recorder.addLeg('right', producer).catch((err: unknown) => call.log.warn({ err }, 'the added party could not be recorded'));
  }

  /**
   * A party leaves a three-party conference (BYE or lost connection): the other two stay connected,
   * as in a contact centre where the agent drops out and leaves the customer with the supervisor.
   */
  private async leaveConference(call: Call, leg: DialogLeg, reason: string): Promise<void> {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    const producer = call.media?.producerOf(leg.mediaId);
    if (producer) call.recorder?.endLeg(producer);
    this.event(call, 'conference-party-left', leg.role, { extension: leg.user.extension, reason, remaining: 2 });
    call.log.info({ leg: leg.role, reason }, 'a party left the conference');
    const party = call.party!;
    // The conference party takes the place (and role) of whoever left.
    if (leg !== party) {
      party.role = leg.role;
      if (leg === call.caller) call.caller = party;
      else call.callee = party;
    }
    call.party = undefined;
    this.bySipCallId.delete(leg.sipCallId);
    leg.sessionTimer?.stop();
    await call.media?.removeParty(leg.mediaId).catch((err: unknown) => call.log.warn({ err }, 'could not remove the party'));
    // Tell the two who stay: the departed party's m-line goes inactive (their phones count parties).
    call.relayChain = call.relayChain
      .then(async () => {
        for (const l of call.legs()) if (call.phase === 'answered') await this.reinvite(call, l, 'sendrecv');
      })
      .catch((err: unknown) => call.log.warn({ err }, 'could not re-offer after a party left'));
  }

  // ------------------------------------------------------------------ recording and ending

  private async startRecording(call: Call): Promise<void> {
    const media = call.media;
    if (!media?.producers.caller || !media.producers.callee) return;
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const dir = path.join(this.opts.recordingsDir, day);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${call.id}.ogg`);
    const left = call.candidateRole === 'caller' ? media.producers.caller : media.producers.callee;
    const right = call.candidateRole === 'caller' ? media.producers.callee : media.producers.caller;
    call.recordingFile = file;
    this.opts.repos.calls.update(call.id, { recordingPath: file, recordingStatus: 'recording' });
    try {
      const recorder = await CallRecorder.start({
        router: media.router,
        left,
        right,
        file,
        onFailure: (err) => {
          call.log.error({ err }, 'recording failed');
          this.event(call, 'recording-failed', null, { message: err.message });
          this.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
        },
        // A step that failed and was retried (a mix of added parties, the RTP receiver restarted).
        onRetry: (message) => {
          call.log.warn({ recording: path.basename(file) }, message);
          this.event(call, 'recording-retried', null, { message });
        },
      });
      if (call.phase === 'ended') {
        // The call ended while the recorder was starting: finalise it, and let shutdown wait for it.
        const done = this.finaliseRecording(call, recorder).finally(() => this.finishing.delete(done));
        this.finishing.add(done);
        await done;
        return;
      }
      call.recorder = recorder;
      this.opts.repos.calls.update(call.id, { recordingStartedAt: recorder.startedAt });
      this.event(call, 'recording-started', null, { file: path.relative(this.opts.recordingsDir, file), channels: { left: call.candidateRole, right: call.candidateRole === 'caller' ? 'callee' : 'caller' } });
    } catch (err) {
      call.log.error({ err }, 'recording could not start');
      this.event(call, 'recording-failed', null, { message: err instanceof Error ? err.message : String(err) });
      this.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
    }
  }

  private async finaliseRecording(call: Call, recorder: CallRecorder): Promise<void> {
    try {
      const result = await recorder.stop();
      // If ffmpeg died during the call, what it wrote up to then is kept, marked partial.
      this.opts.repos.calls.update(call.id, {
        recordingStatus: recorder.failed ? 'partial' : 'complete',
        recordingSha256: result.sha256,
        recordingDurationMs: result.durationMs,
        recordingBytes: result.bytes,
      });
      this.event(call, 'recording-finished', null, { durationMs: result.durationMs, sha256: result.sha256 });
    } catch (err) {
      call.log.error({ err }, 'recording could not be finalised');
      this.opts.repos.calls.update(call.id, { recordingStatus: 'failed' });
      this.event(call, 'recording-failed', null, { message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Ends an answered call: BYE to the other party (or both when `from` is null), recording finalised. */
  private async hangup(call: Call, from: LegRole | null, reason: string, status: number, connectionLost = false): Promise<void> {
    if (call.phase === 'ended') return;
    const targets = from === null ? call.legs() : call.others(from);
    for (const leg of targets) {
      if (leg.conn.isOpen) this.sendInDialog(leg, 'BYE', from === null ? { headers: [['Reason', `SIP;cause=${status};text="${reason}"`]] } : {});
    }
    this.event(call, 'hangup', from, { reason, connectionLost });
    await this.finish(call, from === null ? 'ended-by-server' : 'completed', reason, status);
  }

  /** Ends a call because of a server-side failure (e.g. its media worker died). */
  private async abort(call: Call, reason: string): Promise<void> {
    call.log.error({ reason }, 'call aborted');
    if (call.phase === 'answered') return this.hangup(call, null, reason, 503);
    this.respondCaller(call, 503, { reason: 'Service Unavailable', headers: [['Warning', `399 callmark "${reason}"`]] });
    this.sendCancelToCallee(call);
    await this.finish(call, 'failed', reason, 503);
  }

  private finish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    if (call.phase === 'ended') return Promise.resolve();
    const done = this.doFinish(call, outcome, reason, status).finally(() => this.finishing.delete(done));
    this.finishing.add(done);
    return done;
  }

  private async doFinish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    const wasAnswered = call.phase === 'answered';
    call.state.transition('ended'); // stops the call's timers
    this.queue?.withdraw(call.id);
    for (const leg of call.legs()) leg.sessionTimer?.stop();
    call.pending?.invite.cancel(487, 'the call ended');
    this.opts.repos.calls.update(call.id, {
      state: 'ended',
      endedAt: this.now(),
      endReason: `${outcome}: ${reason}`,
      ...(wasAnswered ? {} : { sipStatus: status }),
    });
    this.event(call, 'end', null, { outcome, reason, status });
    call.log.info({ outcome, reason }, 'call ended');
    const recorder = call.recorder;
    call.recorder = undefined;
    // Stop the recorder while packets still flow (ffmpeg finalises cleanly), then free the media.
    if (recorder) await this.finaliseRecording(call, recorder);
    call.media?.close();
    this.calls.delete(call);
    for (const leg of call.legs()) this.bySipCallId.delete(leg.sipCallId);
    // Its agents are free again: a call waiting for one of them may be offered.
    for (const user of new Set([call.offering, ...call.legs().map((l) => l.user)])) if (user) this.queue?.offerNext(user.id);
  }

  /** Shutdown: end every call with a BYE and finalise its recording. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.calls].map((call) =>
        call.phase === 'answered' ? this.hangup(call, null, 'server shutting down', 503) : this.abort(call, 'server shutting down'),
      ),
    );
    await Promise.all([...this.finishing]);
  }
}

