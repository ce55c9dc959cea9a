// Worker thread entry (started by pack-verify-thread.ts): reads and verifies uploaded packs off
// the server's event loop, one message at a time ({ id, zip } in, { id, outcome } out).
import { parentPort } from 'node:worker_threads';
import { MANIFEST } from './pack-format.js';
import { PackRefused, readPackZip } from './pack-reader.js';
import { verifyPackFiles } from './pack-verify.js';
import type { PackVerifyOutcome } from './pack-verify-thread.js';

async function run(zip: Buffer): Promise<PackVerifyOutcome> {
  try {
    const files = await readPackZip(zip);
    const verification = verifyPackFiles(files);
    return { kind: 'verified', verification, manifestSha256: files.get(MANIFEST)?.sha256 ?? null };
  } catch (err) {
    if (err instanceof PackRefused) return { kind: err.kind, message: err.message };
    return { kind: 'unreadable', message: err instanceof Error ? err.message : String(err) };
  }
}

parentPort!.on('message', ({ id, zip }: { id: number; zip: Uint8Array }) => {
  void run(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength)).then((outcome) => parentPort!.postMessage({ id, outcome }));
});
