// What the candidate reads of their sittings in a real browser (issue 17): the outbound brief gives
// the customer's phone number to call (never the assessor's extension), and "Earlier sittings"
// tells each sitting apart by its en-GB date and time and the assignments taken, with the result
// only when the centre's release rule allows (the demo centre releases after moderation, so: not
// yet). A sitting planned after them (one made by mistake, say) heads the page but leaves the
// earlier sittings and their results in view. Screenshots at 1024×768 and 1920×1080 go to reports/candidate-sittings/.
import { describe, expect, it } from 'vitest';
import type { SittingDetail } from '../../server/protocol/assessment.js';
import { apiIn, loginAs, shootAtStaffSizes, withFailureScreenshots } from '../support/browser.js';
import { candidateDeclares, demoBrowserFixture, demoCandidate, startedSittingIn } from '../support/fixtures.js';

const fx = demoBrowserFixture();


describe('the candidate’s sittings', () => {
  it('the outbound brief shows the customer’s number; earlier sittings show date, time and assignments taken', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('candidate-sittings', async (pages) => {
      const assessor = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { phone: false, landing: /\/console/ });
      pages.push(assessor);
      const candidateId = (await demoCandidate(assessor)).userId;
      const startedSitting = (keys: string[]): Promise<SittingDetail> => startedSittingIn(assessor, fx.browser, fx.server.url, keys);

      // --- the outbound assignment (S5, position 3) ---------------------------------------------
      const first = await startedSitting(['s1', 's4', 's5', 's2']);
      const open = await apiIn<SittingDetail>(assessor, 'POST', `/api/sittings/${first.id}/assignments/3/attempts`, {});
      const candidate = await loginAs(fx.browser, fx.server.url, 'demo-candidate', { phone: false, landing: /\/desktop/, viewport: { width: 1400, height: 1000 } });
      pages.push(candidate);
      const brief = candidate.getByTestId('candidate-brief');
      await brief.waitFor();
      expect(await brief.getByTestId('dial-number').textContent()).toBe('0131 496 0544');
      // The assessor playing the customer, as the candidate's phone directory lists them.
      const assessorExtension = (await apiIn<{ entries: Array<{ role: string; extension: string }> }>(candidate, 'GET', '/api/directory')).entries.find((e) => e.role === 'assessor')!.extension;
      expect(await brief.textContent()).not.toContain(assessorExtension);
      await shootAtStaffSizes(candidate, 'candidate-sittings', 'outbound-brief', { width: 1400, height: 1000 });

      // --- the first sitting ends; a second one runs ---------------------------------------------
      await apiIn(assessor, 'POST', `/api/attempts/${open.currentAttemptId}/close`, {});
      await apiIn(assessor, 'POST', `/api/sittings/${first.id}/end`, {});
      await candidateDeclares(fx.browser, fx.server.url, first.id, 'end');
      const second = await startedSitting(['s1', 's4', 's5', 's3']);
      await candidate.reload();
      const results = candidate.getByTestId('my-results');
      await results.waitFor();
      await results.locator('summary').first().click();
      const earlier = results.getByTestId('earlier-sitting');
      await earlier.first().waitFor();
      expect(await earlier.count()).toBe(1);
      const text = (await earlier.first().textContent()) ?? '';
      // "6 Dec 2026, 14:02", then the assignment taken by its candidate-facing title, then the result as released.
      expect(text).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/);
      const candidateView = await apiIn<SittingDetail>(candidate, 'GET', `/api/sittings/${first.id}`);
      expect(text).toContain(`Assignments taken: 3. ${candidateView.assignments[2]!.title}`);
      expect(text).toContain('Result: not released yet.');
      expect(text).not.toMatch(/\/48|[0-9a-f]{8}-[0-9a-f]{4}/);
      await results.scrollIntoViewIfNeeded();
      await shootAtStaffSizes(candidate, 'candidate-sittings', 'earlier-sittings', { width: 1400, height: 1000 });

      // --- the second sitting ends; a third is planned (say, by mistake): the earlier ones stay in view ---
      await apiIn(assessor, 'POST', `/api/sittings/${second.id}/end`, {});
      await candidateDeclares(fx.browser, fx.server.url, second.id, 'end');
      await apiIn<SittingDetail>(assessor, 'POST', '/api/sittings', { candidateUserId: candidateId, scenarioKeys: ['s1', 's4', 's5', 's2'] });
      await candidate.reload();
      await candidate.getByTestId('sitting-status').filter({ hasText: 'Not started yet' }).waitFor();
      // The planned sitting heads the page, and the candidate's results of the sittings that took place are still there.
      const stillThere = candidate.getByTestId('my-results');
      await stillThere.waitFor();
      await stillThere.locator('summary').first().click();
      await stillThere.getByTestId('earlier-sitting').nth(1).waitFor();
      expect(await stillThere.getByTestId('earlier-sitting').count()).toBe(2);
      // Nothing of the planned sitting is offered as a result.
      expect(await stillThere.getByTestId('release-status').count()).toBe(0);
      await stillThere.scrollIntoViewIfNeeded();
      await shootAtStaffSizes(candidate, 'candidate-sittings', 'planned-with-earlier', { width: 1400, height: 1000 });
    });
  });
});
