// Migration 14 (listed in server/db/migrations.ts): a sitting cancelled before it started, when,
// by whom and why. A cancelled sitting keeps status 'scheduled' in its row (the CHECK of migration
// 6 allows no other word, and rebuilding a table attempts refer to is not worth one word): the
// repository reads a row with cancelled_at set as status 'cancelled', and start() refuses it.
// Self-contained: it depends on nothing but the sittings table of migration 6.
import type { Migration } from '../db/migration.js';

export const sittingCancelMigration: Migration = {
  version: 14,
  name: 'sittings cancelled before they start, with who cancelled them and why',
  sql: `
    ALTER TABLE sittings ADD COLUMN cancelled_at INTEGER;
    ALTER TABLE sittings ADD COLUMN cancelled_by INTEGER REFERENCES users(id);
    ALTER TABLE sittings ADD COLUMN cancel_reason TEXT CHECK (cancel_reason IS NULL OR length(trim(cancel_reason)) > 0);
    -- Only a sitting that never started can be cancelled, and a cancellation names who and why.
    CREATE TRIGGER sittings_cancel_only_scheduled BEFORE UPDATE OF cancelled_at ON sittings
      WHEN NEW.cancelled_at IS NOT NULL AND (OLD.status <> 'scheduled' OR NEW.cancelled_by IS NULL OR NEW.cancel_reason IS NULL)
      BEGIN SELECT RAISE(ABORT, 'only a sitting that has not started can be cancelled, with who cancelled it and why'); END;
    CREATE TRIGGER sittings_cancelled_never_start BEFORE UPDATE OF status ON sittings
      WHEN OLD.cancelled_at IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'a cancelled sitting cannot start'); END;
  `,
};
