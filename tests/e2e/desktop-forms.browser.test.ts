// The desktop's forms in a real browser against the production server, recording what the answer
// keys mark: a complaint case with its category (chosen in words) and a goodwill credit in pounds,
// an order of several lines, a task with its priority, the contact preference and do-not-call flag,
// a message filed in a folder, the auto-reply, and a template filled from the case. Bad input is
// answered under its field (checked in the browser, or named by the server) and saves nothing.
// Every form is photographed at 1024×768 and 1920×1080 for a person to look at
// ($CALLMARK_SCREENSHOTS, else the temp dir).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiIn, assessorStartsPractice, candidateOnline, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture } from '../support/fixtures.js';
import type { Json } from '../support/json.js';

const shots = process.env.CALLMARK_SCREENSHOTS ?? path.join(os.tmpdir(), 'callmark-forms-screenshots');
beforeAll(() => {
  fs.mkdirSync(shots, { recursive: true });
});
const fx = demoBrowserFixture();

const SMALL = { width: 1024, height: 768 };
const LARGE = { width: 1920, height: 1080 };

/** The element in view, photographed at both sizes (then back to the small one). */
async function shoot(page: Page, target: Locator, name: string): Promise<void> {
  for (const [size, viewport] of [['1024x768', SMALL], ['1920x1080', LARGE]] as const) {
    await page.setViewportSize(viewport);
    await target.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, `${name}-${size}.png`) });
  }
  await page.setViewportSize(SMALL);
}

describe('desktop forms', () => {
  it('record every answer-key field, with errors under their field', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('forms', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  await assessorStartsPractice(fx.browser, fx.server.url, { viewport: SMALL, pages });
  const candidate = await candidateOnline(fx.browser, fx.server.url, { viewport: SMALL, pages });
  const attemptId = (await apiIn<{ attempt: { id: string } }>(candidate, 'GET', '/api/attempts/current')).attempt.id;
  const customer = async (account: string): Promise<Json> => {
    const { customers } = await apiIn<{ customers: Json[] }>(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=${account}`);
    return (await apiIn<{ customer: Json }>(candidate, 'GET', `/api/attempts/${attemptId}/customers/${customers[0]!.id}`)).customer;
  };

  // Mr Nowak's record.
  const search = candidate.getByRole('search', { name: 'Customer search' });
  await search.getByLabel('Search customers').fill('BL100777');
  await search.getByRole('button', { name: 'Search' }).click();
  await candidate.getByRole('button', { name: /Tomasz Nowak/ }).click();
  const record = candidate.getByTestId('customer-record');
  await record.getByRole('heading', { name: /Tomasz Nowak/ }).waitFor();

  // --- a complaint case: category in words, credit in pounds (a bad amount refused first) -------
  await record.getByRole('tab', { name: /^Cases/ }).click();
  const caseForm = record.getByRole('form', { name: 'New case' });
  const categories = await caseForm.getByLabel('Category').locator('option').allTextContents();
  expect(categories).toContain('Missed appointment');
  expect(categories.join(' ')).not.toMatch(/MISSED_APPOINTMENT|HOME_MOVE/);
  await caseForm.getByLabel('Category').selectOption({ label: 'Missed appointment' });
  await caseForm.getByLabel('Priority').selectOption('high');
  await caseForm.getByLabel('Goodwill credit (£, optional)').fill('twenty pounds');
  await caseForm.getByLabel('Description').fill('Second missed engineer visit (4 and 18 November); asks for £200 and a guaranteed slot.');
  await caseForm.getByLabel('Escalate to a team leader').check();
  const casesBefore = (await customer('BL100777')).cases.length;
  await caseForm.getByRole('button', { name: 'Create case' }).click();
  const creditError = caseForm.locator('#case-credit-error');
  await creditError.filter({ hasText: '"twenty pounds" is not an amount in pounds' }).waitFor();
  expect(await caseForm.getByLabel('Goodwill credit (£, optional)').getAttribute('aria-invalid')).toBe('true');
  await shoot(candidate, caseForm, 'case-form-error');
  expect((await customer('BL100777')).cases.length).toBe(casesBefore);
  await caseForm.getByLabel('Goodwill credit (£, optional)').fill('£20.00');
  await caseForm.getByRole('button', { name: 'Create case' }).click();
  await record.getByRole('status').filter({ hasText: /^Case CAS-\d+ created\.$/ }).waitFor();
  const listed = record.getByRole('tabpanel', { name: /Cases/ }).locator('li').filter({ hasText: 'goodwill credit £20.00' });
  expect(await listed.textContent()).toContain('Missed appointment · High priority');
  const kase = (await customer('BL100777')).cases.find((c: Json) => c.origin === 'attempt');
  expect(kase).toMatchObject({ type: 'complaint', category: 'MISSED_APPOINTMENT', priority: 'high', escalated: true, creditPence: 2000 });
  await shoot(candidate, record, 'case-form-created');

  // --- an order of several lines (the same product twice refused first) ------------------------
  await record.getByRole('tab', { name: /^Orders/ }).click();
  const orderForm = record.getByRole('form', { name: 'New order' });
  await orderForm.getByLabel('Product, line 1').selectOption('BB-FIBRE-500');
  await orderForm.getByLabel('Sale type, line 1').selectOption('upsell');
  await orderForm.getByRole('button', { name: 'Add another product' }).click();
  await orderForm.getByLabel('Product, line 2').selectOption('BB-FIBRE-500');
  await orderForm.getByRole('button', { name: 'Place order' }).click();
  await orderForm.getByText('Full Fibre 500 is on the order twice').waitFor();
  await orderForm.getByLabel('Product, line 2').selectOption('WIFI-MESH');
  await orderForm.getByLabel('Quantity, line 2').fill('2');
  await orderForm.getByLabel('Sale type, line 2').selectOption('cross_sell');
  await orderForm.getByTestId('order-draft-total').filter({ hasText: '£38.00 a month + £119.98 one-off' }).waitFor();
  await shoot(candidate, orderForm, 'order-form');
  await orderForm.getByRole('button', { name: 'Place order' }).click();
  await record.getByRole('status').filter({ hasText: /^Order ORD-\d+ placed: £38\.00 a month \+ £119\.98 one-off\.$/ }).waitFor();
  const order = (await customer('BL100777')).orders.find((o: Json) => o.origin === 'attempt');
  expect(order.lines.map((l: Json) => [l.productCode, l.quantity, l.saleType])).toEqual([
    ['BB-FIBRE-500', 1, 'upsell'],
    ['WIFI-MESH', 2, 'cross_sell'],
  ]);

  // --- a task with its priority; a due time in the past is refused by the server, under Due ------
  await record.getByRole('tab', { name: /^Callbacks/ }).click();
  const cbForm = record.getByRole('form', { name: 'New callback or task' });
  await cbForm.getByLabel('Kind').selectOption('task');
  await cbForm.getByLabel('Due').fill('2020-01-06T10:00');
  await cbForm.getByLabel('Priority').selectOption('high');
  await cbForm.getByLabel('Reason').fill('Team leader to review the £200 request');
  await cbForm.getByRole('button', { name: 'Create callback' }).click();
  await cbForm.locator('#cb-due-error').filter({ hasText: 'is in the past' }).waitFor();
  await shoot(candidate, cbForm, 'callback-form-error');
  const due = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await cbForm.getByLabel('Due').fill(`${due}T10:00`);
  await cbForm.getByRole('button', { name: 'Create callback' }).click();
  await record.getByRole('status').filter({ hasText: 'Task created.' }).waitFor();
  expect((await customer('BL100777')).callbacks.find((b: Json) => b.origin === 'attempt')).toMatchObject({ kind: 'task', priority: 'high', dueAt: `${due}T10:00` });

  // --- contact preference and do not call on the record ---------------------------------------
  await record.getByRole('tab', { name: 'Details' }).click();
  await record.getByRole('button', { name: 'Edit details' }).click();
  await record.getByLabel('Contact preference').selectOption('email');
  await record.getByLabel('Do not call (no sales or marketing calls)').check();
  await shoot(candidate, record, 'details-form');
  await record.getByRole('button', { name: 'Save changes' }).click();
  await record.getByTestId('changes').filter({ hasText: 'Contact preference: Phone → E-mail' }).waitFor();
  expect(await record.getByTestId('changes').textContent()).toContain('Do not call: No → Yes');
  expect(await customer('BL100777')).toMatchObject({ contactPreference: 'email', doNotCall: true });
  await record.getByTestId('do-not-call').waitFor();

  // --- compose: the complaint acknowledgement filled from the new case -------------------------
  const tools = candidate.getByRole('region', { name: 'Messages and knowledge' });
  await tools.getByRole('tab', { name: 'Compose' }).click();
  const compose = candidate.getByRole('form', { name: 'Follow-up message' });
  const fillFrom = compose.getByRole('group', { name: 'Fill in the template from' });
  await expect.poll(() => fillFrom.getByLabel('Case').locator('option:checked').textContent()).toBe(`${kase.reference} (complaint)`);
  await compose.getByLabel('Template').selectOption({ label: 'Complaint acknowledgement' });
  await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe(`Your complaint ${kase.reference}`);
  expect(await compose.getByLabel('Message').inputValue()).toContain(`under the reference ${kase.reference}`);
  await shoot(candidate, compose, 'compose-fill-from');

  // --- the inbox: a message filed in a folder, and the auto-reply --------------------------------
  await tools.getByRole('tab', { name: 'Inbox' }).click();
  const incoming = tools.getByRole('tabpanel', { name: /Incoming/ });
  const aisha = incoming.getByTestId('message').filter({ hasText: 'Broadband keeps dropping' });
  await aisha.locator('summary').click();
  const filing = aisha.getByRole('form', { name: 'File the message from aisha.rahman@example.org' });
  await filing.getByLabel('File in').selectOption('Faults - actioned');
  await filing.getByRole('button', { name: 'File' }).click();
  await aisha.getByText('Filed: Faults - actioned').waitFor();
  const filed = (await apiIn<{ messages: Json[] }>(candidate, 'GET', `/api/attempts/${attemptId}/messages?direction=in`)).messages.find((m) => /Broadband keeps dropping/.test(m.subject));
  expect(filed).toMatchObject({ folder: 'Faults - actioned' });
  await incoming.getByLabel('Show').selectOption({ label: 'Folder: Faults - actioned' });
  expect(await incoming.getByTestId('message').count()).toBe(1);
  await shoot(candidate, incoming, 'inbox-filing');
  const autoReply = tools.locator('details.auto-reply');
  await autoReply.locator('summary').click();
  await autoReply.getByLabel('Reply automatically to incoming e-mail').check();
  await autoReply.getByRole('button', { name: 'Save auto-reply' }).click();
  await autoReply.locator('#auto-reply-body-error').filter({ hasText: 'Write the auto-reply message' }).waitFor();
  await autoReply.getByLabel('Auto-reply message').fill('Thank you for your e-mail. The team is out today and replies tomorrow.');
  await autoReply.getByRole('button', { name: 'Save auto-reply' }).click();
  await autoReply.getByRole('status').filter({ hasText: 'Auto-reply is on.' }).waitFor();
  await shoot(candidate, autoReply, 'auto-reply');
  expect((await apiIn<{ autoReply: Json }>(candidate, 'GET', `/api/attempts/${attemptId}/auto-reply`)).autoReply).toMatchObject({ enabled: true });

  // --- the call list's do-not-call warning ------------------------------------------------------
  const callList = candidate.getByRole('region', { name: 'Call list' });
  const ellis = callList.getByTestId('call-list-entry').filter({ hasText: 'Mrs Joan Ellis' });
  await ellis.getByRole('button', { name: 'Call Mrs Joan Ellis' }).click();
  const warning = ellis.getByRole('alertdialog');
  await warning.waitFor();
  await shoot(candidate, ellis, 'do-not-call-warning');
  await warning.getByRole('button', { name: 'Don’t call' }).click();
}
