// The back-to-back user agent: the dispatcher of dialog requests and the registry of calls. Each call
// has two dialogs: the caller's INVITE ends here (we are its UAS) and we place a new INVITE to the
// callee (we are its UAC). Media is anchored in mediasoup (media/CallMedia) and recorded
// (media/CallRecorder) from answer to hang-up. Every step is stored on the call row and its
// append-only event timeline. The steps live in their own modules (call-setup.ts, reinvite.ts,
// session-refresh.ts, reliable-provisional.ts, transfer.ts, call-recording.ts, call-routing.ts),
// each given this B2BUA as their CallContext (call-context.ts); ACK, CANCEL, BYE, INFO, a lost
// connection and the end of a call are here.
import type { User } from '../db/repositories/users.js';
import type { SipConnection } from './connection.js';
import type { HeaderList, SipRequest } from './message.js';
import type { DialogHandler, SipServer } from './sip-server.js';
import type { ClientTransaction } from './transactions.js';
import { dtmfDigit, type Call } from './call.js';
import { type B2buaOptions, type CallContext } from './call-context.js';
import { OfferQueue } from './offer-queue.js';
import { CallRecording } from './call-recording.js';
import { CallRouting } from './call-routing.js';
import { CallSetup } from './call-setup.js';
import { DelayedOffer } from './delayed-offer.js';
import { contactHeader, dialogHeaders, type DialogLeg, type LegRole } from './dialog-leg.js';
import { Reinvites } from './reinvite.js';
import { ReliableProvisionals } from './reliable-provisional.js';
import { SessionRefresh } from './session-refresh.js';
import type { SessionTimerOffer } from './session-timer.js';
import { Transfers } from './transfer.js';

/**
 * How long ending a call waits for an answer being applied to the media before it frees the media
 * anyway. Applying takes milliseconds; a worker that does not reply within this is hung, and waiting
 * on would keep the call (and a shutdown) open for ever.
 */
export const ANSWER_APPLY_WAIT_MS = 5_000;

/**
 * How long ending a call waits for its recorder to finish starting (it then finalises itself). A
 * start takes well under a second, a few on a loaded machine; a recorder that has not started within
 * this is stuck (a hung media worker), and waiting on would keep the call, its agents and the next
 * queued call held for ever.
 */
export const RECORDING_START_WAIT_MS = 10_000;

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
  private readonly delayed = new DelayedOffer(this);
  private readonly setup = new CallSetup(this, this.routing, this.delayed);

  /** Calls waiting for an agent who may not take them yet (offer-queue.ts). */
  readonly queue: OfferQueue | undefined;

  constructor(readonly opts: B2buaOptions) {
    opts.sip.setDialogHandler(this);
    this.queue = opts.offerGate ? new OfferQueue(opts.offerGate, (extension) => this.isBusy(extension), opts.clock) : undefined;
  }

  /** Calls waiting in the queue for an agent. */
  get queuedCalls(): number {
    return this.queue?.size ?? 0;
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
      if (c.offering?.extension === extension || c.legs().some((l) => l.user.extension === extension)) return true;
      // A party being brought in counts once the queue has offered them the call (not while it waits for them).
      if (c.pending && !c.pending.queued && c.pending.target.extension === extension) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ sending on a leg

  sendInDialog(leg: DialogLeg, method: string, extra: { headers?: HeaderList; body?: string; contentType?: string } = {}, onResponse?: ClientTransaction['onResponse']): string {
    const branch = this.sip.newBranch();
    leg.localCSeq++;
    const headers: HeaderList = [...dialogHeaders(leg, branch, `${leg.localCSeq} ${method}`), contactHeader(), ...(extra.headers ?? [])];
    this.sip.sendRequest(leg.conn, { method, uri: leg.remoteTarget, headers, body: extra.body, contentType: extra.contentType }, branch, onResponse ?? (() => {}));
    return branch;
  }

  sendAck(leg: DialogLeg, cseq: number, branch = this.sip.newBranch(), body?: string): void {
    this.sip.sendRequest(leg.conn, { method: 'ACK', uri: leg.remoteTarget, headers: dialogHeaders(leg, branch, `${cseq} ACK`), body }, branch);
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
    void this.setup.startCall(conn, request).catch((err: unknown) => {
      this.opts.logger.error({ err }, 'call set-up failed');
      this.sip.respond(conn, request, 500);
    });
  }

  sendCancelToCallee(call: Call): void {
    this.setup.sendCancelToCallee(call);
  }

  // ------------------------------------------------------------------ dialogs

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

  reinvite(call: Call, leg: DialogLeg): Promise<void> {
    return this.reinvites.reinvite(call, leg);
  }

  onUpdate(conn: SipConnection, request: SipRequest): void {
    this.reinvites.onUpdate(conn, request);
  }

  // ------------------------------------------------------------------ session timers (RFC 4028, session-refresh.ts)

  startSessionTimer(call: Call, leg: DialogLeg, timer: Extract<SessionTimerOffer, { kind: 'timer' }>): void {
    this.sessionRefresh.startSessionTimer(call, leg, timer);
  }

  startUacSessionTimer(call: Call, leg: DialogLeg, timer: { intervalS: number; weRefresh: boolean }): void {
    this.sessionRefresh.startAsUac(call, leg, timer);
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
    // The answer to the offer we made in the 200 to a re-INVITE without SDP (RFC 3261 §13.2.1, https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1).
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
    for (const call of this.calls) if (call.pending?.leg?.conn === conn || call.legs().some((l) => l.conn === conn)) return true;
    return false;
  }

  onConnectionClosed(conn: SipConnection): void {
    for (const call of [...this.calls]) {
      if (call.pending?.leg?.conn === conn) call.pending.invite?.cancel(480, 'disconnected');
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

  /** Never rejects (its callers do not await it): a failure is logged. */
  leaveConference(call: Call, leg: DialogLeg, reason: string): Promise<void> {
    return this.transfers.leaveConference(call, leg, reason).catch((err: unknown) => call.log.error({ err, reason }, 'a party leaving the conference failed'));
  }

  // ------------------------------------------------------------------ recording and ending

  startRecording(call: Call): Promise<void> {
    const starting = this.recording.startRecording(call);
    call.recordingStarting = starting.catch(() => undefined);
    return starting;
  }

  /** Ends an answered call: BYE to the other party (or both when `from` is null), recording finalised. */
  async hangup(call: Call, from: LegRole | null, reason: string, status: number, connectionLost = false): Promise<void> {
    if (call.phase === 'ended') return;
    // Whatever fails here (storing the event), the call is still ended below: hangup never rejects.
    await this.endStep(call, 'hang up', () => {
      const targets = from === null ? call.legs() : call.others(from);
      this.delayed.ackBeforeBye(call);
      for (const leg of targets) {
        if (leg.conn.isOpen) this.sendInDialog(leg, 'BYE', from === null ? { headers: [['Reason', `SIP;cause=${status};text="${reason}"`]] } : {});
      }
      this.event(call, 'hangup', from, { reason, connectionLost });
    });
    await this.finish(call, from === null ? 'ended-by-server' : 'completed', reason, status);
  }

  /** Ends a call because of a server-side failure (e.g. its media worker died). */
  async abort(call: Call, reason: string): Promise<void> {
    call.log.error({ reason }, 'call aborted');
    if (call.phase === 'answered') return this.hangup(call, null, reason, 503);
    await this.endStep(call, 'refuse the call', () => {
      this.respondCaller(call, 503, { reason: 'Service Unavailable', headers: [['Warning', `399 callmark "${reason}"`]] });
      this.sendCancelToCallee(call);
    });
    await this.finish(call, 'failed', reason, 503);
  }

  /**
   * Ends the call: stored, recording finalised, media freed, its agents free again. Never rejects,
   * so the handlers that end a call without awaiting it (BYE, CANCEL, a lost connection, no answer)
   * leave nothing unhandled: each step runs on its own (`endStep`), and a step that fails (the
   * database, the recorder) is logged and stored as an `end-step-failed` event while the others
   * still run, so a call always ends and its recording is always finalised.
   */
  finish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    if (call.phase === 'ended') return Promise.resolve();
    const done = this.doFinish(call, outcome, reason, status)
      .catch((err: unknown) => call.log.error({ err }, 'ending the call failed'))
      .finally(() => this.finishing.delete(done));
    this.finishing.add(done);
    return done;
  }

  private async doFinish(call: Call, outcome: string, reason: string, status: number): Promise<void> {
    const wasAnswered = call.phase === 'answered';
    call.state.transition('ended'); // stops the call's timers
    try {
      await this.endStep(call, 'let go of the queue and timers', () => {
        this.queue?.withdraw(call.id);
        for (const leg of call.legs()) leg.sessionTimer?.stop();
        call.pending?.invite?.cancel(487, 'the call ended');
      });
      await this.endStep(call, 'store the end', () => {
        this.opts.repos.calls.update(call.id, {
          state: 'ended',
          endedAt: this.now(),
          endReason: `${outcome}: ${reason}`,
          ...(wasAnswered ? {} : { sipStatus: status }),
        });
        this.event(call, 'end', null, { outcome, reason, status });
      });
      call.log.info({ outcome, reason }, 'call ended');
      // A recorder still starting (the call ended soon after its answer) is let finish starting: it
      // then finalises itself (call-recording.ts). Freeing the media under it would fail its start
      // and lose the recording of a call that was answered. A start that does not settle within
      // RECORDING_START_WAIT_MS (a hung media worker) fails this step and the end goes on.
      const starting = call.recordingStarting;
      if (starting) {
        await this.endStep(call, 'let the recording start', async () => {
          if ((await settlesWithin(starting, RECORDING_START_WAIT_MS)) === 'timed out') {
            throw new Error(`the recorder did not start within ${RECORDING_START_WAIT_MS} ms; the media is freed without it`);
          }
        });
      }
      const recorder = call.recorder;
      call.recorder = undefined;
      // Stop the recorder while packets still flow (ffmpeg finalises cleanly), then free the media.
      if (recorder) await this.endStep(call, 'finalise the recording', () => this.recording.finaliseRecording(call, recorder));
      // An answer being applied is let finish first, so the callee whose 200 crossed the caller's
      // CANCEL gets a plain BYE (call-setup.ts), not one for an answer cut off half-way.
      await this.endStep(call, 'free the media', async () => {
        if (call.answering && (await settlesWithin(call.answering, ANSWER_APPLY_WAIT_MS)) === 'timed out') {
          call.log.error({ waitedMs: ANSWER_APPLY_WAIT_MS }, 'the answer being applied to the media did not finish; media freed without it');
        }
        call.media?.close();
      });
    } finally {
      this.calls.delete(call);
      for (const leg of call.legs()) this.bySipCallId.delete(leg.sipCallId);
    }
    // Its agents are free again: a call waiting for one of them may be offered.
    await this.endStep(call, 'offer the next queued call', () => {
      for (const user of new Set([call.offering, call.pending?.target, ...call.legs().map((l) => l.user)])) if (user) this.queue?.offerNext(user.id);
    });
  }

  /** One step of ending a call: a failure is logged and stored as a call event (if the database takes it), never thrown. */
  private async endStep(call: Call, step: string, run: () => void | Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      call.log.error({ err, step }, 'a step of ending the call failed');
      try {
        this.event(call, 'end-step-failed', null, { step, message: err instanceof Error ? err.message : String(err) });
      } catch (eventErr) {
        call.log.error({ err: eventErr, step }, 'the failure could not be stored either');
      }
    }
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

/** Waits for `promise` (its outcome ignored), at most `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    return await Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
