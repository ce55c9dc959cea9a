// Session timers (RFC 4028) and UPDATE (RFC 3311) through the B2BUA, with a raw SIP-over-WebSocket
// caller (no library: every header written here) and a sip.js callee, real mediasoup workers. The
// server's timers run on the test app's manual clock, so the test moves time instead of waiting.
import { describe, expect, it } from 'vitest';
import { channelToneRatios, decodeAudio } from '../../support/audio.js';
import { header, rawCall, type RawCaller, rawToneCaller, statusOf } from '../../support/raw-caller.js';
import { cannedSdp, nextMatching, RawSipClient, rawRequest, registerRaw, SessionState } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { sleep, until } from '../../support/until.js';
import { rawCallee, type RawCallee } from '../../support/raw-callee.js';
import { tonePhone } from '../../support/tone-phone.js';

const h = useTelephonyApp({ rtcPorts: [47300, 47399], telephony: { noAnswerTimeoutMs: 5000 } });
const { uas, raws, cleanups } = h;
const bodyOf = (m: string): string => m.slice(m.indexOf('\r\n\r\n') + 4);

const rawInvite = (extra: Record<string, string>, answer = true) => rawCall(h.t, { uas, raws }, extra, answer);
const inDialog = (c: RawCaller, method: string, headers: Record<string, string> = {}, body?: string) => c.send(method, headers, body);
const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const eventTypes = (id: string) => h.t.repos.calls.events(id).map((e) => e.type);

describe('session timers (RFC 4028)', () => {
  it('answers an interval below Min-SE with 422 and Min-SE: 90', async () => {
    const { final } = await rawInvite({ Supported: 'timer', 'Session-Expires': '30' });
    expect(statusOf(final)).toBe(422);
    expect(header(final, 'Min-SE')).toBe('90');
  });

  it('grants the caller the refresher role, and ends a call whose caller stops refreshing: BYE to both legs with a Reason, recording finalised', async () => {
    const { caller, final } = await rawInvite({ Supported: 'timer', 'Session-Expires': '120' });
    expect(statusOf(final)).toBe(200);
    expect(header(final, 'Session-Expires')).toBe('120;refresher=uac');
    expect(header(final, 'Require')).toBe('timer');
    const id = lastCall().id;
    await until(() => caller.callee.incoming[0]!.state === SessionState.Established);
    await until(() => eventTypes(id).includes('recording-started') || eventTypes(id).includes('recording-failed'));

    // A refresh by UPDATE without a body, just before the end of the interval, starts it again.
    h.t.clock.advance(80_000);
    const refresh = await inDialog(caller, 'UPDATE', { Supported: 'timer', 'Session-Expires': '120;refresher=uac' });
    expect(statusOf(refresh)).toBe(200);
    expect(header(refresh, 'Session-Expires')).toBe('120;refresher=uac');
    h.t.clock.advance(80_000);
    expect(lastCall().state).toBe('answered');

    // Then the caller falls silent: 32 s before the interval ends (RFC 4028 §10) the server hangs up.
    h.t.clock.advance(10_000);
    const bye = await nextMatching(caller.client, (m) => m.startsWith('BYE ') && m.includes(caller.callId));
    expect(header(bye, 'Reason')).toMatch(/^SIP;cause=408;text="session timer expired: no refresh from the caller"$/);
    await until(() => caller.callee.incoming[0]!.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
    const call = lastCall();
    expect(call.endReason).toMatch(/^ended-by-server: session timer expired/);
    expect(eventTypes(id)).toContain('session-expired');
    if (eventTypes(id).includes('recording-started')) {
      await until(() => eventTypes(id).includes('recording-finished') || eventTypes(id).includes('recording-failed'));
      expect(lastCall().recordingStatus).not.toBe('recording');
    }
  }, 20_000);

  it('a call with real media whose caller stops refreshing is ended by the server and its recording kept, each party on its channel', async () => {
    // The caller: a raw SIP client whose media is a real WebRTC peer (werift) sending 880 Hz; the
    // callee a sip.js phone sending 440 Hz.
    const callee = await tonePhone(h.t, 'candidate1', 440, cleanups);
    const assessor = await rawToneCaller(h, 'assessor1', 880);
    const { client, tone, sdh } = assessor;
    const offer = (await sdh.getDescription()).body;
    const callId = `st-media-${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    const from = `<sip:${assessor.extension}@callmark.local>;tag=stmedia${Date.now()}`;
    client.send(rawRequest('INVITE', { uri, callId, cseq: 1, headers: { From: from, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp', Supported: 'timer', 'Session-Expires': '120' }, body: offer }));
    const ok = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m), 15_000);
    expect(statusOf(ok)).toBe(200);
    expect(header(ok, 'Session-Expires')).toBe('120;refresher=uac');
    await sdh.setDescription(bodyOf(ok));
    const to = header(ok, 'To')!;
    const target = /<([^>]+)>/.exec(header(ok, 'Contact')!)![1]!;
    client.send(rawRequest('ACK', { uri: target, callId, cseq: 1, headers: { From: from, To: to } }));
    await until(() => lastCall().recordingStatus === 'recording' && lastCall().recordingStartedAt !== null, 15_000);
    await until(() => callee.tone.packetsReceived() > 50 && tone.packetsReceived() > 50, 15_000);
    const id = lastCall().id;
    const startedAt = lastCall().recordingStartedAt!;
    await sleep(1000);
    const checkedAt = Date.now();
    await sleep(1500);

    // No refresh: 32 s before the interval ends (RFC 4028 §10) the server ends the call on both legs.
    h.t.clock.advance(90_000);
    const bye = await nextMatching(client, (m) => m.startsWith('BYE ') && m.includes(callId));
    expect(header(bye, 'Reason')).toMatch(/^SIP;cause=408;text="session timer expired: no refresh from the caller"$/);
    await until(() => h.t.repos.calls.find(id)!.state === 'ended');
    await until(() => h.t.repos.calls.find(id)!.recordingStatus === 'complete', 20_000);
    const call = h.t.repos.calls.find(id)!;
    expect(call.endReason).toMatch(/^ended-by-server: session timer expired/);
    const audio = await decodeAudio(call.recordingPath!);
    const from_ = (checkedAt - startedAt) / 1000;
    const ratios = channelToneRatios(audio, from_, 1.2, 440, 880);
    // The candidate (the callee, 440 Hz) left, the assessor (the raw caller, 880 Hz) right.
    expect(ratios.left).toBeGreaterThan(10);
    expect(ratios.right).toBeGreaterThan(10);
  }, 60_000);

  it('a re-INVITE refresh restarts the interval; a refresh asking too little gets 422', async () => {
    const { caller, final } = await rawInvite({ Supported: 'timer', 'Session-Expires': '90;refresher=uac', 'Min-SE': '90' });
    expect(header(final, 'Session-Expires')).toBe('90;refresher=uac');
    expect(statusOf(await inDialog(caller, 'UPDATE', { Supported: 'timer', 'Session-Expires': '60' }))).toBe(422);
    h.t.clock.advance(50_000);
    const reinvite = await inDialog(caller, 'INVITE', { Supported: 'timer', 'Session-Expires': '90;refresher=uac' }, cannedSdp('offer'));
    expect(statusOf(reinvite)).toBe(200);
    caller.client.send(rawRequest('ACK', { uri: caller.target, callId: caller.callId, cseq: caller.cseq, headers: { From: caller.from, To: caller.to } }));
    expect(header(reinvite, 'Session-Expires')).toBe('90;refresher=uac');
    h.t.clock.advance(50_000);
    expect(lastCall().state).toBe('answered');
    h.t.clock.advance(10_000);
    await nextMatching(caller.client, (m) => m.startsWith('BYE ') && m.includes(caller.callId));
    await until(() => lastCall().state === 'ended');
  }, 20_000);

  it('a call without Session-Expires has no session timer', async () => {
    const { caller, final } = await rawInvite({});
    expect(statusOf(final)).toBe(200);
    expect(header(final, 'Session-Expires')).toBeUndefined();
    // The server's clock moves below, so first make sure our ACK has arrived (the 32 s wait for it
    // runs on that clock): a request sent after it on the same connection is answered after it.
    expect(statusOf(await inDialog(caller, 'INFO'))).toBe(200);
    h.t.clock.advance(3_600_000);
    expect(lastCall().state).toBe('answered');
    expect(statusOf(await inDialog(caller, 'BYE'))).toBe(200);
  }, 20_000);
});

/** A raw caller (assessor) INVITEs the raw callee with a canned offer; resolves with the callee's view of the INVITE and the caller's dialog. */
async function rawToRaw(): Promise<{ callee: RawCallee; invite: string; calleeCallId: string; caller: RawSipClient; callId: string; from: string; uri: string }> {
  const callee = await rawCallee(h.t, 'candidate', raws);
  const assessor = await h.t.sipCredentials('assessor');
  const caller = await RawSipClient.connect(h.t.wsUrl);
  raws.push(caller);
  await registerRaw(caller, assessor.extension, assessor.password);
  const callId = `st-callee-${Date.now()}`;
  const from = `<sip:${assessor.extension}@callmark.local>;tag=stcaller${Date.now()}`;
  const uri = `sip:${callee.extension}@callmark.local`;
  caller.send(rawRequest('INVITE', { uri, callId, cseq: 1, headers: { From: from, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' }, body: cannedSdp('offer') }));
  const invite = await callee.nextRequest('INVITE');
  return { callee, invite, calleeCallId: header(invite, 'Call-ID')!, caller, callId, from, uri };
}

/**
 * The caller's 200, ACKed. The server's clock moves afterwards, so the ACK must have arrived first
 * (the 32 s wait for it runs on that clock): an INFO sent after it on the same connection is
 * answered after it.
 */
async function callerAnswered(caller: RawSipClient, callId: string, from: string): Promise<void> {
  const ok = await nextMatching(caller, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === '1 INVITE', 8000);
  expect(statusOf(ok)).toBe(200);
  const target = /<([^>]+)>/.exec(header(ok, 'Contact')!)![1]!;
  const to = header(ok, 'To')!;
  caller.send(rawRequest('ACK', { uri: target, callId, cseq: 1, headers: { From: from, To: to } }));
  caller.send(rawRequest('INFO', { uri: target, callId, cseq: 2, headers: { From: from, To: to } }));
  expect(statusOf(await nextMatching(caller, (m) => m.startsWith('SIP/2.0 ') && header(m, 'CSeq') === '2 INFO'))).toBe(200);
}

describe('session timers and 100rel on the callee\'s dialog (RFC 4028 §7, RFC 3262 §4)', () => {
  it('offers timer and 100rel, PRACKs a reliable 180, refreshes as the refresher the callee chose, and ends the call when a refresh fails', async () => {
    const { callee, invite, calleeCallId, caller, callId, from } = await rawToRaw();
    expect(header(invite, 'Supported')).toMatch(/\b100rel\b/);
    expect(header(invite, 'Supported')).toMatch(/\btimer\b/);
    expect(header(invite, 'Session-Expires')).toBe('1800');
    callee.respond(invite, '180 Ringing', undefined, { Require: '100rel', RSeq: '7' });
    const prack = await callee.nextRequest('PRACK', calleeCallId);
    expect(header(prack, 'RAck')).toBe('7 1 INVITE');
    callee.respond(prack, '200 OK');
    // A retransmission of the same reliable 180 is discarded, not PRACKed again; the next RSeq is.
    callee.respond(invite, '180 Ringing', undefined, { Require: '100rel', RSeq: '7' });
    callee.respond(invite, '180 Ringing', undefined, { Require: '100rel', RSeq: '8' });
    const second = await callee.nextRequest('PRACK', calleeCallId);
    expect(header(second, 'RAck')).toBe('8 1 INVITE');
    callee.respond(second, '200 OK');

    // The callee makes the B2BUA (its UAC) the refresher of a 90 s session.
    callee.respond(invite, '200 OK', cannedSdp('answer'), { 'Session-Expires': '90;refresher=uac', Require: 'timer' });
    await callee.nextRequest('ACK', calleeCallId);
    await callerAnswered(caller, callId, from);
    const id = lastCall().id;
    await until(() => eventTypes(id).includes('recording-started') || eventTypes(id).includes('recording-failed'));

    // RFC 4028 §7.4: the refresh is due at half the interval.
    h.t.clock.advance(45_000);
    const refresh = await callee.nextRequest('INVITE', calleeCallId);
    expect(header(refresh, 'Session-Expires')).toBe('90;refresher=uac');
    callee.respond(refresh, '200 OK', cannedSdp('answer'));
    await callee.nextRequest('ACK', calleeCallId);
    expect(lastCall().state).toBe('answered');

    // The next refresh gets 481 (RFC 4028 §10: "If the session refresh request transaction times
    // out or generates a 408 or 481 response, then the UAC sends a BYE request"): both legs get one.
    h.t.clock.advance(45_000);
    const failing = await callee.nextRequest('INVITE', calleeCallId);
    callee.respond(failing, '481 Call/Transaction Does Not Exist');
    const bye = await nextMatching(caller, (m) => m.startsWith('BYE ') && m.includes(callId));
    expect(header(bye, 'Reason')).toBe('SIP;cause=408;text="session refresh to the callee failed (481)"');
    await callee.nextRequest('BYE', calleeCallId);
    await until(() => lastCall().state === 'ended');
    expect(eventTypes(id)).toContain('session-expired');
    if (eventTypes(id).includes('recording-started')) {
      await until(() => eventTypes(id).includes('recording-finished') || eventTypes(id).includes('recording-failed'));
      expect(lastCall().recordingStatus).not.toBe('recording');
    }
  }, 30_000);

  it('a 422 from the callee is retried once with its Min-SE (RFC 4028 §7.3), not passed to the caller', async () => {
    const { callee, invite, calleeCallId, caller, callId, from } = await rawToRaw();
    callee.respond(invite, '422 Session Interval Too Small', undefined, { 'Min-SE': '3600' });
    await callee.nextRequest('ACK', calleeCallId);
    const retry = await callee.nextRequest('INVITE', calleeCallId);
    expect(header(retry, 'CSeq')).toBe('2 INVITE');
    expect(header(retry, 'Session-Expires')).toBe('3600');
    expect(header(retry, 'Min-SE')).toBe('3600');
    expect(header(retry, 'To')).not.toMatch(/;tag=/);
    expect(header(retry, 'Content-Type')).toBe('application/sdp');
    callee.respond(retry, '200 OK', cannedSdp('answer'), { 'Session-Expires': '3600;refresher=uas', Require: 'timer' });
    const ack = await callee.nextRequest('ACK', calleeCallId);
    expect(header(ack, 'CSeq')).toBe('2 ACK');
    await callerAnswered(caller, callId, from);
    expect(lastCall().state).toBe('answered');
  }, 30_000);

  it('watches a callee that chose to refresh, and ends the call with a Reason when it stops', async () => {
    const { callee, invite, calleeCallId, caller, callId, from } = await rawToRaw();
    callee.respond(invite, '200 OK', cannedSdp('answer'), { 'Session-Expires': '90;refresher=uas', Require: 'timer' });
    await callee.nextRequest('ACK', calleeCallId);
    await callerAnswered(caller, callId, from);
    // RFC 4028 §10: the BYE goes min(32, 90/3) = 30 s before the end of the interval.
    h.t.clock.advance(59_000);
    expect(lastCall().state).toBe('answered');
    h.t.clock.advance(1_000);
    const bye = await callee.nextRequest('BYE', calleeCallId);
    expect(header(bye, 'Reason')).toBe('SIP;cause=408;text="session timer expired: no refresh from the callee"');
    await nextMatching(caller, (m) => m.startsWith('BYE ') && m.includes(callId));
    await until(() => lastCall().state === 'ended');
  }, 30_000);
});

describe('UPDATE (RFC 3311)', () => {
  it('in an early dialog: without a body 200; with an offer 500 + Retry-After (our answer to the INVITE is pending)', async () => {
    const { caller, ringing } = await rawInvite({}, false);
    expect(statusOf(ringing)).toBe(180);
    expect(statusOf(await inDialog(caller, 'UPDATE'))).toBe(200);
    const offer = await inDialog(caller, 'UPDATE', {}, cannedSdp('offer'));
    expect(statusOf(offer)).toBe(500);
    expect(header(offer, 'Retry-After')).toBeDefined();
    caller.client.send(rawRequest('CANCEL', { uri: caller.inviteUri, callId: caller.callId, cseq: 1, branch: caller.inviteBranch, headers: { From: caller.from, To: `<${caller.inviteUri}>` } }));
    await caller.client.expectResponse(200);
    await until(() => lastCall().state === 'ended');
    expect(lastCall().endReason).toMatch(/^cancelled/);
  }, 20_000);

  it('in a confirmed dialog: an offer is answered in the 200 and puts the call on hold', async () => {
    const { caller } = await rawInvite({});
    const id = lastCall().id;
    const res = await inDialog(caller, 'UPDATE', {}, cannedSdp('offer', undefined, 'sendonly'));
    expect(statusOf(res)).toBe(200);
    expect(header(res, 'Content-Type')).toBe('application/sdp');
    expect(res).toMatch(/\r\na=recvonly\r\n/);
    expect(header(res, 'Contact')).toBeDefined();
    await until(() => eventTypes(id).includes('hold'));
    expect(statusOf(await inDialog(caller, 'BYE'))).toBe(200);
  }, 20_000);

  it('outside any dialog: 481', async () => {
    const assessor = await h.t.sipCredentials('assessor');
    const client = await RawSipClient.connect(h.t.wsUrl);
    raws.push(client);
    await registerRaw(client, assessor.extension, assessor.password);
    client.send(rawRequest('UPDATE', { from: assessor.extension, headers: { To: '<sip:1@callmark.local>;tag=none' } }));
    await client.expectResponse(481);
  });
});
