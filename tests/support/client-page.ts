// A small page of client code bundled as it is (esbuild) and served by the real app, with a real
// Chromium to open it: for browser tests of client modules that no whole page shows on its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { projectRoot } from './server-process.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface ServedClientPage {
  t: TestApp;
  browser: Browser;
  /** The app's http base URL; the page is its root. */
  base: string;
  close(): Promise<void>;
}

/**
 * Bundles `source` (TSX, importing client modules by paths from the repository root, e.g.
 * './client/src/api.js') into `<name>.js`, serves it as the app's client with an index.html that
 * loads it into `#root`, and launches Chromium.
 */
export async function serveClientPage(name: string, source: string): Promise<ServedClientPage> {
  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), `callmark-${name}-`));
  await build({
    stdin: { contents: source, loader: 'tsx', resolveDir: projectRoot, sourcefile: `${name}.tsx` },
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    platform: 'browser',
    outfile: path.join(pageDir, `${name}.js`),
    logLevel: 'silent',
  });
  fs.writeFileSync(path.join(pageDir, 'index.html'), `<!doctype html><html lang="en"><body><div id="root"></div><script type="module" src="/${name}.js"></script></body></html>`);
  const t = await createTestApp({ telephony: {}, clientDir: pageDir });
  const base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  const browser = await launchBrowser();
  return {
    t,
    browser,
    base,
    async close() {
      await browser.close();
      await t.close();
      fs.rmSync(pageDir, { recursive: true, force: true });
    },
  };
}
