// A re-INVITE without SDP (RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2:
// "a UAC MAY send a re-INVITE with no session description, in which case the first reliable
// non-failure response to the re-INVITE will contain the offer"): the B2BUA offers the leg's
// current media in its 200 and takes the answer from the ACK. Once with a raw SIP caller (no
// library) and canned SDP, once with sip.js phones sending real WebRTC audio (werift) through
// mediasoup, the audio after the re-INVITE checked by content in the recording and by the packets
// the re-INVITEing phone still receives.
import { describe, expect, it } from 'vitest';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { header, rawCall, statusOf } from '../../support/raw-caller.js';
import { cannedSdp, Inviter, SessionState, UserAgent } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { sleep, until } from '../../support/until.js';
import { tonePhone } from '../../support/tone-phone.js';

const h = useTelephonyApp({ rtcPorts: [47200, 47299] });
const { uas, raws, cleanups } = h;

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('re-INVITE without SDP (RFC 3261 §14.2)', { timeout: 90_000 }, () => {
  it('a raw client: the 200 carries the offer, the ACK the answer; the dialog carries on', async () => {
    const { caller, final } = await rawCall(h.t, { uas, raws }, {});
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
    const candidate = await tonePhone(h.t, 'candidate1', 440, cleanups);
    const assessor = await tonePhone(h.t, 'assessor1', 880, cleanups);
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
    await until(() => h.t.repos.calls.find(id)!.recordingStatus === 'complete', 20_000);
    const call = h.t.repos.calls.find(id)!;
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
