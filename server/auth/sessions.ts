// Login sessions. The browser holds a random token in an httpOnly cookie; the database holds only
// its SHA-256, so a copy of the database does not let anyone log in. A session ends on logout, after
// an idle period, after a maximum age, and at once when its user is disabled.
import { createHash, randomBytes } from 'node:crypto';
import type { Repositories } from '../db/repositories/index.js';
import type { SessionUser } from '../protocol/roles.js';
import type { Clock } from '../clock.js';

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface ActiveSession {
  tokenHash: string;
  csrfToken: string;
  expiresAt: number;
  user: SessionUser;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class SessionService {
  constructor(
    private readonly repos: Repositories,
    private readonly policy: SessionPolicy,
    private readonly clock: Clock,
  ) {}

  /** Starts a session for a user; returns the cookie token (never stored) and the session. */
  start(userId: number): { token: string; session: ActiveSession } {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const record = {
      tokenHash: hashToken(token),
      userId,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: Math.min(now + this.policy.idleMs, now + this.policy.maxMs),
    };
    this.repos.sessions.create(record);
    const session = this.resolve(token);
    if (!session) throw new Error('session vanished right after it was created');
    return { token, session };
  }

  /**
   * The stored session and its user when the token's session is live (not expired, user enabled).
   * With `purge`, a dead session found on the way is deleted.
   */
  private live(token: string | undefined, purge: boolean) {
    if (!token || token.length > 200) return undefined;
    const tokenHash = hashToken(token);
    const record = this.repos.sessions.find(tokenHash);
    if (!record) return undefined;
    const now = this.clock.now();
    const user = this.repos.users.findById(record.userId);
    if (record.expiresAt <= now || record.createdAt + this.policy.maxMs <= now || !user || user.disabled) {
      if (purge) this.repos.sessions.delete(tokenHash);
      return undefined;
    }
    return { tokenHash, record, user, now };
  }

  /** The live session behind a cookie token, sliding its idle expiry; undefined when it is gone. */
  resolve(token: string | undefined): ActiveSession | undefined {
    const found = this.live(token, true);
    if (!found) return undefined;
    const { tokenHash, record, user, now } = found;
    const expiresAt = Math.min(now + this.policy.idleMs, record.createdAt + this.policy.maxMs);
    // Write at most once a minute per session: the sliding expiry need not be exact to the second.
    if (now - record.lastSeenAt > 60_000) this.repos.sessions.touch(tokenHash, now, expiresAt);
    const centre = user.centreId === null ? undefined : this.repos.centres.findById(user.centreId);
    return {
      tokenHash,
      csrfToken: record.csrfToken,
      expiresAt,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        centreId: user.centreId,
        centreName: centre?.name ?? null,
        centreIsDemo: centre?.isDemo ?? false,
        mustChangePassword: user.mustChangePassword,
      },
    };
  }

  /** Whether a token's session is still live, without counting this as activity (no sliding). */
  isLive(token: string | undefined): boolean {
    return this.live(token, false) !== undefined;
  }

  end(tokenHash: string): void {
    this.repos.sessions.delete(tokenHash);
  }

  /** Ends every session of the user but `keepTokenHash`; returns the token hashes ended. */
  endOthersFor(userId: number, keepTokenHash: string): string[] {
    return this.repos.sessions.deleteOthersForUser(userId, keepTokenHash);
  }

  endAllFor(userId: number): number {
    return this.repos.sessions.deleteForUser(userId);
  }

  purgeExpired(): number {
    return this.repos.sessions.deleteExpired(this.clock.now());
  }
}
