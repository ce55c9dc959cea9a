// The analysis job and the metrics and peaks routes over a recorded call with a known schedule:
// left (candidate) talks 0–3 s and 7–8 s, right 2–5 s and 7–8 s, the candidate holds 5–7 s. The
// job analyses it once when its hash is stored; the metrics give talk, silence, overtalk within
// 0.3 s and the hold where it was; a crash-like restart redoes only what has no row.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisJob } from '../../server/analysis/job.js';
import type { AttemptMetrics } from '../../server/protocol/moderation.js';
import { ISSUE_SCHEDULE, writeScheduledOgg } from '../media/analysis-fixture.js';
import { createTestApp, type Login, type TestApp } from '../support/test-app.js';

const TOLERANCE_MS = 300;
let t: TestApp;
let job: AnalysisJob;
let assessor: Login;
let attemptId: string;
const callId = randomUUID();
let answeredAt = 0;

function recordedCall(id: string, file: string, invitedAt: number): void {
  t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: '1001', calleeExtension: '1002', candidateUserId: t.users.candidate, invitedAt });
  t.repos.calls.update(id, { state: 'answered', ringingAt: invitedAt + 200, answeredAt: invitedAt + 1700, recordingPath: file, recordingStatus: 'recording', recordingStartedAt: invitedAt + 1700 });
}

function finalise(id: string, file: string, endedAt: number): void {
  const bytes = fs.readFileSync(file);
  t.repos.calls.update(id, { state: 'ended', endedAt });
  t.repos.calls.update(id, { recordingStatus: 'complete', recordingSha256: createHash('sha256').update(bytes).digest('hex'), recordingBytes: bytes.length, recordingDurationMs: 8000 });
}

beforeAll(async () => {
  t = await createTestApp();
  job = new AnalysisJob({ repos: t.repos, clock: t.clock, pauseMs: 0 });
  t.repos.calls.onRecordingHashed(() => job.notify());
  assessor = await t.loginAs('assessor');
  const now = t.clock.now();
  attemptId = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKey: 's1' }, now).id;
  const dir = path.join(t.dir, 'recordings');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${callId}.ogg`);
  writeScheduledOgg(file, ISSUE_SCHEDULE);
  recordedCall(callId, file, now + 1000);
  answeredAt = now + 2700;
  // The candidate (callee) holds from 5 s to 7 s into the call; the assessor's own hold is not theirs.
  t.repos.calls.addEvent(callId, answeredAt + 5000, 'hold', 'callee');
  t.repos.calls.addEvent(callId, answeredAt + 5500, 'hold', 'caller');
  t.repos.calls.addEvent(callId, answeredAt + 5600, 'resume', 'caller');
  t.repos.calls.addEvent(callId, answeredAt + 7000, 'resume', 'callee');
  finalise(callId, file, answeredAt + 8000);
  // Wrapped up 4 s after the call ended.
  t.repos.attemptEvents.append(attemptId, randomUUID(), { at: answeredAt + 12_000, clientAt: null, callId: null, offsetMs: null, type: 'wrap-up', payload: { outcome: 'resolved' }, source: 'server' });
  await job.idle();
});
afterAll(async () => {
  await job?.stop();
  await t?.close();
});

describe('recording analysis job', () => {
  it('analysed the recording once, when its hash was stored', () => {
    const a = t.repos.recordingAnalysis.find(callId)!;
    expect(a).toMatchObject({ status: 'done', analyserVersion: 1, channels: 2, peaksPerSecond: 50, recordingSha256: t.repos.calls.find(callId)!.recordingSha256 });
    expect(job.processed).toBe(1);
    expect(t.repos.recordingAnalysis.pending(1)).toEqual([]);
  });

  it('gives the call metrics of the attempt within tolerance, with the hold in the right place', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/metrics`, headers: { cookie: assessor.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const m = res.json<AttemptMetrics>();
    expect(m.calls).toHaveLength(1);
    const c = m.calls[0]!;
    expect(c.analysis.status).toBe('done');
    expect(c.timeToAnswerMs).toBe(1500);
    expect(Math.abs(c.candidateTalkMs! - 4000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(c.otherTalkMs! - 4000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(c.silenceMs! - 2000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(c.overtalkMs! - 2000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(c.holdCount).toBe(1);
    expect(c.longestHoldMs).toBe(2000);
    expect(c.holds[0]).toMatchObject({ fromMs: 5000, toMs: 7000, endedBy: 'resume' });
    // The hold sits in the recording's silent stretch (neither party talks from 5 s to 7 s).
    const segs = t.repos.recordingAnalysis.find(callId)!.segments!;
    const talking = [...segs.left, ...segs.right].some(([a, b]) => a < 7000 - TOLERANCE_MS && b > 5000 + TOLERANCE_MS);
    expect(talking).toBe(false);
    expect(c.wrapUpMs).toBe(4000);
    expect(c.handleTimeMs).toBe(8000 + 4000);
    expect(m.totals).toMatchObject({ calls: 1, holdCount: 1, longestHoldMs: 2000, handleTimeMs: 12_000, wrapUpMs: 4000 });
  });

  it('serves the peaks as bytes and as JSON', async () => {
    const bin = await t.app.inject({ method: 'GET', url: `/api/calls/${callId}/peaks`, headers: { cookie: assessor.cookie } });
    expect(bin.statusCode, bin.body).toBe(200);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    expect(bin.headers['x-peaks-per-second']).toBe('50');
    expect(bin.headers['x-peaks-channels']).toBe('2');
    expect(Math.abs(bin.rawPayload.length - 800)).toBeLessThanOrEqual(4);
    const json = (await t.app.inject({ method: 'GET', url: `/api/calls/${callId}/peaks?format=json`, headers: { cookie: assessor.cookie } })).json<{ left: number[]; right: number[] }>();
    expect(json.left).toHaveLength(bin.rawPayload.length / 2);
    expect(json.left[50]).toBeGreaterThan(60); // 1 s: left talks
    expect(json.right[50]).toBeLessThan(5);
    expect(json.right[200]).toBeGreaterThan(60); // 4 s: right talks
  });

  it('hides metrics and peaks from another centre\'s assessor, like an unknown id', async () => {
    t.addUser({ username: 'assessor-far', displayName: 'Far', role: 'assessor', centre: 'foreign' });
    const far = await t.login('assessor-far');
    expect((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/metrics`, headers: { cookie: far.cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/calls/${callId}/peaks`, headers: { cookie: far.cookie } })).statusCode).toBe(404);
  });

  it('after a restart analyses only what has no row, and stores a failure once instead of retrying it forever', async () => {
    const dir = path.join(t.dir, 'recordings');
    const second = randomUUID();
    const broken = randomUUID();
    const secondFile = path.join(dir, `${second}.ogg`);
    const brokenFile = path.join(dir, `${broken}.ogg`);
    writeScheduledOgg(secondFile, { left: [[0, 1]], right: [], seconds: 2 });
    fs.writeFileSync(brokenFile, 'OggS not audio');
    // Finalised while no job was listening (as if the server died before analysing them).
    const quiet = new AnalysisJob({ repos: t.repos, clock: t.clock, pauseMs: 0 });
    for (const [id, file] of [[second, secondFile], [broken, brokenFile]] as const) {
      t.repos.db.prepare('INSERT INTO calls (id, centre_id, caller_extension, callee_extension, state, invited_at, recording_path, recording_status, recording_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, t.centreId, '1', '2', 'ended', t.clock.now(), file, 'complete', 'cd'.repeat(32));
    }
    expect(t.repos.recordingAnalysis.pending(1).map((p) => p.callId).sort()).toEqual([second, broken].sort());
    quiet.start();
    await quiet.idle();
    expect(quiet.processed).toBe(2);
    expect(t.repos.recordingAnalysis.find(second)).toMatchObject({ status: 'done', leftTalkMs: expect.any(Number) });
    expect(t.repos.recordingAnalysis.find(broken)).toMatchObject({ status: 'failed', error: expect.stringMatching(/ffmpeg could not decode/) });
    const peaks = await t.app.inject({ method: 'GET', url: `/api/calls/${broken}/peaks`, headers: { cookie: assessor.cookie } });
    expect(peaks.statusCode).toBe(409);
    // Nothing left: a second start does no work.
    const again = new AnalysisJob({ repos: t.repos, clock: t.clock, pauseMs: 0 });
    again.start();
    await again.idle();
    expect(again.processed).toBe(0);
  });

  it('stops cleanly in the middle of an analysis and leaves no row for it', async () => {
    const id = randomUUID();
    const file = path.join(t.dir, 'recordings', `${id}.ogg`);
    writeScheduledOgg(file, { left: [[0, 1]], right: [], seconds: 2 });
    t.repos.db.prepare('INSERT INTO calls (id, centre_id, caller_extension, callee_extension, state, invited_at, recording_path, recording_status, recording_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, t.centreId, '1', '2', 'ended', t.clock.now(), file, 'complete', 'ef'.repeat(32));
    let started!: () => void;
    const begun = new Promise<void>((r) => (started = r));
    const slow = new AnalysisJob({
      repos: t.repos,
      clock: t.clock,
      analyse: (_file, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    });
    slow.start();
    await begun;
    await slow.stop();
    expect(t.repos.recordingAnalysis.find(id)).toBeUndefined();
  });
});
