// npm run verify-pack <pack.zip>  —  checks a Callmark moderation pack offline: every file against
// the manifest's SHA-256, each attempt's timeline hash chain, the recordings against the hashes in
// the chains, and the audit entries' hashes (server/moderation/pack-verify.ts, the same check as the
// moderation page's upload). The zip is streamed from disk entry by entry with the same limits as
// the upload (server/moderation/pack-reader.ts), so a zip bomb is refused, not inflated. Needs the
// project's node_modules (yauzl) but no database.
// Exit code: 0 verified, 1 altered (the first problem names the file), 2 usage, unreadable file or
// a zip refused by the limits.
import fs from 'node:fs';
import { PackRefused, verifyPackZip } from '../server/moderation/pack-verify.js';

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--json');
  const asJson = argv.includes('--json');
  if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
    console.error('usage: npm run verify-pack -- <pack.zip> [--json]');
    return 2;
  }
  const file = args[0]!;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    console.error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  let result;
  try {
    result = await verifyPackZip(file);
  } catch (err) {
    if (!(err instanceof PackRefused)) throw err;
    console.error(`REFUSED  ${file}: ${err.message}`);
    return 2;
  }
  if (asJson) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(result.summary);
    if (result.manifest) console.log(`pack ${result.manifest.packId}, exported ${new Date(result.manifest.createdAt).toISOString()}${result.manifest.createdBy ? ` by ${result.manifest.createdBy.name} (${result.manifest.createdBy.role})` : ''}`);
    for (const p of result.problems) console.log(`  ALTERED  ${p.file}${p.entry ? ` [${p.entry}]` : ''}: ${p.message}`);
  }
  if (result.problems[0]?.file === '(zip)') return 2;
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
