// The production server as a real process: what README command 1 starts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../server/db/connection.js';
import { createRepositories } from '../../server/db/repositories/index.js';
import { deflated, handmadeZip } from '../support/handmade-zip.js';
import { loginFirstStartAdmin, startServer, type ServerProcess } from '../support/server-process.js';

const started: ServerProcess[] = [];
afterAll(async () => {
  for (const s of started) {
    await s.stop('SIGKILL');
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

function getInsecure(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

// Each test starts one to three real server processes (each waited for up to 60 s by startServer): on a
// loaded 2-core machine that outlasts the suite's 30 s default, which is for in-process tests.
describe('production server process', { timeout: 180_000 }, () => {
  it('starts with mediasoup workers, answers /healthz, prints the admin password once, and stops cleanly on SIGTERM', async () => {
    const s = await startServer({ env: { CALLMARK_MEDIA_WORKERS: '2', CALLMARK_METRICS_TOKEN: 'process-test-metrics-token' } });
    started.push(s);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
    const health = await fetch(new URL('/healthz', s.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 2, alive: 2 } });
    // The worker processes themselves: details for the metrics token (or an admin) only.
    const detailed = await fetch(new URL('/healthz', s.url), { headers: { authorization: 'Bearer process-test-metrics-token' } });
    const body = (await detailed.json()) as { status: string; details: { media: { workers: Array<{ pid: number; alive: boolean }> } } };
    expect(body.status).toBe('ok');
    expect(body.details.media.workers).toHaveLength(2);
    for (const w of body.details.media.workers) {
      expect(w.alive).toBe(true);
      // The worker is a real running process.
      expect(fs.readFileSync(`/proc/${w.pid}/cmdline`, 'utf8')).toContain('mediasoup-worker');
    }
    const m = /Admin account created: admin \/ (\S+)/.exec(s.output());
    expect(m, s.output()).not.toBeNull();
    const login = await fetch(new URL('/api/auth/login', s.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: m![1] }),
    });
    expect(login.status).toBe(200);
    // The printed password is for the first login only: nothing but the password change until the admin chooses their own.
    const first = (await login.json()) as { csrfToken: string; user: { mustChangePassword: boolean } };
    expect(first.user.mustChangePassword).toBe(true);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const users = await fetch(new URL('/api/users', s.url), { headers: { cookie } });
    expect(users.status).toBe(403);
    expect(await users.json()).toMatchObject({ error: 'password_change_required' });
    const admin = await loginFirstStartAdmin(s.url, m![1]!);
    expect((await fetch(new URL('/api/users', s.url), { headers: admin.headers })).status).toBe(200);
    const page = await fetch(new URL('/admin/users', s.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    expect(await s.stop('SIGTERM')).toBe(0);
    for (const w of body.details.media.workers) expect(fs.existsSync(`/proc/${w.pid}`)).toBe(false);

    // A second start on the same data directory: migrations are a no-op, no new admin, data kept.
    const again = await startServer({ dataDir: s.dataDir });
    started.push(again);
    expect(again.output()).not.toContain('Admin account created');
    const relogin = await fetch(new URL('/api/auth/login', again.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: `${m![1]}-own` }),
    });
    expect(relogin.status).toBe(200);
    expect(await again.stop('SIGINT')).toBe(0);
    const sqlite = spawnSync('ls', [s.dataDir]).stdout.toString();
    expect(sqlite).toContain('callmark.sqlite');
    expect(sqlite).toContain('recordings');
  });

  it('mixes at start-up the recording of a call that ended before its end-of-call mix ran', async () => {
    const first = await startServer({ env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(first);
    expect(await first.stop('SIGTERM')).toBe(0);
    // What a stop during the mix queue leaves: the call row ended, its recording still 'recording',
    // the closed leg files and their manifest beside the recording's path.
    const file = path.join(first.dataDir, 'recordings', 'ended-unmixed.ogg');
    const legs = `${file}.legs`;
    fs.mkdirSync(legs, { recursive: true });
    for (const [name, hz] of [['candidate.ogg', 440], ['caller.ogg', 880]] as const) {
      const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=1`, '-ac', '1', '-c:a', 'libopus', '-y', path.join(legs, name)]);
      expect(r.status, r.stderr.toString()).toBe(0);
    }
    fs.writeFileSync(path.join(legs, 'manifest.json'), JSON.stringify({ version: 1, startedAt: 1, legs: [
      { file: 'candidate.ogg', side: 'left', startMs: 0, endMs: 1000 },
      { file: 'caller.ogg', side: 'right', startMs: 0, endMs: 1000 },
    ] }));
    const id = '00000000-0000-4000-8000-00000000f001';
    const db = openDatabase(path.join(first.dataDir, 'callmark.sqlite'));
    const repos = createRepositories(db);
    repos.calls.create({ id, centreId: null, callerUserId: null, calleeUserId: null, callerExtension: 'a', calleeExtension: 'c', candidateUserId: null, invitedAt: 1 });
    repos.calls.update(id, { state: 'ended', answeredAt: 2, endedAt: 1002, endReason: 'completed: hung up', recordingPath: file, recordingStatus: 'recording' });
    closeDatabase(db);

    const again = await startServer({ dataDir: first.dataDir, env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(again);
    const read = openDatabase(path.join(first.dataDir, 'callmark.sqlite'));
    try {
      await expect.poll(() => createRepositories(read).calls.find(id)?.recordingStatus, { timeout: 15_000 }).toBe('complete');
      expect(createRepositories(read).calls.find(id)!.recordingSha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      closeDatabase(read);
    }
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(legs)).toBe(false);
    expect(again.output()).toContain('recordings of ended calls were not mixed before the last stop');
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('serves HTTPS with a self-signed certificate by default', async () => {
    const s = await startServer({ env: { CALLMARK_TLS: 'auto', CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(s);
    expect(s.url).toBe(`https://127.0.0.1:${s.port}/`);
    expect(s.output()).toContain('Self-signed certificate');
    const res = await getInsecure(new URL('/healthz', s.url).toString());
    expect(res.status).toBe(200);
    expect(fs.existsSync(`${s.dataDir}/tls/self-signed.crt`)).toBe(true);
    await s.stop();
  });

  it('exits with a clear message on a bad setting', () => {
    const res = spawnSync(process.execPath, ['build/server/main.js'], {
      env: { ...process.env, CALLMARK_PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('CALLMARK_PORT');
  });

  it('README command 1 (npm start -- --demo) sets up, starts and prints the URL and demo users', async () => {
    const s = await startServer({
      command: { cmd: 'npm', args: ['start', '--silent', '--', '--demo'] },
      env: { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_ADMIN_PASSWORD: 'admin-password-from-env' },
    });
    started.push(s);
    expect(s.output()).toContain('[setup] ready');
    expect(s.output()).toContain('Demo users (password "demo-password"): demo-candidate, demo-assessor, demo-iqa, demo-moderator, demo-admin');
    expect(s.output()).toContain('Admin account created: admin (password from CALLMARK_ADMIN_PASSWORD, for the first login: you choose your own then)');
    expect((await fetch(new URL('/healthz', s.url))).status).toBe(200);
    await s.stop('SIGTERM');
  });

  it('demo accounts exist only while demo mode is on: after a restart without it they are refused, and the banner says so', async () => {
    const login = (url: string, username: string) =>
      fetch(new URL('/api/auth/login', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo-password' }) });
    const demo = await startServer({ args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(demo);
    expect((await login(demo.url, 'demo-admin')).status).toBe(200);
    const moderator = await login(demo.url, 'demo-moderator');
    expect(moderator.status).toBe(200);
    const moderatorCookie = moderator.headers.get('set-cookie')!.split(';')[0]!;
    expect(await demo.stop('SIGTERM')).toBe(0);

    const plain = await startServer({ dataDir: demo.dataDir, env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(plain);
    expect(plain.output()).toMatch(/Demo accounts disabled \(demo mode is off\): demo-candidate, demo-assessor, demo-iqa, demo-moderator, demo-admin/);
    for (const username of ['demo-admin', 'demo-moderator', 'demo-iqa', 'demo-assessor', 'demo-candidate']) expect((await login(plain.url, username)).status).toBe(401);
    // A session from the demo run is dead too.
    expect((await fetch(new URL('/api/auth/session', plain.url), { headers: { cookie: moderatorCookie } })).status).toBe(401);
    expect(await plain.stop('SIGTERM')).toBe(0);

    // Demo mode on again: the same accounts work again.
    const again = await startServer({ dataDir: demo.dataDir, args: ['--demo'], env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(again);
    expect((await login(again.url, 'demo-admin')).status).toBe(200);
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('refuses demo mode on a network address without the explicit confirmation', () => {
    const res = spawnSync(process.execPath, ['build/server/main.js', '--demo'], {
      env: { ...process.env, CALLMARK_HOST: '0.0.0.0', CALLMARK_PORT: '0' },
      encoding: 'utf8',
      // Before the fix the server simply started: do not wait for it for ever.
      timeout: 20_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('CALLMARK_DEMO_ON_NETWORK');
  });

  it('verifies uploaded packs in its compiled worker thread, refusing a zip bomb', async () => {
    const s = await startServer({ env: { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_ADMIN_PASSWORD: 'admin-password-from-env' } });
    started.push(s);
    const admin = await loginFirstStartAdmin(s.url, 'admin-password-from-env');
    const headers = { ...admin.headers, 'content-type': 'application/zip' };
    const verify = (zip: Buffer) => fetch(new URL('/api/packs/verify', s.url), { method: 'POST', headers, body: new Uint8Array(zip) });
    const notAPack = await verify(handmadeZip([deflated('hello.txt', 'hello')]));
    expect(notAPack.status).toBe(200);
    expect(await notAPack.json()).toMatchObject({ ok: false, problems: [{ file: 'manifest.json' }] });
    const bomb = handmadeZip([{ name: 'manifest.json', stored: zlib.deflateRawSync(Buffer.alloc(0)), method: 8, crc32: 0, declaredSize: 0xffff_fff0 }]);
    const refused = await verify(bomb);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'pack_refused' });
    expect(await s.stop('SIGTERM')).toBe(0);
  });

  it('publishes no source maps of the production client', async () => {
    const assets = path.join(path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url)))), 'build', 'client', 'assets');
    expect(fs.readdirSync(assets).filter((f) => f.endsWith('.map'))).toEqual([]);
    const s = await startServer({ env: { CALLMARK_MEDIA_WORKERS: '1' } });
    started.push(s);
    const page = await (await fetch(s.url)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(page)![1]!;
    const js = await (await fetch(new URL(script, s.url))).text();
    expect(js).not.toMatch(/sourceMappingURL/);
    expect((await fetch(new URL(`${script}.map`, s.url))).status).toBe(404);
    expect(await s.stop('SIGTERM')).toBe(0);
  });
});

