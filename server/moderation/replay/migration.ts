// Migration 9 (listed in server/db/migrations.ts): moderated marks and the moderator's changes to
// the proposed sample. Kept beside the replay/moderation code so the columns and their meaning are
// read together.
import { appendOnly, type Migration } from '../../db/migration.js';

export const moderationMigration: Migration = {
  version: 9,
  name: 'moderated marks per attempt and criterion, and moderators\' changes to the sample',
  sql: `
    -- The moderator's mark per attempt and rubric criterion, stored BESIDE the centre's mark in
    -- attempt_marks (never over it: digest 1.3). A row exists only while the moderated mark differs
    -- from the centre's; restoring the centre mark deletes it. This is the current state: every change
    -- (with before, after and the reason) is an audit_log row 'moderated-mark-changed'.
    CREATE TABLE attempt_moderation (
      attempt_id    TEXT NOT NULL REFERENCES attempts(id),
      criterion_id  TEXT NOT NULL,
      mark          INTEGER NOT NULL CHECK (mark >= 0),
      reason        TEXT NOT NULL CHECK (length(trim(reason)) > 0),
      updated_at    INTEGER NOT NULL,
      updated_by    INTEGER NOT NULL REFERENCES users(id),
      PRIMARY KEY (attempt_id, criterion_id)
    );
    -- A moderator adding a sitting to a centre's sample, or taking a proposed one out, with why.
    -- Append-only: the newest row of a sitting is what stands, the older ones are its history.
    CREATE TABLE moderation_sample_changes (
      id          INTEGER PRIMARY KEY,
      centre_id   INTEGER NOT NULL REFERENCES centres(id),
      sitting_id  TEXT NOT NULL REFERENCES sittings(id),
      action      TEXT NOT NULL CHECK (action IN ('add', 'remove')),
      reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
      at          INTEGER NOT NULL,
      by_user_id  INTEGER NOT NULL REFERENCES users(id)
    );
    CREATE INDEX moderation_sample_changes_centre ON moderation_sample_changes(centre_id, sitting_id, id);
    ${appendOnly('moderation_sample_changes')}
  `,
};
