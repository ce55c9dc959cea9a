// One active phone per browser: a second tab of the candidate's login does not register a phone of
// its own (before, it showed "Registered" and never rang) but says the phone is open in another
// tab, with a button that moves it here. Moving it unregisters the first tab's phone: a call then
// rings the second tab only. While the active phone is on a call, the phone cannot be moved.
// Real sip.js softphones in Chromium, two tabs of one browser context (one login).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { answer, dial, DESKTOP_VIEWPORT, extensionOf, loginAs, withFailureScreenshots } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-phone-tab-' });
const REGISTERED = /Registered · extension/;

describe('one active phone tab', () => {
  it('a second tab shows the phone is open elsewhere and can move it here; calls ring only the active tab', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('phone-tab', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const first = await loginAs(fx.candidateBrowser, fx.server.url, 'demo-candidate', { viewport: DESKTOP_VIEWPORT });
  pages.push(first);
  const ext = await extensionOf(first);

  // The same login in a second tab.
  const second = await first.context().newPage();
  pages.push(second);
  await second.goto(new URL('/desktop', fx.server.url).href);
  const elsewhere = second.getByTestId('phone-elsewhere');
  await elsewhere.waitFor();
  expect(await elsewhere.textContent()).toContain('Your phone is open in another tab');
  expect(await second.getByTestId('registration').count()).toBe(0);
  expect(await first.getByTestId('registration').textContent()).toMatch(REGISTERED);

  // Moved here: this tab registers, the first one says the phone is elsewhere.
  await elsewhere.getByRole('button', { name: 'Move the phone to this tab' }).click();
  await second.getByTestId('registration').filter({ hasText: REGISTERED }).waitFor({ timeout: 15_000 });
  await first.getByTestId('phone-elsewhere').waitFor();

  // A call rings the second tab only.
  const assessor = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-assessor', { viewport: DESKTOP_VIEWPORT });
  pages.push(assessor);
  await dial(assessor, ext);
  await second.getByTestId('incoming').waitFor();
  expect(await first.getByTestId('incoming').count()).toBe(0);
  await answer(second);

  // During the call the first tab may not take the phone back.
  const back = first.getByRole('button', { name: 'Move the phone to this tab' });
  await first.getByTestId('phone-elsewhere').filter({ hasText: 'It is on a call there' }).waitFor();
  expect(await back.isDisabled()).toBe(true);

  // After the call it may; the second tab's phone then stops.
  await assessor.getByRole('button', { name: 'Hang up' }).click();
  await first.getByTestId('phone-elsewhere').filter({ hasText: 'Calls ring in that tab' }).waitFor();
  await back.click();
  await first.getByTestId('registration').filter({ hasText: REGISTERED }).waitFor({ timeout: 15_000 });
  await second.getByTestId('phone-elsewhere').waitFor();
}
