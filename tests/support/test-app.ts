// Builds the real Fastify app over a fresh SQLite database for API tests (driven with app.inject),
// with one user of every role in a centre, plus users in a second, foreign centre.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions, type TelephonyOptions } from '../../server/app.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { ManualClock } from '../../server/clock.js';
import { openDatabase } from '../../server/db/connection.js';
import { migrate } from '../../server/db/migrations.js';
import { createRepositories, type Repositories } from '../../server/db/repositories/index.js';
import { CENTRE_ROLES, ROLES, type Role } from '../../server/protocol/roles.js';

export const PASSWORD = 'correct-horse-battery';

export interface Login {
  cookie: string;
  csrf: string;
  userId: number;
}

/** A user a test adds: logs in with PASSWORD, in the test centre unless `centre` is 'foreign'. */
export interface ExtraUser {
  username: string;
  displayName: string;
  role: Role;
  centre?: 'home' | 'foreign';
}
/** The extra people many tests add, always the same: an assessor of the foreign centre, and a second candidate of the centre. */
export const FOREIGN_ASSESSOR = { username: 'assessor2', displayName: 'Foreign assessor', role: 'assessor', centre: 'foreign' } as const satisfies ExtraUser;
export const OTHER_CANDIDATE = { username: 'candidate3', displayName: 'Other candidate', role: 'candidate' } as const satisfies ExtraUser;

export interface TestAppOptions extends Partial<Omit<AppOptions, 'telephony'>> {
  /** Start SIP (and, with a pool, calls); the app then listens on a free loopback port. */
  telephony?: Partial<TelephonyOptions>;
  /** Registers more routes on the built app before it is ready (a test's own route in a real scope). */
  beforeReady?: (app: FastifyInstance, parts: { repos: Repositories; clock: ManualClock }) => void;
}

export interface TestApp {
  app: FastifyInstance;
  repos: Repositories;
  clock: ManualClock;
  dir: string;
  users: Record<Role, number>;
  centreId: number;
  foreignCentreId: number;
  /** Adds a user (ExtraUser); its id. */
  addUser(user: ExtraUser): number;
  login(username: string, password?: string): Promise<Login>;
  loginAs(role: Role): Promise<Login>;
  /** The first user of each role logged in, by role: `({ assessor, candidate } = await t.loginRoles('assessor', 'candidate'))`. */
  loginRoles<R extends Role>(...roles: R[]): Promise<Record<R, Login>>;
  /** SIP credentials for a role's user (or any username), bound to a fresh login session. */
  sipCredentials(roleOrUsername: string): Promise<{ extension: string; password: string }>;
  /** ws://127.0.0.1:<port>/sip when telephony is on. */
  wsUrl: string;
  close(): Promise<void>;
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'callmark_session');
  if (!c) throw new Error(`no session cookie in response ${res.statusCode}: ${res.body}`);
  return `callmark_session=${c.value}`;
}

export async function createTestApp({ beforeReady, ...overrides }: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-test-'));
  const db = openDatabase(path.join(dir, 'test.sqlite'));
  migrate(db);
  const repos = createRepositories(db);
  const clock = new ManualClock();
  const hash = await hashPassword(PASSWORD);
  const centre = repos.centres.create({ name: 'Northgate College' });
  const foreign = repos.centres.create({ name: 'Southfield Academy' });
  const users = {} as Record<Role, number>;
  for (const role of ROLES) {
    const inCentre = CENTRE_ROLES.includes(role);
    users[role] = repos.users.create({ username: `${role}1`, displayName: `Test ${role}`, role, centreId: inCentre ? centre.id : null, passwordHash: hash }).id;
  }
  repos.users.create({ username: 'candidate2', displayName: 'Foreign candidate', role: 'candidate', centreId: foreign.id, passwordHash: hash });
  const app = await buildApp({
    repos,
    clock,
    sessionIdleMs: 60 * 60_000,
    sessionMaxMs: 12 * 3_600_000,
    loginRateLimitPerMinute: 1000,
    bodyLimitBytes: 64 * 1024,
    secureCookies: false,
    printoutsDir: path.join(dir, 'printouts'),
    ...overrides,
    telephony: overrides.telephony
      ? {
          domain: 'callmark.local',
          noAnswerTimeoutMs: 30_000,
          iceServers: [],
          recordingsDir: path.join(dir, 'recordings'),
          listenIp: '127.0.0.1',
          // The rate limit refills on the manual clock, which only moves when a test moves it: a
          // phone kept through many calls must not run dry (the rate limit's own test sets its own).
          sipRate: { burst: 10_000, perSecond: 10 },
          ...overrides.telephony,
        }
      : undefined,
  });
  beforeReady?.(app, { repos, clock });
  await app.ready();
  let wsUrl = '';
  if (overrides.telephony) {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    wsUrl = `${address.replace('http', 'ws')}/sip`;
  }
  const login = async (username: string, password = PASSWORD): Promise<Login> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const body = res.json<{ csrfToken: string; user: { id: number } }>();
    return { cookie: sessionCookie(res), csrf: body.csrfToken, userId: body.user.id };
  };
  return {
    app,
    repos,
    clock,
    dir,
    users,
    centreId: centre.id,
    foreignCentreId: foreign.id,
    addUser: ({ username, displayName, role, centre: which }) =>
      repos.users.create({ username, displayName, role, centreId: which === 'foreign' ? foreign.id : centre.id, passwordHash: hash }).id,
    login,
    loginAs: (role) => login(`${role}1`),
    loginRoles: async <R extends Role>(...roles: R[]) => {
      const logins = {} as Record<R, Login>;
      for (const role of roles) logins[role] = await login(`${role}1`);
      return logins;
    },
    wsUrl,
    sipCredentials: async (who) => {
      const s = await login((ROLES as readonly string[]).includes(who) ? `${who}1` : who);
      const res = await app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      if (res.statusCode !== 200) throw new Error(`SIP credentials: ${res.statusCode} ${res.body}`);
      return res.json<{ extension: string; password: string }>();
    },
    close: async () => {
      await app.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
