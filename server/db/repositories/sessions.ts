import type { Db } from '../connection.js';

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

interface SessionRow {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

const toSession = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

export class SessionRepository {
  constructor(private readonly db: Db) {}

  create(s: SessionRecord): void {
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(s.tokenHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  find(tokenHash: string): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash) as SessionRow | undefined;
    return row && toSession(row);
  }

  touch(tokenHash: string, lastSeenAt: number, expiresAt: number): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?').run(lastSeenAt, expiresAt, tokenHash);
  }

  delete(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  deleteForUser(userId: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  /** Every session of the user but one (the one a password was just changed from); the token hashes ended. */
  deleteOthersForUser(userId: number, keepTokenHash: string): string[] {
    const ended = (this.db.prepare('SELECT token_hash AS h FROM sessions WHERE user_id = ? AND token_hash <> ?').all(userId, keepTokenHash) as Array<{ h: string }>).map((r) => r.h);
    this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?').run(userId, keepTokenHash);
    return ended;
  }

  setSipHa1(tokenHash: string, ha1Md5: string, ha1Sha256: string): void {
    this.db.prepare('UPDATE sessions SET sip_ha1_md5 = ?, sip_ha1_sha256 = ? WHERE token_hash = ?').run(ha1Md5, ha1Sha256, tokenHash);
  }

  /** The live sessions (of an enabled user with this extension) that hold SIP credentials, with their HA1. */
  sipSessionsForExtension(extension: string, algorithm: 'MD5' | 'SHA-256', now: number): Array<{ tokenHash: string; ha1: string }> {
    const column = algorithm === 'MD5' ? 'sip_ha1_md5' : 'sip_ha1_sha256';
    return this.db
      .prepare(
        `SELECT s.token_hash AS tokenHash, s.${column} AS ha1 FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE u.extension = ? AND u.disabled = 0 AND s.expires_at > ? AND s.${column} IS NOT NULL`,
      )
      .all(extension, now) as Array<{ tokenHash: string; ha1: string }>;
  }

  /** Whether this session is live: not expired, its user enabled. */
  isLive(tokenHash: string, now: number): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0 AND s.expires_at > ?')
        .get(tokenHash, now) !== undefined
    );
  }

  deleteExpired(now: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}
