// Runs the pack verifier (pack-reader.ts + pack-verify.ts) in a worker thread, so that reading,
// inflating and hashing an upload of up to hundreds of megabytes never holds up HTTP, SIP
// signalling or socket.io. At most MAX_RUNNING verifications run at once and MAX_WAITING wait;
// beyond that the caller is told the server is busy. A verification that runs longer than
// `timeoutMs` is stopped (with its worker).
import { Worker, type WorkerOptions } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { PackVerification } from '../protocol/moderation.js';

export type PackVerifyOutcome =
  | { kind: 'verified'; verification: PackVerification; manifestSha256: string | null }
  /** No zip at all. */
  | { kind: 'not-a-zip'; message: string }
  /** A zip that breaks a limit (count, size, ratio): a zip bomb or not a pack. */
  | { kind: 'limit'; message: string }
  /** A zip whose contents the verifier could not make sense of. */
  | { kind: 'unreadable'; message: string };

export class PackVerifierBusy extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackVerifierBusy';
  }
}

const MAX_RUNNING = 1;
const MAX_WAITING = 4;
const running = pLimit(MAX_RUNNING);

/**
 * The worker beside this module: compiled JavaScript in production; under the test runner (which
 * runs the TypeScript sources) a one-line bootstrap that loads the .ts worker through tsx.
 */
function startWorker(options: WorkerOptions): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./pack-verify-worker.js', self), options);
  const script = new URL('./pack-verify-worker.ts', self).href;
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(script)}, ${JSON.stringify(self)}))`, { ...options, eval: true });
}

/**
 * One worker, started on first use and kept while verifications come (unref'd: it never keeps the
 * process alive), stopped after IDLE_MS without work, after a verification that ran too long, or
 * when it fails; the next verification starts a fresh one.
 */
const IDLE_MS = 5 * 60_000;
let current: { worker: Worker; idle?: NodeJS.Timeout } | undefined;
let nextId = 0;

function worker(): { worker: Worker; idle?: NodeJS.Timeout } {
  if (current) {
    clearTimeout(current.idle);
    return current;
  }
  const w = startWorker({
    // The JSON files of a pack are limited to 256 MiB in all; the rest is streamed.
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  w.unref();
  const entry = { worker: w };
  current = entry;
  const forget = () => {
    if (current === entry) current = undefined;
  };
  w.once('exit', forget);
  w.once('error', forget);
  return entry;
}

function stop(entry: { worker: Worker }): void {
  if (current === entry) current = undefined;
  void entry.worker.terminate();
}

function runWorker(zip: Buffer, timeoutMs: number): Promise<PackVerifyOutcome> {
  const entry = worker();
  const id = ++nextId;
  // A copy the worker owns (the request body may be a slice of a shared pool).
  const copy = new Uint8Array(zip.byteLength);
  copy.set(zip);
  return new Promise((resolve, reject) => {
    const { worker: w } = entry;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      f();
    };
    const onMessage = (m: { id: number; outcome: PackVerifyOutcome }) => {
      if (m.id !== id) return;
      finish(() => resolve(m.outcome));
      if (current === entry) {
        entry.idle = setTimeout(() => stop(entry), IDLE_MS);
        entry.idle.unref();
      }
    };
    const onError = (err: Error) => finish(() => reject(err));
    const onExit = (code: number) => finish(() => reject(new Error(`the pack verifier stopped with exit code ${code} before answering`)));
    const timer = setTimeout(() => {
      finish(() => reject(new PackVerifierBusy(`checking the pack took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
      stop(entry);
    }, timeoutMs);
    w.on('message', onMessage);
    w.once('error', onError);
    w.once('exit', onExit);
    w.postMessage({ id, zip: copy }, [copy.buffer]);
  });
}

/** Verifies an uploaded pack in a worker thread; PackVerifierBusy when too many are waiting or it runs too long. */
export function verifyPackInWorker(zip: Buffer, opts: { timeoutMs?: number } = {}): Promise<PackVerifyOutcome> {
  if (running.pendingCount >= MAX_WAITING) return Promise.reject(new PackVerifierBusy('other packs are being checked; try again in a minute'));
  return running(() => runWorker(zip, opts.timeoutMs ?? 5 * 60_000));
}
