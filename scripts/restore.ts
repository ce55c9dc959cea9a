// `npm run restore -- <backup folder> [--force]`: puts a backup made by `npm run backup` back into
// the configured data directory (CALLMARK_DATA_DIR, CALLMARK_RECORDINGS_DIR). Stop the server
// first. Every file is checked against the manifest's SHA-256 before anything is written; a data
// directory that already holds a database, recordings or print-outs is refused unless --force.
// Recording paths stored in the calls table are rewritten when the recordings folder has moved.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { DATABASE_NAME, listFiles, locationsFromEnv, MANIFEST, MANIFEST_FORMAT, sha256File, type DataLocations, type Manifest } from './backup.js';

export class RestoreError extends Error {}

/** Checks the manifest and every file's hash; returns the manifest. Writes nothing. */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) throw new RestoreError(`${dir} has no ${MANIFEST}: not a Callmark backup`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (manifest.format !== MANIFEST_FORMAT) throw new RestoreError(`unknown backup format ${String(manifest.format)}`);
  const problems: string[] = [];
  for (const f of manifest.files) {
    // A manifest is input: a path must stay inside the backup folder.
    if (f.path.split('/').some((p) => p === '..' || p === '') || path.isAbsolute(f.path)) {
      problems.push(`${f.path}: not a path inside the backup`);
      continue;
    }
    const p = path.join(dir, ...f.path.split('/'));
    if (!fs.existsSync(p)) problems.push(`${f.path}: missing`);
    else if ((await sha256File(p)) !== f.sha256) problems.push(`${f.path}: SHA-256 does not match the manifest`);
  }
  if (!manifest.files.some((f) => f.path === `database/${DATABASE_NAME}`)) problems.push('the database is not in the manifest');
  if (problems.length) throw new RestoreError(`the backup is damaged; nothing was restored:\n  ${problems.join('\n  ')}`);
  return manifest;
}

function occupied(where: DataLocations): string[] {
  const found: string[] = [];
  if (fs.existsSync(where.databaseFile)) found.push(where.databaseFile);
  if (listFiles(where.recordingsDir).length) found.push(where.recordingsDir);
  if (listFiles(where.printoutsDir).length) found.push(where.printoutsDir);
  return found;
}

export async function restore(backupDir: string, where: DataLocations, opts: { force?: boolean } = {}): Promise<Manifest> {
  const dir = path.resolve(backupDir);
  const manifest = await verifyBackup(dir);
  const inUse = occupied(where);
  if (inUse.length && !opts.force) {
    throw new RestoreError(`the data directory is not empty (${inUse.join(', ')}); stop the server and pass --force to replace it`);
  }
  // --force: the old database goes (with its WAL, which would otherwise be replayed onto the copy).
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${where.databaseFile}${suffix}`, { force: true });
  if (opts.force) {
    fs.rmSync(where.recordingsDir, { recursive: true, force: true });
    fs.rmSync(where.printoutsDir, { recursive: true, force: true });
  }
  const destination = (rel: string): string => {
    const [top, ...rest] = rel.split('/');
    if (top === 'database') return where.databaseFile;
    if (top === 'recordings') return path.join(where.recordingsDir, ...rest);
    if (top === 'printouts') return path.join(where.printoutsDir, ...rest);
    if (top === 'secrets' && rest[0] === 'sip-secret') return path.join(where.dataDir, 'sip-secret');
    if (top === 'secrets' && rest[0] === 'tls') return path.join(where.dataDir, 'tls', ...rest.slice(1));
    throw new RestoreError(`unexpected file in the backup: ${rel}`);
  };
  for (const f of manifest.files) {
    const to = destination(f.path);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(dir, ...f.path.split('/')), to);
    if (f.path.startsWith('secrets/')) fs.chmodSync(to, 0o600);
  }

  // The calls table stores absolute recording paths; point them at the new folder if it moved.
  // (A script, not a repository: it runs with the server stopped, on the restored file only.)
  const oldRoot = path.resolve(manifest.source.recordingsDir);
  const newRoot = path.resolve(where.recordingsDir);
  const db = new Database(where.databaseFile);
  try {
    db.pragma('journal_mode = WAL');
    if (oldRoot !== newRoot) {
      db.prepare('UPDATE calls SET recording_path = @newRoot || substr(recording_path, length(@oldRoot) + 1) WHERE substr(recording_path, 1, length(@oldRoot) + 1) = @oldRoot || @sep').run({
        oldRoot,
        newRoot,
        sep: path.sep,
      });
    }
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new RestoreError(`the restored database failed its integrity check: ${String(check)}`);
  } finally {
    db.close();
  }
  return manifest;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const args = process.argv.slice(2);
  const source = args.find((a) => !a.startsWith('-'));
  if (!source) {
    console.error('usage: npm run restore -- <backup folder> [--force]   (restores into CALLMARK_DATA_DIR / CALLMARK_RECORDINGS_DIR; stop the server first)');
    process.exit(2);
  }
  const where = locationsFromEnv();
  restore(source, where, { force: args.includes('--force') }).then(
    (m) => console.log(`Restored ${m.files.length} files from ${path.resolve(source)} (backup of ${m.createdAt}, schema version ${m.schemaVersion}) into ${where.dataDir}.`),
    (err: unknown) => {
      console.error(`Restore failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
