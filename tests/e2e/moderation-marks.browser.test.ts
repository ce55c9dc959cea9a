// The moderator's marks form on the replay page, in real Chromium over the built client: the
// centre's marks per criterion, a changed mark not sent until it has a reason, then
// saved (the server stores it beside the centre's mark) and the audit trail read again with it.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationView } from '../../server/protocol/moderation.js';
import { launchBrowser, shootAtStaffSizes } from '../support/browser.js';
import { projectRoot } from '../support/server-process.js';
import { createSitting, markAttempt, ok, startAttempt, startSitting, submitSitting } from '../support/sitting-helpers.js';
import { createTestApp, PASSWORD, type TestApp } from '../support/test-app.js';

let t: TestApp;
let browser: Browser;
let base: string;
let attemptId: string;

beforeAll(async () => {
  t = await createTestApp({ telephony: {}, clientDir: path.join(projectRoot, 'build', 'client') });
  base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  const assessor = await t.loginAs('assessor');
  const sitting = await createSitting(t, assessor);
  await startSitting(t, assessor, sitting.id);
  const ids: string[] = [];
  for (let n = 1; n <= 4; n++) {
    const id = (await startAttempt(t, assessor, sitting.id, n)).currentAttemptId!;
    ids.push(id);
    await markAttempt(t, assessor, id, 9);
  }
  await ok(t, assessor, 'POST', `/api/sittings/${sitting.id}/end`);
  await submitSitting(t, assessor, sitting.id);
  attemptId = ids[0]!;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('moderated marks in the browser', () => {
  it('will not send a changed mark without its reason, then saves it and the audit trail shows it', async () => {
    const moderator = await t.loginAs('moderator');
    const before = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptId}/moderation`);
    const criterion = before.criteria.find((c) => (c.centreMark ?? 0) > 0)!;

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    expect((await context.request.post(`${base}/api/auth/login`, { data: { username: 'moderator1', password: PASSWORD } })).status()).toBe(200);
    const page = await context.newPage();
    await page.goto(`${base}/moderation/attempts/${attemptId}`);
    const form = page.getByTestId('moderation-form');
    const table = form.getByRole('table', { name: 'Centre and moderated marks per criterion' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(before.criteria.length);

    await form.getByLabel(`Moderated mark for ${criterion.description}`).fill(String(criterion.centreMark! - 1));
    // The moved mark makes its reason required: the browser will not send the form without one.
    const reason = form.getByLabel(`Reason for ${criterion.description}`);
    expect(await reason.getAttribute('placeholder')).toBe('Required: why the mark moves');
    await form.getByRole('button', { name: 'Save moderated marks' }).click();
    expect(await reason.evaluate((e) => (e as HTMLInputElement).validity.valueMissing)).toBe(true);
    expect(t.repos.moderation.marksFor(attemptId)).toEqual([]);

    await reason.fill('The recording shows no read-back of the postcode.');
    await form.getByRole('button', { name: 'Save moderated marks' }).click();
    await form.getByRole('status').getByText('Saved 1 change.').waitFor();
    expect(t.repos.moderation.marksFor(attemptId)).toEqual([expect.objectContaining({ criterionId: criterion.criterionId, mark: criterion.centreMark! - 1 })]);
    await page.getByTestId('audit-trail').getByText('The recording shows no read-back of the postcode.', { exact: false }).waitFor();
    // Criteria by their description and the qualification's number, never the internal id, in the
    // table, its labels and the history of changes (issue 17).
    await form.getByText('The recording shows no read-back of the postcode.', { exact: false }).first().waitFor();
    // (markAttempt's comments, typed as an assessor would, name the id: they are the assessor's words.)
    expect((await form.innerText()).replace(/Comment on U2-[\w.-]+/g, '')).not.toMatch(/U2-\d/);
    expect(await form.innerText()).toMatch(/criterion \d\.\d/);
    await table.scrollIntoViewIfNeeded();
    await shootAtStaffSizes(page, 'moderation', 'moderated-marks');
    await context.close();
  });
});
