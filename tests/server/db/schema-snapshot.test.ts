// The schema every migration makes, compared with the one it made when it shipped: deployed
// databases have applied these migrations, so a change to how they are written (a shared helper, a
// moved file) must leave every stored statement byte for byte the same. The fixture was written from
// the migrations as they stood before issue 15 moved them (commit 9bab71b), by dumpSchema below:
// never regenerate it to make this test pass; a new migration adds its own lines.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate, migrations } from '../../../server/db/migrations.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Every schema object as SQLite stores it (type, name, table and the statement's exact text). */
function dumpSchema(db: Db): string {
  const rows = db.prepare('SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master ORDER BY type, name').all() as Array<{ type: string; name: string; tableName: string; sql: string | null }>;
  return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tableName}\n${r.sql ?? '(no statement: made by SQLite)'}\n`).join('');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function schemaAfter(version: number): string {
  const db = openDatabase(':memory:');
  try {
    migrate(db, migrations.slice(0, version));
    return dumpSchema(db);
  } finally {
    db.close();
  }
}

describe('schema made by the migrations', () => {
  it('is, after each migration, byte for byte the schema it made when it shipped', () => {
    const expected = readFileSync(path.join(fixtures, 'schema-per-migration.sha256'), 'utf8').trim().split('\n');
    const shipped = expected.length;
    expect(shipped).toBe(14);
    const actual = migrations.slice(0, shipped).map((m) => `${sha256(schemaAfter(m.version))}  after migration ${m.version}`);
    expect(actual).toEqual(expected);
  });

  it('after migration 12 is exactly the stored statements', () => {
    expect(schemaAfter(12)).toBe(readFileSync(path.join(fixtures, 'schema-after-12.sql'), 'utf8'));
  });
});
