// Recording analysis against real ffmpeg: a stereo Ogg/Opus with a known tone schedule gives talk,
// silence and overtalk within 0.3 s, and peaks of the expected length and shape; the pure parts
// (voice activity, overlap) on synthetic frames.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseRecording, DEFAULT_ANALYSER, RecordingAnalyser } from '../../media/analysis/index.js';
import { ChannelVad, overlapLength } from '../../media/analysis/vad.js';
import { ISSUE_SCHEDULE, writeScheduledOgg } from './analysis-fixture.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-analysis-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TOLERANCE_MS = 300;

describe('analyseRecording (ffmpeg decode)', () => {
  it('measures talk per channel, silence and overtalk from the tone schedule', async () => {
    const file = path.join(dir, 'schedule.ogg');
    writeScheduledOgg(file, ISSUE_SCHEDULE);
    const a = await analyseRecording(file);
    expect(a.durationMs).toBeGreaterThan(7900);
    expect(a.durationMs).toBeLessThan(8100);
    // left 0–3 + 7–8 = 4 s; right 2–5 + 7–8 = 4 s; both 2–3 + 7–8 = 2 s; neither 5–7 = 2 s.
    expect(Math.abs(a.talkMs[0]! - 4000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(a.talkMs[1]! - 4000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(a.overtalkMs - 2000)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(a.silenceMs - 2000)).toBeLessThanOrEqual(TOLERANCE_MS);
    // The segments sit where the schedule put them.
    const near = (ms: number, s: number) => Math.abs(ms - s * 1000) <= TOLERANCE_MS;
    expect(a.segments[0]).toHaveLength(2);
    expect(a.segments[1]).toHaveLength(2);
    const [l1, l2] = a.segments[0]!;
    const [r1, r2] = a.segments[1]!;
    expect(near(l1![0], 0) && near(l1![1], 3) && near(l2![0], 7) && near(l2![1], 8)).toBe(true);
    expect(near(r1![0], 2) && near(r1![1], 5) && near(r2![0], 7) && near(r2![1], 8)).toBe(true);
  });

  it('computes 50 peaks per second per channel, loud where the tone is and quiet elsewhere', async () => {
    const file = path.join(dir, 'peaks.ogg');
    writeScheduledOgg(file, ISSUE_SCHEDULE);
    const a = await analyseRecording(file);
    expect(a.peaksPerSecond).toBe(50);
    expect(a.channels).toBe(2);
    expect(Math.abs(a.frames - 400)).toBeLessThanOrEqual(2);
    expect(a.peaks.length).toBe(a.frames * 2);
    const peak = (ch: number, second: number) => a.peaks[Math.round(second * 50) * 2 + ch]!;
    // Amplitude 0.3 of full scale ≈ 76 of 255.
    expect(peak(0, 1)).toBeGreaterThan(60);
    expect(peak(0, 1)).toBeLessThan(100);
    expect(peak(1, 1)).toBeLessThan(5);
    expect(peak(1, 4)).toBeGreaterThan(60);
    expect(peak(0, 4)).toBeLessThan(5);
    expect(peak(0, 6)).toBeLessThan(5);
    expect(peak(1, 6)).toBeLessThan(5);
    expect(peak(0, 7.5)).toBeGreaterThan(60);
    expect(peak(1, 7.5)).toBeGreaterThan(60);
  });

  it('is deterministic: the same file gives the same analysis', async () => {
    const file = path.join(dir, 'same.ogg');
    writeScheduledOgg(file, { left: [[0.5, 1.5]], right: [[1, 2]], seconds: 3 });
    const [a, b] = [await analyseRecording(file), await analyseRecording(file)];
    expect(Buffer.from(a.peaks).equals(Buffer.from(b.peaks))).toBe(true);
    expect({ ...a, peaks: null }).toEqual({ ...b, peaks: null });
  });

  it('fails with ffmpeg\'s message for a file that is not audio', async () => {
    const file = path.join(dir, 'bad.ogg');
    fs.writeFileSync(file, 'OggS but not really');
    await expect(analyseRecording(file)).rejects.toThrow(/ffmpeg could not decode/);
  });
});

describe('voice activity (pure)', () => {
  const run = (dbs: number[]) => {
    const v = new ChannelVad();
    for (const d of dbs) v.push(d);
    return v.finish();
  };
  const rep = (db: number, n: number) => new Array<number>(n).fill(db);

  it('ignores a click shorter than the onset and bridges a short pause', () => {
    expect(run([...rep(-100, 10), -10, ...rep(-100, 10)])).toEqual([]);
    // 10 frames talk, 10 frames (200 ms) pause, 10 frames talk → one segment of 30 frames.
    expect(run([...rep(-100, 5), ...rep(-20, 10), ...rep(-100, 10), ...rep(-20, 10), ...rep(-100, 30)])).toEqual([[5, 35]]);
    // A 400 ms pause splits it.
    expect(run([...rep(-20, 10), ...rep(-100, 20), ...rep(-20, 10)])).toEqual([[0, 10], [30, 40]]);
  });

  it('adapts to a noise floor but keeps detecting speech over steady loud noise', () => {
    // Noise at -50 dBFS is not speech; speech at -25 over it is.
    expect(run([...rep(-50, 200), ...rep(-25, 50), ...rep(-50, 100)])).toEqual([[200, 250]]);
    // Long continuous speech does not raise the threshold above the cap.
    expect(run(rep(-25, 2000))).toEqual([[0, 2000]]);
  });

  it('overlap of segment lists', () => {
    expect(overlapLength([[0, 10], [20, 30]], [[5, 25]])).toBe(10);
    expect(overlapLength([[0, 5]], [[5, 10]])).toBe(0);
  });

  it('peaks and talk of synthetic PCM, chunked arbitrarily', () => {
    const an = new RecordingAnalyser(DEFAULT_ANALYSER);
    const rate = DEFAULT_ANALYSER.sampleRate;
    const pcm = new Int16Array(rate * 2 * 2); // 2 s stereo
    for (let i = 0; i < rate; i++) pcm[i * 2] = Math.round(16000 * Math.sin((2 * Math.PI * 300 * i) / rate)); // left talks 0–1 s
    for (let off = 0; off < pcm.length; off += 334) an.push(pcm.subarray(off, Math.min(pcm.length, off + 334)));
    const a = an.finish();
    expect(a.frames).toBe(100);
    expect(a.talkMs).toEqual([1000, 0]);
    expect(a.silenceMs).toBe(1000);
    expect(a.overtalkMs).toBe(0);
    expect(a.peaks[0]).toBeGreaterThan(120);
    expect(a.peaks[1]).toBe(0);
  });
});
