// A registered sip.js phone whose microphone is a steady tone (a werift peer, real WebRTC media):
// it answers every call it is offered. Used where a test needs real audio through the B2BUA.
import type { Invitation, Session } from 'sip.js';
import { Inviter, Registerer, RegistererState, SessionState, UserAgent } from './sip-clients.js';
import type { TestApp } from './test-app.js';
import { until } from './until.js';
import { startTonePeer, type TonePeer } from './webrtc-party.js';

export interface TonePhone {
  ua: InstanceType<typeof UserAgent>;
  extension: string;
  tone: TonePeer;
  session?: Session;
}

/** Registers `username`'s phone sending `hz`; its stop is pushed onto `cleanups`. */
export async function tonePhone(t: TestApp, username: string, hz: number, cleanups: Array<() => Promise<unknown>>): Promise<TonePhone> {
  const creds = await t.sipCredentials(username);
  const tone = await startTonePeer(hz);
  const me = { extension: creds.extension, tone } as TonePhone;
  me.ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${creds.extension}@callmark.local`)!,
    authorizationUsername: creds.extension,
    authorizationPassword: creds.password,
    transportOptions: { server: t.wsUrl },
    sessionDescriptionHandlerFactory: tone.factory,
    logLevel: 'error',
    logBuiltinEnabled: false,
    delegate: {
      onInvite: (inv: Invitation) => {
        me.session = inv;
        void inv.accept().catch(() => {});
      },
    },
  });
  cleanups.push(async () => {
    await me.ua.stop().catch(() => {});
    await tone.stop();
  });
  await me.ua.start();
  const registerer = new Registerer(me.ua, { expires: 300 });
  await new Promise<void>((resolve, reject) => {
    registerer.stateChange.addListener((s) => s === RegistererState.Registered && resolve());
    void registerer.register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } }).catch(reject);
  });
  return me;
}

/**
 * A REFER (RFC 3515) from `from`'s session to `to`: a blind transfer, or with `conference` the
 * server's conference; resolves on the final NOTIFY's 200 and rejects on any other final status.
 */
export function referAndWait(from: TonePhone, to: TonePhone, kind: 'blind' | 'conference' = 'blind'): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final NOTIFY for the REFER')), 10_000);
    void from.session!.refer(UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!, {
      requestOptions: kind === 'conference' ? { extraHeaders: ['X-Callmark-Refer: conference'] } : undefined,
      onNotify: (n) => {
        void n.accept();
        if (/terminated/i.test(n.request.getHeader('Subscription-State') ?? '')) {
          clearTimeout(timer);
          if (/^SIP\/2\.0 200 /.test(n.request.body.trim())) resolve();
          else reject(new Error(`REFER failed: ${n.request.body.trim()}`));
        }
      },
    });
  });
}

/** `from` calls `to` (which answers every call) and waits until both ends are established. */
export async function dial(from: TonePhone, to: TonePhone): Promise<void> {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!);
  from.session = inviter;
  await inviter.invite();
  await until(() => inviter.state === SessionState.Established && to.session?.state === SessionState.Established, 10_000);
}
