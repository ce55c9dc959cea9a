// A graceful server restart (SIGTERM, as in an upgrade) with the candidate's softphone registered:
// the server closes the SIP WebSocket on its way down. When the server is back on the same address
// the softphone must connect and register again by itself, without a reload, so that calls ring it:
// the page says "Registered" and the server's own registrar has the extension again (the assessor's
// directory shows the candidate available).
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

describe('graceful server restart, softphone', () => {
  it('the softphone registers again after SIGTERM and a restart, without a reload', { timeout: 150_000 }, async () => {
    await withFailureScreenshots('restart-phone', scenario);
  });
});

type Directory = { entries: Array<{ role: string; registered: boolean }> };

async function scenario(pages: Page[]): Promise<void> {
  const first = await servers.start();
  browser = await launchBrowser();
  const candidate = await loginAs(browser, first.url, 'demo-candidate', { landing: /\/desktop/ });
  pages.push(candidate);
  const registration = candidate.getByTestId('registration');

  expect(await first.stop('SIGTERM')).toBe(0);
  // ("Registered · extension …" only when registered: "Not registered" would match the word.)
  await registration.filter({ hasNotText: /Registered · extension/ }).waitFor();

  const second = await servers.restart(first);
  await registration.filter({ hasText: /Registered · extension/ }).waitFor({ timeout: 60_000 });

  // The server agrees: the candidate's phone is bound again (no reload of the candidate's page).
  const assessor = await loginAs(browser, second.url, 'demo-assessor', { phone: false, landing: /\/console/ });
  pages.push(assessor);
  const directory = await apiIn<Directory>(assessor, 'GET', '/api/directory');
  expect(directory.entries.find((e) => e.role === 'candidate')?.registered).toBe(true);
  expect(await candidate.getByTestId('registration-error').count()).toBe(0);
}
