// Fault: the candidate's browser reloads in the middle of a call. The call ends (its WebSocket is
// gone), but nothing the candidate did is lost: what the server records (a note) is on the
// timeline at once, even with the timeline socket cut; a browser-only action (a search) queued
// while the socket was cut is sent once after the reload; the open customer record and the agent
// state come back, and the softphone registers again.
import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { assessorStartsPractice, callAndAnswer, DESKTOP_VIEWPORT, loginAs } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-reload-' });

describe('candidate browser reloaded mid-call', () => {
  it('recovers the desktop and the queued action, and the softphone registers again', { timeout: 90_000 }, async () => {
    const assessor = await assessorStartsPractice(fx.assessorBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT });
    // The candidate's timeline WebSockets pass through the test, which can cut them at will.
    let cut = false;
    const open: WebSocketRoute[] = [];
    const candidate = await loginAs(fx.candidateBrowser, fx.server.url, 'demo-candidate', {
      viewport: DESKTOP_VIEWPORT,
      prepare: async (context) => {
        await context.routeWebSocket(/\/socket\.io\//, (ws) => {
          if (cut) return void ws.close();
          ws.connectToServer();
          open.push(ws);
        });
        await context.route(/\/socket\.io\//, (route) => (cut ? route.abort() : route.continue()));
      },
    });
    await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
    await candidate.getByRole('button', { name: 'Ready', exact: true }).click();

    await callAndAnswer(assessor, candidate, { presenting: '0113 496 0412' });
    const record = candidate.getByTestId('customer-record');
    await record.getByRole('heading', { name: /Margaret Hughes/ }).waitFor();

    // The timeline socket is cut (socket.io cannot reconnect). A note is added: the server records it
    // on the timeline with the note itself, so nothing waits in the desktop's queue for it.
    cut = true;
    for (const ws of open.splice(0)) await ws.close();
    await candidate.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor({ timeout: 15_000 });
    // An action sent just before the cut and not yet acknowledged stays queued too (possible on a loaded
    // machine, e.g. the screen pop's record-opened), so count from what is queued at the cut.
    const queuedAtCut = Number(/(\d+) actions? queued/.exec((await candidate.getByTestId('connection').textContent()) ?? '')?.[1] ?? 0);
    await record.getByRole('tab', { name: /^Notes/ }).click();
    await record.getByLabel('New note').fill('Caller asked about moving date.');
    await record.getByRole('button', { name: 'Add note' }).click();
    await record.getByRole('status').filter({ hasText: 'Note added.' }).waitFor();
    // A search, which only the browser sees, is queued.
    await candidate.getByLabel('Search customers').fill('Hughes');
    await candidate.getByRole('search', { name: 'Customer search' }).getByRole('button', { name: 'Search' }).click();
    const queuedAfterSearch = queuedAtCut + 1;
    await candidate.getByTestId('connection').filter({ hasText: new RegExp(`Offline: ${queuedAfterSearch} actions? queued`) }).waitFor();

    // Reload, still cut off: the call ends; the desktop comes back as it was.
    await candidate.reload();
    await candidate.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor({ state: 'hidden', timeout: 15_000 });
    await candidate.getByTestId('customer-record').getByRole('heading', { name: /Margaret Hughes/ }).waitFor();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
    // Still queued after the reload (the search).
    await candidate.getByTestId('connection').filter({ hasText: /Offline: \d+ actions? queued/ }).waitFor();

    // The timeline comes back: the queued action is stored exactly once.
    cut = false;
    await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor({ timeout: 20_000 });
    const attemptId = await candidate.evaluate(async () => (await (await fetch('/api/attempts/current')).json()).attempt.id as string);
    // "Online" shows as soon as the socket is back, before the outbox is sent: wait until every
    // queued action is acknowledged (the stored outbox is removed once empty).
    await expect.poll(() => candidate.evaluate((key) => localStorage.getItem(key), `callmark.timeline.outbox.${attemptId}`), { timeout: 15_000 }).toBeNull();
    const events = await assessor.evaluate(async (id) => (await (await fetch(`/api/attempts/${id}/timeline`)).json()).events as Array<{ type: string; seq: number; payload?: { to?: string } }>, attemptId);
    expect(events.filter((e) => e.type === 'note-added')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'search')).toHaveLength(1);
    expect(events.some((e) => e.type === 'agent-state' && (e as { payload?: { to?: string } }).payload?.to === 'wrap-up')).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });
});
