// What a schema migration is (server/db/migrations.ts lists them all and applies them), and the SQL
// that more than one migration writes. Kept apart from the list so that a migration kept beside its
// feature (server/retention/migration.ts, …) imports this file, not the list that imports it back.
import type { Db } from './connection.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction; throwing rolls the whole migration back. */
  up?: (db: Db) => void;
  /**
   * Rebuilds a table other tables refer to (the only way SQLite changes a CHECK constraint): foreign
   * keys are switched off around the transaction, as https://www.sqlite.org/lang_altertable.html
   * section 7 requires ("If foreign key constraints are enabled, disable them using PRAGMA
   * foreign_keys=OFF"), and PRAGMA foreign_key_check must find nothing before it commits.
   */
  rebuildsTables?: boolean;
}

const TABLE_NAME = /^[a-z][a-z_]*$/;

/**
 * The trigger that refuses every UPDATE, or every DELETE, of `table`. Its text is stored in
 * sqlite_master by the databases that ran the migrations: never change it (a changed text would make
 * new databases differ from deployed ones; tests/server/db/schema-snapshot.test.ts compares them).
 */
export function appendOnlyTrigger(table: string, refused: 'UPDATE' | 'DELETE'): string {
  if (!TABLE_NAME.test(table)) throw new Error(`appendOnlyTrigger: not a table name: ${table}`);
  return `CREATE TRIGGER ${table}_no_${refused.toLowerCase()} BEFORE ${refused} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;
}

/** The trigger pair that makes `table` append-only: rows are inserted, never changed or deleted. */
export function appendOnly(table: string): string {
  return `${appendOnlyTrigger(table, 'UPDATE')}\n${appendOnlyTrigger(table, 'DELETE')}`;
}
