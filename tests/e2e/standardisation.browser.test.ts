// Standardisation in real Chromium over the built client: an assessor marks the exercise blind
// on the console (the criteria with a mark to choose each, never the centre's marks) and saves one, and the IQA
// opens the agreement: per assessor (one who has not submitted says so) and per criterion, with a
// column for each assessor. Both pages are shot at the staff sizes (reports/standardisation/).
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/passwords.js';
import type { StandardisationMarkingView, StandardisationResultsView } from '../../server/protocol/assurance.js';
import { launchBrowser, shootAtStaffSizes } from '../support/browser.js';
import { projectRoot } from '../support/server-process.js';
import { createSitting, markAttempt, ok, startAttempt, startSitting } from '../support/sitting-helpers.js';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../support/test-app.js';

let t: TestApp;
let browser: Browser;
let base: string;
let exerciseId: string;

beforeAll(async () => {
  t = await createTestApp({ telephony: {}, clientDir: path.join(projectRoot, 'build', 'client') });
  base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  const hash = await hashPassword(PASSWORD);
  const b1 = t.repos.users.create({ username: 'assessor-b', displayName: 'Bola Adeyemi', role: 'assessor', centreId: t.centreId, passwordHash: hash });
  const c1 = t.repos.users.create({ username: 'assessor-c', displayName: 'Ciara Doyle', role: 'assessor', centreId: t.centreId, passwordHash: hash });
  const iqa = await t.loginAs('iqa');
  const a = await t.loginAs('assessor');
  const b = await t.login('assessor-b');
  const s = await createSitting(t, a);
  await startSitting(t, a, s.id);
  const attemptId = (await startAttempt(t, a, s.id, 1)).currentAttemptId!;
  const callId = '00000000-0000-4000-8000-00000000ca12';
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });
  t.repos.calls.update(callId, { state: 'ended', recordingPath: `${t.dir}/recordings/x.ogg`, recordingStatus: 'complete', recordingDurationMs: 95_000 });
  t.clock.advance(1000);
  await markAttempt(t, a, attemptId, 8);
  const made = await ok<StandardisationResultsView>(t, iqa, 'POST', '/api/standardisation', { attemptId, title: 'Spring standardisation', assessorUserIds: [t.users.assessor, b1.id, c1.id] }, 201);
  exerciseId = made.id;
  // A and B submit (B one mark lower on the first criterion); C has not marked yet.
  const rubric = (await ok<StandardisationMarkingView>(t, a, 'GET', `/api/standardisation/${exerciseId}`)).criteria;
  const marks = (lower: number) => rubric.map((c, i) => ({ criterionId: c.criterionId, mark: Math.max(0, c.maxMarks - (i === 0 ? lower : 0)) }));
  const submit = (who: Login, lower: number) => ok(t, who, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marks(lower), submit: true });
  await submit(a, 0);
  await submit(b, 1);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function pageOf(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const res = await context.request.post(`${base}/api/auth/login`, { data: { username, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return context.newPage();
}

describe('standardisation in the browser', () => {
  it('the assessor still to mark sees the criteria to mark, blind', async () => {
    const page = await pageOf('assessor-c');
    await page.goto(`${base}/console`);
    const exercises = page.getByTestId('standardisation-marking');
    await exercises.getByRole('button', { name: 'Spring standardisation' }).click();
    const marks = page.getByRole('table', { name: 'Your marks' });
    await marks.waitFor();
    expect(await marks.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await marks.getByRole('combobox').count()).toBe(await marks.locator('tbody tr').count());
    await marks.scrollIntoViewIfNeeded();
    await shootAtStaffSizes(page, 'standardisation', 'assessor-marking');
    // A mark saved (not submitted) is kept by the server and says so.
    await marks.getByRole('combobox').first().selectOption('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const mine = await ok<StandardisationMarkingView>(t, await t.login('assessor-c'), 'GET', `/api/standardisation/${exerciseId}`);
    expect(mine.criteria[0]!.mark).toBe(0);
    expect(mine.submittedAt).toBeNull();
    await page.context().close();
  });

  it('the IQA reads the agreement per assessor and per criterion', async () => {
    const page = await pageOf('iqa1');
    await page.goto(`${base}/iqa`);
    const list = page.getByRole('table', { name: 'Standardisation exercises' });
    await list.getByRole('row', { name: /Spring standardisation/ }).getByText('2 of 3').waitFor();
    await list.getByRole('button', { name: 'Agreement' }).click();
    const perAssessor = page.getByRole('table', { name: 'Agreement per assessor' });
    await perAssessor.waitFor();
    expect(await perAssessor.locator('tbody th[scope=row]').allTextContents()).toEqual(['Test assessor', 'Bola Adeyemi', 'Ciara Doylenot submitted']);
    const perCriterion = page.getByRole('table', { name: 'Agreement per criterion' });
    for (const name of ['Criterion', 'Centre', 'Test assessor', 'Bola Adeyemi', 'Ciara Doyle', 'Pairs agreeing', 'Same as centre']) {
      expect(await perCriterion.getByRole('columnheader', { name, exact: true }).count()).toBe(1);
    }
    await perAssessor.scrollIntoViewIfNeeded();
    await shootAtStaffSizes(page, 'standardisation', 'iqa-agreement');
    await page.context().close();
  });
});
