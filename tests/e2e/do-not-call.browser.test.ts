// A do-not-call lead can be dialled, after a clear warning, so "skips leads who must not be called"
// (S5, U2-3.2-comply) can be failed as well as earned. Two Chromium instances on the production
// server: the demo candidate is in a sitting on S5; in the call list Mrs Joan Ellis (registered
// with the Telephone Preference Service) is flagged; Call shows the warning with the reason,
// "Call anyway" dials her number, the call rings the candidate's assessor (who plays the lead), is
// answered and connects, and the server's call record holds the number dialled.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiIn, candidateOnline, DESKTOP_VIEWPORT, loginAs, withFailureScreenshots } from '../support/browser.js';
import { prepareSittingIn, twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-dnc-' });

describe('a do-not-call lead', () => {
  it('is dialled after the warning, and the call happens', { timeout: 90_000 }, async () => {
    await withFailureScreenshots('do-not-call', scenario);
  });
});

interface CallJson {
  id: string;
  answeredAt: number | null;
  state: string;
}

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-assessor', { viewport: DESKTOP_VIEWPORT });
  pages.push(assessor);
  const { entries } = await apiIn<{ entries: Array<{ userId: number; role: string }> }>(assessor, 'GET', '/api/directory');
  const cand = entries.find((e) => e.role === 'candidate')!;
  const sitting = await apiIn<{ id: string }>(assessor, 'POST', '/api/sittings', { candidateUserId: cand.userId, scenarioKeys: ['s5', 's1', 's4', 's2'] });
  await prepareSittingIn(assessor, fx.candidateBrowser, fx.server.url, sitting.id);
  await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/start`, {});
  await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`, {});
  await assessor.reload();
  await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });

  const candidate = await candidateOnline(fx.candidateBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages });

  const callList = candidate.getByRole('region', { name: 'Call list' });
  const ellis = callList.getByTestId('call-list-entry').filter({ hasText: 'Mrs Joan Ellis' });
  await ellis.waitFor();
  expect(await ellis.getByTestId('dnc-flag').textContent()).toBe('Do not call');
  // The button is there to press; the first press only warns.
  await ellis.getByRole('button', { name: 'Call Mrs Joan Ellis' }).click();
  const warning = ellis.getByRole('alertdialog', { name: 'Mrs Joan Ellis must not be called.' });
  await warning.waitFor();
  expect(await warning.textContent()).toContain('registered with the Telephone Preference Service');
  expect(await candidate.getByTestId('call-phase').count()).toBe(0);
  await warning.getByRole('button', { name: 'Call anyway Mrs Joan Ellis' }).click();

  // The number rings the assessor, who answers as the lead.
  const ringing = assessor.getByTestId('incoming');
  await ringing.waitFor({ timeout: 15_000 });
  await ringing.getByRole('button', { name: 'Answer' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  expect(await warning.count()).toBe(0);

  // The server's record of the call: answered, and the number the candidate dialled.
  const { calls } = await apiIn<{ calls: CallJson[] }>(assessor, 'GET', '/api/calls?limit=1');
  const call = calls[0]!;
  expect(call.answeredAt).not.toBeNull();
  const { events } = await apiIn<{ events: Array<{ type: string; detail: Record<string, unknown> | null }> }>(assessor, 'GET', `/api/calls/${call.id}`);
  expect(events.find((e) => e.type === 'invite')!.detail).toMatchObject({ dialledNumber: '01214960390' });
  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
}
