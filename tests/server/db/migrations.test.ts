import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/connection.js';
import { migrate, migrations, type Migration } from '../../../server/db/migrations.js';

describe('migrations', () => {
  it('applies every migration on an empty database and records it', () => {
    const db = openDatabase(':memory:');
    const result = migrate(db);
    expect(result.applied).toEqual(migrations.map((m) => m.version));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['centres', 'users', 'sessions', 'schema_migrations']));
  });

  it('is a no-op when run a second time', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    db.prepare("INSERT INTO centres (name, created_at) VALUES ('Kept', 1)").run();
    const again = migrate(db);
    expect(again.applied).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM centres').get()).toEqual({ n: 1 });
  });

  it('rolls back a failing migration completely and applies nothing of it', () => {
    const db = openDatabase(':memory:');
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow(/no such table/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all();
    expect(tables).toEqual([]);
    const versions = db.prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toHaveLength(migrations.length);
  });

  it('refuses a numbering gap', () => {
    const db = openDatabase(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }])).toThrow(/without gaps/);
  });

  it('opens file databases in WAL mode with foreign keys on', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('enforces that candidates and assessors belong to a centre', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    expect(() =>
      db.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('c', 'C', 'candidate', 'x', 1, 1)").run(),
    ).toThrow(/CHECK constraint/);
  });
});
