// Real browser: moderation packs on the moderator's home. The demo assessor runs a sitting of the
// demo candidate through the API (four attempts marked 9 each, no calls) and ends it; the demo
// moderator then downloads the sitting's pack from its row (a zip with manifest.json), uploads it
// under "Verify a pack" (verified, issued by this server), uploads it again with one byte of one
// file changed (not verified, naming that file), uploads a file that is not a zip (refused with a
// message), and downloads the centre sample's pack (a zip whose manifest covers the sitting).
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PackManifest } from '../../server/moderation/pack-format.js';
import { DESKTOP_VIEWPORT, loginAs, withFailureScreenshots } from '../support/browser.js';
import { demoBrowserFixture, markedEndedSittingIn } from '../support/fixtures.js';

const fx = demoBrowserFixture({ tmpPrefix: 'callmark-packs-' });

/** An ended sitting of the demo candidate, each of its four attempts marked 9 (36, no calls). */
const endedSitting = (assessor: Page): Promise<string> => markedEndedSittingIn(assessor, fx.browser, fx.server.url, [9, 9, 9, 9]);

/** Clicks `trigger` and saves what it downloads; returns the file and the name the page gave it. */
async function download(page: Page, trigger: () => Promise<void>, name: string): Promise<{ file: string; suggested: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), trigger()]);
  const file = path.join(fx.tmp, name);
  await dl.saveAs(file);
  return { file, suggested: dl.suggestedFilename() };
}

const manifestOf = (zip: Buffer): PackManifest => JSON.parse(new AdmZip(zip).readAsText('manifest.json')) as PackManifest;

async function verify(page: Page, file: string): Promise<void> {
  const section = page.getByRole('region', { name: 'Verify a pack' });
  await section.getByLabel('Pack (.zip)').setInputFiles(file);
  await section.getByRole('button', { name: 'Verify' }).click();
}

describe('moderation packs on the moderator home', () => {
  it('downloads a sitting pack and the sample pack, verifies a pack and names the altered file', { timeout: 90_000 }, async () => {
    await withFailureScreenshots('packs', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await loginAs(fx.browser, fx.server.url, 'demo-assessor', { viewport: DESKTOP_VIEWPORT, acceptDownloads: true, phone: false, landing: /\/console/ });
  pages.push(assessor);
  const sittingId = await endedSitting(assessor);
  await assessor.context().close();
  pages.pop();

  const moderator = await loginAs(fx.browser, fx.server.url, 'demo-moderator', { viewport: DESKTOP_VIEWPORT, acceptDownloads: true, phone: false, landing: /\/moderation/ });
  pages.push(moderator);
  const row = moderator.locator(`tr[data-sitting-id="${sittingId}"]`);
  await row.waitFor();
  const candidateName = (await row.getByRole('button').first().textContent())!.trim();
  // The sitting's centre is named, not numbered.
  expect(await moderator.getByRole('region', { name: /^DEMO CENTRE/ }).locator(`tr[data-sitting-id="${sittingId}"]`).count()).toBe(1);
  expect(await moderator.getByRole('heading', { level: 2, name: /^DEMO CENTRE/ }).count()).toBe(1);

  // 1. The sitting's pack, from its row: a zip with a manifest naming the sitting.
  const link = row.getByRole('link', { name: `Download pack for ${candidateName}` });
  const sittingPack = await download(moderator, () => link.click(), 'sitting.zip');
  expect(sittingPack.suggested).toMatch(/^moderation-pack-sitting-.*\.zip$/);
  const zip = fs.readFileSync(sittingPack.file);
  expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  const manifest = manifestOf(zip);
  expect(manifest.scope.sittings).toEqual([sittingId]);

  // 2. Verified on upload, and known to this server.
  const status = moderator.getByRole('region', { name: 'Verify a pack' }).getByRole('status');
  await verify(moderator, sittingPack.file);
  const result = status.getByTestId('pack-verification');
  await status.locator('[data-testid="pack-verification"][data-ok="true"]').waitFor();
  expect(await status.textContent()).toContain('Verified');
  expect(await status.textContent()).toContain('Pack verified:');
  expect(await status.textContent()).toContain('This server issued this pack.');
  expect(await status.textContent()).toMatch(/Checked \d+ files, \d+ timeline entries and \d+ audit entries/);

  // 3. One byte of one file changed (a digit in an attempt's timeline): not verified, naming it.
  const target = manifest.files.map((f) => f.path).find((p) => p.endsWith('/timeline.json')) ?? 'audit-log.json';
  const src = new AdmZip(zip);
  const out = new AdmZip();
  for (const e of src.getEntries()) {
    const data = Buffer.from(e.getData());
    if (e.entryName === target) {
      const i = data.findIndex((b) => b >= 0x30 && b <= 0x39);
      data[i] = data[i] === 0x31 ? 0x32 : 0x31;
    }
    out.addFile(e.entryName, data);
  }
  const tampered = path.join(fx.tmp, 'tampered.zip');
  fs.writeFileSync(tampered, out.toBuffer());
  await verify(moderator, tampered);
  await status.locator('[data-testid="pack-verification"][data-ok="false"]').waitFor();
  expect(await status.textContent()).toContain('Not verified');
  expect(await status.textContent()).toContain(`Pack NOT verified: ${target}`);
  const problems = status.getByRole('list', { name: 'Problems found' }).getByRole('listitem');
  expect(await problems.first().textContent()).toContain(target);

  // 4. Not a zip: a message, no result.
  const notZip = path.join(fx.tmp, 'notes.zip');
  fs.writeFileSync(notZip, 'these are not the files you are looking for\n');
  await verify(moderator, notZip);
  await status.getByText('That file cannot be verified').waitFor();
  expect(await result.count()).toBe(0);

  // 5. The sample's pack: the sitting (ended, the assessor's only one) is in the sample.
  const sample = moderator.getByTestId(/^sample-\d+$/).filter({ has: moderator.getByRole('button', { name: /^Download the sample's pack/ }) });
  const button = sample.getByRole('button', { name: /^Download the sample's pack \(\d+ sittings?\)$/ });
  const samplePack = await download(moderator, () => button.click(), 'sample.zip');
  expect(samplePack.suggested).toBe('moderation-pack-sample.zip');
  const sampleManifest = manifestOf(fs.readFileSync(samplePack.file));
  expect(sampleManifest.scope.sittings).toContain(sittingId);
  await sample.getByText('Pack downloaded.').waitFor();
}
