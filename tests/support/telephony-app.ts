// The lifecycle every SIP call test file shares: one real mediasoup worker pool and one test app
// with telephony for the file, and after each test its phones stopped, its raw clients closed, its
// other clean-ups run (last registered first) and every call ended.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { MediaWorkerPool } from '../../media/index.js';
import type { TelephonyOptions } from '../../server/app.js';
import type { RawSipClient, TestUa } from './sip-clients.js';
import { createTestApp, type TestApp } from './test-app.js';
import { until } from './until.js';

export interface TelephonyApp {
  /** The app (set once `beforeAll` has run). */
  readonly t: TestApp;
  readonly pool: MediaWorkerPool;
  /** sip.js phones, stopped after each test. */
  readonly uas: TestUa[];
  /** Raw SIP clients, closed after each test. */
  readonly raws: RawSipClient[];
  /** Anything else a test started (tone peers, tone phones), undone after each test. */
  readonly cleanups: Array<() => Promise<unknown>>;
}

/**
 * Registers the file's hooks. `rtcPorts` is the file's own WebRTC port range, so files running side
 * by side never share ports.
 */
export function useTelephonyApp(opts: { rtcPorts: [number, number]; telephony?: Partial<Omit<TelephonyOptions, 'pool'>> }): TelephonyApp {
  let t: TestApp | undefined;
  let pool: MediaWorkerPool | undefined;
  const uas: TestUa[] = [];
  const raws: RawSipClient[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: opts.rtcPorts[0], rtcMaxPort: opts.rtcPorts[1] });
    t = await createTestApp({ telephony: { pool, ...opts.telephony } });
  });
  afterEach(async () => {
    for (const u of uas.splice(0)) await u.stop();
    for (const r of raws.splice(0)) r.close();
    while (cleanups.length) await cleanups.pop()!();
    if (t) await until(() => t!.app.telephony!.b2bua!.activeCalls === 0, 10_000);
  });
  afterAll(async () => {
    await t?.close();
    await pool?.close();
  });

  return {
    get t() {
      if (!t) throw new Error('the telephony app is not started yet (use it inside a test)');
      return t;
    },
    get pool() {
      if (!pool) throw new Error('the media worker pool is not started yet (use it inside a test)');
      return pool;
    },
    uas,
    raws,
    cleanups,
  };
}
