// CallMedia on captured and hand-written SDP, with real mediasoup workers but no browsers: what the
// server writes into INVITE / 200 OK / re-INVITE bodies, and which offers it refuses. The callee's
// answers here are Chromium-shaped SDP written by hand; no DTLS ever happens, which is fine for
// checking the descriptions and the consumer states.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdpTransform from 'sdp-transform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallMedia, MediaNoAnswerError, MediaWorkerPool, SdpError, isHold, sdpAudioDirection } from '../../media/index.js';
import { until } from '../support/until.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CHROME = fs.readFileSync(path.join(fixtures, 'chrome-156-offer.sdp'), 'utf8');
const FIREFOX = fs.readFileSync(path.join(fixtures, 'firefox-offer.sdp'), 'utf8');
const OPTS = { listenIp: '127.0.0.1' };
const CALLEE_FP = 'sha-256 5C:1A:9E:33:07:B4:6D:F2:81:4C:E0:2B:97:D5:6A:11:C8:3F:70:E9:24:5B:AD:0E:62:F7:18:93:4D:C6:2A:BE';

let pool: MediaWorkerPool;
const open: CallMedia[] = [];

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 44000, rtcMaxPort: 44499 });
});
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});
afterAll(async () => {
  await pool?.close();
});

async function fromOffer(offer: string, opts: { requestTimeoutMs?: number } = {}): Promise<CallMedia> {
  const media = await CallMedia.fromCallerOffer(pool, offer, { ...OPTS, ...opts });
  open.push(media);
  return media;
}

/** What Chromium writes as the callee (answer) or for a callee re-INVITE (offer), trimmed to what matters. */
function calleeSdp(o: { setup: 'active' | 'actpass'; direction?: string; ufrag?: string; version?: number; fingerprint?: string }): string {
  return [
    'v=0',
    `o=- 4611731400430051336 ${o.version ?? 2} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS 7c1b',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 110',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${o.ufrag ?? 'Qx7v'}`,
    'a=ice-pwd:k2nY9aB4cD6eF8gH0iJ2kL4m',
    'a=ice-options:trickle',
    `a=fingerprint:${o.fingerprint ?? CALLEE_FP}`,
    `a=setup:${o.setup}`,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=extmap:10 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    `a=${o.direction ?? 'sendrecv'}`,
    'a=msid:7c1b 9d2e',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:110 telephone-event/48000',
    'a=ssrc:1234567 cname:calleecname',
    '',
  ].join('\r\n');
}

/** Caller offer → callee offer → callee answer; returns the caller's 200 OK body too. */
async function connectedCall(offer = CHROME, opts: { requestTimeoutMs?: number } = {}): Promise<{ media: CallMedia; calleeOffer: string; callerAnswer: string }> {
  const media = await fromOffer(offer, opts);
  const calleeOffer = await media.createCalleeOffer();
  const callerAnswer = await media.acceptCalleeAnswer(calleeSdp({ setup: 'active' }));
  return { media, calleeOffer, callerAnswer };
}

const audioOf = (sdp: string) => {
  const m = sdpTransform.parse(sdp).media.find((x) => x.type === 'audio');
  if (!m) throw new Error('no audio section');
  return m;
};
const origin = (sdp: string) => sdpTransform.parse(sdp).origin;

describe('CallMedia.fromCallerOffer refuses unusable offers', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['no audio m-line', CHROME.replace('m=audio', 'm=video'), /the offer has no audio section/],
    ['no DTLS fingerprint', CHROME.replace(/^a=fingerprint:.*\r\n/m, ''), /the offer has no DTLS fingerprint/],
    ['no Opus', CHROME.replace(/ 111 63 /, ' 63 ').replace(/^a=(rtpmap|fmtp|rtcp-fb):111 .*\r\n/gm, ''), /the offer has no Opus codec/],
    ['plain RTP', CHROME.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), /not WebRTC/],
    ['no rtcp-mux', CHROME.replace(/^a=rtcp-mux\r\n/m, ''), /rtcp-mux/],
    ['no a=ssrc', CHROME.replace(/^a=ssrc:.*\r\n/gm, ''), /no a=ssrc/],
    ['not SDP at all', 'hello', /the offer has no audio section/],
  ];
  for (const [name, offer, reason] of cases) {
    it(`throws SdpError for ${name}, before taking a router`, async () => {
      const err = await CallMedia.fromCallerOffer(pool, offer, OPTS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SdpError);
      expect((err as Error).message).toMatch(reason);
      expect(pool.health().workers[0]?.routers).toBe(0);
    });
  }
});

describe('CallMedia SDP for a Chromium caller', () => {
  it('builds the router with the caller’s Opus and telephone-event payload types', async () => {
    const media = await fromOffer(CHROME);
    const codecs = media.router.rtpCapabilities.codecs ?? [];
    expect(codecs.find((c) => c.mimeType === 'audio/opus')?.preferredPayloadType).toBe(111);
    expect(codecs.find((c) => c.mimeType === 'audio/telephone-event')?.preferredPayloadType).toBe(110);
    expect(media.producers.caller?.rtpParameters.encodings?.[0]?.ssrc).toBe(Number(/a=ssrc:(\d+)/.exec(CHROME)?.[1]));
    expect(pool.health().workers[0]?.routers).toBe(1);
    expect(media.workerIndex).toBe(0);
  });

  it('offers the callee actpass, ICE-lite, its consumer’s SSRC and cname, and telephone-event', async () => {
    const media = await fromOffer(CHROME);
    const offer = await media.createCalleeOffer();
    const m = audioOf(offer);
    expect(offer).toMatch(/^a=ice-lite$/m);
    expect(m.setup).toBe('actpass');
    expect(m.direction).toBe('sendrecv');
    expect(String(m.mid)).toBe('0');
    expect(m.rtcpMux).toBe('rtcp-mux');
    const consumer = media.consumers.callee!;
    expect(consumer.paused).toBe(true);
    expect(m.ssrcs).toContainEqual({ id: consumer.rtpParameters.encodings![0]!.ssrc, attribute: 'cname', value: consumer.rtpParameters.rtcp!.cname });
    expect(m.rtp.map((r) => `${r.payload} ${r.codec}`)).toEqual(['111 opus', '110 telephone-event']);
    expect(m.candidates?.[0]).toMatchObject({ ip: '127.0.0.1', transport: 'udp', type: 'host' });
    expect(m.candidates![0]!.port).toBeGreaterThanOrEqual(44000);
    expect(m.candidates![0]!.port).toBeLessThanOrEqual(44499);
    expect(m.port).toBe(m.candidates![0]!.port);
  });

  it('answers the caller with ice-lite, setup:active, the offered PTs and ids, its SSRC with cname, rtcp-mux', async () => {
    const { media, callerAnswer } = await connectedCall();
    const m = audioOf(callerAnswer);
    const offered = audioOf(CHROME);
    expect(callerAnswer).toMatch(/^a=ice-lite$/m);
    expect(m.setup).toBe('active');
    expect(m.direction).toBe('sendrecv');
    expect(String(m.mid)).toBe(String(offered.mid));
    expect(callerAnswer).toMatch(/^a=group:BUNDLE 0$/m);
    expect(m.rtcpMux).toBe('rtcp-mux');
    expect(m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual(['111 opus/48000', '110 telephone-event/48000']);
    // An answer may only use extension ids the offer chose.
    for (const ext of m.ext ?? []) expect(offered.ext).toContainEqual(expect.objectContaining({ value: ext.value, uri: ext.uri }));
    const consumer = media.consumers.caller!;
    expect(m.ssrcs).toContainEqual({ id: consumer.rtpParameters.encodings![0]!.ssrc, attribute: 'cname', value: consumer.rtpParameters.rtcp!.cname });
    expect(callerAnswer).toMatch(/^a=msid:\S+ \S+$/m);
    expect(m.fingerprint?.type).toBe('sha-256');
    // Both consumers play once the callee has answered sendrecv.
    expect(media.consumers.caller!.paused).toBe(false);
    expect(media.consumers.callee!.paused).toBe(false);
    expect(media.producers.callee?.rtpParameters.encodings?.[0]?.ssrc).toBe(1234567);
  });

  it('re-answers a hold re-offer with setup:active, the same ICE and fingerprint, and a bumped o= version', async () => {
    const { media, callerAnswer } = await connectedCall();
    const holdOffer = CHROME.replace(/^a=sendrecv$/m, 'a=sendonly').replace(/^(o=- \d+) 2 /m, '$1 3 ');
    const { answer, direction } = await media.answerReoffer('caller', holdOffer);
    expect(direction).toBe('sendonly');
    expect(isHold(direction)).toBe(true);
    const before = audioOf(callerAnswer);
    const after = audioOf(answer);
    expect(after.setup).toBe('active');
    expect(after.direction).toBe('recvonly');
    expect(after.iceUfrag).toBe(before.iceUfrag);
    expect(after.icePwd).toBe(before.icePwd);
    expect(after.fingerprint).toEqual(before.fingerprint);
    expect(origin(answer).sessionId).toBe(origin(callerAnswer).sessionId);
    expect(origin(answer).sessionVersion).toBe(origin(callerAnswer).sessionVersion + 1);
    // The holder said it won't receive: nothing is sent to it any more.
    expect(media.consumers.caller!.paused).toBe(true);
    expect(media.consumers.callee!.paused).toBe(false);
  });

  it('answers the callee passive and re-offers each leg in its established role, bumping o= each time', async () => {
    const { media, calleeOffer } = await connectedCall();
    const { answer } = await media.answerReoffer('callee', calleeSdp({ setup: 'actpass', direction: 'sendonly', version: 3 }));
    expect(audioOf(answer).setup).toBe('passive');
    expect(audioOf(answer).direction).toBe('recvonly');
    expect(origin(answer).sessionVersion).toBe(origin(calleeOffer).sessionVersion + 1);

    const toCaller = await media.createReoffer('caller', 'sendonly');
    expect(audioOf(toCaller).setup).toBe('active');
    expect(audioOf(toCaller).direction).toBe('sendonly');
    const toCallee = await media.createReoffer('callee', 'sendrecv');
    expect(audioOf(toCallee).setup).toBe('passive');
    expect(origin(toCallee).sessionVersion).toBe(origin(answer).sessionVersion + 1);
  });

  it('applies a re-answer: the held party keeps receiving until setHold, and setHold(false) resumes both', async () => {
    const { media } = await connectedCall();
    await media.answerReoffer('caller', CHROME.replace(/^a=sendrecv$/m, 'a=sendonly'));
    await media.createReoffer('callee', 'sendonly');
    await media.acceptReanswer('callee', calleeSdp({ setup: 'active', direction: 'recvonly', version: 3 }));
    expect(media.consumers.callee!.paused).toBe(false);
    await media.setHold(true);
    expect(media.consumers.callee!.paused).toBe(true);
    expect(media.consumers.caller!.paused).toBe(true);
    // Unhold: the caller re-offers sendrecv, the callee is told sendrecv, then the hold is lifted.
    await media.answerReoffer('caller', CHROME);
    await media.createReoffer('callee', 'sendrecv');
    await media.acceptReanswer('callee', calleeSdp({ setup: 'active', version: 4 }));
    expect(media.consumers.caller!.paused).toBe(true); // still held
    await media.setHold(false);
    expect(media.consumers.caller!.paused).toBe(false);
    expect(media.consumers.callee!.paused).toBe(false);
  });

  it('restarts ICE on a re-offer with new ICE credentials, keeping the DTLS fingerprint', async () => {
    const { media, callerAnswer } = await connectedCall();
    const restart = CHROME.replace(/^a=ice-ufrag:.*$/m, 'a=ice-ufrag:N3wU').replace(/^a=ice-pwd:.*$/m, 'a=ice-pwd:n3wPasswordForIceRestart00');
    const { answer } = await media.answerReoffer('caller', restart);
    expect(audioOf(answer).iceUfrag).not.toBe(audioOf(callerAnswer).iceUfrag);
    expect(audioOf(answer).icePwd).not.toBe(audioOf(callerAnswer).icePwd);
    expect(audioOf(answer).fingerprint).toEqual(audioOf(callerAnswer).fingerprint);
    expect(audioOf(answer).setup).toBe('active');
  });

  it('refuses a re-offer that changes the DTLS fingerprint', async () => {
    const { media } = await connectedCall();
    const other = CHROME.replace(/^a=fingerprint:.*$/m, `a=fingerprint:${CALLEE_FP}`);
    await expect(media.answerReoffer('caller', other)).rejects.toThrow(SdpError);
  });

  it('rejects a video section the caller adds, keeping the m-line order and mids', async () => {
    const withVideo =
      CHROME.replace('a=group:BUNDLE 0', 'a=group:BUNDLE 0 1') +
      ['m=video 9 UDP/TLS/RTP/SAVPF 96', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', ''].join('\r\n');
    const { callerAnswer } = await connectedCall(withVideo);
    const media = sdpTransform.parse(callerAnswer).media;
    expect(media.map((m) => [m.type, m.port === 0, String(m.mid)])).toEqual([
      ['audio', false, '0'],
      ['video', true, '1'],
    ]);
    expect(callerAnswer).toMatch(/^a=group:BUNDLE 0$/m);
  });

  it('states the direction of an SDP body for the B2BUA', () => {
    expect(sdpAudioDirection(CHROME)).toBe('sendrecv');
    expect(sdpAudioDirection(CHROME.replace(/^a=sendrecv$/m, 'a=inactive'))).toBe('inactive');
    expect(isHold('inactive')).toBe(true);
    expect(isHold('recvonly')).toBe(false);
  });
});

describe('CallMedia SDP for a Firefox caller', () => {
  it('answers with Opus 109, telephone-event 101/8000 and the session-level fingerprint honoured', async () => {
    const { callerAnswer, calleeOffer } = await connectedCallFirefox();
    const m = audioOf(callerAnswer);
    expect(m.setup).toBe('active');
    expect(m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual(['109 opus/48000', '101 telephone-event/8000']);
    expect(m.fmtp).toContainEqual({ payload: 101, config: '0-15' });
    // csrc-audio-level is recvonly on Firefox's side and unknown to mediasoup: not in the answer.
    expect((m.ext ?? []).map((e) => e.uri)).not.toContain('urn:ietf:params:rtp-hdrext:csrc-audio-level');
    // The callee (another browser) is offered the caller's payload types.
    expect(audioOf(calleeOffer).rtp.map((r) => r.payload)).toEqual([109, 101]);
  });

  async function connectedCallFirefox(): Promise<{ callerAnswer: string; calleeOffer: string }> {
    const media = await fromOffer(FIREFOX);
    const calleeOffer = await media.createCalleeOffer();
    const answer = calleeSdp({ setup: 'active' })
      .replace('UDP/TLS/RTP/SAVPF 111 110', 'UDP/TLS/RTP/SAVPF 109 101')
      .replace('a=rtpmap:111 opus/48000/2', 'a=rtpmap:109 opus/48000/2')
      .replace('a=fmtp:111 ', 'a=fmtp:109 ')
      .replace('a=rtpmap:110 telephone-event/48000', 'a=rtpmap:101 telephone-event/8000');
    return { callerAnswer: await media.acceptCalleeAnswer(answer), calleeOffer };
  }
});

describe('CallMedia life cycle', () => {
  it('refuses a callee answer without a DTLS role or Opus', async () => {
    const media = await fromOffer(CHROME);
    await media.createCalleeOffer();
    await expect(media.acceptCalleeAnswer(calleeSdp({ setup: 'actpass' }))).rejects.toThrow(/DTLS role/);
    const noOpus = calleeSdp({ setup: 'active' }).replace(' 111 110', ' 110').replace(/^a=(rtpmap|fmtp):111 .*\r\n/gm, '');
    await expect(media.acceptCalleeAnswer(noOpus)).rejects.toThrow(/the answer has no Opus codec/);
  });

  it('counts packets per leg from producer and consumer stats (none before any media)', async () => {
    const { media } = await connectedCall();
    expect(await media.stats()).toEqual({ caller: { packetsIn: 0, packetsOut: 0 }, callee: { packetsIn: 0, packetsOut: 0 } });
  });

  it('close() fires onClosed once with "closed", frees the worker slot and refuses later work', async () => {
    const media = await CallMedia.fromCallerOffer(pool, CHROME, OPTS);
    const reasons: string[] = [];
    media.onClosed((r) => reasons.push(r));
    expect(pool.health().workers[0]?.routers).toBe(1);
    media.close();
    media.close();
    expect(reasons).toEqual(['closed']);
    expect(media.router.closed).toBe(true);
    expect(pool.health().workers[0]?.routers).toBe(0);
    const late = await new Promise<string>((resolve) => media.onClosed(resolve));
    expect(late).toBe('closed');
    await expect(media.createCalleeOffer()).rejects.toThrow(/closed/);
  });

  it('fires onClosed with a reason naming the worker when the worker process is killed', async () => {
    const { media } = await connectedCall();
    const reason = new Promise<string>((resolve) => media.onClosed(resolve));
    const pid = pool.health().workers[0]!.pid;
    process.kill(pid, 'SIGKILL');
    expect(await reason).toMatch(/worker/);
    expect(media.closed).toBe(true);
    expect(media.router.closed).toBe(true);
    // The pool replaces the worker; later calls work again.
    await until(() => pool.health().workers[0]?.pid !== pid && pool.health().workers[0]?.alive === true, 10_000, 'the pool to replace the worker');
    const next = await fromOffer(CHROME);
    expect(pool.health().workers[0]?.routers).toBe(1);
    expect(next.workerIndex).toBe(0);
  });
});

describe('CallMedia with a worker that does not answer', () => {
  // The worker process stopped (SIGSTOP): alive, its channel open, nothing answered, as a worker
  // stuck in a system call or never scheduled would be. mediasoup 3.12 waits for ever.
  const BOUND_MS = 1_000;
  let stopped: number | undefined;
  const stopWorker = () => {
    stopped = pool.health().workers[0]!.pid;
    process.kill(stopped, 'SIGSTOP');
  };
  const continueWorker = () => {
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    stopped = undefined;
  };
  afterEach(continueWorker);

  it('fails the step that waits, naming it and the request, and runs the steps queued behind it', async () => {
    const { media } = await connectedCall(CHROME, { requestTimeoutMs: BOUND_MS });
    stopWorker();
    // The caller's hold: answering it pauses the consumer toward the caller (a worker request).
    const hold = media.answerReoffer('caller', CHROME.replace(/^a=sendrecv$/m, 'a=sendonly').replace(/^(o=- \d+) 2 /m, '$1 3 '));
    // Queued behind it: a step with no worker request, and one with a request of its own.
    const reoffer = media.createReoffer('callee', 'sendonly');
    const setHold = media.setHold(true);
    const failure = await hold.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(MediaNoAnswerError);
    expect((failure as MediaNoAnswerError).step).toBe('answerReoffer (caller leg)');
    expect((failure as MediaNoAnswerError).request).toBe('consumer.pause');
    expect((failure as Error).message).toBe(`media step answerReoffer (caller leg): the media worker did not answer consumer.pause within ${BOUND_MS} ms`);
    // The step behind it ran: the callee's re-offer is written.
    expect(audioOf(await reoffer).direction).toBe('sendonly');
    // So did the next, which waited on the worker in turn and failed the same way.
    await expect(setHold).rejects.toThrow(/^media step setHold \(hold\): the media worker did not answer (producer|consumer)\.pause within 1000 ms$/);

    // The worker answers again: the call's next steps work, the late answers taken.
    continueWorker();
    await media.acceptReanswer('callee', calleeSdp({ setup: 'active', direction: 'recvonly', version: 3 }));
    await media.setHold(true);
    expect(media.consumers.caller!.paused).toBe(true);
    expect(media.consumers.callee!.paused).toBe(true);
    await media.answerReoffer('caller', CHROME.replace(/^(o=- \d+) 2 /m, '$1 4 '));
    await media.setHold(false);
    expect(media.consumers.caller!.paused).toBe(false);
    expect(media.consumers.callee!.paused).toBe(false);
  }, 20_000);

  it('a resume the worker does not answer leaves the call held, its late answer included; a later resume lifts it', async () => {
    const { media } = await connectedCall(CHROME, { requestTimeoutMs: BOUND_MS });
    const paused = () => [media.consumers.caller!.paused, media.consumers.callee!.paused, media.producers.caller!.paused, media.producers.callee!.paused];
    // The caller holds: answered and held in one step.
    const held = await media.answerReoffer('caller', CHROME.replace(/^a=sendrecv$/m, 'a=sendonly').replace(/^(o=- \d+) 2 /m, '$1 3 '), 'may-hold');
    expect(held.hold).toBe('held');
    expect(paused()).toEqual([true, true, true, true]);

    stopWorker();
    const failure = await media.answerReoffer('caller', CHROME.replace(/^(o=- \d+) 2 /m, '$1 4 '), 'may-lift').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(MediaNoAnswerError);
    expect((failure as MediaNoAnswerError).step).toBe('answerReoffer (caller leg)');
    expect((failure as MediaNoAnswerError).request).toBe('consumer.resume');
    // The worker answers the resume it was sent after all: mediasoup then takes that consumer as
    // playing, and the call, still held, pauses it again.
    continueWorker();
    await new Promise((r) => setTimeout(r, 500)); // a worker let run again answers within milliseconds
    expect(paused()).toEqual([true, true, true, true]);

    // The phone's next resume is taken: everything plays again.
    const lifted = await media.answerReoffer('caller', CHROME.replace(/^(o=- \d+) 2 /m, '$1 5 '), 'may-lift');
    expect(lifted.hold).toBe('lifted');
    expect(paused()).toEqual([false, false, false, false]);
  }, 20_000);

  it('fails a new call whose router the worker does not create, freeing its slot', async () => {
    stopWorker();
    const failure = await fromOffer(CHROME, { requestTimeoutMs: BOUND_MS }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(MediaNoAnswerError);
    expect((failure as Error).message).toBe(`media step fromCallerOffer (caller leg): the media worker did not answer worker.createRouter within ${BOUND_MS} ms`);
    continueWorker();
    // The worker's count of calls is back where it was, and a call can be set up again.
    await until(() => pool.health().workers[0]?.routers === 0, 5_000, 'the slot to be released');
    const next = await fromOffer(CHROME, { requestTimeoutMs: BOUND_MS });
    expect(pool.health().workers[0]?.routers).toBe(1);
    expect(next.closed).toBe(false);
  }, 20_000);
});
