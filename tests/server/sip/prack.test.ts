// Reliable provisional responses (RFC 3262, https://www.rfc-editor.org/rfc/rfc3262) when the caller
// requires them: a raw SIP caller (no library) sends `Require: 100rel`; the B2BUA's 180 carries
// Require: 100rel and an RSeq, is retransmitted until the PRACK arrives, and the call goes on.
// Timers run on the test app's manual clock.
import { describe, expect, it } from 'vitest';
import { header, rawCall, statusOf } from '../../support/raw-caller.js';
import { nextMatching, rawRequest } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

// The no-answer time (on the same clock the tests move) must outlast 64*T1, the PRACK give-up.
const h = useTelephonyApp({ rtcPorts: [47100, 47199], telephony: { noAnswerTimeoutMs: 60_000 } });
const { uas, raws } = h;

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('100rel and PRACK (RFC 3262)', () => {
  it('a caller requiring 100rel gets a reliable 180 (Require, RSeq), retransmitted until its PRACK; a PRACK for nothing gets 481; then the call is answered', async () => {
    const { caller, ringing } = await rawCall(h.t, { uas, raws }, { Require: "100rel", Supported: "100rel" }, false);
    expect(statusOf(ringing)).toBe(180);
    expect(header(ringing, 'Require')).toBe('100rel');
    const rseq = Number(header(ringing, 'RSeq'));
    expect(rseq).toBeGreaterThan(0);
    // Not PRACKed: sent again after T1 (500 ms), the same response.
    h.t.clock.advance(600);
    const again = await nextMatching(caller.client, (m) => m.startsWith('SIP/2.0 180 ') && m.includes(caller.callId));
    expect(header(again, 'RSeq')).toBe(String(rseq));
    expect(statusOf(await caller.send('PRACK', { RAck: `${rseq + 7} 1 INVITE` }))).toBe(481);
    expect(statusOf(await caller.send('PRACK', { RAck: `${rseq} 1 INVITE` }))).toBe(200);
    // PRACKed: no more retransmissions.
    h.t.clock.advance(5_000);
    await expect(nextMatching(caller.client, (m) => m.startsWith('SIP/2.0 180 '), 300)).rejects.toThrow();
    await caller.callee.incoming[0]!.accept();
    const final = await nextMatching(caller.client, (m) => m.includes(caller.callId) && /^SIP\/2\.0 200 /.test(m) && m.includes(' INVITE\r\n'));
    caller.to = header(final, 'To')!;
    caller.target = /<([^>]+)>/.exec(header(final, 'Contact')!)![1]!;
    caller.ack(1);
    await until(() => lastCall().state === 'answered');
    expect(statusOf(await caller.send('BYE'))).toBe(200);
  }, 20_000);

  it('a reliable 180 never PRACKed for 64*T1 ends the attempt with a 5xx (§3) and CANCELs the callee', async () => {
    const { caller, ringing } = await rawCall(h.t, { uas, raws }, { Require: '100rel' }, false);
    expect(header(ringing, 'RSeq')).toBeDefined();
    h.t.clock.advance(32_000);
    const final = await nextMatching(caller.client, (m) => m.includes(caller.callId) && /^SIP\/2\.0 5\d\d /.test(m));
    expect(statusOf(final)).toBeGreaterThanOrEqual(500);
    caller.client.send(rawRequest('ACK', { uri: caller.inviteUri, callId: caller.callId, cseq: 1, branch: caller.inviteBranch, headers: { From: caller.from, To: header(final, 'To')! } }));
    await until(() => lastCall().state === 'ended');
  }, 20_000);
});
