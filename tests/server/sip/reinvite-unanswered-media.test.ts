// A re-INVITE whose media step the worker never answers (the process stopped with SIGSTOP: alive,
// its channel open, silent). mediasoup 3.12 waits for ever, and every later step of the call queues
// behind the one waiting, so before the bound the phone's re-INVITE got no final response at all
// until its own transaction gave up after 32 s. Now: a 500 with Retry-After within the bound, a
// warning naming the step and the call, and the call's later hold and resume work once the worker
// answers again.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { answeringPhone, Inviter, SessionState, UserAgent, type Session, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { dial, tonePhone, type TonePhone } from '../../support/tone-phone.js';
import { sleep, until } from '../../support/until.js';

const BOUND_MS = 1_000;
let pool: MediaWorkerPool;
let t: TestApp;
const uas: TestUa[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
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
  while (cleanups.length) await cleanups.pop()!();
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0, 10_000, 'every call to end');
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

/** A hold (or resume) re-INVITE from the caller; resolves with the final response's status and Retry-After. */
function reinvite(caller: Session, hold: boolean): Promise<{ status: number; retryAfter: string | undefined }> {
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

  // The resume's answer needs nothing of the worker while the call is held (the consumers are
  // paused either way), so it used to be answered 200 before the hold was lifted: when lifting it
  // then went unanswered, the phone said "Connected", the timeline had a resume, and the media stayed
  // held. The resume is now refused like a hold, the call staying held on the phone, in the events
  // and in the media, and the worker's late answer does not lift the hold behind the call's back.
  it('refuses a resume whose lifting the worker does not answer: the call stays held, a later resume works', async () => {
    const candidate = await tonePhone(t, 'candidate', 440, cleanups);
    const assessor = await tonePhone(t, 'assessor', 880, cleanups);
    await dial(assessor, candidate);
    const call = t.repos.calls.list({ limit: 1 })[0]!;
    await until(() => t.repos.calls.find(call.id)!.recordingStatus === 'recording', 10_000, 'the recording to start');
    const phones = [assessor, candidate];
    await until(async () => (await Promise.all(phones.map((p) => packetsOver(p, 300)))).every((n) => n > 0), 10_000, 'audio both ways');
    const holdsAndResumes = () => t.repos.calls.events(call.id).filter((e) => e.type === 'hold' || e.type === 'resume').map((e) => e.type);

    // The caller holds, the worker answering: nothing reaches either phone.
    expect((await reinvite(assessor.session!, true)).status).toBe(200);
    await until(() => holdsAndResumes().length === 1, 5_000, 'the hold event');
    await untilNoInviteInProgress(candidate); // the server's re-INVITE telling the candidate
    await until(async () => (await Promise.all(phones.map((p) => packetsOver(p, 500)))).every((n) => n === 0), 5_000, 'the media to be held');

    stopped = pool.health().workers[0]!.pid;
    process.kill(stopped, 'SIGSTOP');
    logLines.length = 0;
    const started = Date.now();
    const refused = await reinvite(assessor.session!, false);
    expect(refused).toEqual({ status: 500, retryAfter: '5' });
    expect(Date.now() - started).toBeLessThan(BOUND_MS + 2_000);
    const warning = logLines.find((l) => l.msg === 're-INVITE refused');
    expect(warning, JSON.stringify(logLines)).toBeDefined();
    expect(warning!.callId).toBe(call.id);
    expect(warning!.mediaStep).toBe('answerReoffer (caller leg)');
    expect(warning!.mediaRequest).toMatch(/^(consumer|producer)\.resume$/);
    // Still held for the marking: no resume on the call's timeline.
    expect(holdsAndResumes()).toEqual(['hold']);

    // The worker answers again, the request it was sent included: the media stays held.
    process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    await sleep(500);
    expect(await Promise.all(phones.map((p) => packetsOver(p, 1_500)))).toEqual([0, 0]);
    expect(holdsAndResumes()).toEqual(['hold']);

    // The phone tries again: the resume is taken, the candidate told, and both hear each other.
    expect((await reinvite(assessor.session!, false)).status).toBe(200);
    expect(holdsAndResumes()).toEqual(['hold', 'resume']);
    await until(async () => (await Promise.all(phones.map((p) => packetsOver(p, 300)))).every((n) => n > 0), 10_000, 'audio both ways again');
    await untilNoInviteInProgress(candidate);
    await assessor.session!.bye();
  }, 60_000);
});

/** RTP packets `phone` receives over the next `ms`. */
async function packetsOver(phone: TonePhone, ms: number): Promise<number> {
  const before = phone.tone.packetsReceived();
  await sleep(ms);
  return phone.tone.packetsReceived() - before;
}

/** sip.js's core dialog (SessionDialog) holds the INVITE transactions in progress; its API type does not show them. */
async function untilNoInviteInProgress(phone: TonePhone): Promise<void> {
  const dialog = () => phone.session!.dialog as unknown as { reinviteUserAgentServer?: unknown; reinviteUserAgentClient?: unknown } | undefined;
  await until(() => dialog() !== undefined && dialog()!.reinviteUserAgentServer === undefined && dialog()!.reinviteUserAgentClient === undefined, 10_000, 'no INVITE in progress');
}
