// GET /healthz (server/api/health-routes.ts): open to load balancers and container health checks,
// but without internals for anyone who is not an admin or the metrics scraper (SECURITY.md, info
// finding: it showed the media workers' process ids and the live call count to anyone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';

const TOKEN = 'a-metrics-token-of-32-characters!';
let pool: MediaWorkerPool;
let t: TestApp;
beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 47900, rtcMaxPort: 47949 });
  t = await createTestApp({ media: pool, metrics: { token: TOKEN } });
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

const health = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/healthz', headers });

describe('/healthz', () => {
  it('tells anyone only whether the server is healthy', async () => {
    const res = await health();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 1, alive: 1 } });
    expect(res.body).not.toMatch(/pid|routers|replacements/);
    const candidate = await t.loginAs('candidate');
    expect((await health({ cookie: candidate.cookie })).json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 1, alive: 1 } });
    expect((await health({ authorization: 'Bearer not-the-token' })).json()).toEqual({ status: 'ok', database: 'ok', media: { workers: 1, alive: 1 } });
  });

  it('gives the details (worker processes, routers) to an admin and to the metrics token', async () => {
    const admin = await t.loginAs('admin');
    for (const headers of [{ cookie: admin.cookie }, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
      const body = (await health(headers)).json<{ status: string; details: { media: { workers: Array<{ pid: number; routers: number; alive: boolean }> } } }>();
      expect(body.status).toBe('ok');
      expect(body.details.media.workers).toHaveLength(1);
      expect(body.details.media.workers[0]).toMatchObject({ alive: true, routers: 0, pid: expect.any(Number) });
    }
  });
});
