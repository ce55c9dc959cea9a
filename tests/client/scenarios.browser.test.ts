// Real browser: the demo assessor opens Scenarios from the navigation, sees the six shipped
// scenarios, clones S1 for the centre, renames the company with a quick field and saves (version
// 2); a broken edit is refused with "file · path · reason" and choosing the problem puts the
// cursor at that path in the JSON text.
import { describe, expect, it } from 'vitest';
import { loginAs } from '../support/browser.js';
import { demoBrowserFixture } from '../support/fixtures.js';

const fx = demoBrowserFixture();

describe('scenarios page', () => {
  it('clones, customises and saves a scenario, and places a problem in the text', async () => {
    const page = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { phone: false, landing: /\/console$/ });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Scenarios' }).click();
    await page.waitForURL(/\/scenarios$/);
    const table = page.locator('.scenario-table');
    for (const key of ['s1', 's2', 's3', 's4', 's5', 's6']) await table.getByRole('button', { name: `Open ${key}`, exact: true }).waitFor();

    const clone = page.getByRole('form', { name: 'Clone a scenario' });
    await clone.getByLabel('From').selectOption('s1');
    await clone.getByLabel('Variant name').fill('acme');
    await clone.getByLabel('Title').fill('Acme: moving home');
    await clone.getByRole('button', { name: 'Clone' }).click();
    const editor = page.locator('.scenario-editor');
    await editor.getByRole('heading', { name: /s1-c\d+-acme/ }).waitFor();
    await table.getByRole('button', { name: /Open s1-c\d+-acme/ }).waitFor();

    await editor.getByLabel('Company name').fill('Acme Homes Ltd');
    expect(await editor.getByLabel('Scenario file (JSON)').inputValue()).toContain('"name": "Acme Homes Ltd"');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();

    // An empty title: refused with its path; choosing the problem puts the cursor on "title".
    await editor.getByLabel('Title').fill('');
    await editor.getByRole('button', { name: 'Save' }).click();
    const problem = editor.getByRole('list', { name: 'Problems' }).getByRole('button').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/scenarios\/s1-c\d+-acme\.json · title · /);
    await problem.click();
    const caret = await page.evaluate(() => {
      const el = document.getElementById('scenario-json') as HTMLTextAreaElement;
      return { focused: document.activeElement === el, at: el.value.slice(el.selectionStart, el.selectionStart + 7) };
    });
    expect(caret).toEqual({ focused: true, at: '"title"' });
    await page.context().close();
  });
});
