// The acceptance test over a real recording: two tone generators play the parties through
// mediasoup into the CallRecorder (as in a call), paused and resumed on the schedule — left
// (candidate) 0–3 s, right 2–5 s, both held 5–7 s, both 7–8 s — then the finalised recording's
// hash enters the attempt's chain and the analysis job measures it; the metrics give talk, silence
// and overtalk within 0.3 s and the hold where it happened.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRecorder, MediaWorkerPool } from '../../media/index.js';
import { AnalysisJob } from '../../server/analysis/job.js';
import type { AttemptMetrics } from '../../server/protocol/moderation.js';
import { RECORDING_FINALISED } from '../../server/moderation/recording-chain.js';
import { startToneProducer, type ToneProducer } from '../support/rtp-tone.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { sleep } from '../support/until.js';

const TOLERANCE_MS = 300;

let pool: MediaWorkerPool;
let router: ms.Router;
let tones: ToneProducer[] = [];
let t: TestApp;
let job: AnalysisJob;

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 47000, rtcMaxPort: 47399 });
  const slot = pool.acquire();
  router = await slot.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }] });
  t = await createTestApp();
  job = new AnalysisJob({ repos: t.repos, clock: t.clock, pauseMs: 0 });
  t.repos.calls.onRecordingHashed(() => job.notify());
});
afterAll(async () => {
  for (const tone of tones) await tone.stop();
  router?.close();
  await pool?.close();
  await job?.stop();
  await t?.close();
});

describe('analysis of a real recording', () => {
  it('measures the tone schedule and places the hold', async () => {
    const left = await startToneProducer(router, 440, { paused: true, maxSeconds: 30 });
    const right = await startToneProducer(router, 660, { paused: true, maxSeconds: 30 });
    tones = [left, right];
    const callId = randomUUID();
    const dir = path.join(t.dir, 'recordings');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${callId}.ogg`);
    const attemptId = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 's1' }, t.clock.now()).id;
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: '1001', calleeExtension: '1002', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });

    const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file });
    const t0 = rec.startedAt;
    t.repos.calls.update(callId, { state: 'answered', answeredAt: t0, recordingPath: file, recordingStatus: 'recording', recordingStartedAt: t0 });
    // Each step at its scheduled time from the recording's t=0 (wall clock).
    const step = async (atS: number, fn: () => Promise<unknown>) => {
      await sleep(Math.max(0, t0 + atS * 1000 - Date.now()));
      await fn();
    };
    await step(0, () => left.resume());
    await step(2, () => right.resume());
    await step(3, () => left.pause());
    await step(5, async () => {
      await right.pause();
      t.repos.calls.addEvent(callId, Date.now(), 'hold', 'callee');
    });
    await step(7, async () => {
      t.repos.calls.addEvent(callId, Date.now(), 'resume', 'callee');
      await Promise.all([left.resume(), right.resume()]);
    });
    await step(8, () => Promise.all([left.pause(), right.pause()]));
    const result = await rec.stop();
    t.repos.calls.update(callId, { state: 'ended', endedAt: Date.now() });
    t.repos.calls.update(callId, { recordingStatus: 'complete', recordingSha256: result.sha256, recordingDurationMs: result.durationMs, recordingBytes: result.bytes });
    await job.idle();

    // The recording's hash is in the attempt's chain.
    const chained = t.repos.attemptEvents.list(attemptId).find((e) => e.type === RECORDING_FINALISED);
    expect(chained?.payload.sha256).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));

    const login = await t.loginAs('moderator');
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/metrics`, headers: { cookie: login.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json<AttemptMetrics>().calls[0]!;
    expect(c.analysis.status).toBe('done');
    const near = (actual: number | null, expected: number) => expect(Math.abs(actual! - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE_MS);
    near(c.candidateTalkMs, 4000);
    near(c.otherTalkMs, 4000);
    near(c.overtalkMs, 2000);
    // Silence: 5–7 s, plus whatever the recording holds after 8 s before it stopped.
    const analysed = t.repos.recordingAnalysis.find(callId)!;
    near(c.silenceMs, 2000 + Math.max(0, analysed.durationMs! - 8000));
    expect(c.holdCount).toBe(1);
    near(c.holds[0]!.fromMs, 5000);
    near(c.holds[0]!.toMs, 7000);
  }, 60_000);
});
