// Every route of the app says what it sends: a response schema, or `config.sendsFile` for a file
// (server/api/response-declarations.ts). One that says neither stops the app from starting, naming
// its method and URL, wherever it is registered: straight on the app, in a zod scope, in a plugin of
// its own, in the attempt scope. And the real app, with everything switched on, starts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../../server/app.js';
import { attemptParams, registerAttemptScope } from '../../../server/api/attempt-scope.js';
import { registerZodRoutes } from '../../../server/api/input.js';
import { ManualClock } from '../../../server/clock.js';
import type { Repositories } from '../../../server/db/repositories/index.js';
import { useMemoryRepositories } from '../../support/memory-db.js';
import { createTestApp } from '../../support/test-app.js';

const openRepositories = useMemoryRepositories();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The real app (server/app.ts) with `register` adding routes to it before it is made ready; whether it started, or why not. */
async function startWith(register: (app: FastifyInstance, parts: { repos: Repositories; clock: ManualClock }) => void): Promise<string> {
  const { repos } = openRepositories();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-declared-'));
  dirs.push(dir);
  const clock = new ManualClock();
  const app = await buildApp({ repos, clock, sessionIdleMs: 60_000, sessionMaxMs: 3_600_000, loginRateLimitPerMinute: 100, bodyLimitBytes: 64 * 1024, secureCookies: false, printoutsDir: path.join(dir, 'printouts') });
  try {
    register(app, { repos, clock });
    await app.ready();
    return 'started';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await app.close().catch(() => undefined);
  }
}

const PUBLIC = { access: 'public' } as const;

describe('a route that declares neither a response schema nor config.sendsFile', () => {
  it('straight on the app: the app does not start, and says which route', async () => {
    const outcome = await startWith((app) => {
      app.get('/api/undeclared-here', { config: PUBLIC }, async () => ({ anything: true }));
    });
    expect(outcome).toMatch(/GET \/api\/undeclared-here declares no response schema/);
  });

  it('in a zod scope (registerZodRoutes): the app does not start', async () => {
    const outcome = await startWith((app) => {
      registerZodRoutes(app, (scope) => {
        scope.post('/api/undeclared-zod', { config: PUBLIC, schema: { body: z.object({ a: z.string() }) } }, async () => ({ anything: true }));
      });
    });
    expect(outcome).toMatch(/POST \/api\/undeclared-zod declares no response schema/);
  });

  it('in a plugin of its own: the app does not start', async () => {
    const outcome = await startWith((app) => {
      void app.register(async (plugin) => {
        plugin.delete('/api/undeclared-plugin', { config: PUBLIC }, async () => ({ anything: true }));
      });
    });
    expect(outcome).toMatch(/DELETE \/api\/undeclared-plugin declares no response schema/);
  });

  it('in the attempt scope of the real app: the app does not start', async () => {
    const outcome = await startWith((app, { repos, clock }) => {
      registerAttemptScope(app, { repos, clock }, (scope) => {
        scope.get('/undeclared', { config: { access: ['admin'], attempt: { use: 'read' } }, schema: { params: attemptParams } }, async () => ({ anything: true }));
      });
    });
    expect(outcome).toMatch(/GET \/api\/attempts\/:id\/undeclared (of the attempt scope )?declares no response schema/);
  });

  it('a route with a response schema, or one that says it sends a file, is accepted', async () => {
    const outcome = await startWith((app) => {
      registerZodRoutes(app, (scope) => {
        scope.get('/api/declared-schema', { config: PUBLIC, schema: { response: { 200: z.object({ a: z.string() }) } } }, async () => ({ a: 'x' }));
        scope.get('/api/declared-file', { config: { ...PUBLIC, sendsFile: 'text/csv' } }, async (_request, reply) => reply.type('text/csv').send('a\n'));
      });
    });
    expect(outcome).toBe('started');
  });
});

describe('the real app', () => {
  it('starts with everything on: SIP, the built client, metrics; each of its routes declares what it sends', async () => {
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-client-'));
    dirs.push(clientDir);
    fs.writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Callmark</title>');
    fs.mkdirSync(path.join(clientDir, 'assets'));
    fs.writeFileSync(path.join(clientDir, 'assets', 'app.js'), 'export {};');
    const t = await createTestApp({ telephony: {}, clientDir, metrics: { token: 'scraper-token' } });
    try {
      // The client's files are served (each is a route of its own).
      const asset = await t.app.inject({ method: 'GET', url: '/assets/app.js' });
      expect(asset.statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scraper-token' } })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
