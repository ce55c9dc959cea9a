// npm run backup / restore (scripts/backup.ts, scripts/restore.ts): a backup of a live database
// that another thread keeps writing to, with recordings and print-outs, restored into a new data
// directory and compared row by row and file by file; damaged backups and occupied data
// directories are refused before anything is written.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, sha256File, type DataLocations } from '../../scripts/backup.js';
import { restore, RestoreError } from '../../scripts/restore.js';
import { closeDatabase, openDatabase } from '../../server/db/connection.js';
import { migrate } from '../../server/db/migrations.js';
import { createRepositories } from '../../server/db/repositories/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-backup-'));
const live: DataLocations = {
  dataDir: path.join(root, 'data'),
  databaseFile: path.join(root, 'data', 'callmark.sqlite'),
  recordingsDir: path.join(root, 'data', 'recordings'),
  printoutsDir: path.join(root, 'data', 'printouts'),
};
const CALL_ID = '00000000-0000-4000-8000-00000000b001';

beforeAll(() => {
  const db = openDatabase(live.databaseFile);
  migrate(db);
  const repos = createRepositories(db);
  const centre = repos.centres.create({ name: 'Northgate College' });
  repos.users.create({ username: 'cand', displayName: 'Cand', role: 'candidate', centreId: centre.id, passwordHash: 'x' });
  const recording = path.join(live.recordingsDir, '2026-01-05', `${CALL_ID}.ogg`);
  fs.mkdirSync(path.dirname(recording), { recursive: true });
  fs.writeFileSync(recording, Buffer.alloc(300_000, 7));
  repos.calls.create({ id: CALL_ID, centreId: centre.id, callerUserId: null, calleeUserId: null, callerExtension: 'a', calleeExtension: 'b', candidateUserId: null, invitedAt: 1 });
  repos.calls.update(CALL_ID, { state: 'ended', recordingPath: recording, recordingStatus: 'complete' });
  fs.mkdirSync(path.join(live.printoutsDir, 'attempt-1'), { recursive: true });
  fs.writeFileSync(path.join(live.printoutsDir, 'attempt-1', 'p1-customer.pdf'), '%PDF-1.7 fake');
  fs.writeFileSync(path.join(live.dataDir, 'sip-secret'), Buffer.alloc(32, 1), { mode: 0o600 });
  closeDatabase(db);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A worker thread inserting centres (one row per transaction) as fast as it can until told to stop. */
function writer(file: string): { stop: () => Promise<number> } {
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare('INSERT INTO centres (name, created_at) VALUES (?, ?)');
    let n = 0, stop = false;
    parentPort.on('message', () => { stop = true; });
    (function loop() {
      for (let i = 0; i < 20; i++) insert.run('Written during backup ' + (n++), Date.now());
      if (stop) { db.close(); parentPort.postMessage(n); } else setImmediate(loop);
    })();
    `,
    { eval: true, workerData: { file, driver: require.resolve('better-sqlite3') } },
  );
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (n: number) => resolve(n));
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

const rows = (file: string, sql: string): unknown[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe('backup and restore', () => {
  const backupDir = path.join(root, 'backup-1');
  const restored: DataLocations = {
    dataDir: path.join(root, 'restored'),
    databaseFile: path.join(root, 'restored', 'callmark.sqlite'),
    recordingsDir: path.join(root, 'restored-recordings'),
    printoutsDir: path.join(root, 'restored', 'printouts'),
  };

  it('backs up a database that is being written to, with a manifest of SHA-256 hashes', async () => {
    const w = writer(live.databaseFile);
    await new Promise((r) => setTimeout(r, 100));
    const before = (rows(live.databaseFile, 'SELECT COUNT(*) AS n FROM centres')[0] as { n: number }).n;
    const { manifest } = await backup(backupDir, live);
    const written = await w.stop();
    expect(written).toBeGreaterThan(0);
    const inBackup = (rows(path.join(backupDir, 'database', 'callmark.sqlite'), 'SELECT COUNT(*) AS n FROM centres')[0] as { n: number }).n;
    const after = (rows(live.databaseFile, 'SELECT COUNT(*) AS n FROM centres')[0] as { n: number }).n;
    // A snapshot taken during the writes: everything committed before it started, nothing torn.
    expect(inBackup).toBeGreaterThanOrEqual(before);
    expect(inBackup).toBeLessThanOrEqual(after);
    expect(manifest.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['database/callmark.sqlite', `recordings/2026-01-05/${CALL_ID}.ogg`, 'printouts/attempt-1/p1-customer.pdf', 'secrets/sip-secret']),
    );
    for (const f of manifest.files) expect(await sha256File(path.join(backupDir, ...f.path.split('/')))).toBe(f.sha256);
    expect(manifest.schemaVersion).toBeGreaterThan(0);
  });

  it('refuses to write into a folder that is not empty', async () => {
    await expect(backup(backupDir, live)).rejects.toThrow(/not empty/);
  });

  it('restores into a new data directory: same rows, same files, recording paths moved', async () => {
    await restore(backupDir, restored);
    const snapshot = path.join(backupDir, 'database', 'callmark.sqlite');
    for (const table of ['centres', 'users', 'schema_migrations']) {
      expect(rows(restored.databaseFile, `SELECT * FROM ${table} ORDER BY rowid`)).toEqual(rows(snapshot, `SELECT * FROM ${table} ORDER BY rowid`));
    }
    const [call] = rows(restored.databaseFile, `SELECT recording_path AS p FROM calls WHERE id = '${CALL_ID}'`) as Array<{ p: string }>;
    expect(call!.p).toBe(path.join(restored.recordingsDir, '2026-01-05', `${CALL_ID}.ogg`));
    expect(fs.readFileSync(call!.p)).toEqual(fs.readFileSync(path.join(live.recordingsDir, '2026-01-05', `${CALL_ID}.ogg`)));
    expect(fs.readFileSync(path.join(restored.printoutsDir, 'attempt-1', 'p1-customer.pdf'), 'utf8')).toBe('%PDF-1.7 fake');
    expect(fs.statSync(path.join(restored.dataDir, 'sip-secret')).mode & 0o777).toBe(0o600);
    // The restored database opens and migrates like any other (nothing left to apply).
    const db = openDatabase(restored.databaseFile);
    expect(migrate(db).applied).toEqual([]);
    closeDatabase(db);
  });

  it('refuses to restore over a data directory in use unless --force', async () => {
    await expect(restore(backupDir, restored)).rejects.toThrow(/not empty.*--force/s);
    fs.writeFileSync(path.join(restored.recordingsDir, 'stray.ogg'), 'x');
    await restore(backupDir, restored, { force: true });
    expect(fs.existsSync(path.join(restored.recordingsDir, 'stray.ogg'))).toBe(false);
  });

  it('verifies every hash before writing anything: a damaged backup restores nothing', async () => {
    const damaged = path.join(root, 'backup-damaged');
    fs.cpSync(backupDir, damaged, { recursive: true });
    fs.appendFileSync(path.join(damaged, 'printouts', 'attempt-1', 'p1-customer.pdf'), 'tampered');
    const target: DataLocations = { dataDir: path.join(root, 'r2'), databaseFile: path.join(root, 'r2', 'callmark.sqlite'), recordingsDir: path.join(root, 'r2', 'recordings'), printoutsDir: path.join(root, 'r2', 'printouts') };
    await expect(restore(damaged, target)).rejects.toThrow(RestoreError);
    await expect(restore(damaged, target)).rejects.toThrow(/p1-customer\.pdf: SHA-256 does not match/);
    expect(fs.existsSync(target.databaseFile)).toBe(false);
    // A manifest naming a file outside the backup is refused too.
    const manifestFile = path.join(damaged, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { files: Array<{ path: string }> };
    m.files[1]!.path = '../backup-1/manifest.json';
    fs.writeFileSync(manifestFile, JSON.stringify(m));
    await expect(restore(damaged, target)).rejects.toThrow(/not a path inside the backup/);
  });

  it('runs as the npm scripts would (tsx, configured by CALLMARK_DATA_DIR)', () => {
    const out = path.join(root, 'backup-cli');
    const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const env = { ...process.env, CALLMARK_DATA_DIR: live.dataDir };
    expect(execFileSync(tsx, ['scripts/backup.ts', out], { env, encoding: 'utf8' })).toMatch(/Backup written to/);
    const target = path.join(root, 'restored-cli');
    expect(execFileSync(tsx, ['scripts/restore.ts', out], { env: { ...process.env, CALLMARK_DATA_DIR: target }, encoding: 'utf8' })).toMatch(/Restored \d+ files/);
    expect(fs.existsSync(path.join(target, 'callmark.sqlite'))).toBe(true);
  });
});
