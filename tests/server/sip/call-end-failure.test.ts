// Ending a call when a step of ending it fails. The database refuses to store the end (a SQLite
// trigger raises on the one UPDATE that marks a call ended, as a full or failing disk would): the
// B2BUA's handlers that end a call without awaiting it (BYE, CANCEL, a lost connection, no answer)
// must not leave a rejected promise behind, and the rest of the end still happens: both legs are
// ended, the recording is finalised, the media freed and the failure stored as a call event.
// Real sip.js phones and real mediasoup workers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Inviter, registeredPhone, SessionState, UserAgent } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47700, 47749] });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  h.t.repos.db.exec(`CREATE TRIGGER refuse_call_end BEFORE UPDATE OF state ON calls WHEN NEW.state = 'ended'
    BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected by the test)'); END`);
});
afterEach(() => {
  h.t.repos.db.exec('DROP TRIGGER IF EXISTS refuse_call_end');
  process.off('unhandledRejection', onUnhandled);
});

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const eventTypes = () => h.t.repos.calls.events(lastCall().id).map((e) => e.type);
/** A macrotask later: a rejection nobody handled has been reported by then. */
const settle = () => new Promise((r) => setTimeout(r, 50));

const phone = (who: string, onInvite?: Parameters<typeof registeredPhone>[3]) => registeredPhone(h.t, who, h.uas, onInvite);

describe('a call whose end cannot be stored', { timeout: 40_000 }, () => {
  it('hung up: BYE to the other leg, recording finalised, media freed, the failure recorded, no unhandled rejection', async () => {
    const candidate = await phone('candidate1', (inv) => void inv.accept());
    const assessor = await phone('assessor1');
    const inviter = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    await until(() => eventTypes().includes('recording-started'), 10_000);

    await inviter.bye();
    await until(() => candidate.incoming[0]!.state === SessionState.Terminated, 10_000);
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0, 10_000);
    await until(() => eventTypes().includes('recording-finished'), 10_000);
    await settle();

    expect(unhandled).toEqual([]);
    expect(inviter.state).toBe(SessionState.Terminated);
    expect(lastCall().recordingStatus).toBe('complete');
    const failed = h.t.repos.calls.events(lastCall().id).find((e) => e.type === 'end-step-failed');
    expect(failed?.detail).toMatchObject({ step: 'store the end', message: expect.stringMatching(/disk I\/O error/) as unknown });
    // The phones are free for the next call.
    expect(h.t.app.telephony!.b2bua!.isBusy(candidate.extension)).toBe(false);
  });

  it('cancelled while ringing: 487 to the caller, CANCEL to the callee, the call let go, no unhandled rejection', async () => {
    const candidate = await phone('candidate1');
    const assessor = await phone('assessor1');
    const inviter = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    const rejected = new Promise<number>((resolve) => void inviter.invite({ requestDelegate: { onReject: (r) => resolve(r.message.statusCode ?? 0) } }));
    await until(() => candidate.incoming.length === 1 && lastCall().state === 'ringing', 10_000);

    await inviter.cancel();
    expect(await rejected).toBe(487);
    await until(() => candidate.incoming[0]!.state === SessionState.Terminated, 10_000);
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0, 10_000);
    await settle();

    expect(unhandled).toEqual([]);
    expect(eventTypes()).toEqual(expect.arrayContaining(['cancel', 'end-step-failed']));
  });
});
