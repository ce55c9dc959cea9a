// One sitting through the centre's quality assurance to a moderation outcome, in real Chromium on
// the production server (issue 13). The demo centre's internal quality assurer (demo-iqa) exists
// in demo mode like the other demo accounts; the admin sets the results release rule to "when the IQA countersigns"; a sitting of the demo candidate is run
// and marked (through the API: no calls needed here); the candidate confirms the declaration at the
// end and is told results are not ready; the assessor signs the mark sheet; the IQA agrees with
// every mark of every attempt and countersigns; the candidate now sees a provisional result; the
// moderator signs off the outcome; the candidate sees it as final, and the centre sees "Moderated".
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiIn, DESKTOP_VIEWPORT, loginAs, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture, markedEndedSittingIn } from '../support/fixtures.js';

const fx = demoBrowserFixture();

describe('quality assurance of a sitting', () => {
  it('assessor signs, IQA countersigns, moderator signs off the outcome; the candidate sees results as the rule allows', { timeout: 150_000 }, async () => {
    await withFailureScreenshots('assurance', scenario);
  });
});

/** A sitting of the demo candidate, started, four attempts marked (7, 8, 9, 8: 32, Merit), ended. */
const markedSitting = (assessor: Page): Promise<string> => markedEndedSittingIn(assessor, fx.browser, fx.server.url, [7, 8, 9, 8]);

async function scenario(pages: Page[]): Promise<void> {
  // --- the admin: results shown once the IQA countersigns ---------------------------------------
  const admin = await loginAs(fx.browser, fx.server.url, 'demo-admin', { phone: false, landing: /\/admin/, viewport: DESKTOP_VIEWPORT });
  pages.push(admin);
  const { centres } = await apiIn<{ centres: Array<{ id: number; isDemo: boolean }> }>(admin, 'GET', '/api/centres');
  const centreId = centres.find((c) => c.isDemo)!.id;
  await admin.getByRole('link', { name: 'Centre settings' }).click();
  const centreForm = admin.locator(`section[data-centre-id="${centreId}"]`);
  await centreForm.getByLabel('Candidates see their results').selectOption('iqa-countersigned');
  await centreForm.getByLabel('Centre number (from the awarding body)').fill('91234');
  await centreForm.getByRole('button', { name: 'Save settings' }).click();
  await centreForm.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  // --- the sitting, run and marked -----------------------------------------------------------
  const assessor = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { viewport: DESKTOP_VIEWPORT, phone: false, landing: /\/console/ });
  pages.push(assessor);
  const sittingId = await markedSitting(assessor);

  // --- the candidate: the declaration at the end; no results yet ------------------------------
  const candidate = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { viewport: DESKTOP_VIEWPORT, phone: false, landing: /\/desktop/ });
  pages.push(candidate);
  const banner = candidate.getByTestId('sitting-banner');
  const endDeclaration = banner.getByTestId('declaration-end');
  await endDeclaration.getByRole('checkbox').check();
  await endDeclaration.getByRole('button', { name: 'Confirm the declaration' }).click();
  await endDeclaration.waitFor({ state: 'detached' });
  const results = banner.getByTestId('my-results');
  await results.getByTestId('release-status').filter({ hasText: 'not ready to show yet' }).waitFor();
  expect(await results.getByTestId('my-mark').count()).toBe(0);

  // --- the assessor signs the mark sheet ---------------------------------------------------
  await assessor.reload();
  await assessor.getByRole('button', { name: /^Open the sitting of Demo Candidate/ }).click();
  const detail = assessor.getByTestId('sitting-detail');
  const sign = detail.getByTestId('sign-mark-sheet');
  await sign.getByRole('checkbox').check();
  await sign.getByRole('button', { name: 'Sign the mark sheet' }).click();
  await detail.locator('[data-testid="result-state"][data-state="centre-final"]').waitFor();
  await detail.getByTestId('signatures').locator('li[data-kind="assessor-mark-sheet"]').waitFor();
  expect(await detail.getByTestId('signatures').locator('li[data-kind="assessor-mark-sheet"]').textContent()).toMatch(/Demo Assessor, \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d/);

  // --- the IQA: every mark checked, then countersigned ------------------------------------------
  const iqa = await loginAs(fx.browser, fx.server.url, 'demo-iqa', { phone: false, landing: /\/iqa/, viewport: DESKTOP_VIEWPORT });
  pages.push(iqa);
  const awaiting = iqa.getByTestId('iqa-awaiting');
  const row = awaiting.locator(`tr[data-sitting-id="${sittingId}"]`);
  expect(await row.textContent()).toMatch(/In your sample/);
  await row.getByRole('button', { name: 'Open the sitting of Demo Candidate' }).click();
  const review = iqa.getByTestId('iqa-sitting');
  const decision = review.getByTestId('iqa-decision');
  await decision.getByText(/This sitting is in your sample/).waitFor();
  for (let n = 1; n <= 4; n++) {
    await review.getByRole('button', { name: new RegExp(`^Assignment ${n}:`) }).click();
    const attempt = review.getByTestId('iqa-attempt');
    await attempt.getByRole('heading', { name: new RegExp(`^Assignment ${n}:`) }).waitFor();
    await attempt.getByRole('button', { name: 'Agree with every other mark' }).click();
    await attempt.getByRole('button', { name: 'Save verdicts' }).click();
    await attempt.getByRole('status').filter({ hasText: 'Your verdicts are saved.' }).waitFor();
  }
  await decision.getByRole('checkbox').check();
  await decision.getByRole('button', { name: 'Countersign the sitting' }).click();
  await iqa.getByTestId('iqa-done').locator(`tr[data-sitting-id="${sittingId}"]`).filter({ hasText: 'Countersigned' }).waitFor();

  // --- the candidate: a provisional result now ------------------------------------------------
  await results.getByRole('button', { name: 'Refresh my results' }).click();
  await results.getByTestId('release-status').filter({ hasText: 'Provisional' }).waitFor();
  expect(await results.getByTestId('my-result').textContent()).toBe('Provisional result: Merit with 32 out of 48');

  // --- the moderator: the outcome, signed off ------------------------------------------------
  const moderator = await loginAs(fx.browser, fx.server.url, 'demo-moderator', { phone: false, landing: /\/moderation/, viewport: DESKTOP_VIEWPORT });
  pages.push(moderator);
  const sittingRow = moderator.locator(`tr[data-sitting-id="${sittingId}"]`);
  expect(await sittingRow.getByTestId('stage').textContent()).toBe('Ready to moderate');
  await sittingRow.getByRole('button', { name: 'Demo Candidate' }).click();
  const outcome = moderator.locator(`tr[data-sitting-details="${sittingId}"]`).getByTestId('moderation-outcome');
  await outcome.getByLabel('Accepted').check();
  await outcome.getByLabel('Reason (optional)').fill('Marking confirmed on all four recordings.');
  await outcome.getByRole('checkbox', { name: /I have moderated this sitting/ }).check();
  await outcome.getByRole('button', { name: 'Sign off the outcome' }).click();
  await outcome.locator('[data-testid="result-state"][data-state="moderated"]').waitFor();
  expect(await outcome.getByTestId('signatures').locator('li').count()).toBe(5);

  // --- the candidate: final; the centre: moderated --------------------------------------------
  await results.getByRole('button', { name: 'Refresh my results' }).click();
  await results.getByTestId('release-status').filter({ hasText: 'Moderation is complete' }).waitFor();
  expect(await results.getByTestId('my-result').textContent()).toBe('Result: Merit with 32 out of 48');
  expect(await results.getByTestId('my-mark').allTextContents()).toEqual(['7 out of 12', '8 out of 12', '9 out of 12', '8 out of 12']);
  await assessor.reload();
  await assessor.getByTestId('sittings-list').locator('tbody tr').filter({ hasText: 'Moderated (accepted)' }).waitFor();
}
