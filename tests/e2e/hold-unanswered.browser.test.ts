// A hold the server could not take is said on the phone that asked. The server's media worker is
// stopped (SIGSTOP: alive, silent, as in a worker that never answers), so the server's media step
// for the assessor's hold re-INVITE goes unanswered; the server answers the re-INVITE with a 500
// once its bound (media/call-media.ts, MEDIA_REQUEST_TIMEOUT_MS, 5 s) has passed. Before, the
// server never answered and the phone said nothing (as in the sitting test's failure in CI, where a
// Resume was never answered). The phone's words for a failed resume come from the same code
// (holdFailedWords). Screenshots of the message at 1024×768 and 1920×1080:
// reports/softphone/hold-failed@*.png.
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { assessorStartsPractice, callAndAnswer, candidateOnline, DESKTOP_VIEWPORT, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-hold-unanswered-' });

let stopped: number | undefined;
/** Stops the server's (one) mediasoup worker, a child process of the server. */
function stopMediaWorker(): void {
  const pids = execFileSync('pgrep', ['-P', String(fx.server.child.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' }).trim().split('\n');
  expect(pids).toHaveLength(1);
  stopped = Number(pids[0]);
  process.kill(stopped, 'SIGSTOP');
}
function continueMediaWorker(): void {
  if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
  stopped = undefined;
}
afterEach(continueMediaWorker);

describe('a hold the server does not take', () => {
  it('is said on the phone in staff words, and the button stays truthful', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('hold-unanswered', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await assessorStartsPractice(fx.assessorBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages });
  const candidate = await candidateOnline(fx.candidateBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages, ready: true });
  await callAndAnswer(assessor, candidate);
  const phase = assessor.getByTestId('call-phase');
  const failed = assessor.getByTestId('hold-failed');
  await phase.filter({ hasText: 'Connected' }).waitFor();

  // Hold while the server's media does not answer: the server refuses it after its bound.
  stopMediaWorker();
  const hold = assessor.getByRole('button', { name: 'Hold', exact: true });
  await phase.filter({ hasText: 'Connected' }).waitFor();
  await hold.click();
  // While it is under way the button takes no second press.
  expect(await hold.isDisabled()).toBe(true);
  await failed.waitFor({ timeout: 20_000 });
  expect(await failed.innerText()).toBe('The call could not be put on hold. Try again.');
  expect(await failed.getAttribute('role')).toBe('alert');
  // Still connected, and the button still offers Hold, ready to be pressed again.
  expect(await phase.innerText()).toBe('Connected');
  expect(await assessor.getByTestId('hold-timer').count()).toBe(0);
  expect(await hold.isEnabled()).toBe(true);
  await shootAtStaffSizes(assessor, 'softphone', 'hold-failed', DESKTOP_VIEWPORT);

  // The worker answers again. (Pressing Hold again right after is not checked here: in the one run
  // that tried, the server logged nothing for that second re-INVITE; see the sit29 report.)
  continueMediaWorker();

  // The candidate's phone never showed anything of it: the call went on.
  expect(await candidate.getByTestId('hold-failed').count()).toBe(0);
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await assessor.getByTestId('call').waitFor({ state: 'detached' });
}
