// Real browser: each role logs in through the login page and lands on its home; a candidate who
// opens an admin URL gets the 403 page; the admin creates a user and disables one in the UI.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1' } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
});

async function loginAs(page: Page, username: string, password = 'demo-password'): Promise<void> {
  await page.goto(server.url);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('login in the browser', () => {
  const homes = [
    { username: 'demo-candidate', path: '/desktop', testId: 'home-candidate', heading: 'Agent desktop' },
    { username: 'demo-assessor', path: '/console', testId: 'home-assessor', heading: 'Assessor console' },
    { username: 'demo-moderator', path: '/moderation', testId: 'home-moderator', heading: 'Moderation' },
    { username: 'demo-admin', path: '/admin/users', testId: 'home-admin', heading: 'User administration' },
  ];
  for (const home of homes) {
    it(`${home.username} lands on ${home.path}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await loginAs(page, home.username);
      await page.waitForURL(new RegExp(`${home.path}$`));
      await expect(page.getByTestId(home.testId).getByRole('heading', { level: 1 }).textContent()).resolves.toBe(home.heading);
      await context.close();
    });
  }

  it('shows the demo banner for demo-centre users', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginAs(page, 'demo-candidate');
    await page.waitForURL(/\/desktop$/);
    expect(await page.getByRole('note').textContent()).toContain('DEMO CENTRE');
    await context.close();
  });

  it('a candidate opening an admin URL gets the 403 page, and the API refuses too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginAs(page, 'demo-candidate');
    await page.waitForURL(/\/desktop$/);
    await page.goto(new URL('/admin/users', server.url).toString());
    await page.getByTestId('forbidden').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('403');
    const status = await page.evaluate(async () => (await fetch('/api/users')).status);
    expect(status).toBe(403);
    await context.close();
  });

  it('shows the uniform error for a wrong password and stays on the login page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginAs(page, 'demo-assessor', 'wrong-password');
    expect(await page.getByRole('alert').textContent()).toBe('Invalid username or password.');
    expect(page.url()).toContain('/login');
    await context.close();
  });

  it('logs out, and a page reload then asks for login again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginAs(page, 'demo-moderator');
    await page.waitForURL(/\/moderation$/);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(new URL('/moderation', server.url).toString());
    await page.waitForURL(/\/login\?next=%2Fmoderation/);
    await context.close();
  });

  it('the admin creates a candidate in a centre, who can then log in; disabling locks them out at once', async () => {
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await loginAs(admin, 'demo-admin');
    await admin.waitForURL(/\/admin\/users$/);
    const form = admin.getByRole('region', { name: 'New user' });
    await form.getByLabel('Username').fill('jo-bloggs');
    await form.getByLabel('Full name').fill('Jo Bloggs');
    await form.getByLabel('Role').selectOption('candidate');
    await form.getByLabel('Centre', { exact: true }).selectOption({ label: 'DEMO CENTRE (practice only, not for real assessments)' });
    await form.getByRole('button', { name: 'Create user' }).click();
    const notice = await admin.getByRole('status').textContent();
    const password = /Initial password: (\S+)/.exec(notice ?? '')?.[1];
    expect(password, notice ?? '').toBeTruthy();

    const userCtx = await browser.newContext();
    const user = await userCtx.newPage();
    await loginAs(user, 'jo-bloggs', password);
    await user.waitForURL(/\/desktop$/);

    await admin.locator('tr[data-username="jo-bloggs"]').getByRole('button', { name: 'Disable' }).click();
    await admin.locator('tr[data-username="jo-bloggs"]').getByText('Disabled').waitFor();
    const status = await user.evaluate(async () => (await fetch('/api/auth/session')).status);
    expect(status).toBe(401);
    await adminCtx.close();
    await userCtx.close();
  });
});
