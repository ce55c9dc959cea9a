// Blind transfer (REFER) and three-party conference through the B2BUA, with real sip.js user agents
// in Node and real mediasoup workers. The UAs use canned WebRTC SDP that answers every offered
// m-line the way Chromium does (the first sendrecv, extra ones recvonly), so the SDP the server
// writes for a conference is exercised; tests/e2e/transfer.browser.test.ts checks the audio.
import * as sdpTransform from 'sdp-transform';
import type { Invitation as InvitationT, Session, SessionDescriptionHandler, SessionDescriptionHandlerFactory } from 'sip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import { cannedSdp, Inviter, SessionState, UserAgent, Registerer, RegistererState, type TestUa } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { PASSWORD } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [46500, 46999], telephony: { noAnswerTimeoutMs: 1500 } });

beforeAll(async () => {
  const hash = await hashPassword(PASSWORD);
  for (const n of [1, 2]) {
    h.t.repos.users.create({ username: `supervisor${n}`, displayName: `Supervisor ${n}`, role: 'assessor', centreId: h.t.centreId, passwordHash: hash });
  }
});

/**
 * Canned SDP like Chromium's: an answer has one m-line per offered m-line (same mids); the first is
 * sendrecv with our SSRC, the others receive only. Also records every SSRC the server announced.
 */
function multiLineSdh(seen: { offers: string[] }): SessionDescriptionHandlerFactory {
  return () => {
    let signalling: 'stable' | 'have-local-offer' | 'have-remote-offer' = 'stable';
    let remote = '';
    const ssrc = 1000 + Math.floor(Math.random() * 1e6);
    const sdh: SessionDescriptionHandler = {
      close: () => {},
      getDescription: async () => {
        if (signalling !== 'have-remote-offer') {
          signalling = 'have-local-offer';
          return { body: cannedSdp('offer', ssrc), contentType: 'application/sdp' };
        }
        signalling = 'stable';
        const offer = sdpTransform.parse(remote);
        const base = sdpTransform.parse(cannedSdp('answer', ssrc));
        const template = base.media[0]!;
        base.media = offer.media.map((m, i) => {
          const copy = JSON.parse(JSON.stringify(template)) as typeof template;
          copy.mid = String(m.mid);
          if (i === 0) {
            copy.direction = m.direction === 'sendonly' ? 'recvonly' : m.direction === 'recvonly' ? 'sendonly' : m.direction === 'inactive' ? 'inactive' : 'sendrecv';
          } else {
            copy.direction = m.direction === 'sendonly' || m.direction === 'sendrecv' ? 'recvonly' : 'inactive';
            delete copy.ssrcs;
            delete copy.msid;
          }
          return copy;
        });
        base.groups = [{ type: 'BUNDLE', mids: base.media.map((m) => m.mid).join(' ') }];
        return { body: sdpTransform.write(base), contentType: 'application/sdp' };
      },
      hasDescription: (contentType: string) => contentType === 'application/sdp',
      setDescription: async (sdp: string) => {
        if (signalling === 'have-local-offer') signalling = 'stable';
        else {
          signalling = 'have-remote-offer';
          seen.offers.push(sdp);
        }
        remote = sdp;
      },
      sendDtmf: () => true,
    };
    return sdh;
  };
}

interface Phone extends TestUa {
  extension: string;
  seen: { offers: string[] };
  /** The current session (answered incoming, or placed). */
  session?: Session;
  byes: number;
}

async function phone(username: string, opts: { answer?: boolean; reject?: number } = {}): Promise<Phone> {
  const creds = await h.t.sipCredentials(username);
  const seen = { offers: [] as string[] };
  const incoming: InvitationT[] = [];
  let me: Phone;
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${creds.extension}@callmark.local`)!,
    authorizationUsername: creds.extension,
    authorizationPassword: creds.password,
    transportOptions: { server: h.t.wsUrl },
    sessionDescriptionHandlerFactory: multiLineSdh(seen),
    logLevel: 'error',
    logBuiltinEnabled: false,
    delegate: {
      onInvite: (inv) => {
        incoming.push(inv);
        void inv.progress().catch(() => {});
        if (opts.reject) void inv.reject({ statusCode: opts.reject });
        else if (opts.answer !== false) {
          me.session = inv;
          watchBye(me, inv);
          setTimeout(() => void inv.accept().catch(() => {}), 50);
        }
      },
    },
  });
  await ua.start();
  const registerer = new Registerer(ua, { expires: 300 });
  me = {
    ua,
    registerer,
    incoming,
    extension: creds.extension,
    seen,
    byes: 0,
    register: () =>
      new Promise<void>((resolve, reject) => {
        registerer.stateChange.addListener((s) => s === RegistererState.Registered && resolve());
        void registerer.register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } }).catch(reject);
      }),
    stop: async () => {
      await ua.stop().catch(() => {});
    },
  };
  h.uas.push(me);
  await me.register();
  return me;
}

function watchBye(p: Phone, s: Session): void {
  s.delegate = {
    ...s.delegate,
    onBye: (bye) => {
      p.byes++;
      void bye.accept();
    },
  };
}

async function call(from: Phone, to: Phone): Promise<void> {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!);
  from.session = inviter;
  watchBye(from, inviter);
  await inviter.invite();
  await until(() => inviter.state === SessionState.Established && to.session?.state === SessionState.Established);
}

/** Sends REFER from the party's session; resolves with the sipfrag status lines of the NOTIFYs up to the final one. */
function refer(from: Phone, targetExt: string, kind: 'blind' | 'conference' = 'blind'): Promise<{ accepted: number; frags: string[] }> {
  return new Promise((resolve, reject) => {
    const frags: string[] = [];
    let accepted = 0;
    const target = UserAgent.makeURI(`sip:${targetExt}@callmark.local`)!;
    const timer = setTimeout(() => reject(new Error(`no final NOTIFY; got ${frags.join(' | ')}`)), 8000);
    void from.session!.refer(target, {
      requestOptions: kind === 'conference' ? { extraHeaders: ['X-Callmark-Refer: conference'] } : undefined,
      requestDelegate: {
        onAccept: (r) => (accepted = r.message.statusCode ?? 0),
        onReject: (r) => {
          clearTimeout(timer);
          resolve({ accepted: r.message.statusCode ?? 0, frags });
        },
      },
      onNotify: (n) => {
        void n.accept();
        frags.push(n.request.body.trim());
        if (/terminated/i.test(n.request.getHeader('Subscription-State') ?? '')) {
          clearTimeout(timer);
          resolve({ accepted, frags });
        }
      },
    });
  });
}

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const events = (id: string) => h.t.repos.calls.events(id);
const eventTypes = (id: string) => events(id).map((e) => e.type);
const ssrcsOf = (sdp: string) => sdpTransform.parse(sdp).media.map((m) => (m.port === 0 ? 'rejected' : m.ssrcs?.[0]?.id ?? null));

describe('blind transfer (REFER)', () => {
  it('connects the caller to the target, re-offers the caller the target’s SSRC and ends the candidate’s leg', async () => {
    const candidate = await phone('candidate1');
    const target = await phone('supervisor1');
    const caller = await phone('assessor1');
    await call(caller, candidate);
    const before = caller.seen.offers.length;

    const result = await refer(candidate, target.extension);
    expect(result.accepted).toBe(202);
    expect(result.frags).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
    // The candidate's leg ends with a BYE; the caller and the target talk on.
    await until(() => candidate.session!.state === SessionState.Terminated);
    expect(target.session?.state).toBe(SessionState.Established);
    expect(caller.session!.state).toBe(SessionState.Established);
    // The caller got a re-INVITE: one m-line, a new SSRC (the target's consumer).
    await until(() => caller.seen.offers.length > before);
    const media = h.t.app.telephony!.b2bua!;
    expect(media.activeCalls).toBe(1);
    const [newSsrc] = ssrcsOf(caller.seen.offers.at(-1)!);
    expect(newSsrc).toBeTypeOf('number');
    expect(target.incoming[0]!.request.getHeader('Referred-By')).toContain(candidate.extension);
    // The target sees the caller's identity.
    expect(target.incoming[0]!.remoteIdentity.uri.user).toBe(caller.extension);

    const id = lastCall().id;
    expect(eventTypes(id)).toEqual(expect.arrayContaining(['answered', 'transfer-requested', 'transferred']));
    // Both named as the directory has them (the replay shows "Transferred to Supervisor 1"), never as the phone said.
    expect(events(id).find((e) => e.type === 'transferred')?.detail).toMatchObject({ from: candidate.extension, to: target.extension, fromName: 'Test candidate', toName: 'Supervisor 1' });
    expect(events(id).find((e) => e.type === 'transfer-requested')?.detail).toMatchObject({ target: target.extension, targetName: 'Supervisor 1' });

    // The call goes on between caller and target; the target hanging up ends it.
    await target.session!.bye();
    await until(() => caller.session!.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
    expect(lastCall().endReason).toMatch(/^completed/);
  });

  it('a busy target: NOTIFY 486, transfer-failed, the original call intact', async () => {
    const candidate = await phone('candidate1');
    const busy = await phone('supervisor1', { reject: 486 });
    const caller = await phone('assessor1');
    await call(caller, candidate);

    const result = await refer(candidate, busy.extension);
    expect(result.frags).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here']);
    expect(candidate.session!.state).toBe(SessionState.Established);
    expect(caller.session!.state).toBe(SessionState.Established);
    const id = lastCall().id;
    expect(events(id).find((e) => e.type === 'transfer-failed')?.detail).toMatchObject({ target: busy.extension, targetName: 'Supervisor 1', status: 486 });
    expect(eventTypes(id)).not.toContain('transferred');

    // Still a working call: hold still works, hang-up ends it normally.
    await candidate.session!.bye();
    await until(() => caller.session!.state === SessionState.Terminated);
  });

  it('an unregistered target (480), an unknown extension (404) and another centre (403) fail the same way', async () => {
    const candidate = await phone('candidate1');
    const caller = await phone('assessor1');
    await call(caller, candidate);
    const offline = h.t.repos.users.findByUsernameWithHash('supervisor2')!.extension;
    const foreign = h.t.repos.users.findByUsernameWithHash('candidate2')!.extension;
    expect((await refer(candidate, offline)).frags.at(-1)).toMatch(/^SIP\/2.0 480 /);
    expect((await refer(candidate, '99999')).frags.at(-1)).toMatch(/^SIP\/2.0 404 /);
    expect((await refer(candidate, foreign)).frags.at(-1)).toMatch(/^SIP\/2.0 403 /);
    expect(events(lastCall().id).filter((e) => e.type === 'transfer-failed').map((e) => (e.detail as { status: number }).status)).toEqual([480, 404, 403]);
    // A target of the centre is named; an unknown number has no name, and another centre's user is not named in this centre's records.
    expect(events(lastCall().id).filter((e) => e.type === 'transfer-failed').map((e) => e.detail?.targetName)).toEqual(['Supervisor 2', undefined, undefined]);
    expect(candidate.session!.state).toBe(SessionState.Established);
    await caller.session!.bye();
    await until(() => candidate.session!.state === SessionState.Terminated);
  });

  it('a target who does not answer: CANCEL after the no-answer time, NOTIFY 408', async () => {
    const candidate = await phone('candidate1');
    const target = await phone('supervisor1', { answer: false });
    const caller = await phone('assessor1');
    await call(caller, candidate);
    const pending = refer(candidate, target.extension);
    // The no-answer time runs on the server's clock: moved on once the target is ringing.
    await until(() => target.incoming.length === 1);
    h.t.clock.advance(1_500);
    const result = await pending;
    expect(result.frags.at(-1)).toMatch(/^SIP\/2.0 408 /);
    await until(() => target.incoming[0]!.state === SessionState.Terminated);
    expect(candidate.session!.state).toBe(SessionState.Established);
    await caller.session!.bye();
  });
});

describe('conference', () => {
  it('adds a third party: each party gets one m-line per other party; a party leaving keeps the other two connected', async () => {
    const candidate = await phone('candidate1');
    const third = await phone('supervisor1');
    const caller = await phone('assessor1');
    await call(caller, candidate);
    const callerOffers = caller.seen.offers.length;
    const candidateOffers = candidate.seen.offers.length;

    const result = await refer(candidate, third.extension, 'conference');
    expect(result.frags).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
    // The new party was offered two audio m-lines (candidate, caller), each with its own SSRC.
    const thirdOffer = third.seen.offers[0]!;
    const thirdSsrcs = ssrcsOf(thirdOffer);
    expect(thirdSsrcs).toHaveLength(2);
    expect(new Set(thirdSsrcs).size).toBe(2);
    expect(sdpTransform.parse(thirdOffer).media.map((m) => m.direction)).toEqual(['sendrecv', 'sendonly']);
    expect(sdpTransform.parse(thirdOffer).groups?.[0]?.mids).toBe('0 1');
    // The caller and the candidate were re-offered a second m-line carrying the third party.
    await until(() => caller.seen.offers.length > callerOffers && candidate.seen.offers.length > candidateOffers);
    for (const p of [caller, candidate]) {
      const offer = sdpTransform.parse(p.seen.offers.at(-1)!);
      expect(offer.media.map((m) => m.direction)).toEqual(['sendrecv', 'sendonly']);
      expect(offer.media[1]!.ssrcs?.[0]?.id).toBeTypeOf('number');
    }
    expect(candidate.session!.state).toBe(SessionState.Established);
    const id = lastCall().id;
    expect(events(id).find((e) => e.type === 'conference-started')?.detail).toMatchObject({ party: third.extension, partyName: 'Supervisor 1', parties: 3 });

    // A second conference is refused while three are in the call.
    const again = await refer(candidate, caller.extension, 'conference');
    expect(again.accepted).toBe(403);

    // The candidate leaves: the caller and the third party stay connected.
    await candidate.session!.bye();
    await new Promise((r) => setTimeout(r, 300));
    expect(caller.session!.state).toBe(SessionState.Established);
    expect(third.session!.state).toBe(SessionState.Established);
    expect(events(id).find((e) => e.type === 'conference-party-left')?.detail).toMatchObject({ extension: candidate.extension, remaining: 2 });
    expect(lastCall().state).toBe('answered');

    // Then the caller hangs up: the third party gets the BYE and the call ends.
    await caller.session!.bye();
    await until(() => third.session!.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
  });

  it('the conference party leaving returns to a two-party call that a hang-up ends', async () => {
    const candidate = await phone('candidate1');
    const third = await phone('supervisor1');
    const caller = await phone('assessor1');
    await call(caller, candidate);
    await refer(candidate, third.extension, 'conference');
    await third.session!.bye();
    await until(() => eventTypes(lastCall().id).includes('conference-party-left'));
    expect(events(lastCall().id).find((e) => e.type === 'conference-party-left')).toMatchObject({ leg: null, detail: { party: true, extension: third.extension } });
    // A transfer works again now that the call has two parties.
    expect(candidate.session!.state).toBe(SessionState.Established);
    await caller.session!.bye();
    await until(() => candidate.session!.state === SessionState.Terminated);
    await until(() => lastCall().state === 'ended');
  });
});
