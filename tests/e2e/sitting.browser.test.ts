// A sitting from start to mark sheet (the Assessment issue's acceptance test). Two Chromium
// instances on the production server: the assessor creates a sitting for the demo candidate with
// four scenarios covering the three areas (S1 inbound service, S4 inbound sales, S5 outbound
// sales, S2 inbound service); the candidate reads the guidance and confirms the declaration, the
// assessor records the identity check (Start stays disabled until both are done), starts it and
// assignment 1; the candidate sees the clock and the brief; the assessor calls presenting the persona's number from the caller brief, the candidate
// answers and the desktop pops the record; bookmarks are dropped during the call; the assessor
// marks every criterion (suggestions first) and finishes; the candidate is told results are not
// released yet (the centre releases them after moderation), and the mark sheet PDF carries the marks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { answer, DESKTOP_VIEWPORT, loginAs, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-sitting-' });

describe('an assessment sitting', () => {
  it('create, start, brief, call with screen pop, bookmarks, marking, result and mark sheet', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('sitting', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  // --- the assessor creates the sitting and starts it and assignment 1 ------------------------
  const assessor = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-assessor', { viewport: DESKTOP_VIEWPORT, acceptDownloads: true });
  pages.push(assessor);
  const form = assessor.getByRole('form', { name: 'New sitting' });
  const fillForm = async (keys: string[]) => {
    await assessor.getByRole('button', { name: 'New sitting' }).click();
    // The demo centre has one candidate (option 0 is "Choose a candidate…").
    await form.getByLabel('Candidate').selectOption({ index: 1 });
    // Named as the centre tells candidates apart (the demo candidate has no candidate number: the username), never by extension.
    expect(await form.getByLabel('Candidate').locator('option:checked').textContent()).toBe('Demo Candidate · username demo-candidate');
    for (const [i, key] of keys.entries()) await form.getByLabel(`Assignment ${i + 1}`).selectOption(key);
  };
  const detail = assessor.getByTestId('sitting-detail');

  // A planned sitting without a sales call: the server's coverage warnings are shown. Extra time
  // longer than the base time is refused first, the server's message next to the field.
  await fillForm(['s1', 's2', 's3', 's6']);
  // The coverage warning is shown while choosing, before anything is created (issue 17).
  const check = form.getByTestId('coverage-check');
  await check.getByText(/inbound sales call/).waitFor();
  expect(await check.textContent()).toMatch(/outbound sales call/);
  expect(await check.textContent()).toMatch(/you may still create the sitting/);
  await form.getByLabel('Planned for (optional)').fill('2030-01-15T09:30');
  await form.getByLabel('Base time (minutes)').fill('10');
  await form.getByLabel('Extra time in minutes').check();
  await form.getByLabel('Extra time (minutes)').fill('30');
  await form.getByRole('button', { name: 'Create sitting' }).click();
  await form.locator('input[aria-invalid="true"]').first().waitFor();
  expect(await form.getByLabel('Extra time (minutes)').getAttribute('aria-invalid')).toBe('true');
  await form.getByLabel('Base time (minutes)').fill('60');
  await form.getByLabel('Extra time (minutes)').fill('15');
  await form.getByRole('button', { name: 'Create sitting' }).click();
  await assessor.getByTestId('coverage-warnings').waitFor();
  expect(await assessor.getByTestId('sitting-created').textContent()).not.toMatch(/Coverage/);
  expect(await detail.textContent()).toContain('15 min extra time');
  // A planned sitting is not "ended": that is offered only once it has started.
  expect(await detail.getByRole('button', { name: 'End sitting' }).count()).toBe(0);

  // The real one: four scenarios covering the three areas, so no coverage warning.
  await fillForm(['s1', 's4', 's5', 's2']);
  await form.getByTestId('coverage-check').waitFor({ state: 'detached' });
  await form.getByRole('button', { name: 'Create sitting' }).click();
  await detail.getByRole('button', { name: 'Start sitting' }).waitFor();
  await assessor.getByTestId('coverage-warnings').waitFor({ state: 'detached' });
  // The list is fetched again after the sitting is created; wait for that fetch, then count.
  const sittingRows = assessor.getByTestId('sittings-list').locator('tbody tr');
  await sittingRows.nth(1).waitFor();
  expect(await sittingRows.count()).toBe(2);
  expect(await detail.getByRole('timer').getAttribute('aria-label')).toBe('Sitting clock');

  // --- before the start: the candidate's guidance and declaration, the assessor's identity check ---
  expect(await detail.getByRole('button', { name: 'Start sitting' }).isDisabled()).toBe(true);
  const candidate = await loginAs(fx.candidateBrowser, fx.server.url, 'demo-candidate', { viewport: DESKTOP_VIEWPORT, acceptDownloads: true });
  pages.push(candidate);
  const banner = candidate.getByTestId('sitting-banner');
  const guidance = banner.getByTestId('sitting-guidance');
  await guidance.waitFor();
  const words = (await guidance.textContent()) ?? '';
  for (const point of ['Four assignments', 'One hour for all four', 'Your calls are recorded', 'At least 6 out of 12 in each assignment', 'What happens next']) expect(words).toContain(point);
  await guidance.getByRole('checkbox').check();
  await guidance.getByRole('button', { name: 'Confirm the declaration' }).click();
  await guidance.getByTestId('declared-start').waitFor();
  const identity = detail.getByRole('form', { name: 'Record the identity check' });
  await identity.getByLabel('Document seen').selectOption('driving-licence');
  await identity.getByRole('button', { name: 'Record identity check' }).click();
  await detail.getByTestId('identity-check').filter({ hasText: 'Identity checked: Photocard driving licence' }).waitFor();
  await detail.getByTestId('declarations').filter({ hasText: /before the sitting: confirmed/ }).waitFor();
  await expect.poll(() => detail.getByRole('button', { name: 'Start sitting' }).isEnabled()).toBe(true);
  await detail.getByRole('button', { name: 'Start sitting' }).click();
  await detail.locator('[data-testid="sitting-clock"][data-state="running"]').waitFor();
  await detail.getByRole('button', { name: 'Start assignment 1' }).click();
  await detail.getByTestId('attempt-status').filter({ hasText: 'in progress' }).waitFor();

  // The caller brief of assignment 1 beside the softphone, with the number to present.
  const brief = assessor.getByTestId('caller-brief');
  await brief.getByTestId('persona-name').filter({ hasText: 'Margaret Hughes' }).waitFor();
  expect(await brief.getByTestId('present-number').textContent()).toBe('0113 496 0412');
  expect(await brief.getByTestId('cue-card').count()).toBeGreaterThan(0);
  // The candidate's phone is never named by its extension (issue 17).
  expect(await brief.getByTestId('call-instruction').innerText()).not.toMatch(/extension|\b1\d{3}\b/);

  // --- the candidate sees the clock and the brief -------------------------------------------
  await candidate.reload();
  await candidate.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  const timer = banner.getByRole('timer', { name: 'Time left in your sitting' });
  await timer.waitFor();
  expect(await timer.textContent()).toMatch(/\d\d:\d\d left/);
  expect(await banner.getByTestId('brief-role').textContent()).toContain('Customer service adviser');
  expect(await banner.getByTestId('brief-tasks').locator('li').count()).toBeGreaterThan(2);
  await candidate.getByTestId('agent-state').waitFor();
  await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
  await candidate.getByRole('button', { name: 'Ready', exact: true }).click();

  // --- the call: the assessor presents Mrs Hughes's number; the desktop pops her record -----
  const callButton = brief.getByRole('button', { name: 'Call Demo Candidate as the customer' });
  await expect.poll(() => callButton.isEnabled(), { timeout: 15_000 }).toBe(true);
  await callButton.click();
  await candidate.getByTestId('incoming').filter({ hasText: '0113 496 0412' }).waitFor();
  // The caller as presented, a customer's call: her name and number, never the assessor or an extension.
  expect(await candidate.getByTestId('incoming').getByTestId('caller').textContent()).toBe('Mrs Margaret Hughes (0113 496 0412)');
  await answer(candidate);
  expect(await candidate.getByTestId('call').getByTestId('caller').textContent()).toBe('Mrs Margaret Hughes (0113 496 0412)');
  // Mid-call, leaving the page asks first (a cancelled beforeunload); the hold timer runs while on hold.
  expect(await candidate.evaluate(() => !window.dispatchEvent(new Event('beforeunload', { cancelable: true })))).toBe(true);
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  await assessor.getByRole('button', { name: 'Hold', exact: true }).click();
  await assessor.getByTestId('hold-timer').filter({ hasText: /^On hold 00:0\d$/ }).waitFor();
  await assessor.getByRole('button', { name: 'Resume', exact: true }).click();
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  expect(await assessor.getByTestId('hold-timer').count()).toBe(0);
  await candidate.getByTestId('customer-record').getByRole('heading', { name: /Margaret Hughes/ }).waitFor();
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();

  // Bookmarks during the call: one from a cue card, one typed (Enter).
  await brief.getByRole('button', { name: /^Bookmark cue:/ }).first().click();
  await brief.getByTestId('bookmark-status').filter({ hasText: /Bookmarked at \d\d:\d\d/ }).waitFor();
  await brief.getByLabel('Bookmark note').fill('Clear greeting and recording notice');
  await brief.getByLabel('Bookmark note').press('Enter');
  await brief.getByTestId('bookmarks').locator('li').nth(1).waitFor();
  expect(await brief.getByTestId('bookmarks').textContent()).toContain('Clear greeting and recording notice');
  // A cue's bookmark is tagged with when the cue is played, never the cue's id (issue 17).
  const cueTag = 'Cue: while the candidate is confirming her details';
  expect(await brief.getByTestId('bookmarks').locator('.tag').allInnerTexts()).toEqual([cueTag]);
  expect(await brief.getByTestId('bookmarks').innerText()).not.toContain('old-mobile');

  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
  await assessor.getByTestId('call').waitFor({ state: 'detached' });

  // --- marking: suggestions, every criterion, finish ----------------------------------------
  await detail.getByRole('button', { name: 'Mark assignment 1' }).click();
  const marking = assessor.getByTestId('marking-form');
  await marking.locator('fieldset.criterion').first().waitFor();
  expect(await marking.getByTestId('suggestion').count()).toBeGreaterThan(0);
  const criteria = marking.locator('fieldset.criterion');
  const n = await criteria.count();
  expect(n).toBeGreaterThan(3);
  let overridden = false;
  for (let i = 0; i < n; i++) {
    const c = criteria.nth(i);
    const use = c.getByRole('button', { name: /^Use suggestion/ });
    if ((await use.count()) > 0 && (await use.isEnabled())) {
      await use.click();
      if (!overridden) {
        // Depart from one suggestion: the override reason becomes required.
        overridden = true;
        const radios = c.locator('input[type="radio"]');
        const other = (await radios.first().isChecked()) ? radios.last() : radios.first();
        await other.check();
        const reason = c.getByLabel('Why the mark differs from the suggestion (required)');
        await reason.waitFor();
        await marking.getByRole('button', { name: 'Save and finish' }).click();
        expect(await reason.getAttribute('aria-invalid')).toBe('true');
        await reason.fill('Heard on the call: the check was done before the account was discussed.');
      }
    } else await c.locator('input[type="radio"]').last().check();
  }
  expect(overridden).toBe(true);
  const totalText = (await marking.getByTestId('marking-total').textContent()) ?? '';
  const total = Number(/Total: (\d+) out of 12/.exec(totalText)?.[1]);
  expect(totalText).toContain(`${n} of ${n} criteria marked`);
  expect(Number.isInteger(total)).toBe(true);
  await marking.getByRole('button', { name: 'Save and finish' }).click();
  await marking.getByTestId('marking-status').filter({ hasText: `Marking finished: ${total} out of 12` }).waitFor();
  await marking.getByTestId('marking-history').locator('tbody tr').nth(n - 1).waitFor();
  // Staff read a criterion's description and the qualification's number ("criterion 1.1"), never
  // the internal id (U2-1.1-greeting), on the form or in its history (issue 17).
  expect(await marking.innerText()).not.toMatch(/U2-\d/);
  expect(await marking.innerText()).toMatch(/criterion \d\.\d/);
  // The call list words the call's end: no state or outcome codes ("ended · completed: …").
  const outcome = assessor.getByTestId('call-list').locator('tbody tr').first().locator('td').nth(3);
  await expect.poll(async () => (await outcome.innerText()).trim(), { timeout: 15_000 }).toMatch(/^Completed · hung up by the (caller|callee)$/);
  // Who called whom, as the candidate's phone presented it: the customer played by the assessor and the candidate by name, never an extension.
  const parties = assessor.getByTestId('call-list').locator('tbody tr').first().locator('td');
  expect(await parties.nth(1).innerText()).toBe('Mrs Margaret Hughes, 0113 496 0412 · Assessor (role-play)');
  expect(await parties.nth(2).innerText()).toBe('Demo Candidate');
  expect(await assessor.getByTestId('call-list').innerText()).not.toMatch(/\(\d{3,5}\)/);
  await marking.scrollIntoViewIfNeeded();
  await shootAtStaffSizes(assessor, 'marking', 'marking-form', DESKTOP_VIEWPORT);
  expect(await marking.getByTestId('bookmarks').locator('li').count()).toBe(2);
  expect(await marking.getByTestId('bookmarks').locator('.tag').allInnerTexts()).toEqual([cueTag]);
  await detail.getByTestId('attempt-status').filter({ hasText: `marked: ${total}/12` }).waitFor();

  // --- the candidate is told results are not released yet (the centre's rule: after moderation) ---
  const results = candidate.getByTestId('my-results');
  await results.locator('summary').click();
  await results.getByRole('button', { name: 'Refresh my results' }).click();
  await results.getByTestId('release-status').filter({ hasText: 'Your results are not ready to show yet' }).waitFor({ timeout: 20_000 });
  expect(await results.getByTestId('my-mark').count()).toBe(0);

  // --- the mark sheet PDF carries the marks ---------------------------------------------------
  const [download] = await Promise.all([assessor.waitForEvent('download'), detail.getByTestId('mark-sheet-link').click()]);
  const pdf = path.join(fx.tmp, 'mark-sheet.pdf');
  await download.saveAs(pdf);
  expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain('Demo Candidate');
  expect(text).toMatch(new RegExp(`Assignment total: ${total}\\s*/\\s*12`));
  // The marks of the criteria are on it, one line each.
  expect(text.match(/\b[01]\/1\b/g)?.length).toBe(n);
  expect(text).toMatch(/S1|Moving home/);
}
