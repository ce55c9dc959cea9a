// A re-INVITE without SDP (RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2:
// "a UAC MAY send a re-INVITE with no session description, in which case the first reliable
// non-failure response to the re-INVITE will contain the offer"): the B2BUA offers the leg's
// current media in its 200 and takes the answer from the ACK. Once with a raw SIP caller (no
// library) and canned SDP, once with sip.js phones sending real WebRTC audio (werift) through
// mediasoup, the audio after the re-INVITE checked by content in the recording and by the packets
// the re-INVITEing phone still receives.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { header, rawCall, statusOf } from '../../support/raw-caller.js';
import { cannedSdp, Inviter, SessionState, UserAgent, type RawSipClient, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';
import { tonePhone } from '../../support/tone-phone.js';

let t: TestApp;
let pool: MediaWorkerPool;
const uas: TestUa[] = [];
const raws: RawSipClient[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 47200, rtcMaxPort: 47299 });
  t = await createTestApp({ telephony: { pool } });
});
afterEach(async () => {
  for (const u of uas.splice(0)) await u.stop();
  for (const r of raws.splice(0)) r.close();
  while (cleanups.length) await cleanups.pop()!();
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0, 10_000);
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

const lastCall = () => t.repos.calls.list({ limit: 1 })[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('re-INVITE without SDP (RFC 3261 §14.2)', { timeout: 90_000 }, () => {
  it('a raw client: the 200 carries the offer, the ACK the answer; the dialog carries on', async () => {
    const { caller, final } = await rawCall(t, { uas, raws }, {});
    expect(statusOf(final)).toBe(200);
    const reinvite = await caller.send('INVITE');
    expect(statusOf(reinvite)).toBe(200);
    expect(header(reinvite, 'Content-Type')).toBe('application/sdp');
    const offer = reinvite.slice(reinvite.indexOf('\r\n\r\n') + 4);
    expect(offer).toMatch(/\r\na=sendrecv\r\n/);
    expect(offer).toMatch(/\r\na=setup:(actpass|passive|active)\r\n/);
    caller.ack(caller.cseq, cannedSdp('answer'));
    // The offer/answer is complete: a hold offer in a new re-INVITE is answered as usual.
    const hold = await caller.send('INVITE', {}, cannedSdp('offer', undefined, 'sendonly'));
    expect(statusOf(hold)).toBe(200);
    caller.ack(caller.cseq);
    expect(hold).toMatch(/\r\na=recvonly\r\n/);
    expect(statusOf(await caller.send('BYE'))).toBe(200);
  });

  it('two sip.js phones with real audio: after an offerless re-INVITE both tones still reach the recording and the phone still hears the other', async () => {
    const candidate = await tonePhone(t, 'candidate1', 440, cleanups);
    const assessor = await tonePhone(t, 'assessor1', 880, cleanups);
    const inviter = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    assessor.session = inviter;
    await inviter.invite();
    await until(() => inviter.state === SessionState.Established && candidate.session?.state === SessionState.Established, 10_000);
    await until(() => lastCall().recordingStatus === 'recording' && lastCall().recordingStartedAt !== null, 10_000);
    await sleep(1000);

    // The assessor's phone re-INVITEs without SDP; sip.js answers the server's offer in its ACK.
    const accepted = new Promise<number>((resolve) => {
      void inviter.invite({ withoutSdp: true, requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } });
    });
    expect(await accepted).toBe(200);
    const reinvitedAt = Date.now();
    const receivedThen = assessor.tone.packetsReceived();
    await sleep(2000);
    expect(assessor.tone.packetsReceived() - receivedThen).toBeGreaterThan(50); // 2 s of 20 ms packets is 100

    const id = lastCall().id;
    await inviter.bye();
    await until(() => t.repos.calls.find(id)!.recordingStatus === 'complete', 20_000);
    const call = t.repos.calls.find(id)!;
    const audio = await decodeAudio(call.recordingPath!);
    const from = (reinvitedAt - call.recordingStartedAt!) / 1000 + 0.3;
    const range = [Math.round(from * audio.sampleRate), Math.round((from + 1.2) * audio.sampleRate)] as const;
    const left = audio.channels[0]!;
    const right = audio.channels[1]!;
    // Candidate left (440 Hz), the assessor right (880 Hz), each clearly stronger than the other's tone.
    expect(tonePower(left, audio.sampleRate, 440, ...range)).toBeGreaterThan(10 * tonePower(left, audio.sampleRate, 880, ...range));
    expect(tonePower(right, audio.sampleRate, 880, ...range)).toBeGreaterThan(10 * tonePower(right, audio.sampleRate, 440, ...range));
  });
});
