// The candidate's desktop laid out as a contact-centre agent desktop: the phone dock is always in
// view, so while a call rings its Answer button, and during the call hang-up, hold and the other
// call controls, are on screen without scrolling, at 1024×768 as at 1920×1080, even with the
// assignment's brief open above the workspace and the page scrolled down to a record. The brief
// can be collapsed, and stays collapsed when the page is reloaded. Screenshots of the desktop idle,
// ringing, in a call and in wrap-up at both sizes go to reports/desktop-layout/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { answer, dial, inViewport, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { sittingUnderWay, twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-desktop-layout-' });

const SMALL = { width: 1024, height: 768 };
const LARGE = { width: 1920, height: 1080 };
const ASSESSOR_VIEWPORT = { width: 1366, height: 768 };
const IN_CALL_CONTROLS = ['Hang up', 'Hold', 'Mute', 'Transfer', 'Conference', 'Keypad'];

describe('the candidate desktop as an agent desktop', () => {
  it('keeps Answer and the call controls in view at 1024×768 and 1920×1080, and the brief collapsible', { timeout: 150_000 }, async () => {
    await withFailureScreenshots('desktop-layout', scenario);
  });
});

/** The named buttons that are not wholly inside the window (an empty list when all are). */
async function outOfView(page: Page, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) if (!(await inViewport(page.getByRole('button', { name, exact: true })))) out.push(name);
  return out;
}

async function scenario(pages: Page[]): Promise<void> {
  const { assessor, candidate } = await sittingUnderWay(fx, pages, { assessor: ASSESSOR_VIEWPORT, candidate: SMALL });
  const brief = candidate.getByTestId('candidate-brief');
  await brief.waitFor();
  expect(await brief.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  await shootAtStaffSizes(candidate, 'desktop-layout', 'idle-brief-open', SMALL);

  // The brief collapses to its one-line summary and stays collapsed after a reload (the same tab).
  await brief.locator('summary').click();
  expect(await brief.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  await candidate.reload();
  await candidate.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  await brief.waitFor();
  expect(await brief.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  await shootAtStaffSizes(candidate, 'desktop-layout', 'idle-brief-collapsed', SMALL);
  // Open again: the rest of the test has the brief taking its full room above the workspace.
  await brief.locator('summary').click();
  expect(await brief.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();

  await assessor.reload();
  await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  for (const [i, size] of [SMALL, LARGE].entries()) {
    const label = `${size.width}×${size.height}`;
    await candidate.setViewportSize(size);
    await candidate.getByRole('button', { name: 'Ready', exact: true }).click();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Ready' }).waitFor();

    await dial(assessor, candidate, { presenting: '0113 496 0412' });
    await candidate.getByTestId('incoming').waitFor({ timeout: 15_000 });
    // Ringing: Answer and Decline are on screen, the page not scrolled.
    expect(await candidate.evaluate(() => window.scrollY), label).toBe(0);
    expect(await outOfView(candidate, ['Answer', 'Decline']), label).toEqual([]);
    if (i === 0) await shootAtStaffSizes(candidate, 'desktop-layout', 'ringing', size);

    await answer(candidate);
    await candidate.getByTestId('customer-record').waitFor();
    // In the call: every call control is on screen, the page not scrolled.
    expect(await candidate.evaluate(() => window.scrollY), label).toBe(0);
    expect(await outOfView(candidate, IN_CALL_CONTROLS), label).toEqual([]);
    if (i === 0) await shootAtStaffSizes(candidate, 'desktop-layout', 'in-call', size);
    // Scrolled down to the end of the caller's record, the controls are still on screen.
    await candidate.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await outOfView(candidate, IN_CALL_CONTROLS), `${label}, scrolled`).toEqual([]);
    if (i === 0) await shootAtStaffSizes(candidate, 'desktop-layout', 'in-call-scrolled', size);
    await candidate.evaluate(() => window.scrollTo(0, 0));

    await candidate.getByRole('button', { name: 'Hang up', exact: true }).click();
    await assessor.getByTestId('last-call').waitFor();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
    // Wrap-up opens in the dock, under the phone, in view too.
    expect(await outOfView(candidate, ['Complete wrap-up']), label).toEqual([]);
    if (i === 0) await shootAtStaffSizes(candidate, 'desktop-layout', 'wrap-up', size);
  }
}
