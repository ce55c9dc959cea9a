// The access hook on its own (server/auth/access.ts): a small Fastify app with the real session
// service over a fresh database, one route per kind of declared access. The whole app's routes
// against an independent policy table are in tests/server/api/access-matrix.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, registerAccessControl, requireSession, SESSION_COOKIE } from '../../../server/auth/access.js';
import { SessionService } from '../../../server/auth/sessions.js';
import { ManualClock } from '../../../server/clock.js';
import { openDatabase } from '../../../server/db/connection.js';
import { migrate } from '../../../server/db/migrations.js';
import { createRepositories } from '../../../server/db/repositories/index.js';
import { HttpError, registerErrorHandling } from '../../../server/http/errors.js';

let app: FastifyInstance;
let dir: string;
let assessor: { cookie: string; csrf: string };
let sessions: SessionService;

/** requireSession's refusal, or false when there is a session. */
function mustLogIn(req: FastifyRequest): false | { status: number; code: string; message: string } {
  try {
    requireSession(req);
    return false;
  } catch (e) {
    const err = e as HttpError;
    return { status: err.statusCode, code: err.code, message: err.message };
  }
}

function buildAccessApp(sessions: SessionService): FastifyInstance {
  const a = Fastify();
  void a.register(fastifyCookie);
  registerErrorHandling(a, 1024);
  registerAccessControl(a, sessions);
  a.get('/api/open', { config: { access: 'public' } }, async (req) => ({ session: req.session?.user.username ?? null }));
  a.post('/api/open', { config: { access: 'public' } }, async () => ({ ok: true }));
  a.get('/api/mine', { config: { access: 'authenticated' } }, async (req) => ({ user: requireSession(req).user.username }));
  a.route({ method: ['GET', 'POST', 'PUT'], url: '/api/staff', config: { access: ['assessor', 'admin'] }, handler: async () => ({ ok: true }) });
  a.options('/api/options', { config: { access: 'authenticated' } }, async () => ({ ok: true }));
  a.get('/api/admins', { config: { access: ['admin'] } }, async () => ({ ok: true }));
  a.get('/page', async (req) => ({ session: req.session === undefined ? 'none' : 'resolved', mustLogIn: mustLogIn(req) }));
  a.get('/page/me', async (req) => {
    req.session = sessions.resolve(req.cookies[SESSION_COOKIE]);
    return { user: requireSession(req).user.username };
  });
  return a;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-access-'));
  const db = openDatabase(path.join(dir, 'test.sqlite'));
  migrate(db);
  const repos = createRepositories(db);
  const centre = repos.centres.create({ name: 'Northgate College' });
  const user = repos.users.create({ username: 'assessor1', displayName: 'Ann Assessor', role: 'assessor', centreId: centre.id, passwordHash: 'x' });
  sessions = new SessionService(repos, { idleMs: 3_600_000, maxMs: 12 * 3_600_000 }, new ManualClock());
  const { token, session } = sessions.start(user.id);
  assessor = { cookie: `${SESSION_COOKIE}=${token}`, csrf: session.csrfToken };
  app = buildAccessApp(sessions);
  await app.ready();
});

afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('declared access', () => {
  it('refuses an /api route that declares no access, naming it', async () => {
    const a = Fastify();
    registerAccessControl(a, sessions);
    expect(() => a.route({ method: ['GET', 'POST'], url: '/api/forgotten', handler: async () => ({}) })).toThrow('route GET,POST /api/forgotten does not declare config.access');
    await a.close();
  });

  it('lists every declared route and method except HEAD, and leaves pages outside /api undeclared', () => {
    expect(app.routeAccess).toEqual([
      { method: 'GET', url: '/api/open', access: 'public' },
      { method: 'POST', url: '/api/open', access: 'public' },
      { method: 'GET', url: '/api/mine', access: 'authenticated' },
      { method: 'GET', url: '/api/staff', access: ['assessor', 'admin'] },
      { method: 'POST', url: '/api/staff', access: ['assessor', 'admin'] },
      { method: 'PUT', url: '/api/staff', access: ['assessor', 'admin'] },
      { method: 'OPTIONS', url: '/api/options', access: 'authenticated' },
      { method: 'GET', url: '/api/admins', access: ['admin'] },
    ]);
    expect(app.routeAccess.some((r) => r.url.startsWith('/page'))).toBe(false);
  });

  it('resolves no session for a route without declared access', async () => {
    const res = await app.inject({ method: 'GET', url: '/page', headers: { cookie: assessor.cookie } });
    expect(res.json()).toEqual({ session: 'none', mustLogIn: { status: 401, code: 'unauthenticated', message: 'Log in first.' } });
    const me = await app.inject({ method: 'GET', url: '/page/me', headers: { cookie: assessor.cookie } });
    expect(me.json()).toEqual({ user: 'assessor1' });
    expect(app.hasRequestDecorator('session')).toBe(true);
  });

  it('serves a public route without a session, and resolves the session when there is one', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/open' })).json()).toEqual({ session: null });
    expect((await app.inject({ method: 'GET', url: '/api/open', headers: { cookie: assessor.cookie } })).json()).toEqual({ session: 'assessor1' });
  });
});

describe('logged in or not', () => {
  it('answers 401 without a session, and clears only a cookie that was sent', async () => {
    const none = await app.inject({ method: 'GET', url: '/api/mine' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'unauthenticated', message: 'Your session has ended or you are not logged in. Log in again.' });
    expect(none.cookies).toEqual([]);
    const stale = await app.inject({ method: 'GET', url: '/api/mine', headers: { cookie: `${SESSION_COOKIE}=no-such-session` } });
    expect(stale.statusCode).toBe(401);
    expect(stale.cookies).toEqual([expect.objectContaining({ name: SESSION_COOKIE, value: '', path: '/' })]);
  });

  it('serves an authenticated route to any logged-in user', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/mine', headers: { cookie: assessor.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: 'assessor1' });
  });
});

describe('roles', () => {
  it('serves a role-listed route to a listed role and refuses others with 403, naming the role', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/staff', headers: { cookie: assessor.cookie } })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: '/api/admins', headers: { cookie: assessor.cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: 'forbidden', message: 'This is not available to the assessor role.' });
  });
});

describe('CSRF token and Origin', () => {
  it('refuses a state-changing request without the session\'s CSRF token or with a wrong one', async () => {
    for (const headers of [{ cookie: assessor.cookie }, { cookie: assessor.cookie, [CSRF_HEADER]: 'guessed' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/staff', headers });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'csrf', message: 'The request is missing its security token; reload the page and try again.' });
    }
    const put = await app.inject({ method: 'PUT', url: '/api/staff', headers: { cookie: assessor.cookie } });
    expect(put.json()).toMatchObject({ error: 'csrf' });
  });

  it('accepts a state-changing request with the token, and a reading request without one', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/staff', headers: { cookie: assessor.cookie, [CSRF_HEADER]: assessor.csrf } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/staff', headers: { cookie: assessor.cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'HEAD', url: '/api/staff', headers: { cookie: assessor.cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'OPTIONS', url: '/api/options', headers: { cookie: assessor.cookie, origin: 'https://evil.example', host: 'callmark.test' } })).statusCode).toBe(200);
  });

  it('refuses a state-changing request from another site or with an unreadable Origin, even on a public route', async () => {
    for (const origin of ['https://evil.example', 'not a url']) {
      const res = await app.inject({ method: 'POST', url: '/api/open', headers: { origin, host: 'callmark.test' } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'bad_origin', message: 'This request came from another site and was refused.' });
    }
    const own = await app.inject({ method: 'POST', url: '/api/open', headers: { origin: 'https://callmark.test', host: 'callmark.test' } });
    expect(own.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/open' })).statusCode).toBe(200);
  });

  it('lets a reading request name another Origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/open', headers: { origin: 'https://evil.example', host: 'callmark.test' } });
    expect(res.statusCode).toBe(200);
  });
});
