// Real Chromium: the staff screens' shared DataTable and useLoad/AsyncState (client/src/components/),
// bundled as they are (esbuild) into a small page served by the real app. The table is named by
// its caption, sorts by a column when its header is pressed (text in en-GB order with numbers read
// as numbers, empty values last both ways) and says the staff's words instead of an empty table;
// a reading shows its wait, a refusal in the server's own words, an unreachable server in words,
// the empty message, and a later reading that succeeds clears the failure.
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClientPage, type ServedClientPage } from '../../support/client-page.js';
import { PASSWORD } from '../../support/test-app.js';


const PAGE = `
import { createRoot } from 'react-dom/client';
import { api } from './client/src/api.js';
import { AsyncState } from './client/src/components/AsyncState.js';
import { DataTable } from './client/src/components/DataTable.js';
import { useLoad } from './client/src/components/useLoad.js';

const url = new URLSearchParams(location.search).get('url') ?? '/api/login-locks';
const loadLocks = () => api('GET', url).then((r) => r.locks);

function Locks() {
  const locks = useLoad(loadLocks);
  return (
    <section aria-label="Locks">
      <AsyncState state={locks} loading="Loading the locks…" failed="The list could not be loaded" empty="No logins are locked.">
        {(list) => <p>{list.length} locked</p>}
      </AsyncState>
      <button type="button" onClick={() => void locks.reload()}>Read again</button>
    </section>
  );
}

const MARKS = [
  { name: 'Sitting 10', mark: 7 },
  { name: 'sitting 9', mark: null },
  { name: 'Sitting 2', mark: 12 },
];

function Tables() {
  return (
    <>
      <DataTable
        caption="Marks"
        rows={MARKS}
        rowKey={(r) => r.name}
        rowProps={(r) => ({ 'data-name': r.name })}
        columns={[
          { header: 'Name', rowHeader: true, cell: (r) => r.name, sortBy: (r) => r.name },
          { header: 'Mark', numeric: true, cell: (r) => (r.mark === null ? '—' : r.mark), sortBy: (r) => r.mark },
          { header: 'Actions', hideHeader: true, className: 'actions', cell: (r) => <button type="button">Open {r.name}</button> },
        ]}
      />
      <DataTable caption="Sittings" rows={[]} rowKey={() => ''} columns={[{ header: 'Candidate', cell: () => '' }]} empty="No sittings to moderate yet." />
    </>
  );
}

createRoot(document.getElementById('root')).render(<><Tables /><Locks /></>);
`;

let served: ServedClientPage;
let browser: Browser;
let base: string;

beforeAll(async () => {
  served = await serveClientPage('components-page', PAGE);
  ({ browser, base } = served);
});
afterAll(async () => {
  await served?.close();
});

const names = (page: Page) => page.getByRole('table', { name: 'Marks' }).locator('tbody th[scope=row]').allTextContents();
const sortOf = (page: Page, header: string) => page.getByRole('columnheader', { name: header }).getAttribute('aria-sort');

/** A port on loopback that nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DataTable', () => {
  it('is named by its caption, keeps the given order until a header is pressed, then sorts by that column', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/components-test`);
    const table = page.getByRole('table', { name: 'Marks' });
    await table.waitFor();
    expect(await table.getByRole('columnheader', { name: 'Actions' }).count()).toBe(1);
    // The column of figures is marked as such, header and cells.
    expect(await table.locator('th.num').count()).toBe(1);
    expect(await table.locator('td.num').count()).toBe(3);
    expect(await names(page)).toEqual(['Sitting 10', 'sitting 9', 'Sitting 2']);
    expect(await sortOf(page, 'Name')).toBe('none');

    await table.getByRole('button', { name: 'Name' }).click();
    expect(await names(page)).toEqual(['Sitting 2', 'sitting 9', 'Sitting 10']);
    expect(await sortOf(page, 'Name')).toBe('ascending');
    expect(await sortOf(page, 'Mark')).toBe('none');

    await table.getByRole('button', { name: 'Name' }).click();
    expect(await names(page)).toEqual(['Sitting 10', 'sitting 9', 'Sitting 2']);
    expect(await sortOf(page, 'Name')).toBe('descending');

    // A row without a mark stays last whichever way the marks are sorted.
    await table.getByRole('button', { name: 'Mark' }).click();
    expect(await names(page)).toEqual(['Sitting 10', 'Sitting 2', 'sitting 9']);
    await table.getByRole('button', { name: 'Mark' }).click();
    expect(await names(page)).toEqual(['Sitting 2', 'Sitting 10', 'sitting 9']);
    expect(await sortOf(page, 'Mark')).toBe('descending');
    // The rows keep their own attributes and cells through the sort.
    expect(await table.locator('tr[data-name="Sitting 2"]').getByRole('button', { name: 'Open Sitting 2' }).count()).toBe(1);
    await page.close();
  });

  it('says the staff words instead of an empty table', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/components-test`);
    await page.getByText('No sittings to moderate yet.').waitFor();
    expect(await page.getByRole('table', { name: 'Sittings' }).count()).toBe(0);
    await page.close();
  });
});

describe('useLoad and AsyncState', () => {
  it('shows the wait, then a refusal in the server’s own words; reading again once allowed clears it and shows the empty message', async () => {
    const context = await browser.newContext();
    const refusal = await context.request.get(`${base}/api/login-locks`);
    expect(refusal.status()).toBe(401);
    const serverWords = ((await refusal.json()) as { message: string }).message;
    expect(serverWords.length).toBeGreaterThan(0);

    const page = await context.newPage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/login-locks', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}/components-test`);
    const locks = page.getByRole('region', { name: 'Locks' });
    await locks.getByText('Loading the locks…').waitFor();
    release();
    const alert = locks.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`The list could not be loaded: ${serverWords}`);

    const login = await context.request.post(`${base}/api/auth/login`, { data: { username: 'admin1', password: PASSWORD } });
    expect(login.status()).toBe(200);
    await locks.getByRole('button', { name: 'Read again' }).click();
    await locks.getByText('No logins are locked.').waitFor();
    expect(await locks.getByRole('alert').count()).toBe(0);
    await context.close();
  });

  it('says in words that the server could not be reached', async () => {
    const page = await browser.newPage();
    const nowhere = `http://127.0.0.1:${await closedPort()}/api/login-locks`;
    await page.goto(`${base}/components-test?url=${encodeURIComponent(nowhere)}`);
    const alert = page.getByRole('region', { name: 'Locks' }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^The list could not be loaded: The server could not be reached/);
    await page.close();
  });
});
