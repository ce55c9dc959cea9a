// Real Chromium: the desktop's TimelineClient and the assessor's LiveTimeline, bundled as they are
// (esbuild) into a small page served by the real app. The candidate's socket is cut, the page shows
// it is offline and queues three actions, the page is reloaded before it reconnects, and the
// reloaded page replays the outbox from localStorage: each action is stored once, in order, and the
// assessor's live view shows them with their offsets from call answer.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClientPage, type ServedClientPage } from '../support/client-page.js';
import { PASSWORD, type TestApp } from '../support/test-app.js';


// The page: ?view=assessor renders LiveTimeline; otherwise a desktop with the client's status line.
const PAGE = `
import { useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { io } from 'socket.io-client';
import { TimelineClient } from './client/src/realtime/timeline-client.js';
import { LiveTimeline } from './client/src/realtime/LiveTimeline.js';

const params = new URLSearchParams(location.search);
const attemptId = params.get('attempt');
const root = createRoot(document.getElementById('root'));
if (params.get('view') === 'assessor') {
  root.render(<LiveTimeline attemptId={attemptId} />);
} else {
  const client = new TimelineClient({ attemptId, connect: () => (window.timelineSocket = io({ path: '/socket.io' })) });
  window.desktop = client;
  function Status() {
    const s = useSyncExternalStore(client.subscribe, client.getState);
    return <p role="status" data-online={String(s.online)} data-pending={s.pending}>{s.online ? 'Online' : 'Offline'}{s.pending ? \` · \${s.pending} action(s) waiting to be sent\` : ''}</p>;
  }
  root.render(<Status />);
}
`;

let served: ServedClientPage;
let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  served = await serveClientPage('timeline-page', PAGE);
  ({ t, browser, base } = served);
});
afterAll(async () => {
  await served?.close();
});

async function loggedIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const res = await context.request.post(`${base}/api/auth/login`, { data: { username, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return { context, page: await context.newPage() };
}

describe('timeline in the browser', () => {
  it('shows offline, keeps actions through a reload, and replays them once each, in order', async () => {
    const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, t.clock.now());
    const callId = randomUUID();
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });
    t.repos.calls.update(callId, { state: 'answered', answeredAt: t.clock.now() });

    const assessor = await loggedIn('assessor1');
    await assessor.page.goto(`${base}/timeline-test?view=assessor&attempt=${attempt.id}`);
    await assessor.page.getByTestId('live-timeline-status').getByText('Live').waitFor();

    const cand = await loggedIn('candidate1');
    const page = cand.page;
    await page.goto(`${base}/timeline-test?attempt=${attempt.id}`);
    await page.locator('[role=status][data-online=true]').waitFor();

    t.clock.advance(65_000);
    await page.evaluate(() => (window as unknown as { desktop: { record: (t: string, p: object) => void } }).desktop.record('screen-pop', { callerNumber: '07700900123', matches: 1 }));
    await page.locator('[role=status][data-pending="0"]').waitFor();
    const log = assessor.page.getByRole('log', { name: 'Candidate desktop activity' });
    await log.locator('li[data-seq="1"]').waitFor();
    expect(await log.locator('li[data-seq="1"] [data-testid=offset]').textContent()).toBe('01:05');

    // The network drops (the transport is cut and not allowed back): the desktop says so.
    await page.evaluate(() => {
      const s = (window as unknown as { timelineSocket: { io: { reconnection(v: boolean): void; engine: { close(): void } } } }).timelineSocket;
      s.io.reconnection(false);
      s.io.engine.close();
    });
    await page.locator('[role=status][data-online=false]').waitFor();
    const ids = await page.evaluate(() => {
      const d = (window as unknown as { desktop: { record: (t: string, p: object) => { clientId: string } } }).desktop;
      return [
        d.record('search', { query: 'Hughes', resultCount: 2 }).clientId,
        d.record('record-opened', { recordType: 'customer', label: 'Margaret Hughes (BL100231)' }).clientId,
        d.record('tab-opened', { tab: 'knowledge' }).clientId,
      ];
    });
    expect(await page.getByRole('status').textContent()).toBe('Offline · 3 action(s) waiting to be sent');
    expect(t.repos.attemptEvents.list(attempt.id)).toHaveLength(1);

    // Reload before the socket is back: the outbox comes from localStorage and is sent on connect.
    t.clock.advance(10_000);
    await page.reload();
    await page.locator('[role=status][data-online=true][data-pending="0"]').waitFor();
    const rows = t.repos.attemptEvents.list(attempt.id);
    expect(rows.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(rows.slice(1).map((e) => e.clientId)).toEqual(ids);
    expect(rows.map((e) => e.offsetMs)).toEqual([65_000, 75_000, 75_000, 75_000]);
    expect(await page.evaluate((id) => localStorage.getItem(`callmark.timeline.outbox.${id}`), attempt.id)).toBeNull();

    // The assessor's view got them live, once each, summarised and labelled as the browser's report.
    await log.locator('li[data-seq="4"]').waitFor();
    expect(await log.locator('li').count()).toBe(4);
    expect(await log.locator('li[data-seq="3"] [data-testid=summary]').textContent()).toBe('customer Margaret Hughes (BL100231)');
    expect(await log.locator('li[data-seq="3"] [data-testid=reported-by]').textContent()).toBe(' (from the browser)');
    expect(await log.locator('li[data-seq="3"] [data-testid=offset]').textContent()).toBe('01:15');

    await assessor.context.close();
    await cand.context.close();
  });

  it('a foreign assessor sees nothing of the attempt', async () => {
    const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, t.clock.now());
    t.repos.users.create({ username: 'assessor-far', displayName: 'Far', role: 'assessor', centreId: t.foreignCentreId, passwordHash: t.repos.users.findByUsernameWithHash('assessor1')!.passwordHash });
    const far = await loggedIn('assessor-far');
    await far.page.goto(`${base}/timeline-test?view=assessor&attempt=${attempt.id}`);
    await far.page.getByTestId('live-timeline-status').getByText('There is no such attempt.', { exact: false }).waitFor();
    expect(await far.page.getByRole('log').locator('li').count()).toBe(0);
    await far.context.close();
  });
});
