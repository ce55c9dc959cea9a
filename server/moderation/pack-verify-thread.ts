// Runs the pack verifier (pack-reader.ts + pack-verify.ts) in a worker thread, so that reading,
// inflating and hashing an upload of up to hundreds of megabytes never holds up HTTP, SIP
// signalling or socket.io. At most MAX_RUNNING verifications run at once and MAX_WAITING wait;
// beyond that the caller is told the server is busy. A verification that runs longer than
// `timeoutMs` is stopped.
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

function runWorker(zip: Buffer, timeoutMs: number): Promise<PackVerifyOutcome> {
  // A copy the worker owns (the request body may be a slice of a shared pool).
  const copy = new Uint8Array(zip.byteLength);
  copy.set(zip);
  return new Promise((resolve, reject) => {
    const worker = startWorker({
      workerData: { zip: copy },
      transferList: [copy.buffer],
      // The JSON files of a pack are limited to 256 MiB in all; the rest is streamed.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new PackVerifierBusy(`checking the pack took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`))), timeoutMs);
    worker.once('message', (outcome: PackVerifyOutcome) => finish(() => resolve(outcome)));
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`the pack verifier stopped with exit code ${code} before answering`))));
  });
}

/** Verifies an uploaded pack in a worker thread; PackVerifierBusy when too many are waiting or it runs too long. */
export function verifyPackInWorker(zip: Buffer, opts: { timeoutMs?: number } = {}): Promise<PackVerifyOutcome> {
  if (running.pendingCount >= MAX_WAITING) return Promise.reject(new PackVerifierBusy('other packs are being checked; try again in a minute'));
  return running(() => runWorker(zip, opts.timeoutMs ?? 5 * 60_000));
}
