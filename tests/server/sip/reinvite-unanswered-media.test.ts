// A re-INVITE whose media step the worker never answers (the process stopped with SIGSTOP: alive,
// its channel open, silent). mediasoup 3.12 waits for ever, and every later step of the call queues
// behind the one waiting, so before the bound the phone's re-INVITE got no final response at all
// until its own transaction gave up after 32 s. Now: a 500 with Retry-After within the bound, a
// warning naming the step and the call, and the call's later hold and resume work once the worker
// answers again.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { answeringPhone, Inviter, SessionState, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const BOUND_MS = 1_000;
let pool: MediaWorkerPool;
let t: TestApp;
const uas: TestUa[] = [];
const logLines: Array<Record<string, unknown>> = [];
let stopped: number | undefined;

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 47500, rtcMaxPort: 47599 });
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  t = await createTestApp({ telephony: { pool, mediaRequestTimeoutMs: BOUND_MS }, logger: { level: 'warn', stream } });
});
afterEach(async () => {
  if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
  stopped = undefined;
  for (const u of uas.splice(0)) await u.stop();
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

/** A hold (or resume) re-INVITE from the caller; resolves with the final response's status and Retry-After. */
function reinvite(caller: InstanceType<typeof Inviter>, hold: boolean): Promise<{ status: number; retryAfter: string | undefined }> {
  caller.sessionDescriptionHandlerOptionsReInvite = { hold } as never;
  return new Promise((resolve, reject) => {
    caller
      .invite({
        requestDelegate: {
          onAccept: (r) => resolve({ status: r.message.statusCode ?? 0, retryAfter: r.message.getHeader('Retry-After') }),
          onReject: (r) => resolve({ status: r.message.statusCode ?? 0, retryAfter: r.message.getHeader('Retry-After') }),
        },
      })
      .catch(reject);
  });
}

describe('a re-INVITE while the media worker does not answer', () => {
  it('is refused with 500 and Retry-After within the bound, logged with its step and call; later steps run', async () => {
    const assessor = await answeringPhone(t, 'assessor', uas);
    const candidate = await answeringPhone(t, 'candidate', uas);
    const caller = new Inviter(assessor.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    await new Promise<void>((resolve, reject) => void caller.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    await until(() => caller.state === SessionState.Established);
    const call = t.repos.calls.list({ limit: 1 })[0]!;
    await until(() => t.repos.calls.find(call.id)!.recordingStatus === 'recording', 10_000, 'the recording to start');

    stopped = pool.health().workers[0]!.pid;
    process.kill(stopped, 'SIGSTOP');
    const refused = await reinvite(caller, true);
    expect(refused).toEqual({ status: 500, retryAfter: '5' });
    const warning = logLines.find((l) => l.msg === 're-INVITE refused');
    expect(warning, JSON.stringify(logLines)).toBeDefined();
    expect(warning!.callId).toBe(call.id);
    expect(warning!.mediaStep).toBe('answerReoffer (caller leg)');
    expect(warning!.mediaRequest).toBe('consumer.pause');
    expect(String((warning!.err as { message: string }).message)).toContain('did not answer consumer.pause within 1000 ms');
    // Nothing was held: the re-INVITE failed, so the call is as it was (RFC 3261 §14.1).
    expect(t.repos.calls.events(call.id).map((e) => e.type)).not.toContain('hold');

    // The worker answers again: the same call's next hold and resume are taken.
    process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    expect((await reinvite(caller, true)).status).toBe(200);
    await until(() => t.repos.calls.events(call.id).some((e) => e.type === 'hold'), 5_000, 'the hold event');
    expect((await reinvite(caller, false)).status).toBe(200);
    await until(() => t.repos.calls.events(call.id).some((e) => e.type === 'resume'), 5_000, 'the resume event');
    await caller.bye();
    await until(() => t.app.telephony!.b2bua!.activeCalls === 0, 10_000, 'the call to end');
  }, 30_000);
});
