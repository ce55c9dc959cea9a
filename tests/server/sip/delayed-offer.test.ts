// An initial INVITE without SDP (delayed offer). RFC 3261 §13.2.1
// (https://www.rfc-editor.org/rfc/rfc3261#section-13.2.1): "If the initial offer is in the first
// reliable non-failure message from the UAS back to the UAC, the answer MUST be in the
// acknowledgement for that message." The caller is a raw SIP-over-WebSocket client (no SIP
// library) whose media is a real WebRTC peer (werift) sending an 880 Hz tone; the callee is a sip.js
// phone sending 440 Hz. The B2BUA passes the delay on (the callee offers in its 200), offers to the
// caller in its 200, takes the answer from the caller's ACK and answers the callee in its ACK; the
// audio is then checked by content in the recording and by the packets each side receives.
import { describe, expect, it } from 'vitest';
import { channelToneRatios, decodeAudio } from '../../support/audio.js';
import { header, rawToneCaller, statusOf } from '../../support/raw-caller.js';
import { cannedSdp, nextMatching, RawSipClient, rawRequest, registerRaw } from '../../support/sip-clients.js';
import { rawCallee } from '../../support/raw-callee.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { tonePhone } from '../../support/tone-phone.js';
import { sleep, until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47650, 47699] });
const { raws, cleanups } = h;

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const bodyOf = (m: string): string => m.slice(m.indexOf('\r\n\r\n') + 4);

describe('INVITE without SDP (delayed offer, RFC 3261 §13.2.1)', { timeout: 90_000 }, () => {
  it('a raw caller with real WebRTC media: offer in our 200, answer in its ACK, and the audio flows both ways', async () => {
    const callee = await tonePhone(h.t, 'candidate1', 440, cleanups);
    const assessor = await rawToneCaller(h, 'assessor1', 880);
    const { client, tone, sdh } = assessor;

    const callId = `delayed-${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    const from = `<sip:${assessor.extension}@callmark.local>;tag=delayed${Date.now()}`;
    // No body and no Content-Type: the offer is left to the other side.
    client.send(rawRequest('INVITE', { uri, callId, cseq: 1, headers: { From: from, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>` } }));
    const ok = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m), 15_000);
    expect(statusOf(ok)).toBe(200);
    expect(header(ok, 'Content-Type')).toBe('application/sdp');
    const offer = bodyOf(ok);
    expect(offer).toMatch(/\r\na=setup:actpass\r\n/);
    expect(lastCall().state).toBe('answered');

    // The caller's WebRTC peer answers the server's offer; the answer goes in the ACK.
    await sdh.setDescription(offer);
    const answer = (await sdh.getDescription()).body;
    expect(answer).toMatch(/\r\na=setup:(active|passive)\r\n/);
    const to = header(ok, 'To')!;
    const target = /<([^>]+)>/.exec(header(ok, 'Contact')!)![1]!;
    client.send(rawRequest('ACK', { uri: target, callId, cseq: 1, headers: { From: from, To: to, 'Content-Type': 'application/sdp' }, body: answer }));

    await until(() => lastCall().recordingStatus === 'recording' && lastCall().recordingStartedAt !== null, 15_000);
    await until(() => callee.tone.packetsReceived() > 50 && tone.packetsReceived() > 50, 15_000);
    await sleep(1500);
    const id = lastCall().id;
    const startedAt = lastCall().recordingStartedAt!;
    const checkedAt = Date.now();
    await sleep(1500);

    const bye = rawRequest('BYE', { uri: target, callId, cseq: 2, headers: { From: from, To: to } });
    client.send(bye);
    expect(statusOf(await nextMatching(client, (m) => m.startsWith('SIP/2.0 ') && header(m, 'CSeq') === '2 BYE'))).toBe(200);
    await until(() => h.t.repos.calls.find(id)!.recordingStatus === 'complete', 20_000);
    const call = h.t.repos.calls.find(id)!;
    expect(h.t.repos.calls.events(id).find((e) => e.type === 'answered')?.detail).toEqual({ delayedOffer: true });
    const audio = await decodeAudio(call.recordingPath!);
    const from_ = (checkedAt - startedAt) / 1000;
    const ratios = channelToneRatios(audio, from_, 1.2, 440, 880);
    // The candidate (the callee, 440 Hz) left, the assessor (the raw caller, 880 Hz) right.
    expect(ratios.left).toBeGreaterThan(10);
    expect(ratios.right).toBeGreaterThan(10);
  });

  it("a caller that hangs up before its ACK: the callee's 200 (its offer) is ACKed before the BYE, never left unacknowledged", async () => {
    const callee = await rawCallee(h.t, 'candidate', raws);
    const assessor = await h.t.sipCredentials('assessor1');
    const client = await RawSipClient.connect(h.t.wsUrl);
    raws.push(client);
    await registerRaw(client, assessor.extension, assessor.password);
    const callId = `delayed-bye-${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    const from = `<sip:${assessor.extension}@callmark.local>;tag=delayedbye`;
    client.send(rawRequest('INVITE', { uri, callId, cseq: 1, headers: { From: from, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>` } }));
    const invite = await callee.nextRequest('INVITE');
    expect(bodyOf(invite)).toBe('');
    const calleeCallId = header(invite, 'Call-ID')!;
    callee.respond(invite, '200 OK', cannedSdp('offer'));
    const ok = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m), 8000);
    expect(statusOf(ok)).toBe(200);
    // A BYE instead of the ACK (the caller gave up on our offer).
    const target = /<([^>]+)>/.exec(header(ok, 'Contact')!)![1]!;
    client.send(rawRequest('BYE', { uri: target, callId, cseq: 2, headers: { From: from, To: header(ok, 'To')! } }));
    // RFC 3261 §13.2.2.4: the 2xx is ACKed, and then the dialog ended.
    const next = await nextMatching(callee.client, (m) => /^(ACK|BYE) /.test(m) && m.includes(calleeCallId), 8000);
    expect(next.split(' ')[0]).toBe('ACK');
    const bye = await callee.nextRequest('BYE', calleeCallId);
    callee.respond(bye, '200 OK');
    await until(() => lastCall().state === 'ended', 10_000);
  });

  it('an INVITE whose body is not SDP is still refused with 488', async () => {
    const callee = await tonePhone(h.t, 'candidate1', 440, cleanups);
    const assessor = await h.t.sipCredentials('assessor1');
    const client = await RawSipClient.connect(h.t.wsUrl);
    raws.push(client);
    await registerRaw(client, assessor.extension, assessor.password);
    const callId = `notsdp-${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    client.send(rawRequest('INVITE', { uri, callId, cseq: 1, headers: { From: `<sip:${assessor.extension}@callmark.local>;tag=notsdp`, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'text/plain' }, body: 'hello' }));
    const final = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m), 8000);
    expect(statusOf(final)).toBe(488);
    expect(callee.session).toBeUndefined();
  });
});
