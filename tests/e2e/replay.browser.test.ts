// The moderator's replay on the production server with a real recorded call. Two Chromium
// instances: the demo assessor starts a sitting of the demo candidate (S1 first, through the API),
// calls the candidate, drops a bookmark during the call; the candidate answers, mistypes the new
// postcode (LS19 6EX for LS19 6EH, through the API) and hangs up. The demo moderator then opens the
// attempt's replay: both waveform lanes are drawn, clicking a timeline event moves playback to its
// offset (±0.2 s, read from audio.currentTime), and the final-state table shows the postcode as a
// mismatch with the answer key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeToneWav } from '../support/audio.js';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-replay-'));
let server: ServerProcess;
let candidateBrowser: Browser;
let assessorBrowser: Browser;

beforeAll(async () => {
  writeToneWav(path.join(tmp, 'c.wav'), 440, 10);
  writeToneWav(path.join(tmp, 'a.wav'), 880, 10);
  server = await startServer({ args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1' } });
  candidateBrowser = await launchBrowser({ fakeAudioFile: path.join(tmp, 'c.wav') });
  assessorBrowser = await launchBrowser({ fakeAudioFile: path.join(tmp, 'a.wav') });
});
afterAll(async () => {
  await candidateBrowser?.close();
  await assessorBrowser?.close();
  await server?.stop();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function login(browser: Browser, username: string, phone: boolean): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await page.goto(server.url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  if (phone) await page.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  else await page.waitForURL(/\/moderation/);
  return page;
}

/** A JSON request from inside the page, with the session's CSRF token. */
async function apiIn<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const { csrfToken } = (await (await fetch('/api/auth/session')).json()) as { csrfToken: string };
      const res = await fetch(url, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return JSON.parse(text) as unknown;
    },
    { method, url, body },
  ) as Promise<T>;
}

describe('moderation replay', () => {
  it('two waveform lanes, click-to-seek on the timeline, and the planted mistake in the final state', { timeout: 90_000 }, async () => {
    const pages: Page[] = [];
    try {
      await scenario(pages);
    } catch (err) {
      for (const [i, p] of pages.entries()) await p.screenshot({ path: path.join(os.tmpdir(), `callmark-replay-failure-${i}.png`), fullPage: true }).catch(() => {});
      throw err;
    }
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await login(assessorBrowser, 'demo-assessor', true);
  pages.push(assessor);
  const { entries } = await apiIn<{ entries: Array<{ userId: number; role: string; extension: string }> }>(assessor, 'GET', '/api/directory');
  const cand = entries.find((e) => e.role === 'candidate')!;
  const sitting = await apiIn<{ id: string }>(assessor, 'POST', '/api/sittings', { candidateUserId: cand.userId, scenarioKeys: ['s1', 's4', 's5', 's2'] });
  await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/start`, {});
  const attemptId = (await apiIn<{ currentAttemptId: string }>(assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`, {})).currentAttemptId;

  const candidate = await login(candidateBrowser, 'demo-candidate', true);
  pages.push(candidate);
  await candidate.getByTestId('agent-state').waitFor();
  await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
  await candidate.getByRole('button', { name: 'Ready', exact: true }).click();

  // The call, through the assessor's softphone.
  await assessor.reload();
  await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  await assessor.getByLabel('Number to call').fill(cand.extension);
  await assessor.getByRole('button', { name: 'Call', exact: true }).click();
  await candidate.getByRole('button', { name: 'Answer' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();

  // During the call: the postcode is mistyped, and the assessor drops a bookmark.
  const { customers } = await apiIn<{ customers: Array<{ id: number; accountNumber: string; version: number }> }>(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=Hughes`);
  const hughes = customers.find((c) => c.accountNumber === 'BL100231')!;
  await apiIn(candidate, 'PATCH', `/api/attempts/${attemptId}/customers/${hughes.id}`, { version: hughes.version, postcode: 'LS19 6EX' });
  await candidate.waitForTimeout(2500);
  await apiIn(assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'Postcode read back wrongly' });
  await candidate.waitForTimeout(2500);
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();

  // The recording is finalised once the call has ended.
  await expect
    .poll(async () => (await apiIn<{ calls: Array<{ recording: { status: string | null } | null }> }>(assessor, 'GET', '/api/calls?limit=1')).calls[0]?.recording?.status, { timeout: 20_000 })
    .toBe('complete');

  // --- the moderator's replay -----------------------------------------------------------------
  const moderator = await login(assessorBrowser, 'demo-moderator', false);
  pages.push(moderator);
  await moderator.goto(new URL(`/moderation/attempts/${attemptId}`, server.url).toString());
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
}
