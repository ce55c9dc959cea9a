// Debian's Chromium driven by playwright-core, with the flags this workplace needs (no background
// networking: the machine has no internet) and, optionally, a WAV file as the fake microphone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './server-process.js';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CALLMARK_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(opts: { fakeAudioFile?: string; denyMicrophone?: boolean } = {}): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    opts.denyMicrophone ? '--deny-permission-prompts' : '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (opts.fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${opts.fakeAudioFile}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/** The viewport of the desktop tests: wide enough for the agent desktop's panels side by side. */
export const DESKTOP_VIEWPORT = { width: 1400, height: 1000 } as const;

export interface LoginOptions {
  /** Defaults to the demo users' password. */
  password?: string;
  /** Wait for the softphone to register ('Registered'); default true. Moderators and admins have no softphone. */
  phone?: boolean;
  /** Wait for the page the user lands on after logging in (checked before the softphone, if both). */
  landing?: RegExp;
  /** A script run in the page before any page script (e.g. test instrumentation). */
  init?: string;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Runs on the new context before its page opens (e.g. routes that cut the WebSockets). */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/**
 * Logs a user in through the login page in a fresh browser context: the base URL redirects to
 * /login, the form is submitted, then it waits for `landing` and (unless `phone: false`) for the
 * softphone to register. With `phone: false` and no `landing` it returns right after submitting
 * (e.g. to check a refused login). Fake audio and media permissions are `launchBrowser`'s.
 */
export async function loginAs(browser: Browser, url: string, username: string, opts: LoginOptions = {}): Promise<Page> {
  const contextOptions: BrowserContextOptions = {};
  if (opts.viewport) contextOptions.viewport = opts.viewport;
  if (opts.acceptDownloads !== undefined) contextOptions.acceptDownloads = opts.acceptDownloads;
  const context = await browser.newContext(contextOptions);
  await opts.prepare?.(context);
  const page = await context.newPage();
  if (opts.init) await page.addInitScript(opts.init);
  await page.goto(url);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(opts.password ?? 'demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  if (opts.landing) await page.waitForURL(opts.landing);
  if (opts.phone ?? true) await page.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  return page;
}

/**
 * The demo assessor logs in and starts a practice attempt for the demo candidate (the page shows the
 * attempt once it exists). The page is pushed onto `pages`, when given, as soon as it opens, so a
 * failure screenshot includes it.
 */
export async function assessorStartsPractice(browser: Browser, url: string, opts: LoginOptions & { pages?: Page[] } = {}): Promise<Page> {
  const assessor = await loginAs(browser, url, 'demo-assessor', opts);
  opts.pages?.push(assessor);
  await assessor.getByRole('button', { name: 'Start practice attempt' }).click();
  await assessor.getByTestId('attempt-id').waitFor();
  return assessor;
}

/**
 * The demo candidate logs in and waits until the desktop is online (its timeline connected), then,
 * with `ready`, presses Ready so calls may reach the softphone. `pages` as `assessorStartsPractice`'s.
 */
export async function candidateOnline(browser: Browser, url: string, opts: LoginOptions & { pages?: Page[]; ready?: boolean } = {}): Promise<Page> {
  const candidate = await loginAs(browser, url, 'demo-candidate', opts);
  opts.pages?.push(candidate);
  await candidate.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
  if (opts.ready) await candidate.getByRole('button', { name: 'Ready', exact: true }).click();
  return candidate;
}

/** A JSON request from inside the page, with the session's CSRF token. */
export async function apiIn<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const { csrfToken } = (await (await fetch('/api/auth/session')).json()) as { csrfToken: string };
      const res = await fetch(url, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return JSON.parse(text) as unknown;
    },
    { method, url, body },
  ) as Promise<T>;
}

/**
 * Runs a browser scenario that pushes each page it opens onto `pages`. If it throws, every page is
 * saved as evidence for whoever reads the failure, to <tmpdir>/callmark-<name>-failure-<i>.png,
 * and the error is rethrown.
 */
export async function withFailureScreenshots(name: string, scenario: (pages: Page[]) => Promise<void>): Promise<void> {
  const pages: Page[] = [];
  try {
    await scenario(pages);
  } catch (err) {
    for (const [i, p] of pages.entries()) await p.screenshot({ path: path.join(os.tmpdir(), `callmark-${name}-failure-${i}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

const REPORTS = path.join(projectRoot, 'reports');

/**
 * Screenshots of the page at the two sizes staff use, 1024×768 and 1920×1080, as
 * reports/<folder>/<name>@<width>x<height>.png (gitignored; looked at after a UI change), then the
 * viewport set to `restore` when given.
 */
export async function shootAtStaffSizes(page: Page, folder: string, name: string, restore?: { width: number; height: number }): Promise<void> {
  const dir = path.join(REPORTS, folder);
  fs.mkdirSync(dir, { recursive: true });
  for (const [width, height] of [[1024, 768], [1920, 1080]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(dir, `${name}@${width}x${height}.png`), fullPage: false });
  }
  if (restore) await page.setViewportSize(restore);
}

/** The extension the page's softphone registered as, read from its status line ("Registered · extension 1003"). */
export async function extensionOf(phonePage: Page): Promise<string> {
  const line = (await phonePage.getByTestId('registration').textContent()) ?? '';
  const found = /extension (\d+)/.exec(line);
  if (!found) throw new Error(`The softphone's status line names no extension: "${line}"`);
  return found[1]!;
}

/**
 * `caller` dials from its softphone's dialler: `to` is an extension, or a page whose softphone's
 * extension is read. `presenting`: the caller number to present (the customer an assessor plays).
 */
export async function dial(caller: Page, to: Page | string, opts: { presenting?: string } = {}): Promise<void> {
  const extension = typeof to === 'string' ? to : await extensionOf(to);
  if (opts.presenting !== undefined) await caller.getByLabel('Present as caller number (the customer you play)').fill(opts.presenting);
  await caller.getByLabel('Number to call').fill(extension);
  await caller.getByRole('button', { name: 'Call', exact: true }).click();
}

/**
 * Answers the call ringing on `callee` once its incoming-call panel shows (showing `presenting`,
 * when given, as the caller's number) and waits until its phone says "Connected".
 */
export async function answer(callee: Page, opts: { presenting?: string } = {}): Promise<void> {
  const incoming = callee.getByTestId('incoming');
  await (opts.presenting === undefined ? incoming : incoming.filter({ hasText: opts.presenting })).waitFor({ timeout: 15_000 });
  await callee.getByRole('button', { name: 'Answer' }).click();
  await callee.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
}

/** `caller` dials `callee`'s extension (presenting `presenting` when given) and `callee` answers. */
export async function callAndAnswer(caller: Page, callee: Page, opts: { presenting?: string } = {}): Promise<void> {
  await dial(caller, callee, opts);
  await answer(callee, opts);
}

/** Whether the element lies wholly inside the browser window at the page's current scroll. */
export async function inViewport(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  if (box === null) return false;
  const { width, height } = await locator.page().evaluate(() => ({ width: window.innerWidth, height: window.innerHeight }));
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height;
}
