// The agent desktop's other panels in a real browser at 1280×800 against the production server:
// the knowledge panel (a product's price, a knowledge-base search hit, a script), the inbox (a
// seeded incoming message), composing an e-mail from a template with an order confirmation
// attached (recorded as message-sent), print-outs of a record and an order (recorded as printout),
// the call list (a do-not-call entry warns before it would dial, tests/e2e/do-not-call dials one; a
// dialled entry rings the assessor, and hold/resume from the desktop go on the timeline), and the larger-text / high-contrast settings
// surviving a reload. Screenshots for a person to check go to $CALLMARK_SCREENSHOTS or the temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { assessorStartsPractice, candidateOnline, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture, MEDIA_ENV } from '../support/fixtures.js';

/** Screenshots of the desktop for a person to look at (kept after the run). */
const shots = process.env.CALLMARK_SCREENSHOTS ?? path.join(os.tmpdir(), 'callmark-panels-screenshots');
beforeAll(() => {
  fs.mkdirSync(shots, { recursive: true });
});
// One browser (a 440 Hz tone as its microphone) for both users.
const fx = demoBrowserFixture({ tmpPrefix: 'callmark-panels-', env: MEDIA_ENV, toneHz: 440 });

const viewport = { width: 1280, height: 800 };
const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });

type StoredEvent = { seq: number; type: string; payload: Record<string, unknown> };
async function timeline(assessor: Page, attemptId: string): Promise<StoredEvent[]> {
  const r = await assessor.evaluate(async (id) => (await fetch(`/api/attempts/${id}/timeline`)).json(), attemptId);
  return (r as { events: StoredEvent[] }).events;
}
async function waitForEvent(assessor: Page, attemptId: string, match: (e: StoredEvent) => boolean): Promise<StoredEvent> {
  for (let i = 0; i < 50; i++) {
    const found = (await timeline(assessor, attemptId)).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the event never reached the timeline');
}

describe('agent desktop panels', () => {
  it('knowledge, inbox, compose with an order attached, print-outs, call list, hold/resume and display settings', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('panels', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await assessorStartsPractice(fx.browser, fx.server.url, { viewport, pages });
  const candidate = await candidateOnline(fx.browser, fx.server.url, { viewport, pages });
  const attemptId = await candidate.evaluate(async () => (await (await fetch('/api/attempts/current')).json()).attempt.id as string);
  const tools = candidate.getByRole('region', { name: 'Messages and knowledge' });

  // Inbox: the seeded incoming e-mail from a customer, opened to its text.
  const incoming = tools.getByRole('tabpanel', { name: /Incoming/ });
  const aisha = incoming.getByTestId('message').filter({ hasText: 'Broadband keeps dropping' });
  await aisha.waitFor();
  expect(await aisha.textContent()).toContain('aisha.rahman@example.org');
  await aisha.locator('summary').click();
  await aisha.getByText('mornings are best', { exact: false }).waitFor();
  await shot(candidate, '1-inbox');
  // Reply opens the compose tab addressed to the sender.
  await aisha.getByRole('button', { name: 'Reply to aisha.rahman@example.org' }).click();
  const replyForm = candidate.getByRole('form', { name: 'Follow-up message' });
  expect(await tools.getByRole('tab', { name: 'Compose' }).getAttribute('aria-selected')).toBe('true');
  expect(await replyForm.getByLabel('To', { exact: true }).inputValue()).toBe('aisha.rahman@example.org');
  expect(await replyForm.getByLabel('Subject').inputValue()).toBe('Re: Broadband keeps dropping - account BL100445');
  await replyForm.getByRole('button', { name: 'Cancel reply' }).click();
  expect(await replyForm.getByLabel('To', { exact: true }).inputValue()).toBe('');

  // Knowledge: a product with its price (monthly and one-off as the catalogue gives them) …
  await tools.getByRole('tab', { name: 'Knowledge', exact: true }).click();
  const knowledge = tools.getByRole('tabpanel', { name: 'Knowledge', exact: true });
  const products = knowledge.getByRole('tabpanel', { name: 'Products' });
  const fibre = products.locator('details').filter({ hasText: 'Full Fibre 500' });
  expect(await fibre.locator('summary').textContent()).toContain('£38.00 a month');
  expect(await products.locator('details').filter({ hasText: 'Wi-Fi Mesh Extender' }).locator('summary').textContent()).toContain('£59.99 one-off');
  await fibre.locator('summary').click();
  await fibre.getByText('Average upload speed 70 Mb/s').waitFor();
  // … a knowledge-base search hit …
  await knowledge.getByRole('tab', { name: 'Knowledge base' }).click();
  const kb = knowledge.getByRole('tabpanel', { name: 'Knowledge base' });
  await kb.getByLabel('Search the knowledge base').fill('moving');
  await kb.getByTestId('kb-count').filter({ hasText: 'matches “moving”' }).waitFor();
  const move = kb.locator('details').filter({ hasText: 'Moving home' });
  await move.locator('summary').click();
  await move.getByText('10 working days', { exact: false }).waitFor();
  expect(await kb.locator('details').count()).toBeLessThan(6);
  await shot(candidate, '2-knowledge-base');
  // … and a call script, all keyboard-reachable: arrow keys move between the tabs.
  await knowledge.getByRole('tab', { name: 'Knowledge base' }).press('ArrowRight');
  expect(await knowledge.getByRole('tab', { name: 'Scripts' }).getAttribute('aria-selected')).toBe('true');
  expect(await candidate.evaluate(() => document.activeElement?.textContent)).toBe('Scripts');
  await knowledge.getByRole('tabpanel', { name: 'Scripts' }).locator('summary').filter({ hasText: 'Outbound call: broadband contract ending' }).press('Enter');
  await knowledge.getByText('skip anyone marked do not call', { exact: false }).waitFor();
  const opened = await waitForEvent(assessor, attemptId, (e) => e.type === 'record-opened' && e.payload.recordType === 'kb-article');
  expect(opened.payload).toMatchObject({ recordId: 'home-move', label: 'Moving home' });

  // Call list: Mrs Ellis (TPS) and Miss Bennett (do not call on her record) are flagged; Call first
  // warns, and "Don't call" leaves it at that.
  const callList = candidate.getByRole('region', { name: 'Call list' });
  const entry = (name: string) => callList.getByTestId('call-list-entry').filter({ hasText: name });
  await entry('Mrs Joan Ellis').waitFor();
  expect(await entry('Mrs Joan Ellis').getByTestId('dnc-flag').textContent()).toBe('Do not call');
  await entry('Mrs Joan Ellis').getByRole('button', { name: 'Call Mrs Joan Ellis' }).click();
  const warning = entry('Mrs Joan Ellis').getByRole('alertdialog', { name: 'Mrs Joan Ellis must not be called.' });
  expect(await warning.textContent()).toContain('registered with the Telephone Preference Service');
  await warning.getByRole('button', { name: 'Don’t call' }).click();
  expect(await warning.count()).toBe(0);
  expect(await entry('Miss Chloe Bennett').getByTestId('dnc-flag').count()).toBe(1);
  expect(await entry('Mr Robert Campbell').getByTestId('dnc-flag').count()).toBe(0);
  expect(await entry('Mr Robert Campbell').getByRole('button', { name: 'Call Mr Robert Campbell' }).isEnabled()).toBe(true);

  // The entry's customer record opens from the list.
  await entry('Mr Robert Campbell').getByRole('button', { name: 'Open record of Mr Robert Campbell' }).click();
  const record = candidate.getByTestId('customer-record');
  await record.getByRole('heading', { name: /Robert Campbell/ }).waitFor();
  await record.getByRole('tab', { name: /Orders/ }).click();
  await record.getByRole('tabpanel', { name: /Orders/ }).getByText('1× TV Essentials, 1× Anytime UK Calls').waitFor();
  await shot(candidate, '3-call-list-and-record');

  // Click to dial: the customer's number rings the assessor, who answers as Mr Campbell.
  await entry('Mr Robert Campbell').getByRole('button', { name: 'Call Mr Robert Campbell' }).click();
  await assessor.getByTestId('incoming').waitFor({ timeout: 15_000 });
  await assessor.getByRole('button', { name: 'Answer' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  // While the call is up, nothing else on the list can be dialled.
  expect(await entry('Mr Alan Pryce').getByRole('button', { name: 'Call Mr Alan Pryce' }).isDisabled()).toBe(true);
  const softphone = candidate.getByRole('region', { name: 'Softphone' });
  await softphone.getByRole('button', { name: 'Hold' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor();
  await waitForEvent(assessor, attemptId, (e) => e.type === 'hold');
  // A caller is held for a moment (the softphone drops a resume clicked before the hold's re-INVITE is done).
  await candidate.waitForTimeout(1000);
  await softphone.getByRole('button', { name: 'Resume' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  await waitForEvent(assessor, attemptId, (e) => e.type === 'resume');
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
  const events = await timeline(assessor, attemptId);
  const holds = events.filter((e) => e.type === 'hold' || e.type === 'resume').map((e) => e.type);
  expect(holds).toEqual(['hold', 'resume']);

  // Compose from a template to Mrs Hughes with her order's confirmation attached.
  const search = candidate.getByRole('search', { name: 'Customer search' });
  await search.getByLabel('Search customers').fill('BL100231');
  await search.getByRole('button', { name: 'Search' }).click();
  await candidate.getByRole('button', { name: 'Mrs Margaret Hughes' }).click();
  await record.getByRole('heading', { name: /Margaret Hughes/ }).waitFor();
  await record.getByRole('tab', { name: 'Details' }).click();
  await record.getByRole('button', { name: 'Edit details' }).click();
  await shot(candidate, '4-record-editing', true);
  await record.getByRole('button', { name: 'Cancel' }).click();

  // Print-outs of the record and of an order: the PDF opens in a new tab and the timeline has them.
  const customerId = (await candidate.evaluate(async (id) => (await (await fetch(`/api/attempts/${id}/customers?q=BL100231`)).json()).customers[0].id as number, attemptId));
  const [recordPdf] = await Promise.all([candidate.context().waitForEvent('page'), record.getByRole('button', { name: 'Print record of Margaret Hughes' }).click()]);
  await recordPdf.waitForURL(/printouts/);
  await record.getByRole('status').filter({ hasText: 'Print-out made: record of Margaret Hughes.' }).waitFor();
  await recordPdf.close();
  const printed = await waitForEvent(assessor, attemptId, (e) => e.type === 'printout');
  expect(printed.payload).toMatchObject({ kind: 'customer', subjectId: customerId });
  await record.getByRole('tab', { name: /Orders/ }).click();
  const [orderPdf] = await Promise.all([candidate.context().waitForEvent('page'), record.getByRole('button', { name: /^Print order ORD-/ }).click()]);
  await orderPdf.waitForURL(/printouts/);
  await orderPdf.close();
  const orderPrint = await waitForEvent(assessor, attemptId, (e) => e.type === 'printout' && e.payload.kind === 'order');
  expect(typeof orderPrint.payload.subjectId).toBe('number');

  await tools.getByRole('tab', { name: 'Compose' }).click();
  const compose = candidate.getByRole('form', { name: 'Follow-up message' });
  await compose.getByText('To Mrs Margaret Hughes').waitFor();
  expect(await compose.getByLabel('To', { exact: true }).inputValue()).toBe('margaret.hughes@example.co.uk');
  await compose.getByLabel('Template').selectOption({ label: 'Order confirmation' });
  // The server fills the template from the records chosen (none yet): the order placeholders stay.
  await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe('Your Brightline order {{orderReference}}');
  expect(await compose.getByLabel('Message').inputValue()).toContain('Dear Mrs Hughes,');
  // Unfilled placeholders stop the send.
  await compose.getByRole('button', { name: 'Send' }).click();
  await compose.getByRole('alert').filter({ hasText: '{{orderReference}}' }).waitFor();
  // Her order (from before this attempt) is chosen to fill the template from, and attached.
  const orderBox = compose.getByRole('checkbox', { name: /^Order confirmation ORD-/ });
  const reference = /ORD-\d+/.exec((await compose.locator('label', { hasText: 'Order confirmation ORD-' }).textContent()) ?? '')![0];
  const fillFrom = compose.getByRole('group', { name: 'Fill in the template from' });
  const orderChoice = fillFrom.getByLabel('Order', { exact: true });
  await orderChoice.selectOption(await orderChoice.locator('option', { hasText: reference }).getAttribute('value'));
  await orderBox.check();
  await compose.getByLabel('Broadband terms summary').check();
  // The chosen order's placeholders are filled from the server, a moment after the choice.
  await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe(`Your Brightline order ${reference}`);
  const body = await compose.getByLabel('Message').inputValue();
  expect(body).toContain(`Thank you for your order ${reference}, placed on`);
  expect(body).toContain('1 × Fibre 100: £28.00 a month');
  expect(body).toContain('Your new monthly price is £37.00.');
  expect(body).not.toContain('{{');
  await shot(candidate, '5-compose');
  await compose.getByRole('button', { name: 'Send' }).click();
  await compose.getByRole('status').filter({ hasText: 'E-mail sent to margaret.hughes@example.co.uk' }).waitFor();
  const sentEvent = await waitForEvent(assessor, attemptId, (e) => e.type === 'message-sent');
  expect(sentEvent.payload).toMatchObject({ channel: 'email', to: 'margaret.hughes@example.co.uk', templateKey: 'email-order-confirmation', subject: `Your Brightline order ${reference}` });
  const attachments = sentEvent.payload.attachments as Array<{ kind: string; name: string }>;
  expect(attachments.map((a) => a.kind).sort()).toEqual(['document', 'order']);
  expect(attachments.find((a) => a.kind === 'order')!.name).toBe(`order-confirmation-${reference}.pdf`);
  // The sent message is in the inbox's Sent list.
  await tools.getByRole('tab', { name: 'Inbox' }).click();
  await tools.getByRole('tab', { name: /Sent/ }).click();
  await tools.getByRole('tabpanel', { name: /Sent/ }).getByTestId('message').filter({ hasText: `Your Brightline order ${reference}` }).waitFor();

  // Display settings: larger text and high contrast, kept across a reload.
  const html = candidate.locator('html');
  await candidate.getByRole('button', { name: 'Larger text' }).click();
  await candidate.getByRole('button', { name: 'High contrast' }).click();
  await candidate.reload();
  await candidate.getByTestId('agent-state').waitFor();
  expect(await candidate.getByRole('button', { name: 'Larger text' }).getAttribute('aria-pressed')).toBe('true');
  expect(await candidate.getByRole('button', { name: 'High contrast' }).getAttribute('aria-pressed')).toBe('true');
  expect(await html.getAttribute('class')).toMatch(/a11y-large-text/);
  expect(await html.getAttribute('class')).toMatch(/a11y-high-contrast/);
  expect(await candidate.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('20px');
  await search.getByLabel('Search customers').fill('BL100231');
  await search.getByRole('button', { name: 'Search' }).click();
  await candidate.getByRole('button', { name: 'Mrs Margaret Hughes' }).click();
  await record.getByRole('tab', { name: 'Details' }).focus();
  await candidate.keyboard.press('ArrowRight');
  expect(await record.getByRole('tab', { name: /Notes/ }).getAttribute('aria-selected')).toBe('true');
  await shot(candidate, '6-large-text-high-contrast');
  await candidate.getByRole('button', { name: 'Larger text' }).click();
  expect(await html.getAttribute('class')).not.toMatch(/a11y-large-text/);
}
