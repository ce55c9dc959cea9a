// The agent desktop in a real call (the main scenario). Two Chromium instances: the
// assessor starts a practice attempt and calls the candidate presenting a customer's number; the
// candidate's desktop pops that customer's record; the candidate verifies identity, edits two
// fields, creates a callback, hangs up, wraps up and e-mails the customer. The actions are on the
// attempt's timeline in order with sane offsets from the answer, and the assessor saw them live.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { assessorStartsPractice, callAndAnswer, candidateOnline, DESKTOP_VIEWPORT, withFailureScreenshots } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-desktop-' });

describe('agent desktop in a call', () => {
  it('screen pop, identity, edits, callback, wrap-up and follow-up, all on the live timeline', { timeout: 90_000 }, async () => {
    await withFailureScreenshots('desktop', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  {
    const assessor = await assessorStartsPractice(fx.assessorBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages });
    const candidate = await candidateOnline(fx.candidateBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages, ready: true });

    // The assessor plays Mrs Hughes, calling from her landline.
    await callAndAnswer(assessor, candidate, { presenting: '0113 496 0412' });
    // The agent state follows the phone in an effect, a render after "Connected".
    await candidate.getByTestId('agent-state').filter({ hasText: 'On call' }).waitFor();
    expect(await candidate.getByTestId('agent-state').textContent()).toBe('On call');

    // Screen pop: exactly one record matches the presented number, and it opens.
    const record = candidate.getByTestId('customer-record');
    await record.getByRole('heading', { name: /Margaret Hughes/ }).waitFor();

    // Identity check through the security questions.
    await record.getByLabel('What is your memorable word?').fill('Bluebell');
    await record.getByLabel('What was the name of your first school?').fill("St Chad's");
    await record.getByLabel('What is the first line of your previous address?').fill('2 Otley Road');
    await record.getByRole('button', { name: 'Check identity' }).click();
    await record.getByTestId('identity-status').filter({ hasText: 'Identity verified' }).waitFor();

    // Two fields edited; a bad postcode is refused first, naming the field.
    await record.getByRole('tab', { name: 'Details' }).click();
    await record.getByRole('button', { name: 'Edit details' }).click();
    await record.getByLabel('Postcode').fill('NOT A POSTCODE');
    await record.getByRole('button', { name: 'Save changes' }).click();
    await record.getByText('Postcode: not a UK postcode').waitFor();
    await record.getByLabel('Postcode').fill('LS6 3HN');
    await record.getByLabel('Address line 1').fill('16 Ashgrove Road');
    await record.getByLabel('E-mail').fill('m.hughes@example.co.uk');
    await record.getByRole('button', { name: 'Save changes' }).click();
    const changes = record.getByTestId('changes');
    await changes.waitFor();
    expect(await changes.textContent()).toContain('14 Ashgrove Road → 16 Ashgrove Road');
    expect(await changes.textContent()).toContain('margaret.hughes@example.co.uk → m.hughes@example.co.uk');

    // A callback for next week.
    await record.getByRole('tab', { name: /^Callbacks/ }).click();
    const due = new Date(Date.now() + 7 * 86_400_000);
    const local = `${due.toISOString().slice(0, 10)}T10:30`;
    await record.getByLabel('Due').fill(local);
    await record.getByLabel('Reason').fill('Confirm the engineer visit');
    await record.getByRole('button', { name: 'Create callback' }).click();
    await record.getByRole('status').filter({ hasText: 'Callback created.' }).waitFor();

    // The assessor saw it live, during the call.
    const live = assessor.getByRole('log', { name: 'Candidate desktop activity' });
    await live.locator('li[data-type="callback-created"]').waitFor();
    expect(await live.locator('li[data-type="field-changed"]').count()).toBe(2);
    expect(await live.locator('li[data-type="field-changed"]').first().textContent()).toContain('→');
    expect(await assessor.getByTestId('call-phase').textContent()).toContain('Connected');

    // Hang up, wrap up, and e-mail the customer.
    await candidate.getByRole('button', { name: 'Hang up' }).click();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
    await candidate.getByLabel('Outcome').selectOption('INFO');
    await candidate.getByLabel('Wrap-up notes').fill('Updated address and e-mail; callback booked.');
    await candidate.getByRole('button', { name: 'Complete wrap-up' }).click();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Ready' }).waitFor();
    await candidate.getByRole('tab', { name: 'Compose' }).click();
    const followUp = candidate.getByRole('form', { name: 'Follow-up message' });
    expect(await followUp.getByLabel('To', { exact: true }).inputValue()).toBe('m.hughes@example.co.uk');
    await followUp.getByLabel('Subject').fill('Your callback is booked');
    await followUp.getByLabel('Message').fill('Dear Mrs Hughes, we will call you next week.');
    await followUp.getByRole('button', { name: 'Send' }).click();
    await followUp.getByRole('status').filter({ hasText: 'E-mail sent to m.hughes@example.co.uk' }).waitFor();
    await live.locator('li[data-type="message-sent"]').waitFor();

    // The stored timeline: in order, with offsets from the answer that only grow.
    const attemptId = await candidate.evaluate(async () => (await (await fetch('/api/attempts/current')).json()).attempt.id as string);
    const { events } = await assessor.evaluate(async (id) => (await fetch(`/api/attempts/${id}/timeline`)).json(), attemptId);
    const types: string[] = events.map((e: { type: string }) => e.type);
    const order = ['screen-pop', 'record-opened', 'identity-check', 'field-changed', 'field-changed', 'callback-created', 'wrap-up', 'message-sent'];
    let at = -1;
    for (const t of order) {
      const i = types.indexOf(t, at + 1);
      expect(i, `${t} after position ${at} in ${types.join(',')}`).toBeGreaterThan(at);
      at = i;
    }
    const withCall = events.filter((e: { offsetMs: number | null }) => e.offsetMs !== null);
    expect(withCall.length).toBeGreaterThanOrEqual(order.length);
    const offsets = withCall.map((e: { offsetMs: number }) => e.offsetMs);
    expect(offsets[0]).toBeGreaterThanOrEqual(0);
    expect(offsets[0]).toBeLessThan(10_000);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1]);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    const fieldChanges = events.filter((e: { type: string }) => e.type === 'field-changed').map((e: { payload: { field: string } }) => e.payload.field).sort();
    expect(fieldChanges).toEqual(['addressLine1', 'email']);
  }
}
