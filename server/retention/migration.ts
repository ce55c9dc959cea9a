// Migration 8 (listed in server/db/migrations.ts): what the retention job records. Kept beside the
// job so its columns and their meaning are read together.
import type { Migration } from '../db/migration.js';

export const retentionMigration: Migration = {
  version: 8,
  name: 'retention: deleted recordings and anonymised candidates and attempts',
  sql: `
    -- The recording file was deleted by the retention job at this time; recording_sha256 and
    -- recording_duration_ms stay as evidence of what existed, recording_path is cleared.
    ALTER TABLE calls ADD COLUMN recording_deleted_at INTEGER;
    -- A candidate's name and login were replaced by placeholders at this time (account unusable).
    ALTER TABLE users ADD COLUMN anonymised_at INTEGER;
    -- The attempt's CRM copy (customers' personal details and what the candidate typed) was anonymised.
    ALTER TABLE attempts ADD COLUMN anonymised_at INTEGER;
    CREATE INDEX calls_retention ON calls(ended_at) WHERE recording_path IS NOT NULL AND recording_deleted_at IS NULL;
  `,
};
