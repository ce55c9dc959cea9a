// Database locked / busy: another connection (here a worker thread, as a backup or a second process
// would be) holds the write lock for a moment while the app stores a desktop event and a CRM note.
// better-sqlite3 is synchronous, so the app's write waits in SQLite's busy handler
// (busy_timeout, server/db/connection.ts) and succeeds once the lock is released: nothing is lost,
// neither the app's write nor the other connection's.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/connection.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let candidate: Login;
let attemptId = '';
let customerId = 0;
let socket: Socket | undefined;

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  const assessor = await t.loginAs('assessor');
  const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf }, payload: { candidateUserId: t.users.candidate } });
  attemptId = made.json<{ attempt: { id: string } }>().attempt.id;
  customerId = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!.id;
  candidate = await t.loginAs('candidate');
  const base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  socket = connectSocket(base, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: candidate.cookie } });
  await new Promise<void>((resolve, reject) => {
    socket!.once('connect', resolve);
    socket!.once('connect_error', reject);
  });
});
afterAll(async () => {
  socket?.disconnect();
  await t?.close();
});

/**
 * A worker thread that opens the same database file, takes the write lock (BEGIN IMMEDIATE),
 * writes a row, says 'locked', holds the lock for holdMs and then commits.
 */
function holdWriteLock(file: string, holdMs: number, marker: string): { locked: Promise<void>; done: Promise<void> } {
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO centres (name, created_at) VALUES (?, 1)").run(workerData.marker);
    parentPort.postMessage('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
    db.exec('COMMIT');
    db.close();
    parentPort.postMessage('released');
    `,
    { eval: true, workerData: { file, holdMs, marker, driver: require.resolve('better-sqlite3') } },
  );
  const locked = new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => m === 'locked' && resolve());
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`))));
    worker.once('error', reject);
  });
  return { locked, done };
}

describe('database busy', () => {
  it('the connection waits for a busy database instead of failing at once', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('a desktop event and a note written while another connection holds the write lock are stored once the lock is released', async () => {
    const file = t.repos.db.name;
    const marker = `Lock holder ${randomUUID()}`;
    const holder = holdWriteLock(file, 400, marker);
    await holder.locked;

    const started = Date.now();
    const clientId = randomUUID();
    const ack = (await socket!.emitWithAck('desktop:event', { clientId, attemptId, type: 'search', payload: { query: 'Hughes', resultCount: 1 }, clientAt: Date.now() })) as { ok: boolean };
    const note = await t.app.inject({
      method: 'POST',
      url: `/api/attempts/${attemptId}/customers/${customerId}/notes`,
      headers: { cookie: candidate.cookie, 'x-csrf-token': candidate.csrf },
      payload: { body: 'Written while the database was locked.' },
    });
    const waited = Date.now() - started;
    await holder.done;

    expect(ack).toMatchObject({ ok: true });
    expect(note.statusCode, note.body).toBe(201);
    // It did wait for the lock (not a lucky ordering).
    expect(waited).toBeGreaterThanOrEqual(200);
    // No lost write: the app's writes and the other connection's are all there.
    expect(t.repos.attemptEvents.list(attemptId).filter((e) => e.clientId === clientId)).toHaveLength(1);
    const reader = openDatabase(file);
    try {
      expect(reader.prepare('SELECT COUNT(*) AS n FROM centres WHERE name = ?').get(marker)).toEqual({ n: 1 });
      expect(reader.prepare("SELECT COUNT(*) AS n FROM crm_notes WHERE attempt_id = ? AND body = 'Written while the database was locked.'").get(attemptId)).toEqual({ n: 1 });
    } finally {
      reader.close();
    }
  });
});
