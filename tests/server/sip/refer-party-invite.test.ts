// The INVITE the B2BUA sends to a party brought in by REFER (RFC 3515) offers what our INVITE to a
// callee offers, and is handled by the same code: `Supported: 100rel, timer` with Session-Expires
// and Min-SE (RFC 4028 §7.1), a reliable provisional response PRACKed (RFC 3262 §4), and the session
// timer the party's 2xx sets enforced (RFC 4028 §10). The referrer is a raw SIP-over-WebSocket
// caller, the transfer target a raw callee (no SIP library: every header is read and written
// here), the party being transferred a sip.js phone; real mediasoup workers, the server's timers on
// the test clock.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import { header, rawCall, statusOf } from '../../support/raw-caller.js';
import { rawCallee } from '../../support/raw-callee.js';
import { cannedSdp, SessionState } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { PASSWORD } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47750, 47799] });
beforeAll(async () => {
  h.t.repos.users.create({ username: 'assessor2', displayName: 'Second assessor', role: 'assessor', centreId: h.t.centreId, passwordHash: await hashPassword(PASSWORD) });
});

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const eventTypes = () => h.t.repos.calls.events(lastCall().id).map((e) => e.type);

describe('the INVITE to a party added by REFER', { timeout: 30_000 }, () => {
  it('offers 100rel and timer, PRACKs a reliable 180, and ends the party whose session timer runs out', async () => {
    const target = await rawCallee(h.t, 'assessor2', h.raws);
    const { caller, final } = await rawCall(h.t, h, {});
    expect(statusOf(final)).toBe(200);
    await until(() => caller.callee.incoming[0]!.state === SessionState.Established);

    // Blind transfer: the raw caller refers its call (the sip.js candidate) to the raw target.
    expect(statusOf(await caller.send('REFER', { 'Refer-To': `<sip:${target.extension}@callmark.local>` }))).toBe(202);
    const invite = await target.nextRequest('INVITE');
    const callId = header(invite, 'Call-ID')!;
    const supported = (header(invite, 'Supported') ?? '').split(',').map((s) => s.trim());
    expect(supported).toEqual(expect.arrayContaining(['100rel', 'timer']));
    expect(header(invite, 'Session-Expires')).toBe('1800');
    expect(header(invite, 'Min-SE')).toBe('90');

    // A reliable 180 (RFC 3262 §3: Require: 100rel and an RSeq) gets its PRACK, RAck = RSeq, CSeq number, method.
    target.respond(invite, '180 Ringing', undefined, { Require: '100rel', RSeq: '7' });
    const prack = await target.nextRequest('PRACK', callId);
    expect(header(prack, 'RAck')).toBe('7 1 INVITE');
    target.respond(prack, '200 OK');

    // The target answers, asking to be the refresher of a 90 s session.
    target.respond(invite, '200 OK', cannedSdp('answer'), { Require: 'timer', 'Session-Expires': '90;refresher=uas' });
    await target.nextRequest('ACK', callId);
    await until(() => eventTypes().includes('transferred'), 10_000);

    // It never refreshes: before the interval ends (RFC 4028 §10) the server hangs up, with a Reason.
    h.t.clock.advance(61_000);
    const bye = await target.nextRequest('BYE', callId);
    expect(header(bye, 'Reason')).toMatch(/^SIP;cause=408;text="session timer expired/);
    target.respond(bye, '200 OK');
    await until(() => lastCall().state === 'ended');
    expect(eventTypes()).toContain('session-expired');
  });
});
