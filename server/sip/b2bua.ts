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
import { Call, dtmfDigit, offerSettled, stillInCall } from './call.js';
import { glareBackoffMs, pause, refusedForGlare, REINVITE_ATTEMPTS } from './reinvite-glare.js';
import { CAPABILITY_HEADERS, SUPPORTED } from './capabilities.js';
import { contactHeader, dialogHeaders, initialInviteHeaders, newTag, uacLeg, uasLeg, type DialogLeg, type LegRole } from './dialog-leg.js';
import { sendInvite, toDelegate } from './outgoing-invite.js';
import { negotiateAsUas, SessionTimer, type SessionTimerOffer } from './session-timer.js';
import { calleeInviteMachine } from './call-state.js';
import { CallRecording } from './call-recording.js';
import { ReliableProvisionals } from './reliable-provisional.js';
import { Reinvites } from './reinvite.js';
import { SessionRefresh } from './session-refresh.js';
import { Transfers } from './transfer.js';
import { CallRouting, isRefusal, type RouteRefusal } from './call-routing.js';
import { ACK_TIMEOUT_MS, T1_MS, type B2buaOptions, type CallContext, type MediaDirection } from './call-context.js';

export type { B2buaOptions } from './call-context.js';

export class B2bua implements DialogHandler, CallContext {
  /** Calls by the SIP Call-ID of either leg. */
  private readonly bySipCallId = new Map<string, Call>();
  private readonly calls = new Set<Call>();
  /** Calls being ended (recording finalising); shutdown waits for them. */
  private readonly finishing = new Set<Promise<void>>();
  closing = false;

  private readonly recording = new CallRecording(this);
  private readonly provisionals = new ReliableProvisionals(this);
  private readonly reinvites = new Reinvites(this);
  private readonly sessionRefresh = new SessionRefresh(this);
  private readonly routing = new CallRouting(this);
  private readonly transfers = new Transfers(this, this.routing);

  constructor(readonly opts: B2buaOptions) {
    opts.sip.setDialogHandler(this);
  }

  track(sipCallId: string, call: Call): void {
    this.bySipCallId.set(sipCallId, call);
  }

  untrack(sipCallId: string): void {
    this.bySipCallId.delete(sipCallId);
  }

  addCall(call: Call): void {
    this.calls.add(call);
  }

  keepUntilDone(done: Promise<void>): Promise<void> {
    const kept = done.finally(() => this.finishing.delete(kept));
    this.finishing.add(kept);
    return kept;
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  get sip(): SipServer {
    return this.opts.sip;
  }

  now(): number {
    return this.opts.clock.now();
  }

  event(call: Call, type: string, leg: LegRole | null = null, detail: Record<string, unknown> | null = null): void {
    // The call_events leg column knows caller and callee only; the conference party says so in detail.
    if (leg === 'party') detail = { party: true, ...detail };
    this.opts.repos.calls.addEvent(call.id, this.now(), type, leg === 'party' ? null : leg, detail);
  }

  uriOf(user: User): string {
    return `sip:${user.extension}@${this.sip.realm}`;
  }

  isBusy(extension: string): boolean {
    for (const c of this.calls) {
      if (c.phase === 'ended') continue;
      if ([...c.legs(), c.pending?.leg].some((l) => l?.user.extension === extension)) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ sending on a leg

  sendInDialog(
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

  sendAck(leg: DialogLeg, cseq: number, branch = this.sip.newBranch()): void {
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

  respondCaller(call: Call, status: number, opts: { reason?: string; headers?: HeaderList; body?: string } = {}): void {
    if (status >= 200) {
      if (!call.callerTx.may('completed')) return;
      call.callerTx.transition('completed');
      call.state.stopTimer('prack');
    }
    this.sip.respond(call.caller.conn, call.callerInvite, status, { toTag: call.caller.localTag, ...opts });
  }

  // ------------------------------------------------------------------ INVITE

  onInvite(conn: SipConnection, request: SipRequest): void {
    if (request.toTag) return this.reinvites.onReinvite(conn, request);
    void this.startCall(conn, request).catch((err: unknown) => {
      this.opts.logger.error({ err }, 'call set-up failed');
      this.sip.respond(conn, request, 500);
    });
  }

  private async startCall(conn: SipConnection, request: SipRequest): Promise<void> {
    if (this.closing) return this.sip.respond(conn, request, 503, { reason: 'Server Shutting Down', headers: [['Retry-After', '30']] });
    this.sip.respond(conn, request, 100);
    const refuse = (r: RouteRefusal) => this.sip.respond(conn, request, r.status, { ...(r.toTag ? { toTag: newTag() } : {}), ...(r.reason ? { reason: r.reason } : {}) });
    const route = this.routing.route(conn.authenticatedExtension, (request.ruri as { user?: string } | undefined)?.user ?? '');
    if (isRefusal(route)) return refuse(route);
    const { callerUser, calleeUser, dialledNumber } = route;
    const callerTimer = negotiateAsUas(request);
    if (callerTimer.kind === 'malformed') return this.sip.respond(conn, request, 400, { reason: callerTimer.reason });
    // RFC 4028 §6 (https://www.rfc-editor.org/rfc/rfc4028#section-6): "422 Session Interval Too
    // Small ... MUST contain a Min-SE header field with the minimum timer duration".
    if (callerTimer.kind === 'too-brief') return this.sip.respond(conn, request, 422, { toTag: newTag(), reason: 'Session Interval Too Small', headers: callerTimer.headers });
    if (request.getHeader('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp' || !request.body) {
      return this.sip.respond(conn, request, 488, { toTag: newTag(), headers: [['Warning', '399 callmark "an SDP offer is required in the INVITE"']] });
    }
    const binding = this.routing.reach(route);
    if (isRefusal(binding)) return refuse(binding);

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
    this.calls.add(call);
    call.dialledNumber = dialledNumber;
    call.callerTimer = callerTimer;
    // RFC 3262 §3 (https://www.rfc-editor.org/rfc/rfc3262#section-3): "If the UAC requires
    // reliable provisional responses ... [with] the option tag 100rel in the Require header field
    // ... the UAS MUST send any non-100 provisional response reliably."
    const requires = request.getHeaders('require').join(',').split(',').map((t) => t.trim().toLowerCase());
    if (requires.includes('100rel')) call.reliable = { rseq: Math.floor(Math.random() * 1000) + 1 };
    try {
      await this.setUpCall(call, callerUser, calleeUser, binding);
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

  private async setUpCall(call: Call, callerUser: User, calleeUser: User, binding: NonNullable<ReturnType<Registrar['lookup']>>): Promise<void> {
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
    this.sip.sendRequest(callee.conn, { method: 'CANCEL', uri: inv.uri, headers }, inv.branch, () => {});
  }

  // ------------------------------------------------------------------ re-INVITE (hold / resume / ICE restart)

  findDialog(conn: SipConnection, request: SipRequest): { call: Call; leg: DialogLeg } | undefined {
    const call = this.bySipCallId.get(request.callId);
    if (!call) return undefined;
    for (const leg of call.legs()) {
      if (leg.sipCallId !== request.callId || leg.conn !== conn) continue;
      if (request.toTag === leg.localTag && (!leg.remoteTag || request.fromTag === leg.remoteTag)) return { call, leg };
    }
    return undefined;
  }

  // ------------------------------------------------------------------ offers in the call: re-INVITE, UPDATE, hold (reinvite.ts)

  reinvite(call: Call, leg: DialogLeg, direction: MediaDirection): Promise<void> {
    return this.reinvites.reinvite(call, leg, direction);
  }

  onUpdate(conn: SipConnection, request: SipRequest): void {
    this.reinvites.onUpdate(conn, request);
  }

  // ------------------------------------------------------------------ session timers (RFC 4028, session-refresh.ts)

  startSessionTimer(call: Call, leg: DialogLeg, timer: Extract<SessionTimerOffer, { kind: 'timer' }>): void {
    this.sessionRefresh.startSessionTimer(call, leg, timer);
  }

  sessionRefreshed(call: Call, leg: DialogLeg, timer: SessionTimerOffer): void {
    this.sessionRefresh.sessionRefreshed(call, leg, timer);
  }

  refreshFailed(call: Call, leg: DialogLeg, status: number): void {
    this.sessionRefresh.refreshFailed(call, leg, status);
  }

  // ------------------------------------------------------------------ reliable provisional responses (RFC 3262, reliable-provisional.ts)

  sendReliableProvisional(call: Call, status: number, headers: HeaderList): void {
    this.provisionals.sendReliableProvisional(call, status, headers);
  }

  onPrack(conn: SipConnection, request: SipRequest): void {
    this.provisionals.onPrack(conn, request);
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

  // ------------------------------------------------------------------ REFER: blind transfer and conference (transfer.ts)

  onRefer(conn: SipConnection, request: SipRequest): void {
    this.transfers.onRefer(conn, request);
  }

  leaveConference(call: Call, leg: DialogLeg, reason: string): Promise<void> {
    return this.transfers.leaveConference(call, leg, reason);
  }

  // ------------------------------------------------------------------ recording and ending

  startRecording(call: Call): Promise<void> {
    return this.recording.startRecording(call);
  }

  /** Ends an answered call: BYE to the other party (or both when `from` is null), recording finalised. */
  async hangup(call: Call, from: LegRole | null, reason: string, status: number, connectionLost = false): Promise<void> {
    if (call.phase === 'ended') return;
    const targets = from === null ? call.legs() : call.others(from);
    for (const leg of targets) {
      if (leg.conn.isOpen) this.sendInDialog(leg, 'BYE', from === null ? { headers: [['Reason', `SIP;cause=${status};text="${reason}"`]] } : {});
    }
    this.event(call, 'hangup', from, { reason, connectionLost });
    await this.finish(call, from === null ? 'ended-by-server' : 'completed', reason, status);
  }

  /** Ends a call because of a server-side failure (e.g. its media worker died). */
  async abort(call: Call, reason: string): Promise<void> {
    call.log.error({ reason }, 'call aborted');
    if (call.phase === 'answered') return this.hangup(call, null, reason, 503);
    this.respondCaller(call, 503, { reason: 'Service Unavailable', headers: [['Warning', `399 callmark "${reason}"`]] });
    this.sendCancelToCallee(call);
    await this.finish(call, 'failed', reason, 503);
  }

  finish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    if (call.phase === 'ended') return Promise.resolve();
    const done = this.doFinish(call, outcome, reason, status).finally(() => this.finishing.delete(done));
    this.finishing.add(done);
    return done;
  }

  private async doFinish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    const wasAnswered = call.phase === 'answered';
    call.state.transition('ended'); // stops the call's timers
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
    if (recorder) await this.recording.finaliseRecording(call, recorder);
    call.media?.close();
    this.calls.delete(call);
    for (const leg of call.legs()) this.bySipCallId.delete(leg.sipCallId);
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

