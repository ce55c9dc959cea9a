// Migration 11 on a database that already holds users, sessions and sittings: the users table is
// rebuilt to allow the 'iqa' role without losing a row, a column, an index or a foreign key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate, migrations } from '../../../server/db/migrations.js';

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

function openAt9(): Db {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-m11-'));
  const d = openDatabase(path.join(dir, 'db.sqlite'));
  migrate(d, migrations.filter((m) => m.version <= 10));
  return d;
}

describe('migration 11', () => {
  it('keeps every user, session and sitting, and lets a centre have an IQA', () => {
    db = openAt9();
    db.prepare("INSERT INTO centres (id, name, created_at) VALUES (1, 'Northgate', 1)").run();
    const add = db.prepare("INSERT INTO users (username, display_name, role, centre_id, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, 'h', 1, 1)");
    const candidate = Number(add.run('cand', 'Cand', 'candidate', 1).lastInsertRowid);
    const assessor = Number(add.run('ass', 'Ass', 'assessor', 1).lastInsertRowid);
    db.prepare('UPDATE users SET extension = ? WHERE id = ?').run('1001', candidate);
    db.prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('t', ?, 'c', 1, 1, 9)").run(candidate);
    db.prepare("INSERT INTO sittings (id, centre_id, candidate_user_id, assessor_user_id, status, base_minutes, created_by, created_at) VALUES ('s1', 1, ?, ?, 'scheduled', 60, ?, 1)").run(candidate, assessor, assessor);
    expect(() => add.run('iqa0', 'IQA', 'iqa', 1)).toThrow(/CHECK/);
    const before = db.prepare('SELECT * FROM users ORDER BY id').all();
    const indexesBefore = (db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'users' AND type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

    const result = migrate(db);
    expect(result.applied).toEqual(migrations.filter((m) => m.version > 10).map((m) => m.version));
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);

    const after = db.prepare('SELECT * FROM users ORDER BY id').all() as Array<Record<string, unknown>>;
    // Every row and column kept; the columns migrations 11 and 13 add come with their defaults.
    expect(after.map(({ candidate_number: _n, must_change_password: _m, ...rest }) => rest)).toEqual(before);
    expect(after.map((u) => u['must_change_password'])).toEqual([0, 0]);
    expect(db.prepare('SELECT user_id FROM sessions').all()).toEqual([{ user_id: candidate }]);
    const indexesAfter = (db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'users' AND type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexesAfter).toEqual([...indexesBefore, 'users_candidate_number'].sort());

    add.run('iqa1', 'IQA', 'iqa', 1);
    expect(() => add.run('iqa2', 'IQA', 'iqa', null)).toThrow(/CHECK/);
    expect(() => add.run('who', 'Who', 'superuser', 1)).toThrow(/CHECK/);
    // Foreign keys into users still hold, and still bite.
    expect(() => db!.prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('u', 999, 'c', 1, 1, 9)").run()).toThrow(/FOREIGN KEY/);
    expect(db.prepare("SELECT result_state, max_retakes, overrun_policy FROM sittings WHERE id = 's1'").get()).toEqual({ result_state: 'draft', max_retakes: 1, overrun_policy: 'warn' });
    expect(db.prepare('SELECT release_rule, max_retakes, overrun_policy, appeal_window_days FROM centres').get()).toEqual({ release_rule: 'moderated', max_retakes: 1, overrun_policy: 'warn', appeal_window_days: 30 });
  });

  it('keeps signatures and transitions append-only, and closes an enquiry only once', () => {
    db = openAt9();
    migrate(db);
    db.prepare("INSERT INTO centres (id, name, created_at) VALUES (1, 'Northgate', 1)").run();
    const u = Number(db.prepare("INSERT INTO users (username, display_name, role, centre_id, password_hash, created_at, updated_at) VALUES ('a', 'A', 'assessor', 1, 'h', 1, 1)").run().lastInsertRowid);
    db.prepare("INSERT INTO sittings (id, centre_id, candidate_user_id, status, base_minutes, created_by, created_at) VALUES ('s1', 1, ?, 'scheduled', 60, ?, 1)").run(u, u);
    db.prepare("INSERT INTO sitting_signatures (sitting_id, kind, user_id, role, name, statement, subject, subject_sha256, signed_at) VALUES ('s1', 'assessor-mark-sheet', ?, 'assessor', 'A', 'I sign', '{}', ?, 5)").run(u, 'a'.repeat(64));
    expect(() => db!.prepare("UPDATE sitting_signatures SET name = 'B'").run()).toThrow(/append-only/);
    expect(() => db!.prepare('DELETE FROM sitting_signatures').run()).toThrow(/append-only/);
    db.prepare("INSERT INTO sitting_enquiries (sitting_id, kind, raised_by, received_on, grounds, recorded_by, recorded_at) VALUES ('s1', 'appeal', 'The candidate', '2026-03-01', 'Marks too low', ?, 5)").run(u);
    expect(() => db!.prepare("UPDATE sitting_enquiries SET grounds = 'x'").run()).toThrow(/closed, once/);
    db.prepare("UPDATE sitting_enquiries SET closed_at = 9, closed_by = ?, outcome = 'Not upheld'").run(u);
    expect(() => db!.prepare("UPDATE sitting_enquiries SET outcome = 'Upheld'").run()).toThrow(/closed, once/);
    expect(() => db!.prepare('DELETE FROM sitting_enquiries').run()).toThrow(/never deleted/);
  });
});
