// The media of one call between browsers: a Router on a pooled worker, one WebRtcTransport per
// leg carrying that leg's Producer and a Consumer of each other leg, and the SDP bridge in between
// (the caller offers in its INVITE; the server offers to the callee in its own INVITE).
//
// Legs are named: 'caller' and 'callee' for the two parties of the original call, any other name
// for a party added later (a transfer target, a conference party). Each Consumer toward a leg sits
// on its own audio m-line of that leg's SDP (a "slot"): the leg's primary m-line (where the browser
// also sends) carries one other party; in a conference every further party gets an extra m-line,
// sendonly from the server, all BUNDLEd on the one transport and told apart by SSRC. A browser in
// Unified Plan makes one transceiver, hence one remote track, per m-line.
//
// Hold is two separate things here. The SDP directions record what each side agreed to send; the
// hold flag (setHold) is the B2BUA's decision. A consumer toward a leg plays only when the leg's
// last negotiation lets the server send to it AND the call is not on hold.
//
// Only API that mediasoup 3.8 and current 3.x share is used.
import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { MediaWorkerPool, WorkerSlot } from './worker-pool.js';
import { intersect, isHold, reverse, sends, type Direction } from './sdp/direction.js';
import { assertSameFingerprint, directionsByMid, parseRemoteSdp, remoteDtlsParameters, SdpError, type RemoteAudio, type SectionSlot } from './sdp/parse.js';
import { producerRtpParameters, rawFmtp, routerMediaCodecs, sendingSsrc } from './sdp/rtp.js';
import { LegSdpWriter, sdpCodecs, setupFor, type LocalAudioSection, type SdpCodec, type SdpSection } from './sdp/write.js';

export { SdpError } from './sdp/parse.js';
export type { Direction } from './sdp/direction.js';

/** 'caller', 'callee', or the name given to a party added later. */
export type Leg = string;

export interface CallMediaOptions {
  listenIp: string;
  announcedIp?: string;
  /** How long one request to the mediasoup worker may go unanswered (default MEDIA_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/**
 * How long one request to the mediasoup worker may go unanswered before the step that made it
 * fails. mediasoup 3.12's Channel waits for an answer forever, and every step of a call runs after
 * the one before it (serial), so one lost answer would leave the call's later steps (a hold, a
 * resume, a transfer) waiting for good: the phone's re-INVITE unanswered until its own transaction
 * gives up after 32 s, saying nothing. A healthy worker answers in well under a millisecond; the
 * worst seen here is a worker starved for 0.1-0.9 s at 1,000 calls on 2 cores (media/README.md,
 * "Realigning legs"). 5 s is over five times that, so a slow worker is waited for, and short enough
 * that the B2BUA's final response reaches the phone (which then says the hold or resume failed)
 * long before sip.js's 32 s, with time for the person to try again. (mediasoup 3.0-3.9 had a bound of its own: 15 s plus 0.1 s per
 * request pending.)
 */
export const MEDIA_REQUEST_TIMEOUT_MS = 5_000;

/**
 * A request to the mediasoup worker got no answer within the bound: the step that made it fails,
 * the steps queued behind it run. `step` names the CallMedia step and its leg, `request` the
 * mediasoup call (e.g. "consumer.pause").
 */
export class MediaNoAnswerError extends Error {
  step = '';
  constructor(
    readonly request: string,
    readonly waitedMs: number,
    /** Settles when the worker does answer the request after all (or the request fails). */
    readonly lateAnswer: Promise<void> = new Promise<void>(() => {}),
  ) {
    super(`the media worker did not answer ${request} within ${waitedMs} ms`);
    this.name = 'MediaNoAnswerError';
  }

  inStep(step: string): this {
    this.step = step;
    this.message = `media step ${step}: the media worker did not answer ${this.request} within ${this.waitedMs} ms`;
    return this;
  }
}

/**
 * What a leg's re-offer may do to the call's hold, as the B2BUA decides from the call's state:
 * 'may-hold' (nobody holds the call) lets an offer of sendonly or inactive put it on hold, 'may-lift'
 * (this leg holds it) lets an offer that sends again lift it. The change is made in the same step as
 * the answer, so the answer exists only once the worker has carried the change out, and a step that
 * fails leaves the hold as it was.
 */
export type ReofferHold = 'may-hold' | 'may-lift';

export interface LegStats {
  /** RTP packets mediasoup received from this leg's browser. */
  packetsIn: number;
  /** RTP packets mediasoup sent to this leg's browser. */
  packetsOut: number;
}

/** An extra audio m-line toward a leg, carrying one other party (server sendonly). */
interface ExtraSlot {
  mid: string;
  source: Leg | undefined;
  consumer: ms.Consumer | undefined;
  /** The last negotiation of this m-line lets the server send on it. */
  serverSends: boolean;
  pendingOffer?: boolean;
  msid: { streamId: string; trackId: string };
  codecs: SdpCodec[];
}

interface LegState {
  transport: ms.WebRtcTransport;
  writer: LegSdpWriter;
  /** The audio mid, always the peer's (the caller's from its offer, '0' on the callee leg). */
  mid: string;
  /** The peer's m-lines, so our descriptions keep their count and order. */
  layout: SectionSlot[];
  audioIndex: number;
  codecs: SdpCodec[];
  headerExtensions: Array<{ uri: string; id: number }>;
  remoteIceUfrag?: string;
  remoteFingerprint?: ms.DtlsFingerprint;
  producer?: ms.Producer;
  /** Media toward this leg's browser on its primary m-line (a Consumer of another leg's Producer). */
  consumer?: ms.Consumer;
  /** Whose Producer `consumer` consumes. */
  source?: Leg;
  /** Further m-lines, each carrying one more party (conference). */
  extras: ExtraSlot[];
  /** The last completed negotiation lets the server send to this leg. */
  serverSends: boolean;
  /** What the server wants toward this leg: sendrecv, or sendonly/inactive after it re-offered hold. */
  localDirection: Direction;
  pendingReoffer?: Direction;
  msid: { streamId: string; trackId: string };
}

export class CallMedia {
  private readonly legs = new Map<Leg, LegState>();
  private held = false;
  private closedReason: string | undefined;
  private readonly closedListeners: Array<(reason: string) => void> = [];
  private slotReleased = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly callerFmtp: Map<number, string>;
  /** The direction of the caller's INVITE offer, answered once the callee has answered. */
  private callerOffered: Direction = 'sendrecv';

  private constructor(
    private readonly pool: MediaWorkerPool,
    private readonly slot: WorkerSlot,
    private readonly worker: ms.Worker,
    readonly router: ms.Router,
    private readonly opts: CallMediaOptions,
    caller: LegState,
    callerFmtp: Map<number, string>,
  ) {
    this.legs.set('caller', caller);
    this.callerFmtp = callerFmtp;
    router.on('workerclose', () => this.closeWith('media worker died'));
    this.watchTransport('caller', caller.transport);
  }

  /**
   * Sets up the caller leg from its INVITE offer. Throws SdpError (before taking any resources) for
   * an offer the media plane cannot use.
   */
  static async fromCallerOffer(pool: MediaWorkerPool, callerOffer: string, opts: CallMediaOptions): Promise<CallMedia> {
    const offer = parseRemoteSdp(callerOffer, 'offer');
    const mediaCodecs = routerMediaCodecs(offer);
    sendingSsrc(offer, 'offer'); // a caller that sends nothing cannot be produced: refuse it now

    const slot = pool.acquire();
    const worker = slot.worker;
    let router: ms.Router | undefined;
    let media: CallMedia | undefined;
    const bound = opts.requestTimeoutMs ?? MEDIA_REQUEST_TIMEOUT_MS;
    try {
      router = await answered('worker.createRouter', worker.createRouter({ mediaCodecs }), bound);
      const transport = await answered('router.createWebRtcTransport', createTransport(router, opts), bound);
      const caller: LegState = {
        transport,
        writer: new LegSdpWriter(),
        mid: offer.mid,
        layout: offer.layout,
        audioIndex: offer.index,
        codecs: [],
        headerExtensions: [],
        remoteIceUfrag: offer.iceUfrag,
        remoteFingerprint: offer.fingerprint,
        // Fixed when the answer is written, from the caller's offered direction.
        serverSends: false,
        localDirection: 'sendrecv',
        msid: { streamId: randomUUID(), trackId: randomUUID() },
        extras: [],
      };
      media = new CallMedia(pool, slot, worker, router, opts, caller, rawFmtp(offer));
      media.callerOffered = offer.direction;
      // The offer says actpass, so mediasoup becomes DTLS client and must answer setup:active.
      await answered('transport.connect', transport.connect({ dtlsParameters: remoteDtlsParameters(offer) }), bound);
      caller.producer = await answered('transport.produce', transport.produce({ kind: 'audio', rtpParameters: producerRtpParameters(offer, router.rtpCapabilities, 'offer') }), bound);
      caller.codecs = sdpCodecs(caller.producer.rtpParameters.codecs, media.callerFmtp);
      caller.headerExtensions = caller.producer.rtpParameters.headerExtensions?.map((e) => ({ uri: e.uri, id: e.id })) ?? [];
      return media;
    } catch (err) {
      if (err instanceof MediaNoAnswerError) err.inStep('fromCallerOffer (caller leg)');
      if (media) media.closeWith('set-up failed');
      else {
        router?.close();
        pool.release(slot);
      }
      throw err;
    }
  }

  get workerIndex(): number {
    return this.slot.index;
  }

  get producers(): { caller?: ms.Producer; callee?: ms.Producer } {
    return { caller: this.legs.get('caller')?.producer, callee: this.legs.get('callee')?.producer };
  }

  /** consumers.caller sends the callee's audio to the caller, consumers.callee the caller's to the callee. */
  get consumers(): { caller?: ms.Consumer; callee?: ms.Consumer } {
    return { caller: this.legs.get('caller')?.consumer, callee: this.legs.get('callee')?.consumer };
  }

  /** The Producer of any leg (what the recorder records), once its browser has answered. */
  producerOf(leg: Leg): ms.Producer | undefined {
    return this.legs.get(leg)?.producer;
  }

  /** Which parties each leg receives, by m-line order: for tests and logs. */
  sourcesOf(leg: Leg): Array<Leg | undefined> {
    const state = this.legs.get(leg);
    if (!state) return [];
    return [state.source, ...state.extras.map((x) => x.source)];
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * The server's offer for the callee (leg B): a Consumer of the caller's audio, paused until the
   * answer arrives. Calling it again before the answer re-offers the same transport (e.g. when the
   * call is retargeted).
   */
  createCalleeOffer(): Promise<string> {
    return this.serial('createCalleeOffer (callee leg)', async () => {
      let leg = this.legs.get('callee');
      if (leg?.producer) throw new Error('the callee has already answered');
      if (!leg) {
        const callerProducer = this.legs.get('caller')?.producer;
        if (!callerProducer) throw new Error('the caller leg has no producer');
        const transport = await this.answered('router.createWebRtcTransport', createTransport(this.router, this.opts));
        const mid = '0';
        const consumer = await this.answered('transport.consume', transport.consume({ producerId: callerProducer.id, rtpCapabilities: this.router.rtpCapabilities, paused: true, mid }));
        leg = {
          transport,
          writer: new LegSdpWriter(),
          mid,
          layout: [],
          audioIndex: 0,
          // Router PTs are the caller's PTs, so the caller's raw fmtp (e.g. telephone-event 0-15) fits.
          codecs: sdpCodecs(consumer.rtpParameters.codecs, this.callerFmtp),
          headerExtensions: consumer.rtpParameters.headerExtensions?.map((e) => ({ uri: e.uri, id: e.id })) ?? [],
          consumer,
          source: 'caller',
          serverSends: false,
          localDirection: 'sendrecv',
          msid: { streamId: randomUUID(), trackId: randomUUID() },
          extras: [],
        };
        this.legs.set('callee', leg);
        this.watchTransport('callee', transport);
      }
      return this.describe(leg, leg.localDirection);
    });
  }

  /** Connects leg B, produces its audio and resumes both ways; returns the 200 OK body for the caller. */
  acceptCalleeAnswer(answer: string): Promise<string> {
    return this.serial('acceptCalleeAnswer (callee leg)', async () => {
      const callee = this.legs.get('callee');
      if (!callee) throw new Error('createCalleeOffer() was not called');
      if (callee.producer) throw new Error('the callee has already answered');
      const { remote, producer } = await this.connectAnswer(callee, answer);
      callee.serverSends = sends(intersect(callee.localDirection, reverse(remote.direction)));

      const caller = this.legs.get('caller')!;
      caller.source = 'callee';
      caller.consumer = await this.answered(
        'transport.consume',
        caller.transport.consume({
          producerId: producer.id,
          // No header extensions: mediasoup would send them with its own ids, which differ from the
          // ids the caller's browser chose in its offer.
          rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs ?? [], headerExtensions: [] },
          paused: true,
          mid: caller.mid,
        }),
      );
      const direction = intersect(reverse(this.callerOffered), caller.localDirection);
      caller.serverSends = sends(direction);
      const callerAnswer = this.describe(caller, direction);
      await this.applyConsumerStates();
      return callerAnswer;
    });
  }

  /**
   * Answers a re-INVITE from a leg: hold (sendonly/inactive offered), unhold, or an ICE restart (a
   * new ice-ufrag → transport.restartIce()). `direction` is what the leg offered, in its own terms
   * (sendonly or inactive = the leg is putting the other party on hold). With `hold`, the call's
   * hold follows the offer as that rule allows (ReofferHold), in this step: `hold` in the result
   * says what changed ('held', 'lifted'), and when the worker does not answer, the step fails with
   * the leg's negotiation and the call's hold both as they were, so the B2BUA can refuse the offer
   * instead of telling the phone of a hold or resume the media never took.
   */
  answerReoffer(leg: Leg, offer: string, hold?: ReofferHold): Promise<{ answer: string; direction: Direction; hold?: 'held' | 'lifted' }> {
    return this.serial(`answerReoffer (${leg} leg)`, async () => {
      const state = this.connectedLeg(leg);
      const remote = parseRemoteSdp(offer, 'offer');
      if (state.remoteFingerprint) assertSameFingerprint(remote, state.remoteFingerprint, 'offer');
      const codecs = state.codecs.filter((c) => remote.media.rtp.some((r) => r.payload === c.payloadType && r.codec.toLowerCase() === c.name.toLowerCase()));
      if (!codecs.some((c) => c.name.toLowerCase() === 'opus')) throw new SdpError('the offer has no Opus codec with the negotiated payload type');
      const headerExtensions = state.headerExtensions.filter((e) => (remote.media.ext ?? []).some((x) => x.uri === e.uri && x.value === e.id));
      if (remote.iceUfrag !== state.remoteIceUfrag) {
        // An ICE restart: mediasoup needs new local credentials; DTLS carries on over the new path.
        await this.answered('transport.restartIce', state.transport.restartIce());
        state.remoteIceUfrag = remote.iceUfrag;
      }
      // What this offer changes, put back if the step fails: the leg's phone then keeps its last
      // negotiated state (a re-INVITE refused changes nothing, RFC 3261 §14.1), and so must we.
      const before = { mid: state.mid, layout: state.layout, audioIndex: state.audioIndex, serverSends: state.serverSends, extras: state.extras.map((x) => x.serverSends), held: this.held };
      this.adoptLayout(state, remote);
      const direction = intersect(reverse(remote.direction), state.localDirection);
      state.serverSends = sends(direction);
      const byMid = directionsByMid(remote);
      for (const x of state.extras) x.serverSends = sends(intersect(reverse(byMid.get(x.mid) ?? 'inactive'), 'sendonly'));
      if (hold === 'may-hold' && isHold(remote.direction)) this.held = true;
      else if (hold === 'may-lift' && !isHold(remote.direction)) this.held = false;
      const holdChanged = this.held !== before.held;
      const answer = this.describe(state, direction, { codecs, headerExtensions });
      try {
        // A change of hold pauses or resumes the producers too, as setHold does.
        await this.applyConsumerStates(holdChanged);
      } catch (err) {
        Object.assign(state, { mid: before.mid, layout: before.layout, audioIndex: before.audioIndex, serverSends: before.serverSends });
        state.extras.forEach((x, i) => (x.serverSends = before.extras[i] ?? x.serverSends));
        // Put back before serial() queues the resync, which brings the worker to this state.
        this.held = before.held;
        throw err;
      }
      return { answer, direction: remote.direction, ...(holdChanged ? { hold: this.held ? ('held' as const) : ('lifted' as const) } : {}) };
    });
  }

  /** A re-INVITE body from the server to a leg, e.g. sendonly to tell the held party, sendrecv to resume. */
  createReoffer(leg: Leg, direction: 'sendrecv' | 'sendonly' | 'inactive'): Promise<string> {
    return this.serial(`createReoffer (${leg} leg)`, async () => {
      const state = this.connectedLeg(leg);
      state.pendingReoffer = direction;
      for (const x of state.extras) x.pendingOffer = true;
      return this.describe(state, direction);
    });
  }

  acceptReanswer(leg: Leg, answer: string): Promise<void> {
    return this.serial(`acceptReanswer (${leg} leg)`, async () => {
      const state = this.connectedLeg(leg);
      const offered = state.pendingReoffer;
      if (!offered) throw new Error(`no re-offer to the ${leg} is waiting for an answer`);
      const remote = parseRemoteSdp(answer, 'answer');
      if (state.remoteFingerprint) assertSameFingerprint(remote, state.remoteFingerprint, 'answer');
      state.pendingReoffer = undefined;
      state.localDirection = offered;
      state.remoteIceUfrag = remote.iceUfrag;
      state.serverSends = sends(intersect(offered, reverse(remote.direction)));
      const byMid = directionsByMid(remote);
      for (const x of state.extras) {
        if (!x.pendingOffer) continue;
        x.pendingOffer = false;
        x.serverSends = sends(intersect('sendonly', reverse(byMid.get(x.mid) ?? 'inactive')));
      }
      // The browser's layout now includes the m-lines we added.
      this.adoptLayout(state, remote);
      await this.applyConsumerStates();
    });
  }

  // ------------------------------------------------------------------ parties added later

  /**
   * The server's offer for a new party (a transfer target, a conference party): one audio m-line
   * per source leg, in order. The first is sendrecv (the party's own audio comes in on it), the
   * others sendonly. Consumers stay paused until the answer.
   */
  createPartyOffer(leg: Leg, sources: Leg[]): Promise<string> {
    return this.serial(`createPartyOffer (${leg} leg)`, async () => {
      if (this.legs.has(leg)) throw new Error(`the ${leg} leg exists already`);
      const [first, ...more] = sources.map((s) => this.producerFor(s));
      if (!first) throw new Error('a party needs at least one other party to hear');
      const transport = await this.answered('router.createWebRtcTransport', createTransport(this.router, this.opts));
      try {
        const consumer = await this.answered('transport.consume', transport.consume({ producerId: first.producer.id, rtpCapabilities: this.router.rtpCapabilities, paused: true, mid: '0' }));
        const state: LegState = {
          transport,
          writer: new LegSdpWriter(),
          mid: '0',
          layout: [],
          audioIndex: 0,
          codecs: sdpCodecs(consumer.rtpParameters.codecs, this.callerFmtp),
          headerExtensions: consumer.rtpParameters.headerExtensions?.map((e) => ({ uri: e.uri, id: e.id })) ?? [],
          consumer,
          source: first.leg,
          serverSends: false,
          localDirection: 'sendrecv',
          msid: { streamId: randomUUID(), trackId: randomUUID() },
          extras: [],
        };
        state.layout = [{ type: 'audio', protocol: 'UDP/TLS/RTP/SAVPF', payloads: '', mid: '0' }];
        for (const source of more) await this.addSlot(state, source.leg, source.producer);
        this.legs.set(leg, state);
        this.watchTransport(leg, transport);
        return this.describe(state, 'sendrecv');
      } catch (err) {
        transport.close();
        throw err;
      }
    });
  }

  /** Connects a new party from its answer and produces its audio; its consumers start playing. */
  acceptPartyAnswer(leg: Leg, answer: string): Promise<void> {
    return this.serial(`acceptPartyAnswer (${leg} leg)`, async () => {
      const state = this.legs.get(leg);
      if (!state) throw new Error(`createPartyOffer() was not called for the ${leg} leg`);
      if (state.producer) throw new Error(`the ${leg} leg has already answered`);
      const { remote } = await this.connectAnswer(state, answer);
      state.serverSends = sends(intersect('sendrecv', reverse(remote.direction)));
      const byMid = directionsByMid(remote);
      for (const x of state.extras) x.serverSends = sends(intersect('sendonly', reverse(byMid.get(x.mid) ?? 'inactive')));
      await this.applyConsumerStates();
    });
  }

  /**
   * Transfer: the m-line of `receiver` that carried `from` carries `to` from now on. A new Consumer
   * means a new SSRC, so the receiver needs a re-offer (createReoffer) to play it.
   */
  switchSource(receiver: Leg, from: Leg, to: Leg): Promise<void> {
    return this.serial(`switchSource (${receiver} leg)`, async () => {
      const state = this.legs.get(receiver);
      if (!state) throw new Error(`no ${receiver} leg`);
      const next = this.producerFor(to);
      const consume = () =>
        this.answered('transport.consume', state.transport.consume({ producerId: next.producer.id, rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs ?? [], headerExtensions: [] }, paused: true }));
      if (state.source === from) {
        state.consumer?.close();
        state.consumer = await consume();
        state.source = to;
        state.msid = { streamId: randomUUID(), trackId: randomUUID() };
      } else {
        const slot = state.extras.find((x) => x.source === from);
        if (!slot) throw new Error(`the ${receiver} leg does not receive the ${from} leg`);
        slot.consumer?.close();
        slot.consumer = await consume();
        slot.source = to;
      }
      await this.applyConsumerStates();
    });
  }

  /** Conference: an extra m-line toward `receiver` carrying `source`. Re-offer afterwards. */
  addSource(receiver: Leg, source: Leg): Promise<void> {
    return this.serial(`addSource (${receiver} leg)`, async () => {
      const state = this.legs.get(receiver);
      if (!state?.producer) throw new Error(`the ${receiver} leg is not connected`);
      const s = this.producerFor(source);
      // An m-line that lost its party (it left) is reused before a new one is added.
      const free = state.extras.find((x) => !x.source);
      if (free) {
        free.consumer = await this.answered(
          'transport.consume',
          state.transport.consume({ producerId: s.producer.id, rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs ?? [], headerExtensions: [] }, paused: true }),
        );
        free.source = source;
        free.pendingOffer = true;
      } else await this.addSlot(state, source, s.producer);
    });
  }

  /**
   * A party left: its transport closes (its Producer, its Consumers) and the m-lines that carried it
   * toward the others fall silent (they stay in the SDP, inactive, and can be reused).
   */
  removeParty(leg: Leg): Promise<void> {
    return this.serial(`removeParty (${leg} leg)`, async () => {
      const state = this.legs.get(leg);
      if (!state) return;
      this.legs.delete(leg);
      if (!state.transport.closed) state.transport.close();
      for (const other of this.legs.values()) {
        if (other.source === leg) {
          other.consumer?.close();
          other.consumer = undefined;
          other.source = undefined;
        }
        for (const x of other.extras) {
          if (x.source !== leg) continue;
          x.consumer?.close();
          x.consumer = undefined;
          x.source = undefined;
        }
      }
    });
  }

  private producerFor(leg: Leg): { leg: Leg; producer: ms.Producer } {
    const producer = this.legs.get(leg)?.producer;
    if (!producer || producer.closed) throw new Error(`the ${leg} leg sends no audio`);
    return { leg, producer };
  }

  private async addSlot(state: LegState, source: Leg, producer: ms.Producer): Promise<void> {
    const used = new Set(state.layout.map((l) => l.mid));
    let n = state.layout.length;
    while (used.has(String(n))) n++;
    const mid = String(n);
    // No header extensions: on a BUNDLE the ids are the browser's (its offer on the caller leg).
    const consumer = await this.answered(
      'transport.consume',
      state.transport.consume({ producerId: producer.id, rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs ?? [], headerExtensions: [] }, paused: true, mid }),
    );
    const codecs = sdpCodecs(consumer.rtpParameters.codecs, this.callerFmtp);
    state.extras.push({ mid, source, consumer, serverSends: false, pendingOffer: true, msid: { streamId: randomUUID(), trackId: randomUUID() }, codecs });
    state.layout = [...state.layout, { type: 'audio', protocol: 'UDP/TLS/RTP/SAVPF', payloads: codecs.map((c) => c.payloadType).join(' '), mid }];
  }

  /**
   * Pauses both consumers between the legs (the held party hears silence, the holder nothing), or
   * resumes them. For a change the B2BUA has already agreed to (a transfer taking the call off
   * hold; a phone's hold or resume goes through answerReoffer's `hold` instead), so when the worker
   * does not answer, the step fails but `held` stays as asked, and the worker is brought to it once
   * it answers again (resyncAfterNoAnswer).
   */
  setHold(holding: boolean): Promise<void> {
    return this.serial(holding ? 'setHold (hold)' : 'setHold (resume)', async () => {
      this.held = holding;
      await this.applyConsumerStates(true);
    });
  }

  /** Fires once with the reason the media ended ('closed', 'media worker died', 'DTLS failed on the caller leg'). */
  onClosed(cb: (reason: string) => void): void {
    const reason = this.closedReason;
    if (reason !== undefined) queueMicrotask(() => cb(reason));
    else this.closedListeners.push(cb);
  }

  async stats(): Promise<{ caller: LegStats; callee: LegStats }> {
    const legStats = async (leg: LegState | undefined): Promise<LegStats> => ({
      packetsIn: leg?.producer ? packetCount(await this.answered('producer.getStats', leg.producer.getStats()), 'inbound-rtp') : 0,
      packetsOut: leg?.consumer ? packetCount(await this.answered('consumer.getStats', leg.consumer.getStats()), 'outbound-rtp') : 0,
    });
    const [caller, callee] = await Promise.all([legStats(this.legs.get('caller')), legStats(this.legs.get('callee'))]);
    return { caller, callee };
  }

  close(): void {
    this.closeWith('closed');
  }

  private closeWith(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (!this.router.closed) this.router.close();
    // After a worker death the pool has already reset the slot (or replaced its worker); releasing
    // then would take a router off another call's count.
    if (!this.slotReleased && this.slot.worker === this.worker) this.pool.release(this.slot);
    this.slotReleased = true;
    for (const cb of this.closedListeners.splice(0)) {
      try {
        cb(reason);
      } catch {
        /* a listener's failure must not stop the others */
      }
    }
  }

  private watchTransport(leg: Leg, transport: ms.WebRtcTransport): void {
    transport.on('dtlsstatechange', (state: ms.DtlsState) => {
      // A party removed meanwhile (its transport closed by us) is no failure of the call.
      if (state === 'failed' && this.legs.get(leg)?.transport === transport) this.closeWith(`DTLS failed on the ${leg} leg`);
    });
  }

  /**
   * Operations run one at a time: SIP events for both legs can arrive together. Each worker request
   * in a step is bounded (answered()), so a step ends, failing with MediaNoAnswerError named after
   * `step`, and the next one runs even when the worker never answers.
   */
  private serial<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const run = this.queue
      .then(() => {
        if (this.closedReason !== undefined) throw new Error(`call media is closed (${this.closedReason})`);
        return fn();
      })
      .catch((err: unknown) => {
        if (!(err instanceof MediaNoAnswerError)) throw err;
        this.queue = this.queue.then(() => this.resyncAfterNoAnswer());
        // The request's late answer changes the object behind the call's back (mediasoup sets a
        // consumer's `paused` only when the answer comes, so the resync above, run while the worker
        // was silent, saw nothing to do): a consumer resumed while the call is held would play.
        void err.lateAnswer.then(() => {
          this.queue = this.queue.then(() => this.resyncAfterNoAnswer());
        });
        throw err.inStep(step);
      });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * After a step failed for want of an answer: the requests it sent cannot be withdrawn and the
   * worker may carry them out when it answers again (a pause or resume the call then did not take).
   * Queued behind the steps already waiting, once when the step fails and again when the late
   * answer comes, this puts every consumer and producer back to the state the call is in (the
   * worker answers in order); if it still does not answer, the next step that sets states does it.
   * Never fails: nothing waits on it.
   */
  private resyncAfterNoAnswer(): Promise<void> {
    if (this.closedReason !== undefined) return Promise.resolve();
    return this.applyConsumerStates(true).catch(() => undefined);
  }

  /** A request to the worker, failed with MediaNoAnswerError if it is not answered within the bound. */
  private answered<T>(request: string, pending: Promise<T>): Promise<T> {
    return answered(request, pending, this.opts.requestTimeoutMs ?? MEDIA_REQUEST_TIMEOUT_MS);
  }

  /** A leg whose browser has answered (its primary m-line may have lost its party: a conference). */
  private connectedLeg(leg: Leg): LegState {
    const state = this.legs.get(leg);
    if (!state?.producer || (!state.consumer && state.extras.length === 0)) throw new Error(`the ${leg} leg is not connected yet`);
    return state;
  }

  /**
   * Connects a leg from its SDP answer to our offer (its DTLS role, ICE credentials and fingerprint)
   * and produces the audio it sends; the callee's and an added party's answer are taken the same way.
   */
  private async connectAnswer(state: LegState, answer: string): Promise<{ remote: RemoteAudio; producer: ms.Producer }> {
    const remote = parseRemoteSdp(answer, 'answer');
    if (remote.setup !== 'active' && remote.setup !== 'passive') {
      throw new SdpError('the answer has no DTLS role (a=setup:active or a=setup:passive)');
    }
    const rtpParameters = producerRtpParameters(remote, this.router.rtpCapabilities, 'answer');
    this.adoptLayout(state, remote);
    await this.answered('transport.connect', state.transport.connect({ dtlsParameters: remoteDtlsParameters(remote) }));
    state.remoteIceUfrag = remote.iceUfrag;
    state.remoteFingerprint = remote.fingerprint;
    const producer = await this.answered('transport.produce', state.transport.produce({ kind: 'audio', rtpParameters }));
    state.producer = producer;
    return { remote, producer };
  }

  private adoptLayout(state: LegState, remote: RemoteAudio): void {
    state.mid = remote.mid;
    state.layout = remote.layout;
    state.audioIndex = remote.index;
  }

  private describe(state: LegState, direction: Direction, negotiated?: Pick<LegState, 'codecs' | 'headerExtensions'>): string {
    const base = {
      setup: setupFor(state.transport.dtlsParameters.role),
      iceParameters: state.transport.iceParameters,
      iceCandidates: state.transport.iceCandidates,
      fingerprints: state.transport.dtlsParameters.fingerprints,
    };
    const sender = (consumer: ms.Consumer | undefined, msid: { streamId: string; trackId: string }): Pick<LocalAudioSection, 'sender'> => {
      const ssrc = consumer && !consumer.closed ? consumer.rtpParameters.encodings?.[0]?.ssrc : undefined;
      return ssrc !== undefined ? { sender: { ssrc, cname: consumer?.rtpParameters.rtcp?.cname, ...msid } } : {};
    };
    const live = (c: ms.Consumer | undefined) => Boolean(c && !c.closed);
    const sections: SdpSection[] = state.layout.map((slot, i) => {
      if (i === state.audioIndex) {
        return {
          audio: {
            ...base,
            mid: state.mid,
            // Stays as negotiated even when its party left the conference (then it simply carries
            // nothing toward the leg): sip.js answers every m-line with the direction of the first,
            // so a recvonly here would make the browser refuse the other parties' m-lines.
            direction,
            codecs: negotiated?.codecs ?? state.codecs,
            headerExtensions: negotiated?.headerExtensions ?? state.headerExtensions,
            ...sender(state.consumer, state.msid),
          },
        };
      }
      const extra = state.extras.find((x) => x.mid === slot.mid);
      if (!extra) return { rejected: slot };
      return {
        audio: {
          ...base,
          mid: extra.mid,
          // Offered sendonly while it has a party; in an answer, only what the peer's offer allows.
          direction: live(extra.consumer) && (extra.pendingOffer || extra.serverSends) ? 'sendonly' : 'inactive',
          codecs: extra.codecs,
          headerExtensions: [],
          ...sender(extra.consumer, extra.msid),
        },
      };
    });
    if (state.layout.length === 0) {
      return state.writer.write({ ...base, mid: state.mid, direction, codecs: negotiated?.codecs ?? state.codecs, headerExtensions: negotiated?.headerExtensions ?? state.headerExtensions, ...sender(state.consumer, state.msid) });
    }
    return state.writer.writeSections(sections);
  }

  /**
   * Consumers play when their leg's negotiation lets the server send and the call is not held.
   * With `producersToo` (setHold and the resync), producers are paused while it is held: during
   * hold nothing either party sends goes anywhere, the recorder's consumers included, so the
   * recording holds silence (the holder's microphone stays live under SIP hold: sendonly).
   */
  private async applyConsumerStates(producersToo = false): Promise<void> {
    for (const leg of this.legs.values()) {
      const slots = [{ consumer: leg.consumer, serverSends: leg.serverSends }, ...leg.extras];
      for (const { consumer, serverSends } of slots) {
        if (!consumer || consumer.closed) continue;
        const play = serverSends && !this.held;
        if (play && consumer.paused) await this.answered('consumer.resume', consumer.resume());
        else if (!play && !consumer.paused) await this.answered('consumer.pause', consumer.pause());
      }
    }
    if (producersToo) await this.applyProducerStates();
  }

  private async applyProducerStates(): Promise<void> {
    for (const leg of this.legs.values()) {
      const producer = leg.producer;
      if (!producer || producer.closed) continue;
      if (this.held && !producer.paused) await this.answered('producer.pause', producer.pause());
      else if (!this.held && producer.paused) await this.answered('producer.resume', producer.resume());
    }
  }
}

/**
 * `pending`, or MediaNoAnswerError once `ms` have passed without its answer. The request itself
 * cannot be withdrawn (mediasoup has no cancel): if the worker answers later, mediasoup's objects
 * take the state it reports (the error's `lateAnswer` settles then, so the call can put them right),
 * and a late failure is dropped here rather than left unhandled.
 */
function answered<T>(request: string, pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // Also what keeps a late failure from being left unhandled.
  const settled = pending.then(
    () => undefined,
    () => undefined,
  );
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MediaNoAnswerError(request, ms, settled)), ms);
  });
  return Promise.race([pending, bound]).finally(() => clearTimeout(timer));
}

function createTransport(router: ms.Router, opts: CallMediaOptions): Promise<ms.WebRtcTransport> {
  return router.createWebRtcTransport({
    listenIps: [{ ip: opts.listenIp, ...(opts.announcedIp ? { announcedIp: opts.announcedIp } : {}) }],
    enableUdp: true,
    enableTcp: false,
    preferUdp: true,
  });
}

function packetCount(stats: Array<{ type: string; packetCount: number }>, type: string): number {
  return stats.filter((s) => s.type === type).reduce((sum, s) => sum + s.packetCount, 0);
}
