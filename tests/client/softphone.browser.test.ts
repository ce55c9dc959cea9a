// The softphone says in words why it is not registered.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
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
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByLabel('Username').fill('demo-candidate');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const error = page.getByTestId('registration-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Microphone access was refused');
    expect(await page.getByTestId('registration').textContent()).toContain('Not registered');
    expect(await page.getByRole('button', { name: 'Call', exact: true }).isDisabled()).toBe(true);
  });
});
