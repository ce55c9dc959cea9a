// A migrated SQLite database in memory with the repositories over it, for unit tests of server
// rules that need real tables but no app; every database a test opened is closed after it.
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../server/db/connection.js';
import { migrate } from '../../server/db/migrations.js';
import { createRepositories, type Repositories } from '../../server/db/repositories/index.js';

/** Call once at a test file's top level; the function it returns opens a fresh migrated database. */
export function useMemoryRepositories(): () => { db: Db; repos: Repositories } {
  const open: Db[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  return () => {
    const db = openDatabase(':memory:');
    open.push(db);
    migrate(db);
    return { db, repos: createRepositories(db) };
  };
}
