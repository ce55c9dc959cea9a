// Every page of every role, in real Chromium, at 1024×768 and 1920×1080 and, at 1024×768, in the
// high-contrast display setting. Each visit fails on: the page scrolling sideways (the document
// wider than the window), any console error or uncaught exception, any request that fails or is
// answered with an error status, and any serious or critical axe-core violation of WCAG 2.1 A/AA.
// Every visit is screenshotted to reports/page-sweep/ (gitignored), kept as the test's artefacts
// whether it passes or not.
//
// First the empty states (before any sitting: the candidate's desktop with no assignment open, the
// assessor's console), then, after a real recorded call in a started sitting, every page again:
// the candidate's desktop in wrap-up, the console, the replay of that call for the moderator, the
// assessor and the admin, the moderator's, IQA's and admin's pages, the scenarios and the login page.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiIn, loginAs, withFailureScreenshots } from '../support/browser.js';
import { callInNewSitting, twoPartyFixture } from '../support/fixtures.js';
import { projectRoot } from '../support/server-process.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-sweep-' });
const ARTEFACTS = path.join(projectRoot, 'reports', 'page-sweep');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface View {
  name: string;
  width: number;
  height: number;
  highContrast: boolean;
}
const VIEWS: readonly View[] = [
  { name: '1024x768', width: 1024, height: 768, highContrast: false },
  { name: '1920x1080', width: 1920, height: 1080, highContrast: false },
  { name: '1024x768-high-contrast', width: 1024, height: 768, highContrast: true },
];

/** What went wrong on one visit, in words for the failure message. */
type Findings = string[];

/**
 * Visits `pathname` on the logged-in `page` in each view and returns what went wrong. The page is
 * first taken to about:blank, so requests the previous page had in flight are not counted against
 * this one. `ready` waits for what the page shows once loaded.
 */
async function sweep(page: Page, label: string, pathname: string, ready: (p: Page) => Promise<void>): Promise<Findings> {
  const findings: Findings = [];
  for (const view of VIEWS) {
    const where = `${label} ${pathname} @${view.name}`;
    await page.goto('about:blank');
    await page.setViewportSize({ width: view.width, height: view.height });
    const seen: string[] = [];
    const onConsole = (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') seen.push(`console error: ${m.text()}`);
    };
    const onPageError = (e: Error) => seen.push(`uncaught: ${e.message}`);
    const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) => seen.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`);
    const onResponse = (r: { url(): string; status(): number }) => {
      if (r.status() >= 400) seen.push(`HTTP ${r.status()}: ${r.url()}`);
    };
    page.on('console', onConsole);
    page.on('pageerror', onPageError);
    page.on('requestfailed', onFailed);
    page.on('response', onResponse);
    try {
      await page.goto(new URL(pathname, fx.server.url).toString());
      await page.evaluate((hc) => {
        localStorage.setItem('callmark.display', JSON.stringify({ largeText: false, highContrast: hc }));
        document.documentElement.classList.toggle('a11y-high-contrast', hc);
      }, view.highContrast);
      await ready(page).catch((e: unknown) => seen.push(`never showed what it shows once loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`));
      // Late requests (the softphone registering, the timeline joining, polls) get their turn.
      await page.waitForTimeout(1500);

      const overflow = await page.evaluate(() => {
        const root = document.documentElement;
        if (root.scrollWidth <= root.clientWidth) return null;
        const wide = [...document.querySelectorAll<HTMLElement>('body *')]
          .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
          .filter((el) => !(el.parentElement && el.parentElement.getBoundingClientRect().right > root.clientWidth + 1))
          .slice(0, 4)
          .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}`);
        return `${root.scrollWidth} px wide in a ${root.clientWidth} px window (${wide.join(', ')})`;
      });
      if (overflow) seen.push(`scrolls sideways: ${overflow}`);

      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe;
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `axe ${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ') ?? ''}`).join(' | ')}${v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : ''}`);
      });
      seen.push(...violations);
    } finally {
      await page.screenshot({ path: path.join(ARTEFACTS, `${label}${pathname.replace(/[0-9a-f-]{36}/, 'replay').replaceAll('/', '_')}@${view.name}.png`), fullPage: true }).catch(() => {});
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
      page.off('requestfailed', onFailed);
      page.off('response', onResponse);
    }
    findings.push(...seen.map((s) => `${where}: ${s}`));
  }
  return findings;
}

const heading = (p: Page) => p.locator('main h1, main h2').first().waitFor();
const registered = async (p: Page) => {
  await p.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  await heading(p).catch(() => {});
};

describe('page sweep', () => {
  it('every page of every role: no sideways scrolling, console errors, failed requests or serious accessibility violations', { timeout: 600_000 }, async () => {
    await withFailureScreenshots('page-sweep', everyPage);
  });
});

async function everyPage(pages: Page[]): Promise<void> {
    fs.rmSync(ARTEFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    const findings: Findings = [];

    // --- empty states: no sitting yet ------------------------------------------------------------
    const login = await (await fx.assessorBrowser.newContext()).newPage();
    pages.push(login);
    findings.push(...(await sweep(login, 'anonymous', '/login', (p) => p.getByLabel('Username').waitFor())));
    const emptyCandidate = await loginAs(fx.candidateBrowser, fx.server.url, 'demo-candidate', { landing: /\/desktop/ });
    findings.push(...(await sweep(emptyCandidate, 'candidate-no-sitting', '/desktop', registered)));
    await emptyCandidate.context().close();
    const emptyAssessor = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-assessor', { landing: /\/console/ });
    findings.push(...(await sweep(emptyAssessor, 'assessor-no-sitting', '/console', registered)));
    // The new-sitting form open, its candidate picker loaded (candidates by name and candidate number or username).
    const newSittingOpen = async (p: Page) => {
      await registered(p);
      await p.getByRole('button', { name: 'New sitting' }).click();
      await p.getByRole('form', { name: 'New sitting' }).locator('option', { hasText: 'Demo Candidate' }).waitFor({ state: 'attached' });
    };
    findings.push(...(await sweep(emptyAssessor, 'assessor-new-sitting', '/console', newSittingOpen)));
    await emptyAssessor.context().close();

    // --- a real recorded call in a started sitting ---------------------------------------------
    const { assessor, candidate, attemptId } = await callInNewSitting(fx, pages);
    await candidate.waitForTimeout(3000);
    await candidate.getByRole('button', { name: 'Hang up' }).click();
    await candidate.getByTestId('agent-state').filter({ hasText: 'Wrap-up' }).waitFor();
    await expect
      .poll(async () => (await apiIn<{ calls: Array<{ recording: { status: string | null } | null }> }>(assessor, 'GET', '/api/calls?limit=1')).calls[0]?.recording?.status, { timeout: 20_000 })
      .toBe('complete');
    const replay = `/moderation/attempts/${attemptId}`;
    const replayReady = (p: Page) => p.getByTestId('waveform-player').locator('[data-peaks-source]').waitFor({ timeout: 20_000 });

    findings.push(...(await sweep(candidate, 'candidate', '/desktop', registered)));
    findings.push(...(await sweep(assessor, 'assessor', '/console', registered)));
    findings.push(...(await sweep(assessor, 'assessor', '/scenarios', heading)));
    findings.push(...(await sweep(assessor, 'assessor', replay, replayReady)));

    const moderator = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-moderator', { phone: false, landing: /\/moderation/ });
    findings.push(...(await sweep(moderator, 'moderator', '/moderation', heading)));
    findings.push(...(await sweep(moderator, 'moderator', replay, replayReady)));
    findings.push(...(await sweep(moderator, 'moderator', '/scenarios', heading)));

    const admin = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-admin', { phone: false, landing: /\/admin/ });
    findings.push(...(await sweep(admin, 'admin', '/admin/users', heading)));
    findings.push(...(await sweep(admin, 'admin', '/admin/centres', heading)));
    findings.push(...(await sweep(admin, 'admin', '/admin/sittings', heading)));
    findings.push(...(await sweep(admin, 'admin', '/scenarios', heading)));
    findings.push(...(await sweep(admin, 'admin', '/account/password', heading)));
    findings.push(...(await sweep(admin, 'admin', replay, replayReady)));

    // The demo centre's own internal quality assurer (demo mode creates it with the others).
    const iqa = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-iqa', { phone: false, landing: /\/iqa/ });
    findings.push(...(await sweep(iqa, 'iqa', '/iqa', heading)));

    // A page of another role and an unknown address.
    findings.push(...(await sweep(iqa, 'iqa', '/console', (p) => p.locator('h1, h2').first().waitFor())));
    findings.push(...(await sweep(iqa, 'iqa', '/no-such-page', (p) => p.locator('h1, h2').first().waitFor())));

    expect(findings, `${findings.length} problems; screenshots in ${ARTEFACTS}`).toEqual([]);
}
