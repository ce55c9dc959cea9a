// Ending a call whose recorder never finishes starting. Ending a call waits for a recorder still
// starting (it finalises itself once started, so a call hung up right after its answer keeps its
// recording); but a recorder whose start never settles must not hold the end for ever: the call
// stays in the B2BUA, its agents stay busy and the next queued call is never offered.
//
// The hang is real, not mocked: the call's media worker (a real mediasoup process) is stopped
// (SIGSTOP) at the exact moment the B2BUA starts the recorder. A SQLite trigger on the UPDATE that
// marks the call's recording as 'recording' (call-recording.ts, just before CallRecorder.start) calls
// a function of this test that stops the worker, so the recorder's first request to the worker
// (creating its transport) is never answered; mediasoup puts no time limit on a request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORDING_START_WAIT_MS } from '../../../server/sip/b2bua.js';
import { Inviter, registeredPhone, SessionState, UserAgent } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [48300, 48349] });

let stoppedWorker: number | undefined;
beforeEach(() => {
  h.t.repos.db.function('stop_media_worker', () => {
    stoppedWorker = h.pool.health().workers[0]!.pid;
    process.kill(stoppedWorker, 'SIGSTOP');
    return null;
  });
  h.t.repos.db.exec(`CREATE TRIGGER stop_worker_at_recording_start AFTER UPDATE OF recording_status ON calls
    WHEN NEW.recording_status = 'recording' BEGIN SELECT stop_media_worker(); END`);
});
afterEach(() => {
  h.t.repos.db.exec('DROP TRIGGER IF EXISTS stop_worker_at_recording_start');
  if (stoppedWorker !== undefined) process.kill(stoppedWorker, 'SIGCONT');
  stoppedWorker = undefined;
});

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const events = () => h.t.repos.calls.events(lastCall().id);

const phone = (who: string, onInvite?: Parameters<typeof registeredPhone>[3]) => registeredPhone(h.t, who, h.uas, onInvite);

describe('a call whose recorder never finishes starting', { timeout: RECORDING_START_WAIT_MS + 40_000 }, () => {
  it('ends after a bounded wait: the failed step stored as end-step-failed, the other steps still run, the agents free', async () => {
    const candidate = await phone('candidate1', (inv) => void inv.accept());
    const assessor = await phone('assessor1');
    const inviter = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    // The recorder is starting, its worker stopped under it.
    await until(() => stoppedWorker !== undefined && lastCall().recordingStatus === 'recording', 10_000);

    await inviter.bye();
    await until(() => candidate.incoming[0]!.state === SessionState.Terminated, 10_000);
    // The end goes on without the recorder (the worker is still stopped).
    await until(() => events().some((e) => e.type === 'end-step-failed'), RECORDING_START_WAIT_MS + 20_000);
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0, 10_000);

    const failed = events().find((e) => e.type === 'end-step-failed');
    expect(failed?.detail).toMatchObject({ step: 'let the recording start', message: expect.stringMatching(/did not start within/) as unknown });
    expect(lastCall().state).toBe('ended');
    expect(h.t.app.telephony!.b2bua!.isBusy(candidate.extension)).toBe(false);
    expect(h.t.app.telephony!.b2bua!.isBusy(assessor.extension)).toBe(false);

    // Once the worker runs again the recorder's start fails on the media already freed: the
    // recording of the call is stored as failed, with its reason, never left 'recording'.
    process.kill(stoppedWorker!, 'SIGCONT');
    stoppedWorker = undefined;
    await until(() => lastCall().recordingStatus === 'failed', 10_000);
    expect(events().map((e) => e.type)).toContain('recording-failed');
  });
});
