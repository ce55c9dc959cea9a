// Migration 10 (listed in server/db/migrations.ts): every timeline event says who recorded it.
//
// Before this migration the desktop reported everything over 'desktop:event', so every stored
// event, identity checks and wrap-ups included, is what a browser said happened. Those rows are
// marked 'browser' here: in particular every existing event of a type the server now records
// itself (identity-check, field-changed, wrap-up…) becomes browser-reported, so it never earns a
// mark again and the replay and packs say so. The only rows the server itself wrote are the
// recordings' 'recording-finalised' entries (server/hash-chain.ts legacySource).
//
// Their hashes were computed without a source and must keep verifying (packs already issued hold
// them), so these rows get source_in_chain = 0: their source is not hashed but worked out from
// hashed content (legacySource). Every row stored from now on has source_in_chain = 1, its source
// inside its hash (a trigger refuses anything else).
import { appendOnlyTrigger, type Migration } from '../db/migration.js';
import type { Db } from '../db/connection.js';
import { RECORDING_CLIENT_ID_PREFIX } from '../hash-chain.js';

function markServerWrittenRows(db: Db): void {
  // The append-only trigger is lifted for this one UPDATE and restored in the same transaction.
  db.exec('DROP TRIGGER attempt_events_no_update');
  db.prepare(`UPDATE attempt_events SET source = 'server' WHERE type = 'recording-finalised' AND substr(client_id, 1, ?) = ?`).run(RECORDING_CLIENT_ID_PREFIX.length, RECORDING_CLIENT_ID_PREFIX);
  db.exec(appendOnlyTrigger('attempt_events', 'UPDATE'));
}

export const evidenceSourceMigration: Migration = {
  version: 10,
  name: 'who recorded each timeline event: the server, or the candidate\'s browser',
  sql: `
    -- 'server': recorded by the server from the action itself (HTTP route or SIP call event).
    -- 'browser': reported by the candidate's browser; never marking evidence.
    ALTER TABLE attempt_events ADD COLUMN source TEXT NOT NULL DEFAULT 'browser' CHECK (source IN ('server', 'browser'));
    -- 1: the source is inside the row's hash (every row from now on); 0: a row stored before this
    -- migration, hashed without it (its source follows from its hashed content).
    ALTER TABLE attempt_events ADD COLUMN source_in_chain INTEGER NOT NULL DEFAULT 0 CHECK (source_in_chain IN (0, 1));
    CREATE TRIGGER attempt_events_source_chained BEFORE INSERT ON attempt_events
      WHEN NEW.source_in_chain IS NOT 1
      BEGIN SELECT RAISE(ABORT, 'attempt_events rows must carry their source inside their hash'); END;
    -- The per-attempt quota of browser-reported events counts and sums them by attempt.
    CREATE INDEX attempt_events_source ON attempt_events(attempt_id, source);
  `,
  up: markServerWrittenRows,
};
