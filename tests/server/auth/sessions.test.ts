// Login sessions (server/auth/sessions.ts) over a fresh database and a hand-driven clock: idle
// expiry that slides with use (written at most once a minute), the maximum age, disabled users,
// and what the database keeps (only the token's SHA-256).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, SessionService } from '../../../server/auth/sessions.js';
import { ManualClock } from '../../../server/clock.js';
import { openDatabase } from '../../../server/db/connection.js';
import { migrate } from '../../../server/db/migrations.js';
import { createRepositories, type Repositories } from '../../../server/db/repositories/index.js';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const MAX = 8 * 60 * MINUTE;

let dir: string;
let repos: Repositories;
let clock: ManualClock;
let sessions: SessionService;
let assessorId: number;
let adminId: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-sessions-'));
  const db = openDatabase(path.join(dir, 'test.sqlite'));
  migrate(db);
  repos = createRepositories(db);
  const centre = repos.centres.create({ name: 'Northgate College', isDemo: true });
  assessorId = repos.users.create({ username: 'assessor1', displayName: 'Ann Assessor', role: 'assessor', centreId: centre.id, passwordHash: 'x' }).id;
  adminId = repos.users.create({ username: 'admin1', displayName: 'Al Admin', role: 'admin', centreId: null, passwordHash: 'x' }).id;
  clock = new ManualClock();
  sessions = new SessionService(repos, { idleMs: IDLE, maxMs: MAX }, clock);
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('starting a session', () => {
  it('stores only the SHA-256 of the token, with a CSRF token and the idle expiry', () => {
    const { token, session } = sessions.start(assessorId);
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(repos.sessions.find(token)).toBeUndefined();
    const stored = repos.sessions.find(hashToken(token))!;
    expect(stored).toEqual({ tokenHash: hashToken(token), userId: assessorId, csrfToken: session.csrfToken, createdAt: clock.now(), lastSeenAt: clock.now(), expiresAt: clock.now() + IDLE });
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(session).toEqual({
      tokenHash: hashToken(token),
      csrfToken: session.csrfToken,
      expiresAt: clock.now() + IDLE,
      user: { id: assessorId, username: 'assessor1', displayName: 'Ann Assessor', role: 'assessor', centreId: stored && repos.users.findById(assessorId)!.centreId, centreName: 'Northgate College', centreIsDemo: true, mustChangePassword: false },
    });
  });

  it('a user without a centre has no centre name', () => {
    const { session } = sessions.start(adminId);
    expect(session.user).toMatchObject({ centreId: null, centreName: null, centreIsDemo: false });
  });

  it('a maximum age shorter than the idle period caps the first expiry', () => {
    const short = new SessionService(repos, { idleMs: IDLE, maxMs: 10 * MINUTE }, clock);
    const { session } = short.start(assessorId);
    expect(session.expiresAt).toBe(clock.now() + 10 * MINUTE);
  });
});

describe('idle expiry', () => {
  it('slides with use, writing the new expiry only when the last write is over a minute old', () => {
    const { token } = sessions.start(assessorId);
    const started = clock.now();
    clock.advance(MINUTE);
    expect(sessions.resolve(token)!.expiresAt).toBe(clock.now() + IDLE);
    expect(repos.sessions.find(hashToken(token))).toMatchObject({ lastSeenAt: started, expiresAt: started + IDLE });
    clock.advance(1);
    sessions.resolve(token);
    expect(repos.sessions.find(hashToken(token))).toMatchObject({ lastSeenAt: clock.now(), expiresAt: clock.now() + IDLE });
  });

  it('ends a session idle for the whole idle period, and deletes it', () => {
    const { token } = sessions.start(assessorId);
    clock.advance(IDLE - 1);
    expect(sessions.isLive(token)).toBe(true);
    clock.advance(1);
    expect(sessions.isLive(token)).toBe(false);
    expect(repos.sessions.find(hashToken(token))).toBeDefined();
    expect(sessions.resolve(token)).toBeUndefined();
    expect(repos.sessions.find(hashToken(token))).toBeUndefined();
  });

  it('checking whether a session is live does not count as activity', () => {
    const { token } = sessions.start(assessorId);
    clock.advance(IDLE - 2 * MINUTE);
    expect(sessions.isLive(token)).toBe(true);
    clock.advance(2 * MINUTE);
    expect(sessions.isLive(token)).toBe(false);
  });
});

describe('maximum age', () => {
  it('ends a session at its maximum age however busy it is, and never slides past it', () => {
    const { token } = sessions.start(assessorId);
    const started = clock.now();
    while (clock.now() + 20 * MINUTE < started + MAX) {
      clock.advance(20 * MINUTE);
      const s = sessions.resolve(token)!;
      expect(s.expiresAt).toBe(Math.min(clock.now() + IDLE, started + MAX));
    }
    clock.advance(started + MAX - 1 - clock.now());
    expect(sessions.resolve(token)).toBeDefined();
    clock.advance(1);
    expect(sessions.resolve(token)).toBeUndefined();
    expect(repos.sessions.find(hashToken(token))).toBeUndefined();
  });

  it('ends at the maximum age even when the stored expiry says later', () => {
    const { token } = sessions.start(assessorId);
    repos.sessions.touch(hashToken(token), clock.now(), clock.now() + 2 * MAX);
    clock.advance(MAX);
    expect(sessions.isLive(token)).toBe(false);
  });
});

describe('ending sessions', () => {
  it('ends at once when the user is disabled', () => {
    const { token } = sessions.start(assessorId);
    repos.users.setDisabled(assessorId, true);
    expect(sessions.isLive(token)).toBe(false);
    expect(sessions.resolve(token)).toBeUndefined();
  });

  it('refuses a missing, unknown or over-long token without looking it up', () => {
    expect(sessions.resolve(undefined)).toBeUndefined();
    expect(sessions.resolve('')).toBeUndefined();
    expect(sessions.resolve('unknown')).toBeUndefined();
    const long = 'a'.repeat(201);
    repos.sessions.create({ tokenHash: hashToken(long), userId: assessorId, csrfToken: 'c', createdAt: clock.now(), lastSeenAt: clock.now(), expiresAt: clock.now() + IDLE });
    expect(sessions.isLive(long)).toBe(false);
    const limit = 'b'.repeat(200);
    repos.sessions.create({ tokenHash: hashToken(limit), userId: assessorId, csrfToken: 'c', createdAt: clock.now(), lastSeenAt: clock.now(), expiresAt: clock.now() + IDLE });
    expect(sessions.isLive(limit)).toBe(true);
  });

  it('logs out one session, all of a user\'s sessions, and purges expired ones', () => {
    const a = sessions.start(assessorId);
    const b = sessions.start(assessorId);
    const c = sessions.start(adminId);
    sessions.end(a.session.tokenHash);
    expect(sessions.isLive(a.token)).toBe(false);
    expect(sessions.isLive(b.token)).toBe(true);
    expect(sessions.endAllFor(assessorId)).toBe(1);
    expect(sessions.isLive(b.token)).toBe(false);
    expect(sessions.isLive(c.token)).toBe(true);
    expect(sessions.purgeExpired()).toBe(0);
    clock.advance(IDLE);
    expect(sessions.purgeExpired()).toBe(1);
    expect(repos.sessions.find(c.session.tokenHash)).toBeUndefined();
  });
});
