// The media plane's public face: the server imports media/ only through this file.
export { MediaWorkerPool } from './worker-pool.js';
export type { WorkerPoolHealth, WorkerPoolOptions, WorkerSlot } from './worker-pool.js';
