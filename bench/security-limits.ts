// The security review's two measured findings against the production server as a child process
// (SECURITY.md, issue 12), now that they are fixed:
//   1. a login flood with a fresh random session cookie per request: what the flood gets (401 until
//      the limit, then 429) and a real user's login time (another client behind the same trusted
//      proxy) alone and during the flood;
//   2. POST /api/packs/verify with a zip whose one entry declares a huge size: the answer, and the
//      longest /healthz answer while it is processed.
//
//   npm run bench:security -- [--flood 400] [--concurrency 40]
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { handmadeZip } from '../tests/support/handmade-zip.js';
import { startServer } from '../tests/support/server-process.js';
import { loginFirstStartAdminAt } from './admin-api.js';
import { percentile } from './proc-stats.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const FLOOD = opt('--flood', 400);
const CONCURRENCY = opt('--concurrency', 40);
const ADMIN_PASSWORD = 'bench-admin-password';

const server = await startServer({
  env: { CALLMARK_ADMIN_PASSWORD: ADMIN_PASSWORD, CALLMARK_LOG_LEVEL: 'error', CALLMARK_MEDIA_WORKERS: '1', CALLMARK_TRUST_PROXY: '127.0.0.1' },
});
process.on('exit', () => {
  try {
    process.kill(-server.child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
});
const url = (p: string) => new URL(p, server.url);

async function login(username: string, password: string, client: string, cookie?: string): Promise<{ status: number; ms: number; cookie?: string; csrf?: string }> {
  const started = performance.now();
  const res = await fetch(url('/api/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { csrfToken?: string };
  return { status: res.status, ms: performance.now() - started, cookie: res.headers.get('set-cookie')?.split(';')[0], csrf: body.csrfToken };
}

// 1. Login flood.
const realClient = '203.0.113.10';
const alone: number[] = [];
for (let i = 0; i < 20; i++) alone.push((await login('admin', ADMIN_PASSWORD, realClient)).ms);
const statuses = new Map<number, number>();
const during: number[] = [];
let sent = 0;
let flooding = true;
const attacker = async () => {
  while (sent < FLOOD) {
    sent++;
    const r = await login(`user${sent % 7}`, `guess-${sent}`, '198.51.100.66', `callmark_session=${randomBytes(32).toString('base64url')}`);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  }
};
const floodStarted = performance.now();
const flood = Promise.all(Array.from({ length: CONCURRENCY }, attacker)).then(() => (flooding = false));
while (flooding) during.push((await login('admin', ADMIN_PASSWORD, realClient)).ms);
await flood;
const floodSeconds = (performance.now() - floodStarted) / 1000;
console.log(`login flood: ${FLOOD} wrong passwords, ${CONCURRENCY} at a time, a fresh random cookie each, from one client (${floodSeconds.toFixed(1)} s)`);
console.log(`  answers: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${n} x ${s}`).join(', ')}`);
console.log(`  a real login from another client: median ${percentile(alone, 50).toFixed(0)} ms alone, median ${percentile(during, 50).toFixed(0)} ms / p95 ${percentile(during, 95).toFixed(0)} ms during the flood (${during.length} logins)`);

// 2. The declared-size zip.
const admin = await loginFirstStartAdminAt(server.url, ADMIN_PASSWORD);
for (const mib of [256, 1024]) {
  const size = mib * 1024 * 1024;
  const zip = handmadeZip([{ name: 'manifest.json', stored: zlib.deflateRawSync(Buffer.alloc(0)), method: 8, crc32: zlib.crc32(Buffer.alloc(size)), declaredSize: size }]);
  let done = false;
  const started = performance.now();
  const verify = fetch(url('/api/packs/verify'), {
    method: 'POST',
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/zip', 'x-forwarded-for': '203.0.113.11' },
    body: new Uint8Array(zip),
  }).then(async (r) => {
    done = true;
    return { status: r.status, ms: performance.now() - started, body: (await r.json()) as { error?: string } };
  });
  const health: number[] = [];
  while (!done || health.length < 20) {
    const t0 = performance.now();
    await fetch(url('/healthz'));
    health.push(performance.now() - t0);
  }
  const r = await verify;
  console.log(`declared-size zip (${zip.length} bytes declaring ${mib} MiB): ${r.status} ${r.body.error ?? ''} in ${r.ms.toFixed(0)} ms; /healthz meanwhile: max ${Math.max(...health).toFixed(1)} ms over ${health.length} requests`);
}

await server.stop('SIGTERM');
