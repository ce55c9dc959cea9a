// Call metrics of a real recorded call, end to end on the production server. Two Chromium
// instances, each with a continuous tone as its fake microphone (candidate 440 Hz, assessor 880 Hz):
// the demo assessor starts a sitting of the demo candidate (through the API) and calls the
// candidate through the B2BUA; the candidate answers; once each page hears the other's tone, both
// talk for ~3 s, the candidate holds the caller from the softphone for ~3 s (the B2BUA pauses both
// producers, so the recording holds silence on both channels), resumes, and once each hears the
// other again both talk ~2 s more, and the candidate hangs up. Once the analysis job has measured
// the finalised recording, GET /api/attempts/:id/metrics gives one hold, stamped by the server
// between the test's Hold and Resume clicks and Resume and Hang-up clicks, and placed in the
// recording where the recording is silent on both channels; talk per party, overtalk and silence
// as the recording's own waveform shows them (each tone heard whenever it is in the recording,
// both at once, silence only before the media flows and in the hold), and at least what the test
// made sure was in the recording: both tones for ~3 s before the hold and ~2 s after it.
//
// Why not figures against the test's own stopwatch: what the test times (a softphone showing
// "Connected" or "On hold") lags what the server did by Playwright's polling, React and the
// re-INVITE's round trip, and the media of a new call starts after ICE and DTLS; on two loaded
// cores those lags reached 0.5 s each (a full-suite run measured the server's hold 469 ms before
// the page showed it and 376 ms longer), more than any tolerance that still means something. So
// the test compares the product's figures with what it can know exactly: the server's stamps
// against the order of its own clicks (the server cannot hold before the click), and the VAD's
// talk against the recording's own peaks (the same file, so load cannot move one against the other).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AttemptMetrics, CallMetrics } from '../../server/protocol/moderation.js';
import { apiIn, withFailureScreenshots } from '../support/browser.js';
import { callInNewSitting, twoPartyFixture } from '../support/fixtures.js';
import { untilHears } from '../support/remote-audio.js';

const CANDIDATE_HZ = 440;
const ASSESSOR_HZ = 880;
const TALK_BEFORE_HOLD_MS = 3000;
const HOLD_MS = 3000;
const TALK_AFTER_HOLD_MS = 2000;
// The recording against the wall clock: the recorder writes what arrives when it arrives (a gap is
// filled with silence), offset t ≈ its start + t, but each edge of a tone sits a few packets and the
// relay's jitter buffer off the moment the server or a page saw it: 300 ms either side of an edge.
const EDGE_MS = 300;
// The VAD against the recording's peaks: the same file in the same 20-ms frames; they can differ
// only in the frames at each edge of a stretch of tone (an RMS threshold against a peak above 1):
// four edges a channel, a few frames each.
const VAD_VS_PEAKS_MS = 200;
// The VAD bridges a pause of up to 15 frames (300 ms) inside speech (media/analysis/vad.ts: "the
// gaps between words are talk"); the stretches of sound read from the peaks bridge the same, so a
// packet lost under load counts alike in both.
const BRIDGED_FRAMES = 15;

const fx = twoPartyFixture({ tmpPrefix: 'callmark-metrics-' });

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

describe('call metrics of a recorded call', () => {
  // 120 s: the call set-up (login, registration and the answer, each waited for up to 15 s), each
  // page waiting to hear the other after the answer and after the resume (up to 15 s each, four in
  // all), the 8-s schedule and the analysis job (polled for up to 30 s).
  it('talk, overtalk and silence are what the recording holds and the hold is where it happened', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('metrics', scenario);
  });
});

/** Both tones flowing both ways: each page hears the other's tone. Returns when both were heard. */
async function eachHearsTheOther(assessor: Page, candidate: Page, when: string): Promise<number> {
  await untilHears(assessor, CANDIDATE_HZ, `the assessor hears the candidate ${when}`);
  return untilHears(candidate, ASSESSOR_HZ, `the candidate hears the assessor ${when}`);
}

/** Stretches of sound [first frame, end frame) in one channel's peaks, pauses of up to BRIDGED_FRAMES bridged. */
function stretches(peaks: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let f = 0; f < peaks.length; f++) {
    if (peaks[f]! <= 1) continue;
    const last = out[out.length - 1];
    if (last && f - last[1] <= BRIDGED_FRAMES) last[1] = f + 1;
    else out.push([f, f + 1]);
  }
  return out;
}
const framesIn = (s: ReadonlyArray<[number, number]>) => s.reduce((n, [a, b]) => n + (b - a), 0);
function overlapFrames(a: ReadonlyArray<[number, number]>, b: ReadonlyArray<[number, number]>): number {
  let n = 0;
  for (const [a0, a1] of a) for (const [b0, b1] of b) n += Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  return n;
}

async function scenario(pages: Page[]): Promise<void> {
  // --- the call: answered, talk, hold (by the candidate), talk, hang up; every step's moment kept --
  const callFrom = Date.now();
  const { assessor, candidate, attemptId } = await callInNewSitting(fx, pages);
  const softphone = candidate.getByRole('region', { name: 'Softphone' });
  // ICE, DTLS and Chromium's fake capture start after "Connected": talk is timed from when both
  // tones are really flowing, so the recording holds both for TALK_BEFORE_HOLD_MS at least.
  const talkFrom = await eachHearsTheOther(assessor, candidate, 'after the answer');

  await sleepUntil(talkFrom + TALK_BEFORE_HOLD_MS);
  const holdClickAt = Date.now();
  await softphone.getByRole('button', { name: 'Hold' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor();
  const heldAt = Date.now();

  await sleepUntil(heldAt + HOLD_MS);
  const resumeClickAt = Date.now();
  await softphone.getByRole('button', { name: 'Resume' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  // The assessor's browser sends again only once the server's re-INVITE reached it.
  const talkAgainFrom = await eachHearsTheOther(assessor, candidate, 'after the resume');

  await sleepUntil(talkAgainFrom + TALK_AFTER_HOLD_MS);
  const hangUpClickAt = Date.now();
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
  const wrapUpShownAt = Date.now();

  // --- the metrics, once the analysis job has measured the finalised recording ---------------------
  let metrics: AttemptMetrics | undefined;
  await expect
    .poll(
      async () => {
        metrics = await apiIn<AttemptMetrics>(assessor, 'GET', `/api/attempts/${attemptId}/metrics`);
        return metrics.calls.map((c) => c.analysis.status).join(',');
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe('done');
  expect(metrics!.calls).toHaveLength(1);
  const c: CallMetrics = metrics!.calls[0]!;
  const { events } = await apiIn<{ events: Array<{ type: string; at: number }> }>(assessor, 'GET', `/api/calls/${c.callId}`);
  expect(c.holdCount).toBe(1);
  const hold = c.holds[0]!;
  // The recording's t=0 on the wall clock, as the metrics place the hold (the recorder's start,
  // a moment before the server stamps 'recording-started').
  const recordingStartedAt = hold.start - hold.fromMs!;
  const peaks = await apiIn<{ peaksPerSecond: number; durationMs: number; left: number[]; right: number[] }>(assessor, 'GET', `/api/calls/${c.callId}/peaks?format=json`);
  const frameMs = 1000 / peaks.peaksPerSecond;
  const sound = { left: stretches(peaks.left), right: stretches(peaks.right) };
  const fromPeaks = {
    leftTalkMs: framesIn(sound.left) * frameMs,
    rightTalkMs: framesIn(sound.right) * frameMs,
    overtalkMs: overlapFrames(sound.left, sound.right) * frameMs,
    silenceMs: (peaks.left.length - (framesIn(sound.left) + framesIn(sound.right) - overlapFrames(sound.left, sound.right))) * frameMs,
  };
  // Wall-clock moments as offsets into the recording.
  const at = (t: number) => t - recordingStartedAt;
  const measured = {
    test: { callFrom: at(callFrom), talkFrom: at(talkFrom), holdClick: at(holdClickAt), heldShown: at(heldAt), resumeClick: at(resumeClickAt), talkAgainFrom: at(talkAgainFrom), hangUpClick: at(hangUpClickAt), wrapUpShown: at(wrapUpShownAt) },
    server: { events: events.map((e) => `${e.type}@${at(e.at)}`) },
    metrics: { ...c, holds: c.holds.map((h) => ({ ...h, start: at(h.start), end: h.end === null ? null : at(h.end) })) },
    fromPeaks: { ...fromPeaks, left: sound.left.map(([a, b]) => [a * frameMs, b * frameMs]), right: sound.right.map(([a, b]) => [a * frameMs, b * frameMs]) },
  };
  const why = JSON.stringify(measured);
  if (process.env.DEBUG_E2E) console.log(why);

  expect(c.answered).toBe(true);
  expect(c.analysis.error).toBeNull();

  // The hold: one, by the candidate, ended by the resume, stamped by the server between the clicks
  // that made it (it cannot hold before the Hold click nor resume before the Resume click) …
  expect(hold.endedBy).toBe('resume');
  expect(hold.start, `hold after the Hold click: ${why}`).toBeGreaterThanOrEqual(holdClickAt);
  expect(hold.start, `hold before the Resume click: ${why}`).toBeLessThanOrEqual(resumeClickAt);
  expect(hold.end!, `resume after the Resume click: ${why}`).toBeGreaterThanOrEqual(resumeClickAt);
  expect(hold.end!, `resume before the Hang-up click: ${why}`).toBeLessThanOrEqual(hangUpClickAt);
  expect(hold.durationMs).toBe(hold.end! - hold.start);
  expect(c.longestHoldMs).toBe(hold.durationMs);
  expect(c.totalHoldMs).toBe(hold.durationMs);
  // … and placed in the recording at its offset from the recording's start, which the server took
  // between the Answer and the 'recording-started' it stamped.
  expect(hold.toMs! - hold.fromMs!).toBe(hold.durationMs);
  expect(recordingStartedAt, why).toBeGreaterThanOrEqual(callFrom);
  expect(recordingStartedAt, why).toBeLessThanOrEqual(events.find((e) => e.type === 'recording-started')!.at);

  // The recording and the handle time span the call: from before both tones were heard to after the
  // Hang-up click; handle time is the server's answer to end plus the wrap-up.
  expect(recordingStartedAt, why).toBeLessThanOrEqual(talkFrom);
  expect(c.analysis.durationMs!, why).toBeGreaterThanOrEqual(hangUpClickAt - recordingStartedAt - EDGE_MS);
  expect(c.analysis.durationMs!, why).toBeLessThanOrEqual(wrapUpShownAt - recordingStartedAt + EDGE_MS);
  expect(c.handleTimeMs).not.toBeNull();
  const answerToEnd = c.handleTimeMs! - (c.wrapUpMs ?? 0);
  expect(answerToEnd, why).toBeGreaterThanOrEqual(hangUpClickAt - talkFrom);
  expect(answerToEnd, why).toBeLessThanOrEqual(wrapUpShownAt - callFrom);

  // --- the waveform: silent on both channels inside the hold, both tones on either side ------------
  const frame = (ms: number) => Math.max(0, Math.min(peaks.left.length, Math.round((ms * peaks.peaksPerSecond) / 1000)));
  const maxOf = (xs: number[], fromMs: number, toMs: number) => Math.max(...xs.slice(frame(fromMs), frame(toMs)));
  const minOf = (xs: number[], fromMs: number, toMs: number) => Math.min(...xs.slice(frame(fromMs), frame(toMs)));
  // Chromium's audio processing (the softphone asks for the default constraints: noise suppression,
  // AGC) turns a steady tone down over the first ~2.5 s, to peaks of ~8/255 (≈ −30 dBFS, still clear
  // of the VAD's −38 dB ceiling), so "heard" is > 3 here; Opus silence in the hold decodes to 0.
  // Before the hold: from when both pages heard each other to the Hold click (the server pauses
  // after it); after it: from when both heard each other again to the Hang-up click.
  const inHold: [number, number] = [hold.fromMs! + EDGE_MS, hold.toMs! - EDGE_MS];
  const beforeHold: [number, number] = [at(talkFrom) + EDGE_MS, at(holdClickAt) - EDGE_MS];
  const afterHold: [number, number] = [at(talkAgainFrom) + EDGE_MS, at(hangUpClickAt) - EDGE_MS];
  const levels = {
    left: { before: minOf(peaks.left, ...beforeHold), hold: maxOf(peaks.left, ...inHold), after: minOf(peaks.left, ...afterHold) },
    right: { before: minOf(peaks.right, ...beforeHold), hold: maxOf(peaks.right, ...inHold), after: minOf(peaks.right, ...afterHold) },
  };
  if (process.env.DEBUG_E2E) console.log(JSON.stringify(levels));
  for (const side of ['left', 'right'] as const) {
    expect(levels[side].hold, `${side} peaks in the hold: ${JSON.stringify(levels)} ${why}`).toBeLessThanOrEqual(1);
    expect(levels[side].before, `${side} peaks before the hold: ${JSON.stringify(levels)} ${why}`).toBeGreaterThan(3);
    expect(levels[side].after, `${side} peaks after the hold: ${JSON.stringify(levels)} ${why}`).toBeGreaterThan(3);
  }

  // --- voice activity: what the recording holds ---------------------------------------------------
  // Each tone is talk wherever it is in the recording, both together are overtalk, and silence is
  // the rest (before the media flows, the hold): the VAD's figures against the peaks' stretches.
  const near = (actual: number | null, expected: number, what: string) =>
    expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected} from the peaks (${why})`).toBeLessThanOrEqual(VAD_VS_PEAKS_MS);
  near(c.candidateTalkMs, fromPeaks.leftTalkMs, 'candidate talk');
  near(c.otherTalkMs, fromPeaks.rightTalkMs, 'other party talk');
  near(c.overtalkMs, fromPeaks.overtalkMs, 'overtalk');
  near(c.silenceMs, fromPeaks.silenceMs, 'silence');
  // And at least the schedule the test made sure of: both tones together for the talk before and
  // after the hold; the hold the server stamped is silence.
  const talkAtLeast = holdClickAt - talkFrom + (hangUpClickAt - talkAgainFrom) - 4 * EDGE_MS;
  for (const [what, ms] of [['candidate talk', c.candidateTalkMs], ['other party talk', c.otherTalkMs], ['overtalk', c.overtalkMs]] as const) {
    expect(ms!, `${what} at least the scheduled talk: ${why}`).toBeGreaterThanOrEqual(talkAtLeast);
  }
  expect(c.silenceMs!, `silence at least the hold: ${why}`).toBeGreaterThanOrEqual(hold.durationMs! - 2 * EDGE_MS);
  // Totals of a one-call attempt are that call's figures.
  expect(metrics!.totals).toMatchObject({ calls: 1, candidateTalkMs: c.candidateTalkMs, otherTalkMs: c.otherTalkMs, silenceMs: c.silenceMs, overtalkMs: c.overtalkMs, holdCount: 1, longestHoldMs: c.longestHoldMs });
}
