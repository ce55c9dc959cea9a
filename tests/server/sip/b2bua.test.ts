// Call flows through the B2BUA with real sip.js user agents and real mediasoup workers. The UAs
// use canned WebRTC SDP (no media flows here; tests/e2e covers audio and recording with Chromium):
// busy, decline, cancel, no answer, not registered, answer and hang-up, hold and resume, DTMF.
import type { Invitation as InvitationT } from 'sip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import { cannedSdp, Inviter, RawSipClient, rawRequest, SessionState, startUa, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { candidateReady } from '../../support/sitting-helpers.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { PASSWORD } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [46000, 46499], telephony: { noAnswerTimeoutMs: 1500 } });

beforeAll(async () => {
  const hash = await hashPassword(PASSWORD);
  for (const n of [3, 4, 5]) {
    h.t.repos.users.create({ username: `candidate${n}`, displayName: `Candidate ${n}`, role: 'candidate', centreId: h.t.centreId, passwordHash: hash });
  }
});

async function phone(username: string, onInvite?: (inv: InvitationT) => void): Promise<TestUa & { extension: string }> {
  const creds = await h.t.sipCredentials(username);
  const u = await startUa({ wsUrl: h.t.wsUrl, extension: creds.extension, password: creds.password, onInvite });
  h.uas.push(u);
  await u.register();
  return Object.assign(u, { extension: creds.extension });
}

interface DialResult {
  inviter: InstanceType<typeof Inviter>;
  outcome: Promise<{ status: number; reason?: string }>;
  progress: number[];
  /** Resolves at the server's 100 Trying: the B2BUA is setting up media from then on. */
  trying: Promise<void>;
}

function dial(from: TestUa, toExt: string): DialResult {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${toExt}@callmark.local`)!);
  const progress: number[] = [];
  let onTrying: () => void = () => {};
  const trying = new Promise<void>((r) => (onTrying = r));
  const outcome = new Promise<{ status: number; reason?: string }>((resolve) => {
    void inviter.invite({
      requestDelegate: {
        onTrying: () => onTrying(),
        onProgress: (r) => progress.push(r.message.statusCode ?? 0),
        onAccept: (r) => resolve({ status: r.message.statusCode ?? 0 }),
        onReject: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase }),
      },
    });
  });
  return { inviter, outcome, progress, trying };
}

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const eventTypes = (id: string) => h.t.repos.calls.events(id).map((e) => e.type);

describe('B2BUA call flows', () => {
  it('callee not registered → 480', async () => {
    const caller = await phone('assessor1');
    const { outcome } = dial(caller, String(1000 + h.t.users.candidate));
    expect((await outcome).status).toBe(480);
  });

  it('unknown number → 404; calling yourself → 482', async () => {
    const caller = await phone('candidate3');
    expect((await dial(caller, '99999').outcome).status).toBe(404);
    expect((await dial(caller, caller.extension).outcome).status).toBe(482);
  });

  it('a user of another centre cannot be called → 403', async () => {
    const caller = await phone('candidate4');
    await phone('candidate2'); // foreign centre
    const foreignExt = h.t.repos.users.findByUsernameWithHash('candidate2')!.extension;
    expect((await dial(caller, foreignExt).outcome).status).toBe(403);
  });

  it('decline → 603, with ringing seen first, and the call row says declined', async () => {
    const callee = await phone('candidate1', (inv) => setTimeout(() => void inv.reject({ statusCode: 603 }), 100));
    const caller = await phone('assessor1');
    const { outcome, progress } = dial(caller, callee.extension);
    expect((await outcome).status).toBe(603);
    expect(progress).toContain(180);
    await until(() => lastCall().state === 'ended');
    expect(lastCall()).toMatchObject({ sipStatus: 603, endReason: expect.stringMatching(/^declined/) });
    expect(eventTypes(lastCall().id)).toEqual(['invite', 'ringing', 'end']);
    await callee.stop();
    await caller.stop();
  });

  it('busy: the callee answers 486, and a callee already on a call gets 486 from the server', async () => {
    const busyUa = await phone('candidate5', (inv) => void inv.reject({ statusCode: 486 }));
    const caller = await phone('assessor1');
    expect((await dial(caller, busyUa.extension).outcome).status).toBe(486);
    await busyUa.stop();

    const callee = await phone('candidate1', (inv) => void inv.accept());
    const first = dial(caller, callee.extension);
    expect((await first.outcome).status).toBe(200);
    const third = await phone('candidate3');
    expect((await dial(third, callee.extension).outcome).status).toBe(486);
    await first.inviter.bye();
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0);
    await callee.stop();
    await caller.stop();
  });

  it('cancel before answer → 487 to the caller, the callee’s ringing stops', async () => {
    let cancelled = false;
    const callee = await phone('candidate1', (inv) => {
      inv.delegate = { onCancel: () => (cancelled = true) };
    });
    const caller = await phone('assessor1');
    const { inviter, outcome, progress } = dial(caller, callee.extension);
    await until(() => progress.includes(180));
    await inviter.cancel();
    expect((await outcome).status).toBe(487);
    await until(() => cancelled);
    await until(() => lastCall().state === 'ended');
    expect(lastCall().endReason).toMatch(/^cancelled/);
    await callee.stop();
    await caller.stop();
  });

  it('a call cancelled while its media is being set up releases its router (no leak)', async () => {
    const callee = await phone('candidate1');
    const caller = await phone('assessor1');
    for (let i = 0; i < 10; i++) {
      const { inviter, outcome, trying } = dial(caller, callee.extension);
      await trying;
      void inviter.cancel();
      expect((await outcome).status).toBe(487);
    }
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0);
    await until(() => h.pool.health().workers.every((w) => w.routers === 0));
  });

  it('no answer within the limit → 408 to the caller and CANCEL to the callee', async () => {
    let cancelled = false;
    const callee = await phone('candidate1', (inv) => {
      inv.delegate = { onCancel: () => (cancelled = true) };
    });
    const caller = await phone('assessor1');
    const { outcome } = dial(caller, callee.extension);
    // The no-answer time runs on the server's clock: once the callee rings, move it on.
    await until(() => lastCall()?.state === 'ringing');
    h.t.clock.advance(1_500);
    expect((await outcome).status).toBe(408);
    await until(() => cancelled);
    expect(eventTypes(lastCall().id)).toContain('no-answer');
    await callee.stop();
    await caller.stop();
  });

  it('answer, DTMF by INFO, hold and resume, hang-up from the callee: every step on the timeline', async () => {
    const infos: string[] = [];
    let calleeSession: InvitationT | undefined;
    const callee = await phone('candidate1', (inv) => {
      calleeSession = inv;
      inv.delegate = {
        onInfo: (info) => {
          infos.push(info.request.body);
          void info.accept();
        },
      };
      void inv.accept();
    });
    const caller = await phone('assessor1');
    const { inviter, outcome } = dial(caller, callee.extension);
    expect((await outcome).status).toBe(200);
    await until(() => inviter.state === SessionState.Established);
    const id = lastCall().id;
    expect(lastCall()).toMatchObject({ state: 'answered', candidateUserId: h.t.users.candidate });

    await inviter.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: 'Signal=5\r\nDuration=100' } } });
    await until(() => infos.length === 1);
    expect(infos[0]).toContain('Signal=5');

    inviter.sessionDescriptionHandlerOptionsReInvite = { hold: true } as never;
    await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    await until(() => eventTypes(id).includes('hold'));
    inviter.sessionDescriptionHandlerOptionsReInvite = { hold: false } as never;
    await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    await until(() => eventTypes(id).includes('resume'));

    await calleeSession!.bye();
    await until(() => inviter.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
    expect(lastCall().endReason).toBe('completed: hung up by the callee');
    const types = eventTypes(id);
    for (const e of ['invite', 'ringing', 'answered', 'dtmf', 'hold', 'resume', 'hangup', 'end']) expect(types).toContain(e);
    expect(h.t.repos.calls.events(id).find((e) => e.type === 'dtmf')?.detail).toEqual({ digit: '5', via: 'info' });
    await callee.stop();
    await caller.stop();
  });

  it('a party whose connection drops mid-call: the other gets a BYE and the call ends', async () => {
    const callee = await phone('candidate1', (inv) => void inv.accept());
    const caller = await phone('assessor1');
    const { inviter, outcome } = dial(caller, callee.extension);
    expect((await outcome).status).toBe(200);
    await callee.ua.transport.disconnect();
    await until(() => inviter.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
    expect(lastCall().endReason).toMatch(/lost its connection/);
    await caller.stop();
  });

  it('a call hung up the moment it is answered still has its recording finalised before its media is freed', async () => {
    const callee = await phone('candidate1', (inv) => void inv.accept());
    const caller = await phone('assessor1');
    const { inviter, outcome } = dial(caller, callee.extension);
    // The caller hangs up as soon as the call is up: the server may still be starting the recorder.
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) void inviter.bye();
    });
    expect((await outcome).status).toBe(200);
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0);
    // The call is gone from the B2BUA only after its recording was finalised.
    const stored = lastCall();
    expect(stored.state).toBe('ended');
    expect(stored.recordingStatus).toBe('complete');
    expect(stored.recordingSha256).toMatch(/^[0-9a-f]{64}$/);
    await callee.stop();
    await caller.stop();
  });

  it('a media worker that dies ends its calls with a reason; the replaced worker takes the next call', async () => {
    const byeReasons: string[] = [];
    const callee = await phone('candidate1', (inv) => {
      inv.delegate = { onBye: (bye) => byeReasons.push(bye.request.getHeader('reason') ?? '') };
      void inv.accept();
    });
    const caller = await phone('assessor1');
    const first = dial(caller, callee.extension);
    expect((await first.outcome).status).toBe(200);
    const id = lastCall().id;
    process.kill(h.pool.health().workers[0]!.pid, 'SIGKILL');
    await until(() => first.inviter.state === SessionState.Terminated);
    await until(() => byeReasons.length === 1);
    expect(byeReasons[0]).toMatch(/cause=503;text="media worker died"/);
    await until(() => h.t.repos.calls.find(id)!.state === 'ended');
    expect(h.t.repos.calls.find(id)!.endReason).toBe('ended-by-server: media worker died');
    await until(() => h.pool.health().replacements === 1 && h.pool.health().workers.every((w) => w.alive));
    const second = dial(caller, callee.extension);
    expect((await second.outcome).status).toBe(200);
    await second.inviter.bye();
  });

  it('presented numbers pass only from assessors; a candidate dialling a customer number reaches their attempt’s assessor', async () => {
    const presented: Array<string | undefined> = [];
    const dialled: Array<string | undefined> = [];
    const candidate = await phone('candidate1', (inv) => {
      presented.push(inv.request.getHeader('X-Presented-Number'));
      void inv.reject({ statusCode: 486 });
    });
    const assessor = await phone('assessor1', (inv) => {
      dialled.push(inv.request.getHeader('X-Dialled-Number'));
      presented.push(inv.request.getHeader('X-Presented-Number'));
      void inv.reject({ statusCode: 603 });
    });
    const byAssessor = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!, { extraHeaders: ['X-Presented-Number: 07700 900123'] });
    await new Promise<void>((resolve) => void byAssessor.invite({ requestDelegate: { onReject: () => resolve() } }));
    expect(presented).toEqual(['07700 900123']);

    // No open attempt: a customer number goes nowhere.
    expect((await dial(candidate, '07700900456').outcome).status).toBe(404);
    h.t.repos.attempts.create({ centreId: h.t.centreId, candidateUserId: h.t.users.candidate, assessorUserId: h.t.users.assessor, scenarioKey: 'demo' }, Date.now());
    const byCandidate = new Inviter(candidate.ua, UserAgent.makeURI('sip:07700900456@callmark.local')!, { extraHeaders: ['X-Presented-Number: 01234 567890'] });
    const status = await new Promise<number>((resolve) => void byCandidate.invite({ requestDelegate: { onReject: (r) => resolve(r.message.statusCode ?? 0) } }));
    expect(status).toBe(603);
    expect(dialled).toEqual(['07700900456']);
    // A candidate cannot present a number.
    expect(presented).toEqual(['07700 900123', undefined]);
  });

  it('an assessor playing a customer presents the customer\'s name with the number (or the number alone): the candidate\'s phone never sees the assessor\'s name beside it', async () => {
    const names: string[] = [];
    const candidate = await phone('candidate1', (inv) => {
      names.push(inv.remoteIdentity.displayName);
      void inv.reject({ statusCode: 486 });
    });
    const assessor = await phone('assessor1');
    // The earlier test left candidate1 a practice attempt open: calls ring only once they are Ready.
    await candidateReady(h.t, 'candidate1');
    const invite = async (headers: string[]) => {
      const inviter = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!, { extraHeaders: headers });
      await new Promise<void>((resolve) => void inviter.invite({ requestDelegate: { onReject: () => resolve() } }));
    };
    await invite(['X-Presented-Number: 0113 496 0412', 'X-Presented-Name: Mrs Margaret Hughes']);
    // A name without a number is not presented (a customer's call shows both), nor is one with quotes or angle brackets.
    await invite(['X-Presented-Name: Mrs Margaret Hughes']);
    // A number with no usable name (none, or one with quotes or angle brackets) shows as the number
    // alone, as a phone shows a caller it has no name for: never the assessor's name beside a customer's number.
    await invite(['X-Presented-Number: 0113 496 0412', 'X-Presented-Name: Eve" <sip:x@y>']);
    await invite(['X-Presented-Number: 0113 496 0412']);
    const assessorName = h.t.repos.users.findById(h.t.users.assessor)!.displayName;
    expect(names).toEqual(['Mrs Margaret Hughes', assessorName, '0113 496 0412', '0113 496 0412']);
  });

  it('refuses an INVITE whose From is not the registered user, and bad SDP with 488', async () => {
    const caller = await phone('assessor1');
    await phone('candidate1');
    const raw = await RawSipClient.connect(h.t.wsUrl);
    // Unregistered raw connection: challenged.
    raw.send(rawRequest('INVITE', { uri: `sip:${1000 + h.t.users.candidate}@callmark.local`, from: String(1000 + h.t.users.assessor), headers: { 'Content-Type': 'application/sdp' }, body: cannedSdp('offer') }));
    await raw.expectResponse(407);
    raw.close();
    // Through the registered UA: SDP without an audio section.
    const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${1000 + h.t.users.candidate}@callmark.local`)!, {
      sessionDescriptionHandlerModifiers: [async (d) => ({ ...d, sdp: d.sdp!.replace(/m=audio[\s\S]*$/, '') })],
    });
    const status = await new Promise<number>((resolve) => void inviter.invite({ requestDelegate: { onReject: (r) => resolve(r.message.statusCode ?? 0), onAccept: () => resolve(200) } }));
    expect(status).toBe(488);
    await caller.stop();
  });

  // SECURITY.md, info finding: sdp-transform turns `a=fingerprint:256 …` into the number 256, and
  // calling .toLowerCase() on it threw a TypeError (500) instead of an SdpError (488).
  it('answers an offer whose DTLS fingerprint names a number instead of a hash function with 488, not 500', async () => {
    const caller = await phone('assessor1');
    await phone('candidate1');
    const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${1000 + h.t.users.candidate}@callmark.local`)!, {
      sessionDescriptionHandlerModifiers: [async (d) => ({ ...d, sdp: d.sdp!.replace('a=fingerprint:sha-256 ', 'a=fingerprint:256 ') })],
    });
    const status = await new Promise<number>((resolve) => void inviter.invite({ requestDelegate: { onReject: (r) => resolve(r.message.statusCode ?? 0), onAccept: () => resolve(200) } }));
    expect(status).toBe(488);
  });
});

