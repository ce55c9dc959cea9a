// The callee answers 200 while the caller is already going: the caller's CANCEL is handled while
// the B2BUA is still applying the callee's SDP answer to the media (an await). RFC 3261 §15
// (https://www.rfc-editor.org/rfc/rfc3261#section-15): "The caller's UA MAY send a BYE for either
// confirmed or early dialogs, and the callee's UA MAY send a BYE on confirmed dialogs" — the
// callee's dialog is confirmed by its 200, so the B2BUA, which no longer has a caller to connect it
// to, must end it with a BYE rather than leave the callee's phone off-hook or revive the call.
// Both phones are raw SIP-over-WebSocket clients (no library), so the order of messages is chosen
// here: the 200 is written before the CANCEL, in the same tick.
//
// What this does and does not pin down: the CANCEL ends the call while the answer is being applied,
// and ending the call closes its media at once, so the pending mediasoup step fails and the
// "answer refused" branch sends the BYE. The `call.ended` check after the await (commit ebda997)
// guards the narrower interleaving where the last mediasoup step still completes after the router
// closed; with that check removed this test still passes (tried three times), because that
// interleaving cannot be ordered from outside the server. The contract both branches keep is what
// is asserted: the callee's confirmed dialog gets a BYE and the call is never revived as answered.
import { describe, expect, it } from 'vitest';
import { header, statusOf } from '../../support/raw-caller.js';
import { rawCallee } from '../../support/raw-callee.js';
import { cannedSdp, nextMatching, RawSipClient, rawRequest, registerRaw } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47600, 47649] });
const { raws } = h;

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('a 200 from the callee after the caller has gone', { timeout: 60_000 }, () => {
  it('is ACKed and ended with a BYE; the caller gets 487 and the call stays ended, never answered', async () => {
    const callee = await rawCallee(h.t, 'candidate', raws);
    const assessor = await h.t.sipCredentials('assessor');
    const caller = await RawSipClient.connect(h.t.wsUrl);
    raws.push(caller);
    await registerRaw(caller, assessor.extension, assessor.password);

    const callId = `late-${Date.now()}`;
    const branch = `z9hG4bKlate${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    const inviteHeaders = { From: `<sip:${assessor.extension}@callmark.local>;tag=latecaller`, To: `<${uri}>` };
    caller.send(rawRequest('INVITE', { uri, callId, cseq: 1, branch, headers: { ...inviteHeaders, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' }, body: cannedSdp('offer') }));
    const invite = await callee.nextRequest('INVITE');
    callee.respond(invite, '180 Ringing');
    await nextMatching(caller, (m) => m.startsWith('SIP/2.0 180 ') && m.includes(callId), 8000);

    // The answer, and at once the caller's CANCEL (RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and branch).
    callee.respond(invite, '200 OK', cannedSdp('answer'));
    caller.send(rawRequest('CANCEL', { uri, callId, cseq: 1, branch, headers: inviteHeaders }));

    const calleeCallId = header(invite, 'Call-ID')!;
    await callee.nextRequest('ACK', calleeCallId);
    const bye = await callee.nextRequest('BYE', calleeCallId);
    callee.respond(bye, '200 OK');
    const callerFinal = await nextMatching(caller, (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === '1 INVITE', 8000);
    expect(statusOf(callerFinal)).toBe(487);
    await until(() => lastCall().state === 'ended', 10_000);
    const events = h.t.repos.calls.events(lastCall().id).map((e) => e.type);
    expect(events).toContain('cancel');
    expect(events).not.toContain('answered');
    expect(lastCall().endReason).toMatch(/^cancelled/);
    expect(lastCall().answeredAt).toBeNull();
  });
});
