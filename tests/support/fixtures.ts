// The shared setup of the browser tests: the built demo server as a child process (startServer),
// Chromium instances (with tone WAVs as fake microphones where calls are made), and their teardown.
// Each fixture registers its beforeAll/afterAll when called at a test file's top level and returns
// an object whose fields are filled in by that beforeAll.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { SittingDetail } from '../../server/protocol/assessment.js';
import { writeToneWav } from './audio.js';
import { answer, apiIn, dial, DESKTOP_VIEWPORT, launchBrowser, loginAs } from './browser.js';
import { keepServerLogsOnFailure } from './server-log.js';
import { startServer, type ServerProcess } from './server-process.js';

/** The server environment of the tests that make calls: one media worker, media on 127.0.0.1. */
export const MEDIA_ENV: Readonly<Record<string, string>> = { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1' };

/**
 * The fixtures' servers log at info (holds, resumes, re-INVITE glare and refusals, requests), not
 * startServer's warn: what they print is kept when a test fails (server-log.ts) and must say what
 * the server saw. A test's own CALLMARK_LOG_LEVEL wins.
 */
const FIXTURE_LOG_ENV: Readonly<Record<string, string>> = { CALLMARK_LOG_LEVEL: 'info' };

async function teardown(browsers: Array<Browser | undefined>, server: ServerProcess | undefined, tmp: string | undefined): Promise<void> {
  for (const b of browsers) await b?.close();
  await server?.stop();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
}

export interface TwoParty {
  /** A temporary directory (created at once, removed after the file's tests) holding the tone WAVs. */
  readonly tmp: string;
  server: ServerProcess;
  /** Chromium whose microphone plays a 440 Hz tone. */
  candidateBrowser: Browser;
  /** Chromium whose microphone plays an 880 Hz tone. */
  assessorBrowser: Browser;
}

/**
 * A call between two parties: the demo server with MEDIA_ENV (plus `env`), and two Chromium
 * instances, the candidate's with a 440 Hz tone and the assessor's with an 880 Hz tone as the fake
 * microphone.
 */
export function twoPartyFixture(opts: { tmpPrefix: string; env?: Record<string, string> }): TwoParty {
  const fx = { tmp: fs.mkdtempSync(path.join(os.tmpdir(), opts.tmpPrefix)) } as TwoParty;
  beforeAll(async () => {
    // 10 s of a whole number of cycles: Chromium loops the file without a click.
    writeToneWav(path.join(fx.tmp, 'c.wav'), 440, 10);
    writeToneWav(path.join(fx.tmp, 'a.wav'), 880, 10);
    fx.server = await startServer({ args: ['--demo'], env: { ...FIXTURE_LOG_ENV, ...MEDIA_ENV, ...opts.env } });
    fx.candidateBrowser = await launchBrowser({ fakeAudioFile: path.join(fx.tmp, 'c.wav') });
    fx.assessorBrowser = await launchBrowser({ fakeAudioFile: path.join(fx.tmp, 'a.wav') });
  });
  keepServerLogsOnFailure(() => [fx.server]);
  afterAll(() => teardown([fx.candidateBrowser, fx.assessorBrowser], fx.server, fx.tmp));
  return fx;
}

export interface DemoBrowser {
  server: ServerProcess;
  browser: Browser;
}

export interface DemoBrowserOptions {
  /** Also make a temporary directory (fixture.tmp), removed after the file's tests. */
  tmpPrefix?: string;
  /** The server's environment; default { CALLMARK_MEDIA_WORKERS: '1' }. */
  env?: Record<string, string>;
  /** A tone of this frequency as the fake microphone (its WAV goes in tmp: needs tmpPrefix). */
  toneHz?: number;
  denyMicrophone?: boolean;
}

/** The demo server and one Chromium instance. */
export function demoBrowserFixture(opts: DemoBrowserOptions & { tmpPrefix: string }): DemoBrowser & { readonly tmp: string };
export function demoBrowserFixture(opts?: DemoBrowserOptions): DemoBrowser;
export function demoBrowserFixture(opts: DemoBrowserOptions = {}): DemoBrowser & { readonly tmp?: string } {
  const fx = { tmp: opts.tmpPrefix === undefined ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), opts.tmpPrefix)) } as DemoBrowser & { tmp?: string };
  if (opts.toneHz !== undefined && fx.tmp === undefined) throw new Error('demoBrowserFixture: toneHz needs tmpPrefix');
  beforeAll(async () => {
    let fakeAudioFile: string | undefined;
    if (opts.toneHz !== undefined) {
      fakeAudioFile = path.join(fx.tmp!, 'tone.wav');
      writeToneWav(fakeAudioFile, opts.toneHz, 10);
    }
    fx.server = await startServer({ args: ['--demo'], env: { ...FIXTURE_LOG_ENV, ...(opts.env ?? { CALLMARK_MEDIA_WORKERS: '1' }) } });
    const launch: Parameters<typeof launchBrowser>[0] = {};
    if (fakeAudioFile) launch.fakeAudioFile = fakeAudioFile;
    if (opts.denyMicrophone) launch.denyMicrophone = true;
    fx.browser = await launchBrowser(launch);
  });
  keepServerLogsOnFailure(() => [fx.server]);
  afterAll(() => teardown([fx.browser], fx.server, fx.tmp));
  return fx;
}

/**
 * The candidate confirms a declaration of authenticity on a sitting (issue 13: 'start' before it
 * may start, 'end' once it has ended), through the API from a browser context of their own that is
 * closed again (no desktop, no softphone).
 */
export async function candidateDeclares(browser: Browser, url: string, sittingId: string, moment: 'start' | 'end', username = 'demo-candidate'): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(new URL('/login', url).href);
    await page.evaluate(
      async ({ username, sittingId, moment }) => {
        const login = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo-password' }) });
        if (!login.ok) throw new Error(`login ${username}: ${login.status}`);
        const { csrfToken } = (await login.json()) as { csrfToken: string };
        const res = await fetch(`/api/sittings/${sittingId}/declarations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify({ moment, confirm: true }) });
        if (!res.ok) throw new Error(`declaration: ${res.status} ${await res.text()}`);
      },
      { username, sittingId, moment },
    );
  } finally {
    await context.close();
  }
}

/**
 * Through the API, the assessor starts assignment n of a started sitting for each total given and
 * marks it to that total (criteria filled in rubric order), finishing the marking.
 */
export async function markSittingIn(assessor: Page, sittingId: string, totals: readonly number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, total] of totals.entries()) {
    const attemptId = (await apiIn<{ currentAttemptId: string }>(assessor, 'POST', `/api/sittings/${sittingId}/assignments/${i + 1}/attempts`, {})).currentAttemptId;
    const view = await apiIn<{ criteria: Array<{ criterionId: string; maxMarks: number }> }>(assessor, 'GET', `/api/attempts/${attemptId}/marking`);
    let left = total;
    const marks = view.criteria.map((c) => {
      const mark = Math.min(c.maxMarks, left);
      left -= mark;
      return { criterionId: c.criterionId, mark, comment: `Comment on ${c.criterionId}`, overrideReason: 'Heard on the recording.' };
    });
    await apiIn(assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks, final: true });
    ids.push(attemptId);
  }
  return ids;
}

/** What a sitting needs before it starts, through the API: the assessor's identity check and the candidate's declaration. */
export async function prepareSittingIn(assessor: Page, browser: Browser, url: string, sittingId: string): Promise<void> {
  await apiIn(assessor, 'POST', `/api/sittings/${sittingId}/identity-check`, { documentType: 'passport' });
  await candidateDeclares(browser, url, sittingId, 'start');
}

/** The demo candidate as the assessor's phone directory lists them: their user id and extension. */
export async function demoCandidate(assessor: Page): Promise<{ userId: number; extension: string }> {
  const { entries } = await apiIn<{ entries: Array<{ userId: number; role: string; extension: string }> }>(assessor, 'GET', '/api/directory');
  return entries.find((e) => e.role === 'candidate')!;
}

/** Through the API, a sitting of the demo candidate with these scenarios, prepared (prepareSittingIn) and started. */
export async function startedSittingIn(assessor: Page, browser: Browser, url: string, scenarioKeys: readonly string[]): Promise<SittingDetail> {
  const sitting = await apiIn<SittingDetail>(assessor, 'POST', '/api/sittings', { candidateUserId: (await demoCandidate(assessor)).userId, scenarioKeys });
  await prepareSittingIn(assessor, browser, url, sitting.id);
  return apiIn<SittingDetail>(assessor, 'POST', `/api/sittings/${sitting.id}/start`, {});
}

/** A started sitting of the demo candidate (S1, S4, S5, S3), each attempt marked to these totals (markSittingIn), then ended; its id. */
export async function markedEndedSittingIn(assessor: Page, browser: Browser, url: string, totals: readonly number[]): Promise<string> {
  const sitting = await startedSittingIn(assessor, browser, url, ['s1', 's4', 's5', 's3']);
  await markSittingIn(assessor, sitting.id, totals);
  await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/end`, {});
  return sitting.id;
}

/**
 * Through the API, the demo assessor creates a sitting of the demo candidate (S1, S4, S5, S2),
 * records the identity check, has the candidate confirm the declaration, starts it and assignment
 * 1's attempt; then the candidate logs in and their desktop is online (still Not ready). Both pages
 * are pushed onto `pages`.
 */
export async function sittingUnderWay(
  fx: TwoParty,
  pages: Page[],
  viewports: { assessor: { width: number; height: number }; candidate: { width: number; height: number } } = { assessor: DESKTOP_VIEWPORT, candidate: DESKTOP_VIEWPORT },
): Promise<{ assessor: Page; candidate: Page; attemptId: string; candidateExtension: string }> {
  const assessor = await loginAs(fx.assessorBrowser, fx.server.url, 'demo-assessor', { viewport: viewports.assessor });
  pages.push(assessor);
  const cand = await demoCandidate(assessor);
  const sitting = await startedSittingIn(assessor, fx.candidateBrowser, fx.server.url, ['s1', 's4', 's5', 's2']);
  const attemptId = (await apiIn<{ currentAttemptId: string }>(assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`, {})).currentAttemptId;
  const candidate = await loginAs(fx.candidateBrowser, fx.server.url, 'demo-candidate', { viewport: viewports.candidate });
  pages.push(candidate);
  await candidate.getByTestId('agent-state').waitFor();
  await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
  return { assessor, candidate, attemptId, candidateExtension: cand.extension };
}

/**
 * A sitting under way (sittingUnderWay): the candidate goes Ready; the assessor reloads (so the
 * softphone registers afresh) and calls the candidate, who answers. Returns once the
 * candidate's phone shows "Connected". Both pages (desktop viewport) are pushed onto `pages`.
 */
export async function callInNewSitting(fx: TwoParty, pages: Page[]): Promise<{ assessor: Page; candidate: Page; attemptId: string }> {
  const { assessor, candidate, attemptId, candidateExtension } = await sittingUnderWay(fx, pages);
  await candidate.getByRole('button', { name: 'Ready', exact: true }).click();

  await assessor.reload();
  await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  await dial(assessor, candidateExtension);
  await answer(candidate);
  return { assessor, candidate, attemptId };
}
