// `npm run backup -- <dir>`: a consistent copy of a Callmark data directory, safe while the server
// runs. The database is copied with SQLite's online backup API (better-sqlite3 db.backup(), which
// reads a snapshot through its own connection, so the server keeps writing), then the recordings,
// print-outs and the secrets a restore needs (SIP secret, generated TLS certificate) are copied,
// and manifest.json lists every file with its SHA-256 so `npm run restore` can verify it first.
//
// Run with tsx (it imports the server's configuration and better-sqlite3, unlike setup.mjs).
// The database is copied first, so every file its rows name already exists when the files are
// copied; files created later are copied too (harmless extras).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from '../server/config.js';

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'callmark-backup/1';
export const DATABASE_NAME = 'callmark.sqlite';

export interface ManifestFile {
  /** Relative to the backup folder, '/'-separated: 'database/…', 'recordings/…', 'printouts/…', 'secrets/…'. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  schemaVersion: number;
  /** Where the recordings were, so a restore elsewhere can rewrite the paths stored in calls. */
  source: { dataDir: string; recordingsDir: string };
  files: ManifestFile[];
}

export interface DataLocations {
  dataDir: string;
  databaseFile: string;
  recordingsDir: string;
  printoutsDir: string;
}

export function locationsFromEnv(env: NodeJS.ProcessEnv = process.env): DataLocations {
  const c = loadConfig(env);
  return { dataDir: c.dataDir, databaseFile: c.databaseFile, recordingsDir: c.recordingsDir, printoutsDir: path.join(c.dataDir, 'printouts') };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every regular file under dir, as paths relative to it (symbolic links are not followed). */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Copies a file and hashes what was copied (one read, so the hash is of exactly these bytes). */
async function copyHashed(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  const source = fs.createReadStream(from);
  source.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(source, fs.createWriteStream(to, { mode: 0o600 }));
  return { sha256: hash.digest('hex'), bytes };
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

export async function backup(target: string, where: DataLocations): Promise<BackupResult> {
  const dir = path.resolve(target);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; back up into a new folder`);
  if (!fs.existsSync(where.databaseFile)) throw new Error(`no database at ${where.databaseFile} (set CALLMARK_DATA_DIR)`);
  fs.mkdirSync(path.join(dir, 'database'), { recursive: true, mode: 0o700 });

  const dbCopy = path.join(dir, 'database', DATABASE_NAME);
  const source = new Database(where.databaseFile, { readonly: true, fileMustExist: true });
  try {
    // A large step copies the whole file in one go: a writer on another connection between small
    // steps would make SQLite restart the backup, possibly for ever on a busy server.
    await source.backup(dbCopy, { progress: () => 1_000_000 });
  } finally {
    source.close();
  }
  const copy = new Database(dbCopy);
  let schemaVersion = 0;
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the database copy failed its integrity check: ${String(check)}`);
    schemaVersion = (copy.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    // A standalone file: no -wal beside it.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }

  const files: ManifestFile[] = [{ path: `database/${DATABASE_NAME}`, sha256: await sha256File(dbCopy), bytes: fs.statSync(dbCopy).size }];
  const trees: Array<[string, string]> = [
    ['recordings', where.recordingsDir],
    ['printouts', where.printoutsDir],
    ['secrets/tls', path.join(where.dataDir, 'tls')],
  ];
  const secret = path.join(where.dataDir, 'sip-secret');
  const singles: Array<[string, string]> = fs.existsSync(secret) ? [['secrets/sip-secret', secret]] : [];
  for (const [prefix, root] of trees) for (const rel of listFiles(root)) singles.push([`${prefix}/${rel.split(path.sep).join('/')}`, path.join(root, rel)]);
  for (const [rel, from] of singles) {
    const { sha256, bytes } = await copyHashed(from, path.join(dir, ...rel.split('/')));
    files.push({ path: rel, sha256, bytes });
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    createdAt: new Date().toISOString(),
    schemaVersion,
    source: { dataDir: where.dataDir, recordingsDir: where.recordingsDir },
    files,
  };
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { dir, manifest };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const target = process.argv.slice(2).find((a) => !a.startsWith('-'));
  if (!target) {
    console.error('usage: npm run backup -- <new backup folder>   (CALLMARK_DATA_DIR / CALLMARK_RECORDINGS_DIR say what to back up)');
    process.exit(2);
  }
  backup(target, locationsFromEnv()).then(
    ({ dir, manifest }) => {
      const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
      console.log(`Backup written to ${dir}: ${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB, schema version ${manifest.schemaVersion}.`);
    },
    (err: unknown) => {
      console.error(`Backup failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
