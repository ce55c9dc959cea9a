// A graceful server restart (SIGTERM, as in an upgrade) with the candidate's desktop open: the
// server disconnects every socket.io socket on its way down, which socket.io's client does not
// follow by a reconnect of its own ("io server disconnect"). The desktop must connect again when
// the server is back on the same address, and send what it queued while it was away: the action
// is stored once, and the desktop says "Online" with nothing queued, without a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { apiIn, launchBrowser, loginAs, withFailureScreenshots } from '../support/browser.js';
import { keepServerLogsOnFailure } from '../support/server-log.js';
import { serverProcesses } from '../support/server-process.js';

const servers = serverProcesses({ args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1' } });
keepServerLogsOnFailure(() => servers.all());
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await servers.stopAll();
});

describe('graceful server restart', () => {
  it('the desktop reconnects after SIGTERM and a restart, and flushes the actions it queued meanwhile', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('restart', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const first = await servers.start();
  browser = await launchBrowser();
  const assessor = await loginAs(browser, first.url, 'demo-assessor', { phone: false, landing: /\/console/ });
  pages.push(assessor);
  const { entries } = await apiIn<{ entries: Array<{ userId: number; role: string }> }>(assessor, 'GET', '/api/directory');
  const { attempt } = await apiIn<{ attempt: { id: string } }>(assessor, 'POST', '/api/attempts', { candidateUserId: entries.find((e) => e.role === 'candidate')!.userId });

  const candidate = await loginAs(browser, first.url, 'demo-candidate', { phone: false, landing: /\/desktop/ });
  pages.push(candidate);
  const connection = candidate.getByTestId('connection');
  await connection.filter({ hasText: /^Online$/ }).waitFor();

  // SIGTERM: a clean shutdown. The desktop notices it is offline.
  expect(await first.stop('SIGTERM')).toBe(0);
  await connection.filter({ hasText: /^Offline/ }).waitFor();

  // Offline, the candidate opens the knowledge tab: a browser-only action, queued.
  await candidate.getByRole('tab', { name: 'Knowledge' }).click();
  await connection.filter({ hasText: 'Offline: 1 action queued' }).waitFor();

  // The server comes back on the same address and data; the desktop reconnects by itself.
  await servers.restart(first);
  await connection.filter({ hasText: /^Online$/ }).waitFor({ timeout: 30_000 });

  // The queued action reached the server, once.
  const events = await apiIn<{ events: Array<{ type: string; payload: { tab?: string } }> }>(assessor, 'GET', `/api/attempts/${attempt.id}/timeline`);
  expect(events.events.filter((e) => e.type === 'tab-opened' && e.payload.tab === 'knowledge')).toHaveLength(1);
}
