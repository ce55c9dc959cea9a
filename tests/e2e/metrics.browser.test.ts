// Call metrics of a real recorded call, end to end on the production server. Two Chromium
// instances, each with a continuous tone as its fake microphone (candidate 440 Hz, assessor 880 Hz):
// the demo assessor starts a sitting of the demo candidate (through the API) and calls the
// candidate through the B2BUA; the candidate answers, both talk for ~3 s, the candidate holds the
// caller from the softphone for ~3 s (the B2BUA pauses both producers, so the recording holds
// silence on both channels), resumes, both talk ~2 s more, and the candidate hangs up. Once the
// analysis job has measured the finalised recording, GET /api/attempts/:id/metrics gives, within
// tolerance of the schedule the test itself kept on the wall clock (server and test share it):
// one hold of ~3 s placed where it happened, talk per party = call − hold, overtalk = talk (both
// tones run together), silence = hold; and the waveform peaks are flat on both channels inside the
// hold and not outside it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AttemptMetrics, CallMetrics } from '../../server/protocol/moderation.js';
import { apiIn, withFailureScreenshots } from '../support/browser.js';
import { callInNewSitting, twoPartyFixture } from '../support/fixtures.js';

// ±0.7 s. What the test times (a softphone showing "Connected", "On hold", the desktop showing
// "Wrap-up") and what the recording holds differ by: Playwright's polling of the page (~0.1 s per
// wait), the re-INVITE round trip before the server pauses/resumes the producers, ICE/DTLS and
// Chromium's fake capture device starting after "Connected" (the first packets of each leg arrive
// a few hundred ms into the recording, which the leg relay fills with silence), the BYE and the
// recorder stopping after the hang-up click, and the VAD's 40 ms onset at each tone start. Each
// source is well under 0.5 s on this machine; 0.7 s still catches a missing or misplaced hold,
// which is off by the whole 3 s.
const TOLERANCE_MS = 700;
const TALK_BEFORE_HOLD_MS = 3000;
const HOLD_MS = 3000;
const TALK_AFTER_HOLD_MS = 2000;

const fx = twoPartyFixture({ tmpPrefix: 'callmark-metrics-' });

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

describe('call metrics of a recorded call', () => {
  it('talk, overtalk and silence follow the tone schedule and the hold is where it happened', { timeout: 60_000 }, async () => {
    await withFailureScreenshots('metrics', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  // --- the call, on the schedule: answered, talk, hold (by the candidate), talk, hang up ------------
  const { assessor, candidate, attemptId } = await callInNewSitting(fx, pages);
  const connectedAt = Date.now();

  const softphone = candidate.getByRole('region', { name: 'Softphone' });
  await sleepUntil(connectedAt + TALK_BEFORE_HOLD_MS);
  await softphone.getByRole('button', { name: 'Hold' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor();
  const heldAt = Date.now();

  await sleepUntil(heldAt + HOLD_MS);
  await softphone.getByRole('button', { name: 'Resume' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  const resumedAt = Date.now();

  await sleepUntil(resumedAt + TALK_AFTER_HOLD_MS);
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  // The BYE leaves on the click; the desktop shows "Wrap-up" a round trip or two later.
  const endedAt = Date.now();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();

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
  const c: CallMetrics = metrics!.calls[0]!;

  const holdMs = resumedAt - heldAt;
  const callMs = endedAt - connectedAt;
  // The tone schedule: both parties' tones run all call long, and neither is heard during the hold.
  const talkMs = callMs - holdMs;
  const measured = {
    schedule: { callMs, holdFromMs: heldAt - connectedAt, holdMs, talkMs },
    metrics: {
      candidateTalkMs: c.candidateTalkMs,
      otherTalkMs: c.otherTalkMs,
      overtalkMs: c.overtalkMs,
      silenceMs: c.silenceMs,
      holdCount: c.holdCount,
      longestHoldMs: c.longestHoldMs,
      holdFromMs: c.holds[0]?.fromMs,
      holdToMs: c.holds[0]?.toMs,
      analysedMs: c.analysis.durationMs,
      handleTimeMs: c.handleTimeMs,
      wrapUpMs: c.wrapUpMs,
      holdStartVsUi: c.holds[0] ? c.holds[0].start - heldAt : null,
      holdEndVsUi: c.holds[0]?.end ? c.holds[0].end - resumedAt : null,
    },
  };
  if (process.env.DEBUG_E2E) console.log(JSON.stringify(measured));
  const near = (actual: number | null | undefined, expected: number, what: string) =>
    expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected} (${JSON.stringify(measured)})`).toBeLessThanOrEqual(TOLERANCE_MS);

  expect(metrics!.calls).toHaveLength(1);
  expect(c.answered).toBe(true);
  expect(c.analysis.error).toBeNull();

  // The hold: one, by the candidate, ended by the resume, as long as the test held, at the same
  // wall-clock moments the softphone showed "On hold" and "Connected" again …
  expect(c.holdCount).toBe(1);
  const hold = c.holds[0]!;
  expect(hold.endedBy).toBe('resume');
  near(c.longestHoldMs, holdMs, 'longest hold');
  expect(c.totalHoldMs).toBe(c.longestHoldMs);
  near(hold.start, heldAt, 'hold start (wall clock)');
  near(hold.end, resumedAt, 'hold end (wall clock)');
  // … and placed in the recording at its offset from the answer (the recording starts at the answer).
  near(hold.fromMs, heldAt - connectedAt, 'hold from (offset in the recording)');
  near(hold.toMs, resumedAt - connectedAt, 'hold to (offset in the recording)');
  expect(hold.toMs! - hold.fromMs!).toBe(hold.durationMs);

  // The recording spans the call; handle time is the call plus wrap-up.
  near(c.analysis.durationMs, callMs, 'recording length');
  expect(c.handleTimeMs).not.toBeNull();
  near(c.handleTimeMs! - (c.wrapUpMs ?? 0), callMs, 'handle time without wrap-up');

  // Voice activity: each tone is talk whenever it is heard, i.e. the call minus the hold; both are
  // heard together, so all of that is overtalk; the only silence is the hold.
  near(c.candidateTalkMs, talkMs, 'candidate talk');
  near(c.otherTalkMs, talkMs, 'other party talk');
  near(c.overtalkMs, talkMs, 'overtalk');
  near(c.silenceMs, holdMs, 'silence');
  // Totals of a one-call attempt are that call's figures.
  expect(metrics!.totals).toMatchObject({ calls: 1, candidateTalkMs: c.candidateTalkMs, otherTalkMs: c.otherTalkMs, silenceMs: c.silenceMs, overtalkMs: c.overtalkMs, holdCount: 1, longestHoldMs: c.longestHoldMs });

  // --- the waveform: flat on both channels inside the hold region, the tones on either side -------
  const peaks = await apiIn<{ peaksPerSecond: number; durationMs: number; left: number[]; right: number[] }>(assessor, 'GET', `/api/calls/${c.callId}/peaks?format=json`);
  const frame = (ms: number) => Math.max(0, Math.min(peaks.left.length, Math.round((ms * peaks.peaksPerSecond) / 1000)));
  const maxOf = (xs: number[], fromMs: number, toMs: number) => Math.max(...xs.slice(frame(fromMs), frame(toMs)));
  const minOf = (xs: number[], fromMs: number, toMs: number) => Math.min(...xs.slice(frame(fromMs), frame(toMs)));
  // Chromium's audio processing (the softphone asks for the default constraints: noise suppression,
  // AGC) turns a steady tone down over the first ~2.5 s, to peaks of ~8/255 (≈ −30 dBFS, still clear
  // of the VAD's −38 dB ceiling), so "heard" is > 3 here; Opus silence in the hold decodes to 0.
  const inHold: [number, number] = [hold.fromMs! + 300, hold.toMs! - 300];
  const beforeHold: [number, number] = [hold.fromMs! - 1500, hold.fromMs! - 300];
  const afterHold: [number, number] = [hold.toMs! + 300, hold.toMs! + 1500];
  const levels = {
    left: { before: minOf(peaks.left, ...beforeHold), hold: maxOf(peaks.left, ...inHold), after: minOf(peaks.left, ...afterHold) },
    right: { before: minOf(peaks.right, ...beforeHold), hold: maxOf(peaks.right, ...inHold), after: minOf(peaks.right, ...afterHold) },
  };
  if (process.env.DEBUG_E2E) {
    console.log(JSON.stringify(levels));
    // Per 0.25 s of the recording: the largest peak of each channel.
    for (let ms = 0; ms < peaks.durationMs; ms += 250) console.log((ms / 1000).toFixed(2), maxOf(peaks.left, ms, ms + 250), maxOf(peaks.right, ms, ms + 250));
  }
  for (const side of ['left', 'right'] as const) {
    expect(levels[side].hold, `${side} peaks in the hold: ${JSON.stringify(levels)}`).toBeLessThanOrEqual(1);
    expect(levels[side].before, `${side} peaks before the hold: ${JSON.stringify(levels)}`).toBeGreaterThan(3);
    expect(levels[side].after, `${side} peaks after the hold: ${JSON.stringify(levels)}`).toBeGreaterThan(3);
  }
}
