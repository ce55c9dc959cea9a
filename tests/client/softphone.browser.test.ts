// The softphone says in words why it is not registered.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, loginAs } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

let server: ServerProcess;
let browser: Browser;
beforeAll(async () => {
  server = await startServer({ args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1' } });
  browser = await launchBrowser({ denyMicrophone: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
});

describe('softphone registration errors', () => {
  it('a refused microphone is explained, and the phone does not register', async () => {
    // The phone never registers here: the test waits for the error instead.
    const page = await loginAs(browser, server.url, 'demo-candidate', { phone: false });
    const error = page.getByTestId('registration-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Microphone access was refused');
    expect(await page.getByTestId('registration').textContent()).toContain('Not registered');
    expect(await page.getByRole('button', { name: 'Call', exact: true }).isDisabled()).toBe(true);
  });
});
