// Passwords in a real browser (issue 17): an account an administrator made, and the administrator
// created at first start, must choose their own password at the first login, and see nothing else
// until they have; anyone changes their own
// password from the "Change password" link. Screenshots of both pages at 1024×768 and 1920×1080 go
// to reports/password/.
import { describe, expect, it } from 'vitest';
import { apiIn, loginAs, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture } from '../support/fixtures.js';

const fx = demoBrowserFixture();


describe('passwords', () => {
  it('a new account chooses its own password before anything else; anyone changes theirs', { timeout: 90_000 }, async () => {
    await withFailureScreenshots('password', async (pages) => {
      const admin = await loginAs(fx.browser, fx.server.url, 'demo-admin', { phone: false, landing: /\/admin/ });
      pages.push(admin);
      const { centres } = await apiIn<{ centres: Array<{ id: number; isDemo: boolean }> }>(admin, 'GET', '/api/centres');
      const made = await apiIn<{ password: string }>(admin, 'POST', '/api/users', { username: 'new-assessor', displayName: 'New Assessor', role: 'assessor', centreId: centres.find((c) => c.isDemo)!.id });

      // --- first login: only the password form --------------------------------------------------
      const starter = await loginAs(fx.browser, fx.server.url, 'new-assessor', { password: made.password, phone: false });
      pages.push(starter);
      const forced = starter.getByTestId('password-forced');
      await forced.waitFor();
      expect(await forced.textContent()).toBe('The password you were given is for your first login only. Choose your own before you go on.');
      expect(await starter.getByRole('link', { name: 'Scenarios' }).count()).toBe(0);
      expect(await starter.getByRole('heading', { name: 'Assessor console' }).count()).toBe(0);
      // Another address shows the same form.
      await starter.goto(new URL('/scenarios', fx.server.url).toString());
      await forced.waitFor();
      const form = starter.getByTestId('password-form');
      await form.getByLabel('Password you were given').fill(made.password);
      await form.getByLabel(/New password \(at least 10 characters\)/).fill('my-own-password-1');
      await form.getByLabel('New password again').fill('my-own-password-2');
      await form.getByRole('button', { name: 'Save my password and go on' }).click();
      await form.getByText('The two new passwords are not the same.').waitFor();
      await shootAtStaffSizes(starter, 'password', 'first-login');
      await form.getByLabel('New password again').fill('my-own-password-1');
      await form.getByRole('button', { name: 'Save my password and go on' }).click();
      await starter.getByRole('heading', { name: 'Assessor console' }).waitFor();
      await starter.context().close();
      // The new password is the one that works now.
      const again = await loginAs(fx.browser, fx.server.url, 'new-assessor', { password: 'my-own-password-1', phone: false, landing: /\/console/ });
      await again.getByRole('heading', { name: 'Assessor console' }).waitFor();
      await again.context().close();

      // --- self-service, from the link in the top bar -------------------------------------------
      await admin.getByRole('link', { name: 'Change password' }).click();
      const own = admin.getByTestId('password-form');
      await own.getByLabel('Current password').fill('not-the-password');
      await own.getByLabel(/New password \(at least 10 characters\)/).fill('admin-new-password');
      await own.getByLabel('New password again').fill('admin-new-password');
      await own.getByRole('button', { name: 'Change password' }).click();
      await own.getByText('That is not your current password.').waitFor();
      expect(await own.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
      await own.getByLabel('Current password').fill('demo-password');
      await own.getByRole('button', { name: 'Change password' }).click();
      await admin.getByTestId('password-changed').waitFor();
      await shootAtStaffSizes(admin, 'password', 'change-password');
      // Still logged in here.
      await admin.getByRole('link', { name: 'Users' }).click();
      await admin.locator('main h1, main h2').first().waitFor();
    });
  });

  it('the administrator created at first start chooses their own password at the first login', { timeout: 60_000 }, async () => {
    await withFailureScreenshots('password-first-start', async (pages) => {
      // The start-up banner shows the generated password once, and says it is for the first login.
      const banner = /Admin account created: admin \/ (\S+)\s+\(([^)]*)\)/.exec(fx.server.output());
      expect(banner, fx.server.output()).not.toBeNull();
      expect(banner![2]).toBe('shown once; you choose your own at the first login');
      const printed = banner![1]!;
      const admin = await loginAs(fx.browser, fx.server.url, 'admin', { password: printed, phone: false });
      pages.push(admin);
      const forced = admin.getByTestId('password-forced');
      await forced.waitFor();
      expect(await admin.getByRole('link', { name: 'Users' }).count()).toBe(0);
      const form = admin.getByTestId('password-form');
      await form.getByLabel('Password you were given').fill(printed);
      await form.getByLabel(/New password \(at least 10 characters\)/).fill('first-admin-own-password');
      await form.getByLabel('New password again').fill('first-admin-own-password');
      await form.getByRole('button', { name: 'Save my password and go on' }).click();
      await admin.waitForURL(/\/admin\/users/);
      await admin.getByRole('link', { name: 'Users' }).waitFor();
      await admin.context().close();
      // The printed password no longer works; the administrator's own does.
      const refused = await fetch(new URL('/api/auth/login', fx.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: printed }) });
      expect(refused.status).toBe(401);
      const again = await loginAs(fx.browser, fx.server.url, 'admin', { password: 'first-admin-own-password', phone: false, landing: /\/admin/ });
      expect(await again.getByTestId('password-forced').count()).toBe(0);
      await again.context().close();
    });
  });
});
