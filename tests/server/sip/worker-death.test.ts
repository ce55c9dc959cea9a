// Fault: one of two mediasoup workers dies. Its call ends with a reason; the call on the other
// worker goes on untouched and ends normally with its recording; the dead worker is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { answeringPhone, Inviter, SessionState, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { createTestApp, PASSWORD, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

let pool: MediaWorkerPool;
let t: TestApp;
const uas: TestUa[] = [];

beforeAll(async () => {
  // Spread (fillRouters 0), so that the two calls land on different workers.
  pool = await MediaWorkerPool.start({ workers: 2, rtcMinPort: 46700, rtcMaxPort: 46899, fillRouters: 0 });
  t = await createTestApp({ telephony: { pool } });
  const hash = await hashPassword(PASSWORD);
  for (const [username, role] of [['assessor2', 'assessor'], ['candidate3', 'candidate']] as const) {
    t.repos.users.create({ username, displayName: username, role, centreId: t.centreId, passwordHash: hash });
  }
});
afterAll(async () => {
  for (const u of uas) await u.stop();
  await t?.close();
  await pool?.close();
});

/** How long a condition here may take: real calls, media workers and processes. */
const WAIT_MS = 10_000;

const phone = (who: string) => answeringPhone(t, who, uas);

async function call(from: TestUa, to: string): Promise<{ inviter: InstanceType<typeof Inviter>; id: string }> {
  const before = new Set(t.repos.calls.list({ limit: 20 }).map((c) => c.id));
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to}@callmark.local`)!);
  await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
  const id = t.repos.calls.list({ limit: 20 }).find((c) => !before.has(c.id))!.id;
  await until(() => t.repos.calls.find(id)!.recordingStatus === 'recording', WAIT_MS);
  return { inviter, id };
}

describe('a media worker dies', () => {
  it('ends only its own calls; the other worker’s call continues and is recorded', async () => {
    const a = await call(await phone('assessor1'), (await phone('candidate1')).extension);
    const b = await call(await phone('assessor2'), (await phone('candidate3')).extension);
    // Least-loaded placement put the two calls on different workers.
    expect(pool.health().workers.map((w) => w.routers)).toEqual([1, 1]);

    // Kill the worker of call A: which one it is, the test finds by killing worker 0 and seeing.
    process.kill(pool.health().workers[0]!.pid, 'SIGKILL');
    await until(() => [a, b].some((c) => t.repos.calls.find(c.id)!.state === 'ended'), WAIT_MS);
    const [dead, alive] = t.repos.calls.find(a.id)!.state === 'ended' ? [a, b] : [b, a];
    expect(t.repos.calls.find(dead.id)!.endReason).toBe('ended-by-server: media worker died');
    await until(() => pool.health().replacements === 1 && pool.health().workers.every((w) => w.alive), WAIT_MS);

    // The other call is still up; it ends normally, with a complete recording.
    await new Promise((r) => setTimeout(r, 500));
    expect(t.repos.calls.find(alive.id)!.state).toBe('answered');
    expect(alive.inviter.state).toBe(SessionState.Established);
    await alive.inviter.bye();
    await until(() => t.repos.calls.find(alive.id)!.recordingStatus === 'complete', WAIT_MS);
    expect(t.repos.calls.find(alive.id)!.endReason).toMatch(/^completed/);
  }, 40_000);
});
