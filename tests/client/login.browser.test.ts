// Real browser: each role logs in through the login page and lands on its home; a candidate who
// opens an admin URL gets the 403 page; the admin creates a user and disables one in the UI.
import { describe, expect, it } from 'vitest';
import { loginAs } from '../support/browser.js';
import { demoBrowserFixture } from '../support/fixtures.js';

const fx = demoBrowserFixture();

describe('login in the browser', () => {
  const homes = [
    { username: 'demo-candidate', path: '/desktop', testId: 'home-candidate', heading: 'Agent desktop' },
    { username: 'demo-assessor', path: '/console', testId: 'home-assessor', heading: 'Assessor console' },
    { username: 'demo-iqa', path: '/iqa', testId: 'home-iqa', heading: 'Internal quality assurance' },
    { username: 'demo-moderator', path: '/moderation', testId: 'home-moderator', heading: 'Moderation' },
    { username: 'demo-admin', path: '/admin/users', testId: 'home-admin', heading: 'User administration' },
  ];
  for (const home of homes) {
    it(`${home.username} lands on ${home.path}`, async () => {
      const page = await loginAs(fx.browser, fx.server.url, home.username, { phone: false, landing: new RegExp(`${home.path}$`) });
      await expect(page.getByTestId(home.testId).getByRole('heading', { level: 1 }).textContent()).resolves.toBe(home.heading);
      await page.context().close();
    });
  }

  it('shows the demo banner for demo-centre users', async () => {
    const page = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { phone: false, landing: /\/desktop$/ });
    expect(await page.getByRole('note').textContent()).toContain('DEMO CENTRE');
    await page.context().close();
  });

  it('a candidate opening an admin URL gets the 403 page, and the API refuses too', async () => {
    const page = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { phone: false, landing: /\/desktop$/ });
    await page.goto(new URL('/admin/users', fx.server.url).toString());
    await page.getByTestId('forbidden').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('403');
    const status = await page.evaluate(async () => (await fetch('/api/users')).status);
    expect(status).toBe(403);
    await page.context().close();
  });

  it('shows the uniform error for a wrong password and stays on the login page', async () => {
    const page = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { password: 'wrong-password', phone: false });
    expect(await page.getByRole('alert').textContent()).toBe('Invalid username or password.');
    expect(page.url()).toContain('/login');
    await page.context().close();
  });

  it('logs out, and a page reload then asks for login again', async () => {
    const page = await loginAs(fx.browser, fx.server.url, 'demo-moderator', { phone: false, landing: /\/moderation$/ });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(new URL('/moderation', fx.server.url).toString());
    await page.waitForURL(/\/login\?next=%2Fmoderation/);
    await page.context().close();
  });

  it('the admin creates a candidate in a centre, who can then log in; disabling locks them out at once', async () => {
    const admin = await loginAs(fx.browser, fx.server.url, 'demo-admin', { phone: false, landing: /\/admin\/users$/ });
    const form = admin.getByRole('region', { name: 'New user' });
    await form.getByLabel('Username').fill('jo-bloggs');
    await form.getByLabel('Full name').fill('Jo Bloggs');
    await form.getByLabel('Role').selectOption('candidate');
    await form.getByLabel('Centre', { exact: true }).selectOption({ label: 'DEMO CENTRE (practice only, not for real assessments)' });
    await form.getByRole('button', { name: 'Create user' }).click();
    const notice = await admin.getByRole('status').textContent();
    const password = /Initial password: (\S+?)\. They will be asked/.exec(notice ?? '')?.[1];
    expect(password, notice ?? '').toBeTruthy();

    // A password an administrator set is for the first login only: Jo chooses their own, then reaches the desktop.
    const user = await loginAs(fx.browser, fx.server.url, 'jo-bloggs', { password, phone: false, landing: /\/desktop$/ });
    await user.getByTestId('password-forced').waitFor();
    const own = user.getByTestId('password-form');
    await own.getByLabel('Password you were given').fill(password!);
    await own.getByLabel(/New password \(at least 10 characters\)/).fill('jo-bloggs-own-password');
    await own.getByLabel('New password again').fill('jo-bloggs-own-password');
    await own.getByRole('button', { name: 'Save my password and go on' }).click();
    await own.waitFor({ state: 'detached' });
    expect(user.url()).toMatch(/\/desktop$/);

    await admin.locator('tr[data-username="jo-bloggs"]').getByRole('button', { name: 'Disable' }).click();
    await admin.locator('tr[data-username="jo-bloggs"]').getByText('Disabled').waitFor();
    const status = await user.evaluate(async () => (await fetch('/api/auth/session')).status);
    expect(status).toBe(401);
    await admin.context().close();
    await user.context().close();
  });
});
