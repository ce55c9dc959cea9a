// The moderator's replay on the production server with a real recorded call. Two Chromium
// instances: the demo assessor starts a sitting of the demo candidate (S1 first, through the API),
// calls the candidate, drops a bookmark during the call; the candidate answers, mistypes the new
// postcode (LS19 6EX for LS19 6EH, through the API) and hangs up. The demo moderator then opens the
// attempt's replay: both waveform lanes are drawn, clicking a timeline event moves playback to its
// offset (±0.2 s, read from audio.currentTime), and the final-state table shows the postcode as a
// mismatch with the answer key. Then the player's controls: ←/→ seek 5 s, space plays and pauses,
// [ and ] change the speed (audio.playbackRate), and mute/solo set the per-channel WebAudio gains
// (read from the GainNodes the page creates, recorded by an init script).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiIn, DESKTOP_VIEWPORT, loginAs, withFailureScreenshots } from '../support/browser.js';
import { callInNewSitting, twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-replay-' });

// Test-only instrumentation: the GainNodes created on an AudioContext after a channel splitter (the
// player's graph: the candidate's then the other party's channel), to read their gains.
const RECORD_PLAYER_GAINS = `
  window.__playerGains = [];
  const split = BaseAudioContext.prototype.createChannelSplitter;
  const gain = BaseAudioContext.prototype.createGain;
  const withSplitter = new WeakSet();
  BaseAudioContext.prototype.createChannelSplitter = function (...args) { withSplitter.add(this); return split.apply(this, args); };
  BaseAudioContext.prototype.createGain = function (...args) {
    const node = gain.apply(this, args);
    if (withSplitter.has(this)) window.__playerGains.push(node);
    return node;
  };
`;

describe('moderation replay', () => {
  it('two waveform lanes, click-to-seek on the timeline, the planted mistake in the final state, and the player\'s keys, speed, mute and solo', { timeout: 90_000 }, async () => {
    await withFailureScreenshots('replay', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  // A sitting with S1 first, and the call through the assessor's softphone.
  const { assessor, candidate, attemptId } = await callInNewSitting(fx, pages);

  // During the call: the postcode is mistyped, and the assessor drops a bookmark.
  const { customers } = await apiIn<{ customers: Array<{ id: number; accountNumber: string; version: number }> }>(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=Hughes`);
  const hughes = customers.find((c) => c.accountNumber === 'BL100231')!;
  await apiIn(candidate, 'PATCH', `/api/attempts/${attemptId}/customers/${hughes.id}`, { version: hughes.version, postcode: 'LS19 6EX' });
  await candidate.waitForTimeout(2500);
  await apiIn(assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'Postcode read back wrongly' });
  // Long enough for a recording over 5 s: the player's 5 s seek then fits without reaching the end.
  await candidate.waitForTimeout(4000);
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();

  // The recording is finalised once the call has ended.
  await expect
    .poll(async () => (await apiIn<{ calls: Array<{ recording: { status: string | null } | null }> }>(assessor, 'GET', '/api/calls?limit=1')).calls[0]?.recording?.status, { timeout: 20_000 })
    .toBe('complete');

  // --- the moderator's replay -----------------------------------------------------------------
  const moderator = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-moderator', { viewport: DESKTOP_VIEWPORT, phone: false, landing: /\/moderation/, init: RECORD_PLAYER_GAINS });
  pages.push(moderator);
  await moderator.goto(new URL(`/moderation/attempts/${attemptId}`, fx.server.url).toString());
  await moderator.getByTestId('replay-page').waitFor();
  const player = moderator.getByTestId('waveform-player');
  await player.locator('[data-peaks-source]').waitFor({ timeout: 20_000 });
  expect(await player.locator('[data-lane="candidate"] canvas').count()).toBe(1);
  expect(await player.locator('[data-lane="caller"] canvas').count()).toBe(1);
  // Both lanes have something drawn (in an effect after the render that sets data-peaks-source).
  const inked = () =>
    player.locator('canvas').evaluateAll((cs) =>
      (cs as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      }),
    );
  await expect.poll(inked, { message: 'inked pixels per lane' }).toSatisfy((ns: number[]) => ns.every((n) => n > 100));
  expect(await moderator.getByTestId('replay-alignment').textContent()).toMatch(/share the server clock.*±30 ms/);

  // Clicking the bookmark moves playback to its offset.
  await moderator.waitForFunction(() => (document.querySelector('[data-testid="replay-audio"]') as HTMLAudioElement).readyState >= 1, undefined, { timeout: 15_000 });
  const bookmark = moderator.getByTestId('replay-events').locator('li[data-type="bookmark"]');
  const offsetMs = Number(await bookmark.getAttribute('data-offset-ms'));
  expect(offsetMs).toBeGreaterThan(1000);
  await bookmark.getByRole('button').click();
  await expect
    .poll(() => moderator.evaluate(() => (document.querySelector('[data-testid="replay-audio"]') as HTMLAudioElement).currentTime), { timeout: 5_000 })
    .toBeGreaterThan(offsetMs / 1000 - 0.2);
  const at = await moderator.evaluate(() => (document.querySelector('[data-testid="replay-audio"]') as HTMLAudioElement).currentTime);
  expect(Math.abs(at - offsetMs / 1000)).toBeLessThanOrEqual(0.2);
  expect(await bookmark.getAttribute('aria-current')).toBe('true');

  // The final state shows the planted mistake.
  const postcode = moderator.getByTestId('final-state').locator('tr[data-field="postcode"]');
  expect(await postcode.getAttribute('data-match')).toBe('false');
  expect(await postcode.textContent()).toContain('LS19 6EX');
  expect(await postcode.textContent()).toContain('LS19 6EH');

  // --- the player's keys, speed, mute and solo ----------------------------------------------------
  const audio = player.getByTestId('replay-audio');
  const currentTime = () => audio.evaluate((a: HTMLAudioElement) => a.currentTime);
  const paused = () => audio.evaluate((a: HTMLAudioElement) => a.paused);
  const durationS = await audio.evaluate((a: HTMLAudioElement) => a.duration);
  expect(durationS).toBeGreaterThan(5.5);
  // The keys are ignored while a button has the focus (its own Space): drop the bookmark button's.
  await moderator.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect.poll(() => moderator.evaluate(() => document.activeElement === document.body)).toBe(true);

  // ←/→ move the playhead 5 s, within the recording (paused, from the bookmark's offset): the first
  // ← stops at 0, then → goes to 5 s and ← back to 0, both full steps.
  const seekKey = async (key: 'ArrowLeft' | 'ArrowRight'): Promise<number> => {
    const from = await currentTime();
    const expected = Math.max(0, Math.min(durationS, from + (key === 'ArrowRight' ? 5 : -5)));
    await moderator.keyboard.press(key);
    await expect.poll(currentTime, { message: `${key} from ${from.toFixed(2)} s` }).toSatisfy((t: number) => Math.abs(t - expected) <= 0.2);
    return expected;
  };
  await seekKey('ArrowLeft');
  await seekKey('ArrowRight');
  await seekKey('ArrowLeft');

  // Space plays (the button shows Pause, pressed, and the time moves on), and space again pauses.
  const playButton = player.locator('.replay-controls button').first();
  await expect.poll(paused).toBe(true);
  const startedAt = await currentTime();
  await moderator.keyboard.press('Space');
  await expect.poll(paused).toBe(false);
  await expect.poll(() => playButton.getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => playButton.textContent()).toBe('Pause');
  await expect.poll(currentTime).toBeGreaterThan(startedAt + 0.3);
  await moderator.keyboard.press('Space');
  await expect.poll(paused).toBe(true);
  await expect.poll(() => playButton.getAttribute('aria-pressed')).toBe('false');

  // ] and [ step through 0.5×–2× (the select follows), and the select sets the rate too.
  const rate = () => audio.evaluate((a: HTMLAudioElement) => a.playbackRate);
  const speed = player.getByTestId('replay-speed');
  await moderator.keyboard.press(']');
  await expect.poll(rate).toBe(1.25);
  await expect.poll(() => speed.inputValue()).toBe('1.25');
  await moderator.keyboard.press('[');
  await expect.poll(rate).toBe(1);
  await moderator.keyboard.press('[');
  await expect.poll(rate).toBe(0.75);
  await expect.poll(() => speed.inputValue()).toBe('0.75');
  await speed.selectOption('2');
  await expect.poll(rate).toBe(2);

  // Mute and solo per lane: the buttons' pressed state and the channel gains (solo wins over mute).
  // The graph was built on the first play: one gain per channel, candidate (left) first.
  const gains = () => moderator.evaluate(() => (window as unknown as { __playerGains: GainNode[] }).__playerGains.map((g) => g.gain.value));
  const laneButton = (lane: 'candidate' | 'caller', name: 'Mute' | 'Solo') => player.locator(`[data-lane="${lane}"]`).getByRole('button', { name, exact: true });
  const press = async (lane: 'candidate' | 'caller', name: 'Mute' | 'Solo', pressed: boolean, expected: [number, number]) => {
    await laneButton(lane, name).click();
    await expect.poll(() => laneButton(lane, name).getAttribute('aria-pressed')).toBe(String(pressed));
    await expect.poll(gains, { message: `gains after ${name} ${lane}` }).toEqual(expected);
  };
  await expect.poll(() => moderator.evaluate(() => (window as unknown as { __playerGains: GainNode[] }).__playerGains[0]?.context.state)).toBe('running');
  await expect.poll(gains).toEqual([1, 1]);
  await press('candidate', 'Mute', true, [0, 1]);
  await press('candidate', 'Solo', true, [1, 0]);
  await press('caller', 'Solo', true, [0, 1]);
  await expect.poll(() => laneButton('candidate', 'Solo').getAttribute('aria-pressed')).toBe('false');
  await press('caller', 'Solo', false, [0, 1]);
  await press('candidate', 'Mute', false, [1, 1]);
  await press('caller', 'Mute', true, [1, 0]);
}
