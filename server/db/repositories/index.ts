// The repository layer: the only code in Callmark that writes SQL.
import type { Db } from '../connection.js';
import { AttemptEventRepository } from './attempt-events.js';
import { AttemptRepository } from './attempts.js';
import { CallRepository } from './calls.js';
import { CentreRepository } from './centres.js';
import { CrmRepository } from './crm.js';
import { PrintoutRepository } from './printouts.js';
import { SessionRepository } from './sessions.js';
import { UserRepository } from './users.js';

export interface Repositories {
  db: Db;
  centres: CentreRepository;
  users: UserRepository;
  sessions: SessionRepository;
  calls: CallRepository;
  crm: CrmRepository;
  attempts: AttemptRepository;
  attemptEvents: AttemptEventRepository;
  printouts: PrintoutRepository;
  /** Runs fn in one write transaction: all of it is stored, or none. */
  transaction<T>(fn: () => T): T;
}

export function createRepositories(db: Db): Repositories {
  return {
    db,
    centres: new CentreRepository(db),
    users: new UserRepository(db),
    sessions: new SessionRepository(db),
    calls: new CallRepository(db),
    crm: new CrmRepository(db),
    attempts: new AttemptRepository(db),
    attemptEvents: new AttemptEventRepository(db),
    printouts: new PrintoutRepository(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
