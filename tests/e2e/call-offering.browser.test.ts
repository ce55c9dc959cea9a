// Calls are offered to a candidate only while their desktop is Ready, as an ACD offers calls only
// to available agents. Real sip.js softphones in two Chromium instances: the assessor calls the
// candidate, who is Not ready; the server keeps the call waiting (the assessor's phone says so)
// and the candidate's phone does not ring. When the candidate goes Ready the server, reading the
// agent state it recorded itself, offers the call: it rings, is answered and connects. The call's
// own record shows it waited, and was offered only after the server recorded "Ready".
// At 1024×768, in a sitting whose brief fills most of the screen, the ringing call's Answer button
// is in view without scrolling; the assessor's softphone, caller brief and the candidate's live
// activity fit one screen at 1366×768.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { answer, apiIn, dial, inViewport, withFailureScreenshots } from '../support/browser.js';
import { sittingUnderWay, twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-offering-' });

type CallDetail = { events: Array<{ type: string; at: number; detail: Record<string, unknown> | null }> };
type Timeline = { events: Array<{ type: string; at: number; source: string; payload: { to?: string } }> };

describe('calls offered only when Ready', () => {
  it('a call to a Not ready candidate waits at the server and rings once they go Ready', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('call-offering', scenario);
  });
});

const CANDIDATE_VIEWPORT = { width: 1024, height: 768 };
const ASSESSOR_VIEWPORT = { width: 1366, height: 768 };

async function scenario(pages: Page[]): Promise<void> {
  const { assessor, candidate, attemptId, candidateExtension: ext } = await sittingUnderWay(fx, pages, { assessor: ASSESSOR_VIEWPORT, candidate: CANDIDATE_VIEWPORT });
  expect(await candidate.getByTestId('agent-state').textContent()).toBe('Not ready');
  await assessor.reload();
  await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });

  await dial(assessor, ext);
  // The server answered 182 Queued: it holds the call, the candidate's phone has not been rung.
  await assessor.getByTestId('call-queued').waitFor();
  expect(await assessor.getByTestId('call-phase').textContent()).toBe('Waiting…');
  const { calls } = await apiIn<{ calls: Array<{ id: string; state: string }> }>(assessor, 'GET', '/api/calls');
  const callId = calls[0]!.id;
  const waiting = await apiIn<CallDetail>(assessor, 'GET', `/api/calls/${callId}`);
  expect(waiting.events.map((e) => e.type)).toContain('queued');
  expect(waiting.events.map((e) => e.type)).not.toContain('ringing');
  expect(await candidate.getByTestId('incoming').count()).toBe(0);

  // Ready: now the call is offered, rings and is answered.
  await candidate.getByRole('button', { name: 'Ready', exact: true }).click();
  await candidate.getByTestId('incoming').waitFor({ timeout: 15_000 });
  // The Answer button is in view at 1024×768, the page not scrolled, though the brief fills the top of it.
  expect(await candidate.evaluate(() => window.scrollY)).toBe(0);
  expect(await inViewport(candidate.getByRole('button', { name: 'Answer' }))).toBe(true);
  await assessor.getByTestId('call-phase').filter({ hasText: 'Ringing…' }).waitFor();
  await answer(candidate);
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
  // The assessor's call panels fit one 1366×768 screen.
  await assessor.evaluate(() => window.scrollTo(0, 0));
  for (const name of ['Softphone', 'Caller brief', 'Candidate activity']) {
    expect(await inViewport(assessor.getByRole('region', { name })), name).toBe(true);
  }

  // In the server's records: queued, then offered after the server recorded Ready, then ringing and answered.
  const detail = await apiIn<CallDetail>(assessor, 'GET', `/api/calls/${callId}`);
  const at = (type: string) => detail.events.find((e) => e.type === type)?.at ?? Number.NaN;
  const order = detail.events.map((e) => e.type).filter((t) => ['queued', 'offered', 'ringing', 'answered'].includes(t));
  expect(order).toEqual(['queued', 'offered', 'ringing', 'answered']);
  // Both name the candidate as the users table has them (the replay: "Waiting for Demo Candidate (not Ready yet)").
  expect(detail.events.find((e) => e.type === 'queued')?.detail).toMatchObject({ targetName: 'Demo Candidate' });
  expect(detail.events.find((e) => e.type === 'offered')?.detail).toMatchObject({ targetName: 'Demo Candidate' });
  const timeline = await apiIn<Timeline>(assessor, 'GET', `/api/attempts/${attemptId}/timeline`);
  const ready = timeline.events.find((e) => e.type === 'agent-state' && e.source === 'server' && e.payload.to === 'ready');
  expect(ready).toBeDefined();
  expect(ready!.at).toBeLessThanOrEqual(at('offered'));

  await candidate.getByRole('button', { name: 'Hang up' }).click();
  await assessor.getByTestId('last-call').waitFor();

  // A second tab of the candidate shows the agent state the server recorded (Wrap-up), not a fresh "Not ready".
  await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
  while ((await apiIn<{ state: string }>(candidate, 'GET', `/api/attempts/${attemptId}/agent-state`)).state !== 'wrap-up') await candidate.waitForTimeout(100);
  const second = await candidate.context().newPage();
  pages.push(second);
  await second.goto(new URL('/desktop', fx.server.url).href);
  await second.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
}
