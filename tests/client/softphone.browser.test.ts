// The softphone says in words why it is not registered.
import { describe, expect, it } from 'vitest';
import { loginAs } from '../support/browser.js';
import { demoBrowserFixture } from '../support/fixtures.js';

const fx = demoBrowserFixture({ denyMicrophone: true });

describe('softphone registration errors', () => {
  it('a refused microphone is explained, and the phone does not register', async () => {
    // The phone never registers here: the test waits for the error instead.
    const page = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { phone: false });
    const error = page.getByTestId('registration-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Microphone access was refused');
    expect(await page.getByTestId('registration').textContent()).toContain('Not registered');
    expect(await page.getByRole('button', { name: 'Call', exact: true }).isDisabled()).toBe(true);
  });
});
