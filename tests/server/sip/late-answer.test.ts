// The callee answers 200 while the caller is already going: the caller's CANCEL is handled while
// the B2BUA is still applying the callee's SDP answer to the media (an await). RFC 3261 §15
// (https://www.rfc-editor.org/rfc/rfc3261#section-15): "The caller's UA MAY send a BYE for either
// confirmed or early dialogs, and the callee's UA MAY send a BYE on confirmed dialogs" — the
// callee's dialog is confirmed by its 200, so the B2BUA, which no longer has a caller to connect it
// to, must end it with a BYE rather than leave the callee's phone off-hook or revive the call.
// Both phones are raw SIP-over-WebSocket clients (no library), so the order of messages is chosen
// here.
//
// The race is ordered here, not left to timing: the media worker (a real mediasoup process) is
// stopped (SIGSTOP) before the callee's 200, so the B2BUA is held inside applying the answer (its
// first request to the worker waits); the CANCEL is sent and answered 487 while it waits; then the
// worker goes on, the answer is applied in full (ending the call frees the media only after it), and
// only the `call.ended` check after that await (commit ebda997) sends the BYE. With that check
// removed, the state machine refuses to revive the ended call and no BYE is sent: this test fails.
import { describe, expect, it } from 'vitest';
import { header, statusOf } from '../../support/raw-caller.js';
import { rawRingingCall } from '../../support/raw-ringing-call.js';
import { cannedSdp, nextMatching, rawRequest } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47600, 47649] });
const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('a 200 from the callee after the caller has gone', { timeout: 60_000 }, () => {
  it('is ACKed and ended with a BYE; the caller gets 487 and the call stays ended, never answered', async () => {
    const { caller, callee, invite, calleeCallId, callerInvite } = await rawRingingCall(h, 'late');
    const { uri, callId, branch, headers: inviteHeaders } = callerInvite;

    // The worker is stopped, then the answer: the B2BUA ACKs it and waits for the worker.
    const worker = h.pool.health().workers[0]!.pid;
    process.kill(worker, 'SIGSTOP');
    try {
      callee.respond(invite, '200 OK', cannedSdp('answer'));
      await callee.nextRequest('ACK', calleeCallId);
      // The caller's CANCEL (RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and branch) ends the call meanwhile.
      caller.send(rawRequest('CANCEL', { uri, callId, cseq: 1, branch, headers: inviteHeaders }));
      await nextMatching(caller, (m) => statusOf(m) === 200 && header(m, 'CSeq') === '1 CANCEL', 8000);
      await until(() => lastCall().state === 'ended', 10_000);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    const bye = await callee.nextRequest('BYE', calleeCallId);
    // A plain BYE: the answer was usable, the call had simply ended.
    expect(header(bye, 'Reason')).toBeUndefined();
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
