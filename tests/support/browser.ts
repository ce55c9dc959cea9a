// Debian's Chromium driven by playwright-core, with the flags this workplace needs (no background
// networking: the machine has no internet) and, optionally, a WAV file as the fake microphone.
import { chromium, type Browser } from 'playwright-core';

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
