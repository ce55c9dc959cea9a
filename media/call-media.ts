// The media of one call between two browsers: a Router on a pooled worker, one WebRtcTransport per
// leg carrying that leg's Producer and a Consumer of the other leg, and the SDP bridge in between
// (the caller offers in its INVITE; the server offers to the callee in its own INVITE).
//
// Hold is two separate things here. The SDP directions record what each side agreed to send; the
// hold flag (setHold) is the B2BUA's decision. A consumer toward a leg plays only when the leg's
// last negotiation lets the server send to it AND the call is not on hold.
//
// Only API that mediasoup 3.8 and current 3.x share is used.
import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { MediaWorkerPool, WorkerSlot } from './worker-pool.js';
import { intersect, reverse, sends, type Direction } from './sdp/direction.js';
import { assertSameFingerprint, parseRemoteSdp, remoteDtlsParameters, SdpError, type RemoteAudio, type SectionSlot } from './sdp/parse.js';
import { producerRtpParameters, rawFmtp, routerMediaCodecs, sendingSsrc } from './sdp/rtp.js';
import { LegSdpWriter, sdpCodecs, setupFor, type SdpCodec } from './sdp/write.js';

export { SdpError } from './sdp/parse.js';
export type { Direction } from './sdp/direction.js';

export type Leg = 'caller' | 'callee';

export interface CallMediaOptions {
  listenIp: string;
  announcedIp?: string;
}

export interface LegStats {
  /** RTP packets mediasoup received from this leg's browser. */
  packetsIn: number;
  /** RTP packets mediasoup sent to this leg's browser. */
  packetsOut: number;
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
  /** Media toward this leg's browser (a Consumer of the other leg's Producer). */
  consumer?: ms.Consumer;
  /** The last completed negotiation lets the server send to this leg. */
  serverSends: boolean;
  /** What the server wants toward this leg: sendrecv, or sendonly/inactive after it re-offered hold. */
  localDirection: Direction;
  pendingReoffer?: Direction;
  msid: { streamId: string; trackId: string };
}

export class CallMedia {
  private readonly legs: { caller: LegState; callee?: LegState };
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
    this.legs = { caller };
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
    try {
      router = await worker.createRouter({ mediaCodecs });
      const transport = await createTransport(router, opts);
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
      };
      media = new CallMedia(pool, slot, worker, router, opts, caller, rawFmtp(offer));
      media.callerOffered = offer.direction;
      // The offer says actpass, so mediasoup becomes DTLS client and must answer setup:active.
      await transport.connect({ dtlsParameters: remoteDtlsParameters(offer) });
      caller.producer = await transport.produce({ kind: 'audio', rtpParameters: producerRtpParameters(offer, router.rtpCapabilities, 'offer') });
      caller.codecs = sdpCodecs(caller.producer.rtpParameters.codecs, media.callerFmtp);
      caller.headerExtensions = caller.producer.rtpParameters.headerExtensions?.map((e) => ({ uri: e.uri, id: e.id })) ?? [];
      return media;
    } catch (err) {
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
    return { caller: this.legs.caller.producer, callee: this.legs.callee?.producer };
  }

  /** consumers.caller sends the callee's audio to the caller, consumers.callee the caller's to the callee. */
  get consumers(): { caller?: ms.Consumer; callee?: ms.Consumer } {
    return { caller: this.legs.caller.consumer, callee: this.legs.callee?.consumer };
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
    return this.serial(async () => {
      let leg = this.legs.callee;
      if (leg?.producer) throw new Error('the callee has already answered');
      if (!leg) {
        const callerProducer = this.legs.caller.producer;
        if (!callerProducer) throw new Error('the caller leg has no producer');
        const transport = await createTransport(this.router, this.opts);
        const mid = '0';
        const consumer = await transport.consume({ producerId: callerProducer.id, rtpCapabilities: this.router.rtpCapabilities, paused: true, mid });
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
          serverSends: false,
          localDirection: 'sendrecv',
          msid: { streamId: randomUUID(), trackId: randomUUID() },
        };
        this.legs.callee = leg;
        this.watchTransport('callee', transport);
      }
      return this.describe(leg, leg.localDirection);
    });
  }

  /** Connects leg B, produces its audio and resumes both ways; returns the 200 OK body for the caller. */
  acceptCalleeAnswer(answer: string): Promise<string> {
    return this.serial(async () => {
      const callee = this.legs.callee;
      if (!callee) throw new Error('createCalleeOffer() was not called');
      if (callee.producer) throw new Error('the callee has already answered');
      const remote = parseRemoteSdp(answer, 'answer');
      if (remote.setup !== 'active' && remote.setup !== 'passive') {
        throw new SdpError('the answer has no DTLS role (a=setup:active or a=setup:passive)');
      }
      const rtpParameters = producerRtpParameters(remote, this.router.rtpCapabilities, 'answer');
      this.adoptLayout(callee, remote);
      await callee.transport.connect({ dtlsParameters: remoteDtlsParameters(remote) });
      callee.remoteIceUfrag = remote.iceUfrag;
      callee.remoteFingerprint = remote.fingerprint;
      callee.producer = await callee.transport.produce({ kind: 'audio', rtpParameters });
      callee.serverSends = sends(intersect(callee.localDirection, reverse(remote.direction)));

      const caller = this.legs.caller;
      caller.consumer = await caller.transport.consume({
        producerId: callee.producer.id,
        // No header extensions: mediasoup would send them with its own ids, which differ from the
        // ids the caller's browser chose in its offer.
        rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs ?? [], headerExtensions: [] },
        paused: true,
        mid: caller.mid,
      });
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
   * (sendonly or inactive = the leg is putting the other party on hold).
   */
  answerReoffer(leg: Leg, offer: string): Promise<{ answer: string; direction: Direction }> {
    return this.serial(async () => {
      const state = this.connectedLeg(leg);
      const remote = parseRemoteSdp(offer, 'offer');
      if (state.remoteFingerprint) assertSameFingerprint(remote, state.remoteFingerprint, 'offer');
      const codecs = state.codecs.filter((c) => remote.media.rtp.some((r) => r.payload === c.payloadType && r.codec.toLowerCase() === c.name.toLowerCase()));
      if (!codecs.some((c) => c.name.toLowerCase() === 'opus')) throw new SdpError('the offer has no Opus codec with the negotiated payload type');
      const headerExtensions = state.headerExtensions.filter((e) => (remote.media.ext ?? []).some((x) => x.uri === e.uri && x.value === e.id));
      if (remote.iceUfrag !== state.remoteIceUfrag) {
        // An ICE restart: mediasoup needs new local credentials; DTLS carries on over the new path.
        await state.transport.restartIce();
        state.remoteIceUfrag = remote.iceUfrag;
      }
      this.adoptLayout(state, remote);
      const direction = intersect(reverse(remote.direction), state.localDirection);
      state.serverSends = sends(direction);
      const answer = this.describe(state, direction, { codecs, headerExtensions });
      await this.applyConsumerStates();
      return { answer, direction: remote.direction };
    });
  }

  /** A re-INVITE body from the server to a leg, e.g. sendonly to tell the held party, sendrecv to resume. */
  createReoffer(leg: Leg, direction: 'sendrecv' | 'sendonly' | 'inactive'): Promise<string> {
    return this.serial(async () => {
      const state = this.connectedLeg(leg);
      state.pendingReoffer = direction;
      return this.describe(state, direction);
    });
  }

  acceptReanswer(leg: Leg, answer: string): Promise<void> {
    return this.serial(async () => {
      const state = this.connectedLeg(leg);
      const offered = state.pendingReoffer;
      if (!offered) throw new Error(`no re-offer to the ${leg} is waiting for an answer`);
      const remote = parseRemoteSdp(answer, 'answer');
      if (state.remoteFingerprint) assertSameFingerprint(remote, state.remoteFingerprint, 'answer');
      state.pendingReoffer = undefined;
      state.localDirection = offered;
      state.remoteIceUfrag = remote.iceUfrag;
      state.serverSends = sends(intersect(offered, reverse(remote.direction)));
      await this.applyConsumerStates();
    });
  }

  /** Pauses both consumers between the legs (the held party hears silence, the holder nothing), or resumes them. */
  setHold(holding: boolean): Promise<void> {
    return this.serial(async () => {
      this.held = holding;
      await this.applyConsumerStates();
      // During hold nothing either party sends goes anywhere, the recorder's consumers included, so
      // the recording holds silence (the holder's microphone stays live under SIP hold: sendonly).
      for (const leg of [this.legs.caller, this.legs.callee]) {
        const producer = leg?.producer;
        if (!producer || producer.closed) continue;
        if (holding && !producer.paused) await producer.pause();
        else if (!holding && producer.paused) await producer.resume();
      }
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
      packetsIn: leg?.producer ? packetCount(await leg.producer.getStats(), 'inbound-rtp') : 0,
      packetsOut: leg?.consumer ? packetCount(await leg.consumer.getStats(), 'outbound-rtp') : 0,
    });
    const [caller, callee] = await Promise.all([legStats(this.legs.caller), legStats(this.legs.callee)]);
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
      if (state === 'failed') this.closeWith(`DTLS failed on the ${leg} leg`);
    });
  }

  /** Operations run one at a time: SIP events for both legs can arrive together. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closedReason !== undefined) throw new Error(`call media is closed (${this.closedReason})`);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connectedLeg(leg: Leg): LegState {
    const state = this.legs[leg];
    if (!state?.producer || !state.consumer) throw new Error(`the ${leg} leg is not connected yet`);
    return state;
  }

  private adoptLayout(state: LegState, remote: RemoteAudio): void {
    state.mid = remote.mid;
    state.layout = remote.layout;
    state.audioIndex = remote.index;
  }

  private describe(state: LegState, direction: Direction, negotiated?: Pick<LegState, 'codecs' | 'headerExtensions'>): string {
    const consumer = state.consumer;
    const encoding = consumer?.rtpParameters.encodings?.[0];
    return state.writer.write(
      {
        mid: state.mid,
        direction,
        setup: setupFor(state.transport.dtlsParameters.role),
        iceParameters: state.transport.iceParameters,
        iceCandidates: state.transport.iceCandidates,
        fingerprints: state.transport.dtlsParameters.fingerprints,
        codecs: negotiated?.codecs ?? state.codecs,
        headerExtensions: negotiated?.headerExtensions ?? state.headerExtensions,
        ...(encoding?.ssrc !== undefined
          ? { sender: { ssrc: encoding.ssrc, cname: consumer?.rtpParameters.rtcp?.cname, ...state.msid } }
          : {}),
      },
      state.layout,
      state.audioIndex,
    );
  }

  private async applyConsumerStates(): Promise<void> {
    for (const leg of [this.legs.caller, this.legs.callee]) {
      const consumer = leg?.consumer;
      if (!leg || !consumer || consumer.closed) continue;
      const play = leg.serverSends && !this.held;
      if (play && consumer.paused) await consumer.resume();
      else if (!play && !consumer.paused) await consumer.pause();
    }
  }
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
