// The callee's 200 OK retransmitted while the B2BUA is still applying the first one to the media (an
// await on the media worker). RFC 3261 §13.3.1.4 (https://www.rfc-editor.org/rfc/rfc3261#section-13.3.1.4):
// the UAS "periodically retransmit[s] the 2xx response" from T1 (500 ms) "until it receives an
// ACK", and §13.2.2.4 (https://www.rfc-editor.org/rfc/rfc3261#section-13.2.2.4): the UAC "MUST
// generate an ACK request for each 2xx received" and "handle retransmissions of the 2xx" — a
// retransmission is the same answer, not a second one. A browser on a loaded machine handles the
// B2BUA's ACK late and retransmits its 200 (seen in a browser test run with three Chromiums and the
// suite beside it: "callee answer refused: the callee has already answered", then a BYE with 488
// ended the supervisor's call it had just answered).
//
// The race is ordered here, not left to timing, as in late-answer.test.ts: the media worker is
// stopped (SIGSTOP) before the callee's 200, so the B2BUA is held inside applying the answer; the
// same 200 is sent again and ACKed; then the worker goes on. The call must be answered once and
// stay up: no BYE to the callee, a 200 (not a 488) to the caller.
import { describe, expect, it } from 'vitest';
import { header, statusOf } from '../../support/raw-caller.js';
import { rawRingingCall } from '../../support/raw-ringing-call.js';
import { cannedSdp, nextMatching } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47800, 47849] });
const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('a 200 from the callee retransmitted while its answer is being applied', { timeout: 60_000 }, () => {
  it('is ACKed again and changes nothing: the call is answered once and stays up', async () => {
    const { caller, callee, invite, calleeCallId } = await rawRingingCall(h, 'retx');

    const worker = h.pool.health().workers[0]!.pid;
    process.kill(worker, 'SIGSTOP');
    try {
      callee.respond(invite, '200 OK', cannedSdp('answer'));
      await callee.nextRequest('ACK', calleeCallId);
      // The retransmission: the same 200, while the first is still being applied.
      callee.respond(invite, '200 OK', cannedSdp('answer'));
      await callee.nextRequest('ACK', calleeCallId);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    const callerFinal = await nextMatching(caller, (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === '1 INVITE', 8000);
    expect(statusOf(callerFinal)).toBe(200);
    await until(() => lastCall().state === 'answered', 10_000, 'the call answered and still up');
    // No BYE reaches the callee: the call stays up (a BYE would come as soon as the answer settled).
    await expect(callee.nextRequest('BYE', calleeCallId, 1500)).rejects.toThrow();
    expect(lastCall().state).toBe('answered');
    const events = h.t.repos.calls.events(lastCall().id).map((e) => e.type);
    expect(events.filter((e) => e === 'answered')).toHaveLength(1);
    expect(events).not.toContain('end');
  });
});
