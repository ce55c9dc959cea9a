import type { Role, UserAccount } from '../../protocol/roles.js';
import type { Db } from '../connection.js';

/** A user account (server/protocol/roles.ts): what the administrator's user list sends. */
export type User = UserAccount;

export interface UserWithHash extends User {
  passwordHash: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  centre_id: number | null;
  extension: string;
  candidate_number: string | null;
  password_hash: string;
  disabled: number;
  must_change_password: number;
  created_at: number;
  updated_at: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  centreId: r.centre_id,
  extension: r.extension,
  candidateNumber: r.candidate_number,
  disabled: r.disabled === 1,
  mustChangePassword: r.must_change_password === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class UserRepository {
  constructor(private readonly db: Db) {}

  list(filter: { centreId?: number } = {}): User[] {
    const rows = (filter.centreId === undefined
      ? this.db.prepare('SELECT * FROM users ORDER BY username').all()
      : this.db.prepare('SELECT * FROM users WHERE centre_id = ? ORDER BY username').all(filter.centreId)) as UserRow[];
    return rows.map(toUser);
  }

  findById(id: number): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  findByUsernameWithHash(username: string): UserWithHash | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  findByExtension(extension: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE extension = ?').get(extension) as UserRow | undefined;
    return row && toUser(row);
  }

  countByRole(role: Role): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users WHERE role = ?').get(role) as { n: number }).n;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  create(
    input: { username: string; displayName: string; role: Role; centreId: number | null; passwordHash: string; mustChangePassword?: boolean },
    now = Date.now(),
  ): User {
    const info = this.db
      .prepare(
        `INSERT INTO users (username, display_name, role, centre_id, password_hash, disabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(input.username, input.displayName, input.role, input.centreId, input.passwordHash, now, now);
    const id = Number(info.lastInsertRowid);
    // Set apart, so the insert also runs on a database from before migration 13 (the migration tests' old schemas).
    if (input.mustChangePassword) this.db.prepare('UPDATE users SET must_change_password = 1 WHERE id = ?').run(id);
    // Every user gets a phone extension; 1000 + id is unique and stable.
    this.db.prepare('UPDATE users SET extension = ? WHERE id = ?').run(String(1000 + id), id);
    return this.findById(id)!;
  }

  /** A new password: `mustChange` when an administrator set it (its owner must replace it), false when the owner chose it. */
  setPasswordHash(id: number, passwordHash: string, now = Date.now(), mustChange = false): boolean {
    return (
      this.db
        .prepare('UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?')
        .run(passwordHash, mustChange ? 1 : 0, now, id).changes === 1
    );
  }

  /** The stored password hash of a user (to check their current password before a change). */
  passwordHashOf(id: number): string | undefined {
    return (this.db.prepare('SELECT password_hash AS h FROM users WHERE id = ?').get(id) as { h: string } | undefined)?.h;
  }

  /** The candidate with this number in the centre, if any. */
  findByCandidateNumber(centreId: number, candidateNumber: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE centre_id = ? AND candidate_number = ?').get(centreId, candidateNumber) as UserRow | undefined;
    return row && toUser(row);
  }

  setCandidateNumber(id: number, candidateNumber: string | null, now = Date.now()): boolean {
    return this.db.prepare('UPDATE users SET candidate_number = ?, updated_at = ? WHERE id = ?').run(candidateNumber, now, id).changes === 1;
  }

  setDisabled(id: number, disabled: boolean, now = Date.now()): boolean {
    return this.db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, now, id).changes === 1;
  }
}
