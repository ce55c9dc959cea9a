// The back-to-back user agent. Each call has two dialogs: the caller's INVITE ends here (we are its
// UAS) and we place a new INVITE to the callee (we are its UAC). Media is anchored in mediasoup
// (media/CallMedia) and recorded (media/CallRecorder) from answer to hang-up. Every step is stored
// on the call row and its append-only event timeline.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { CallMedia, CallRecorder, SdpError, type MediaWorkerPool } from '../../media/index.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { User } from '../db/repositories/users.js';
import type { SipConnection } from './connection.js';
import type { HeaderList, SipRequest, SipResponse } from './message.js';
import type { Registrar } from './registrar.js';
import type { DialogHandler, SipServer } from './sip-server.js';

type LegRole = 'caller' | 'callee';
type CallPhase = 'setup' | 'ringing' | 'answered' | 'ended';

interface DialogLeg {
  role: LegRole;
  conn: SipConnection;
  user: User;
  sipCallId: string;
  localTag: string;
  remoteTag: string | undefined;
  /** Request-URI of in-dialog requests we send on this leg. */
  remoteTarget: string;
  /** From/To header values (without tags) as seen from our side of this dialog. */
  localUri: string;
  remoteUri: string;
  localCSeq: number;
  remoteCSeq: number;
}

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
  /** Whether a call between these two users is allowed (same centre, roles that take calls). */
  mayCall?: (caller: User, callee: User) => boolean;
}

const CONTACT_HOST = 'callmark.invalid';
const ACK_TIMEOUT_MS = 32_000;

function tag(): string {
  return randomBytes(6).toString('hex');
}

/** Via, Max-Forwards, From, To, Call-ID and CSeq of a request we send within a leg's dialog. */
function dialogHeaders(leg: DialogLeg, branch: string, cseq: string): HeaderList {
  return [
    ['Via', `SIP/2.0/WSS ${CONTACT_HOST};branch=${branch}`],
    ['Max-Forwards', '70'],
    ['From', `<${leg.localUri}>;tag=${leg.localTag}`],
    ['To', `<${leg.remoteUri}>${leg.remoteTag ? `;tag=${leg.remoteTag}` : ''}`],
    ['Call-ID', leg.sipCallId],
    ['CSeq', cseq],
  ];
}

function dtmfDigit(body: string | undefined): string | undefined {
  const m = /Signal\s*=\s*([0-9A-D*#])/i.exec(body ?? '');
  return m?.[1];
}

class Call {
  readonly id = randomUUID();
  phase: CallPhase = 'setup';
  callee: DialogLeg | undefined;
  media: CallMedia | undefined;
  recorder: CallRecorder | undefined;
  recordingFile: string | undefined;
  calleeInvite: { branch: string; cseq: number; uri: string; headers: HeaderList } | undefined;
  calleeRespondedProvisionally = false;
  cancelled = false;
  /** CANCEL for the callee's INVITE: wanted, and actually sent (only after a provisional, RFC 3261 §9.1). */
  cancelWanted = false;
  cancelSent = false;
  finalSentToCaller = false;
  heldBy: LegRole | null = null;
  /** The customer number a candidate dialled, when the call was routed to their assessor. */
  dialledNumber: string | undefined;
  reinviteInProgress = false;
  /** Re-INVITEs we send to tell a party about hold/resume, one after another. */
  relayChain: Promise<void> = Promise.resolve();
  noAnswerTimer: NodeJS.Timeout | undefined;
  ackTimer: NodeJS.Timeout | undefined;
  readonly log: FastifyBaseLogger;

  constructor(
    readonly caller: DialogLeg,
    readonly callerInvite: SipRequest,
    readonly candidateRole: LegRole,
    logger: FastifyBaseLogger,
  ) {
    this.log = logger.child({ callId: this.id });
  }

  /** Re-read after every await: the call may have ended meanwhile (CANCEL, BYE, a lost connection). */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  leg(role: LegRole): DialogLeg | undefined {
    return role === 'caller' ? this.caller : this.callee;
  }

  other(role: LegRole): DialogLeg | undefined {
    return role === 'caller' ? this.callee : this.caller;
  }
}

export class B2bua implements DialogHandler {
  /** Calls by the SIP Call-ID of either leg. */
  private readonly bySipCallId = new Map<string, Call>();
  private readonly calls = new Set<Call>();
  /** Calls being ended (recording finalising); shutdown waits for them. */
  private readonly finishing = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly opts: B2buaOptions) {
    opts.sip.setDialogHandler(this);
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
    this.opts.repos.calls.addEvent(call.id, this.now(), type, leg, detail);
  }

  private uriOf(user: User): string {
    return `sip:${user.extension}@${this.sip.realm}`;
  }

  private isBusy(extension: string): boolean {
    for (const c of this.calls) {
      if (c.phase === 'ended') continue;
      if (c.caller.user.extension === extension || c.callee?.user.extension === extension) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ sending on a leg

  private sendInDialog(
    leg: DialogLeg,
    method: string,
    extra: { headers?: HeaderList; body?: string; contentType?: string } = {},
    onResponse?: (r: SipResponse | { statusCode: 408; local: true }) => void,
  ): string {
    const branch = this.sip.newBranch();
    leg.localCSeq++;
    const headers: HeaderList = [
      ...dialogHeaders(leg, branch, `${leg.localCSeq} ${method}`),
      ['Contact', `<sip:b2bua@${CONTACT_HOST};transport=ws>`],
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
      if (call.finalSentToCaller) return;
      call.finalSentToCaller = true;
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
    if (!calleeUser || calleeUser.disabled) return this.sip.respond(conn, request, 404, { toTag: tag() });
    if (calleeUser.id === callerUser.id) return this.sip.respond(conn, request, 482, { toTag: tag(), reason: 'Loop Detected (you called yourself)' });
    if (this.opts.mayCall && !this.opts.mayCall(callerUser, calleeUser)) return this.sip.respond(conn, request, 403, { toTag: tag(), reason: 'Forbidden (not in your centre)' });
    if (request.getHeader('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp' || !request.body) {
      return this.sip.respond(conn, request, 488, { toTag: tag(), headers: [['Warning', '399 callmark "an SDP offer is required in the INVITE"']] });
    }
    const binding = this.sip.registrar.lookup(calleeUser.extension);
    if (!binding) return this.sip.respond(conn, request, 480, { toTag: tag(), reason: 'Temporarily Unavailable (not registered)' });
    if (this.isBusy(calleeUser.extension)) return this.sip.respond(conn, request, 486, { toTag: tag() });
    if (this.isBusy(callerUser.extension)) return this.sip.respond(conn, request, 486, { toTag: tag(), reason: 'Busy Here (you are already on a call)' });

    const candidateRole: LegRole = callerUser.role !== 'candidate' && calleeUser.role === 'candidate' ? 'callee' : 'caller';
    const contact = request.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
    const caller: DialogLeg = {
      role: 'caller',
      conn,
      user: callerUser,
      sipCallId: request.callId,
      localTag: tag(),
      remoteTag: request.fromTag,
      remoteTarget: contact?.uri?.toString() ?? request.from.uri.toString(),
      localUri: request.to.uri.toString(),
      remoteUri: request.from.uri.toString(),
      localCSeq: 0,
      remoteCSeq: request.cseq,
    };
    const call = new Call(caller, request, candidateRole, this.opts.logger);
    this.calls.add(call);
    call.dialledNumber = dialledNumber;
    try {
      await this.setUpCall(call, callerUser, calleeUser, binding);
    } catch (err) {
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
    if (call.cancelled) return this.finish(call, 'cancelled', 'cancelled by the caller', 487);
    if (!binding.conn.isOpen) {
      this.respondCaller(call, 480);
      return this.finish(call, 'unavailable', 'callee disconnected', 480);
    }

    const offer = await call.media.createCalleeOffer();
    if (call.ended) return;
    const callee: DialogLeg = {
      role: 'callee',
      conn: binding.conn,
      user: calleeUser,
      sipCallId: `${randomUUID()}@${CONTACT_HOST}`,
      localTag: tag(),
      remoteTag: undefined,
      remoteTarget: binding.contact,
      localUri: this.uriOf(callerUser),
      remoteUri: this.uriOf(calleeUser),
      localCSeq: 1,
      remoteCSeq: 0,
    };
    call.callee = callee;
    this.bySipCallId.set(callee.sipCallId, call);
    const branch = this.sip.newBranch();
    const displayName = callerUser.displayName.replace(/["\\]/g, '');
    const headers: HeaderList = [
      ['Via', `SIP/2.0/WSS ${CONTACT_HOST};branch=${branch}`],
      ['Max-Forwards', '70'],
      ['From', `"${displayName}" <${callee.localUri}>;tag=${callee.localTag}`],
      ['To', `<${callee.remoteUri}>`],
      ['Call-ID', callee.sipCallId],
      ['CSeq', '1 INVITE'],
      ['Contact', `<sip:b2bua@${CONTACT_HOST};transport=ws>`],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO'],
    ];
    if (call.dialledNumber) headers.push(['X-Dialled-Number', call.dialledNumber]);
    // An assessor playing a customer presents the customer's number, so the desktop can screen-pop.
    const presented = request.getHeader('x-presented-number')?.trim();
    if (presented && callerUser.role === 'assessor' && /^\+?[0-9][0-9 ]{2,19}$/.test(presented)) {
      headers.push(['X-Presented-Number', presented]);
      this.event(call, 'presented-number', 'caller', { number: presented });
    }
    call.calleeInvite = { branch, cseq: 1, uri: binding.contact, headers };
    call.noAnswerTimer = setTimeout(() => this.noAnswer(call), this.opts.noAnswerTimeoutMs);
    call.noAnswerTimer.unref();
    this.sip.sendRequest(callee.conn, { method: 'INVITE', uri: binding.contact, headers, body: offer }, branch, (r) => {
      void this.onCalleeInviteResponse(call, r).catch((err: unknown) => {
        call.log.error({ err }, 'error handling the callee response');
        void this.abort(call, 'internal error');
      });
    });
  }

  private async onCalleeInviteResponse(call: Call, r: SipResponse | { statusCode: 408; local: true }): Promise<void> {
    const callee = call.callee!;
    const status = r.statusCode ?? 0;
    if ('local' in r) {
      if (call.phase === 'answered' || call.phase === 'ended') return;
      const code = callee.conn.isOpen ? 408 : 480;
      this.respondCaller(call, code);
      return this.finish(call, 'unavailable', callee.conn.isOpen ? 'no response from the callee' : 'callee disconnected', code);
    }
    const response = r;
    if (status < 200) {
      call.calleeRespondedProvisionally = true;
      if (response.toTag) callee.remoteTag = response.toTag;
      if ((status === 180 || status === 183) && call.phase === 'setup') {
        call.phase = 'ringing';
        this.opts.repos.calls.update(call.id, { state: 'ringing', ringingAt: this.now() });
        this.event(call, 'ringing', 'callee');
        // A 1xx with a To tag opens an early dialog, which needs our Contact (sip.js drops it otherwise).
        this.respondCaller(call, 180, { headers: [['Contact', `<sip:b2bua@${CONTACT_HOST};transport=ws>`]] });
      }
      if (call.cancelWanted) this.sendCancelToCallee(call);
      return;
    }
    if (status < 300) {
      callee.remoteTag = response.toTag;
      const contact = response.parseHeader('contact') as { uri?: { toString(): string } } | undefined;
      if (contact?.uri) callee.remoteTarget = contact.uri.toString();
      this.sendAck(callee, call.calleeInvite!.cseq);
      if (call.phase === 'answered') return; // a retransmitted 200: the ACK above is all it needs
      if (call.cancelled || call.phase === 'ended') {
        this.sendInDialog(callee, 'BYE');
        return;
      }
      clearTimeout(call.noAnswerTimer);
      let answer: string;
      try {
        answer = await call.media!.acceptCalleeAnswer(response.body);
      } catch (err) {
        call.log.warn({ err }, 'callee answer refused');
        this.sendInDialog(callee, 'BYE', { headers: [['Reason', 'SIP;cause=488;text="unusable SDP answer"']] });
        this.respondCaller(call, 488, { headers: [['Warning', '399 callmark "the callee answered with unusable media"']] });
        return this.finish(call, 'setup-failed', 'callee SDP answer refused', 488);
      }
      call.phase = 'answered';
      this.respondCaller(call, 200, { body: answer, headers: [['Contact', `<sip:b2bua@${CONTACT_HOST};transport=ws>`], ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO']] });
      const answeredAt = this.now();
      this.opts.repos.calls.update(call.id, { state: 'answered', answeredAt, sipStatus: 200 });
      this.event(call, 'answered', 'callee');
      call.log.info('call answered');
      call.ackTimer = setTimeout(() => {
        call.log.warn('no ACK from the caller for our 200 OK');
        void this.hangup(call, null, 'no ACK from the caller', 408);
      }, ACK_TIMEOUT_MS);
      call.ackTimer.unref();
      await this.startRecording(call);
      return;
    }
    // A final failure from the callee: ACK it (hop by hop, same branch, with its To tag) and pass it on.
    if (response.toTag) callee.remoteTag = response.toTag;
    this.sendAck(callee, call.calleeInvite!.cseq, call.calleeInvite!.branch);
    if (call.phase === 'ended') return;
    const passOn = status === 487 && call.cancelled ? 487 : status;
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
    this.finish(call, 'no-answer', `no answer after ${Math.round(this.opts.noAnswerTimeoutMs / 1000)} s`, 408);
  }

  private sendCancelToCallee(call: Call): void {
    call.cancelWanted = true;
    const inv = call.calleeInvite;
    const callee = call.callee;
    if (!inv || !callee || call.cancelSent) return;
    // Sent once the callee has answered provisionally; until then it waits (see the 1xx handler).
    if (!call.calleeRespondedProvisionally) return;
    call.cancelSent = true;
    const headers = inv.headers
      .filter(([n]) => ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID'].includes(n))
      .concat([['CSeq', `${inv.cseq} CANCEL`]]);
    this.sip.sendRequest(callee.conn, { method: 'CANCEL', uri: inv.uri, headers }, inv.branch, () => {});
  }

  // ------------------------------------------------------------------ re-INVITE (hold / resume / ICE restart)

  private findDialog(conn: SipConnection, request: SipRequest): { call: Call; leg: DialogLeg } | undefined {
    const call = this.bySipCallId.get(request.callId);
    if (!call) return undefined;
    for (const leg of [call.caller, call.callee]) {
      if (!leg || leg.sipCallId !== request.callId || leg.conn !== conn) continue;
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
    if (call.reinviteInProgress) return this.sip.respond(conn, request, 491);
    if (!request.body) return this.sip.respond(conn, request, 488, { headers: [['Warning', '399 callmark "re-INVITE without SDP is not supported"']] });
    call.reinviteInProgress = true;
    void this.handleReinvite(call, leg, request)
      .catch((err: unknown) => {
        call.log.warn({ err }, 're-INVITE refused');
        this.sip.respond(conn, request, err instanceof SdpError ? 488 : 500);
      })
      .finally(() => {
        call.reinviteInProgress = false;
      });
  }

  private async handleReinvite(call: Call, leg: DialogLeg, request: SipRequest): Promise<void> {
    const { answer, direction } = await call.media!.answerReoffer(leg.role, request.body);
    this.sip.respond(leg.conn, request, 200, { toTag: leg.localTag, body: answer, headers: [['Contact', `<sip:b2bua@${CONTACT_HOST};transport=ws>`]] });
    // From here on the re-INVITE is answered: a failure below is logged, never a second response.
    await this.applyHold(call, leg, direction).catch((err: unknown) => call.log.warn({ err }, 'hold/resume could not be applied'));
  }

  private async applyHold(call: Call, leg: DialogLeg, direction: string): Promise<void> {
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
    if (!other || !call.media) return;
    const offer = await call.media.createReoffer(other.role, direction);
    const cseq = other.localCSeq + 1;
    await new Promise<void>((resolve) => {
      let inviteBranch = '';
      inviteBranch = this.sendInDialog(other, 'INVITE', { body: offer }, (r) => {
        const code = r.statusCode ?? 0;
        if ('local' in r || code < 200) {
          if ('local' in r) resolve();
          return;
        }
        // 2xx: end-to-end ACK with a new branch; other finals: hop-by-hop ACK in the INVITE's transaction.
        this.sendAck(other, cseq, code < 300 ? this.sip.newBranch() : inviteBranch);
        if (code < 300 && r.body) {
          call.media?.acceptReanswer(other.role, r.body).catch((err: unknown) => call.log.warn({ err }, 're-answer refused'));
        }
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------ ACK, CANCEL, BYE, INFO

  onAck(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return;
    if (found.leg.role === 'caller') clearTimeout(found.call.ackTimer);
  }

  onCancel(conn: SipConnection, request: SipRequest): void {
    const call = this.bySipCallId.get(request.callId);
    if (!call || call.caller.conn !== conn || call.callerInvite.viaBranch !== request.viaBranch) {
      return this.sip.respond(conn, request, 481);
    }
    this.sip.respond(conn, request, 200, { toTag: call.caller.localTag });
    if (call.finalSentToCaller) return; // too late: the call was answered or had already failed
    call.cancelled = true;
    this.respondCaller(call, 487);
    this.event(call, 'cancel', 'caller');
    if (call.callee) this.sendCancelToCallee(call);
    this.finish(call, 'cancelled', 'cancelled by the caller', 487);
  }

  onBye(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    this.sip.respond(conn, request, 200, { toTag: leg.localTag });
    if (call.phase !== 'answered') {
      // A BYE before the answer (early dialog) ends the attempt like a CANCEL would.
      if (leg.role === 'caller') {
        call.cancelled = true;
        this.respondCaller(call, 487);
        this.sendCancelToCallee(call);
        void this.finish(call, 'cancelled', 'the caller hung up before the answer', 487);
      }
      return;
    }
    void this.hangup(call, leg.role, `hung up by the ${leg.role}`, 200);
  }

  onInfo(conn: SipConnection, request: SipRequest): void {
    const found = this.findDialog(conn, request);
    if (!found) return this.sip.respond(conn, request, 481);
    const { call, leg } = found;
    this.sip.respond(conn, request, 200, { toTag: leg.localTag });
    const digit = dtmfDigit(request.body);
    if (digit) this.event(call, 'dtmf', leg.role, { digit, via: 'info' });
    const other = call.other(leg.role);
    if (other && call.phase === 'answered') {
      this.sendInDialog(other, 'INFO', { body: request.body, contentType: request.getHeader('content-type') ?? 'application/dtmf-relay' });
    }
  }

  onConnectionClosed(conn: SipConnection): void {
    for (const call of [...this.calls]) {
      const role: LegRole | undefined = call.caller.conn === conn ? 'caller' : call.callee?.conn === conn ? 'callee' : undefined;
      if (!role || call.phase === 'ended') continue;
      call.log.info({ leg: role }, 'a party lost its connection');
      if (call.phase === 'answered') void this.hangup(call, role, `the ${role} lost its connection`, 200, true);
      else if (role === 'caller') {
        call.cancelled = true;
        this.sendCancelToCallee(call);
        this.finish(call, 'cancelled', 'the caller lost its connection', 487);
      } else {
        this.respondCaller(call, 480);
        this.finish(call, 'unavailable', 'the callee lost its connection', 480);
      }
    }
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
    const targets = from === null ? [call.caller, call.callee] : [call.other(from)];
    for (const leg of targets) {
      if (leg?.conn.isOpen) this.sendInDialog(leg, 'BYE', from === null ? { headers: [['Reason', `SIP;cause=${status};text="${reason}"`]] } : {});
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
    call.phase = 'ended';
    clearTimeout(call.noAnswerTimer);
    clearTimeout(call.ackTimer);
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
    this.bySipCallId.delete(call.caller.sipCallId);
    if (call.callee) this.bySipCallId.delete(call.callee.sipCallId);
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

