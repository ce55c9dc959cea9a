// Debian's Chromium driven by playwright-core, with the flags this workplace needs (no background
// networking: the machine has no internet) and, optionally, a WAV file as the fake microphone.
import { chromium, type Browser, type Page } from 'playwright-core';

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

/**
 * Logs a demo user in through the login page in a fresh browser context and waits for the
 * softphone to register. `init` runs before any page script (e.g. test instrumentation).
 */
export async function loginWithPhone(
  browser: Browser,
  url: string,
  username: string,
  opts: { password?: string; init?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext(opts.viewport ? { viewport: opts.viewport } : {});
  const page = await context.newPage();
  if (opts.init) await page.addInitScript(opts.init);
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(opts.password ?? 'demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });
  return page;
}
