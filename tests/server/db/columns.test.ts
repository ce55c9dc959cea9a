// The column maps the repositories read and write rows through (server/db/columns.ts).
import { describe, expect, it } from 'vitest';
import { insertInto, insertWithId, selectFrom, snakeCaseColumns, upsertInto } from '../../../server/db/columns.js';
import { openDatabase } from '../../../server/db/connection.js';

interface Row {
  id: number;
  sittingId: string;
  addressLine1: string;
  recordingSha256: string | null;
}

const COLUMNS = snakeCaseColumns<Row>()(['id', 'sittingId', 'addressLine1', 'recordingSha256']);

describe('record columns', () => {
  it('names each field by its snake_case column, and writes the SELECT and the INSERT from them', () => {
    expect(COLUMNS).toEqual({ id: 'id', sittingId: 'sitting_id', addressLine1: 'address_line1', recordingSha256: 'recording_sha256' });
    expect(selectFrom('things', COLUMNS)).toBe('SELECT id, sitting_id AS sittingId, address_line1 AS addressLine1, recording_sha256 AS recordingSha256 FROM things');
    expect(insertInto('things', COLUMNS, ['id'])).toBe('INSERT INTO things (sitting_id, address_line1, recording_sha256) VALUES (@sittingId, @addressLine1, @recordingSha256)');
  });

  it('stores a record and reads it back as the same record, with the id SQLite gave it', () => {
    const db = openDatabase(':memory:');
    try {
      db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, sitting_id TEXT NOT NULL, address_line1 TEXT NOT NULL, recording_sha256 TEXT)');
      const stored = insertWithId(db, 'things', COLUMNS, { sittingId: 's1', addressLine1: '1 High Street', recordingSha256: null });
      expect(stored).toEqual({ id: 1, sittingId: 's1', addressLine1: '1 High Street', recordingSha256: null });
      expect(db.prepare(`${selectFrom('things', COLUMNS)} WHERE id = ?`).get(stored.id)).toEqual(stored);
    } finally {
      db.close();
    }
  });

  it('upserts: a record with the key of a stored one replaces its other columns', () => {
    const db = openDatabase(':memory:');
    try {
      db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, sitting_id TEXT NOT NULL, address_line1 TEXT NOT NULL, recording_sha256 TEXT)');
      const upsert = upsertInto('things', COLUMNS, ['id']);
      expect(upsert).toBe(
        'INSERT INTO things (id, sitting_id, address_line1, recording_sha256) VALUES (@id, @sittingId, @addressLine1, @recordingSha256) ON CONFLICT (id) DO UPDATE SET sitting_id = excluded.sitting_id, address_line1 = excluded.address_line1, recording_sha256 = excluded.recording_sha256',
      );
      db.prepare(upsert).run({ id: 7, sittingId: 's1', addressLine1: 'old', recordingSha256: null });
      db.prepare(upsert).run({ id: 7, sittingId: 's2', addressLine1: 'new', recordingSha256: 'ab' });
      expect(db.prepare(selectFrom('things', COLUMNS)).all()).toEqual([{ id: 7, sittingId: 's2', addressLine1: 'new', recordingSha256: 'ab' }]);
    } finally {
      db.close();
    }
  });

  it('refuses a table, column or field name that is not a plain name', () => {
    expect(() => selectFrom('things; DROP TABLE x', COLUMNS)).toThrow(/not a table or column name/);
    expect(() => insertInto<{ id: number; 'bad-field': string }>('things', { id: 'id', 'bad-field': 'bad' })).toThrow(/not a field name/);
  });

  it('does not compile without every field of the record', () => {
    // @ts-expect-error addressLine1 and recordingSha256 are missing
    snakeCaseColumns<Row>()(['id', 'sittingId']);
  });
});
