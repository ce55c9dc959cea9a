// Worker thread entry (started by pack-verify-thread.ts): reads and verifies uploaded packs off
// the server's event loop, one message at a time ({ id, zip } in, { id, outcome } out). What it
// answers is pack-verify.ts's verifyUpload (tested in the main thread); this file only wires it to
// the thread's messages.
import { parentPort } from 'node:worker_threads';
import { verifyUpload } from './pack-verify.js';

// Stryker disable all: this line runs only inside the worker thread, where Stryker's test process
// cannot switch a mutant on or see coverage; tests/server/moderation/pack-verify-thread.test.ts
// exercises it through verifyPackInWorker (and the API tests through POST /api/packs/verify).
parentPort!.on('message', ({ id, zip }: { id: number; zip: Uint8Array }) => {
  void verifyUpload(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength)).then((outcome) => parentPort!.postMessage({ id, outcome }));
});
