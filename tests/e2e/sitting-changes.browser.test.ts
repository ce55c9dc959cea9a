// Putting a planned sitting right in a real browser (issue 17): the assessor creates a sitting,
// moves it to another date and time, then cancels it with a reason; the cancelled sitting says so,
// offers nothing to run, and does not take over the candidate's page. A started sitting offers no
// change, and the server refuses one in words. Screenshots of the sitting's page at 1024×768 and
// 1920×1080 go to reports/sitting-changes/.
import { describe, expect, it } from 'vitest';
import { apiIn, loginAs, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture, startedSittingIn } from '../support/fixtures.js';

const fx = demoBrowserFixture();


describe('changing and cancelling a planned sitting', () => {
  it('moves its date and time, cancels it with a reason, and refuses to change a started one', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('sitting-changes', async (pages) => {
      const assessor = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { phone: false, landing: /\/console/, viewport: { width: 1400, height: 1000 } });
      pages.push(assessor);
      const form = assessor.getByRole('form', { name: 'New sitting' });
      await assessor.getByRole('button', { name: 'New sitting' }).click();
      await form.getByLabel('Candidate').selectOption({ index: 1 });
      for (const [i, key] of ['s1', 's4', 's5', 's2'].entries()) await form.getByLabel(`Assignment ${i + 1}`).selectOption(key);
      await form.getByLabel('Planned for (optional)').fill('2030-01-15T09:30');
      await form.getByRole('button', { name: 'Create sitting' }).click();
      const detail = assessor.getByTestId('sitting-detail');
      await detail.getByRole('button', { name: 'Change sitting' }).waitFor();
      expect(await detail.textContent()).toContain('planned 15 Jan 2030, 09:30');

      // --- another date and time ----------------------------------------------------------------
      await detail.getByRole('button', { name: 'Change sitting' }).click();
      const edit = detail.getByTestId('edit-sitting-form');
      expect(await edit.getByLabel('Planned for').inputValue()).toBe('2030-01-15T09:30');
      // The candidate and the assessor are offered by name, the current ones chosen; a candidate as the
      // centre tells them apart (no candidate number yet: the username), as in the new-sitting form.
      // (Until the centre's candidates have loaded, the current one is offered by name alone.)
      await edit.getByLabel('Candidate').locator('option', { hasText: '· username' }).first().waitFor({ state: 'attached' });
      expect(await edit.getByLabel('Candidate').locator('option:checked').textContent()).toBe('Demo Candidate · username demo-candidate');
      expect(await edit.getByLabel('Assessor').locator('option:checked').textContent()).toBe('Demo Assessor');
      await edit.getByLabel('Planned for').fill('2030-01-16T14:00');
      await shootAtStaffSizes(assessor, 'sitting-changes', 'console-change-sitting', { width: 1400, height: 1000 });
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await edit.waitFor({ state: 'detached' });
      await assessor.getByText('The sitting has been changed.').waitFor();
      expect(await detail.textContent()).toContain('planned 16 Jan 2030, 14:00');
      // The list reads the sitting again: it shows the new time too.
      await assessor.getByTestId('sittings-list').getByText('16 Jan 2030, 14:00').waitFor();

      // --- cancelled, with a reason -------------------------------------------------------------
      await detail.getByRole('button', { name: 'Cancel sitting' }).click();
      const cancel = detail.getByTestId('cancel-sitting-form');
      await cancel.getByRole('button', { name: 'Yes, cancel the sitting' }).click();
      await cancel.getByText('Say why the sitting is cancelled.').waitFor();
      await cancel.getByLabel('Reason').fill('The candidate is ill; a new date will be agreed.');
      await shootAtStaffSizes(assessor, 'sitting-changes', 'console-cancel-sitting', { width: 1400, height: 1000 });
      await cancel.getByRole('button', { name: 'Yes, cancel the sitting' }).click();
      const notice = detail.getByTestId('sitting-cancelled');
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/^Cancelled on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} by Demo Assessor: The candidate is ill; a new date will be agreed\.$/);
      expect(await detail.locator('.tag').first().textContent()).toBe('Cancelled');
      for (const name of ['Start sitting', 'Change sitting', 'Cancel sitting', 'End sitting']) expect(await detail.getByRole('button', { name }).count(), name).toBe(0);
      await assessor.getByTestId('sittings-list').getByRole('cell', { name: 'Cancelled' }).waitFor();
      await shootAtStaffSizes(assessor, 'sitting-changes', 'console-cancelled-sitting', { width: 1400, height: 1000 });

      // --- the candidate's page is not taken over by the cancelled sitting ----------------------
      const candidate = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { phone: false, landing: /\/desktop/ });
      pages.push(candidate);
      await candidate.locator('main').waitFor();
      await candidate.waitForLoadState('networkidle');
      expect(await candidate.getByTestId('sitting-banner').count()).toBe(0);
      expect(await candidate.locator('main').textContent()).not.toMatch(/ill; a new date/);
      await candidate.context().close();

      // --- a started sitting offers no change, and the server refuses one in words --------------
      const started = await startedSittingIn(assessor, fx.browser, fx.server.url, ['s1', 's4', 's5', 's3']);
      await assessor.reload();
      // The console opens the sitting in progress by itself.
      await detail.getByRole('button', { name: 'End sitting' }).waitFor();
      expect(await detail.getByRole('button', { name: 'Change sitting' }).count()).toBe(0);
      expect(await detail.getByRole('button', { name: 'Cancel sitting' }).count()).toBe(0);
      const refused = await apiIn(assessor, 'PATCH', `/api/sittings/${started.id}`, { scheduledFor: Date.UTC(2030, 0, 17, 9, 0) }).then(
        () => 'accepted',
        (e: unknown) => String(e),
      );
      expect(refused).toContain('409');
      expect(refused).toContain('This sitting has started, so it can no longer be changed.');
      const cancelRefused = await apiIn(assessor, 'POST', `/api/sittings/${started.id}/cancel`, { reason: 'Too late.' }).then(
        () => 'accepted',
        (e: unknown) => String(e),
      );
      expect(cancelRefused).toContain('This sitting has started, so it can no longer be cancelled.');
    });
  });
});
