// Migration 12 (listed in server/db/migrations.ts): what the desktop's forms need to record every
// field of a scenario's answer key. Kept beside the CRM rules so the tables and their meaning are
// read together.
import type { Db } from '../db/connection.js';
import type { Migration } from '../db/migration.js';
import { labelOfCode } from './seed-schema.js';

/** Attempts made before the vocabulary existed offer the categories their own cases use. */
function categoriesOfExistingCases(db: Db): void {
  const rows = db.prepare('SELECT DISTINCT attempt_id AS attemptId, category FROM crm_cases WHERE category IS NOT NULL ORDER BY attempt_id, category').all() as Array<{ attemptId: string; category: string }>;
  const insert = db.prepare('INSERT INTO crm_case_categories (attempt_id, code, label) VALUES (?, ?, ?)');
  for (const r of rows) insert.run(r.attemptId, r.category, labelOfCode(r.category));
}

export const crmFormsMigration: Migration = {
  version: 12,
  name: 'CRM forms: case categories of each attempt, message folders and filing, replies, the auto-reply',
  sql: `
    -- The case categories the attempt's desktop offers (the scenario seed's vocabulary): a case
    -- stores the code (e.g. MISSED_APPOINTMENT), staff see the label ("Missed appointment").
    CREATE TABLE crm_case_categories (
      id          INTEGER PRIMARY KEY,
      attempt_id  TEXT NOT NULL REFERENCES attempts(id),
      code        TEXT NOT NULL,
      label       TEXT NOT NULL,
      UNIQUE (attempt_id, code)
    );
    -- Folders an incoming message can be filed in, besides the inbox.
    CREATE TABLE crm_message_folders (
      id          INTEGER PRIMARY KEY,
      attempt_id  TEXT NOT NULL REFERENCES attempts(id),
      name        TEXT NOT NULL COLLATE NOCASE,
      UNIQUE (attempt_id, name)
    );
    -- An incoming message the candidate filed (NULL: still in the inbox) and when; an outgoing
    -- reply names the incoming message it answers.
    ALTER TABLE crm_messages ADD COLUMN folder TEXT;
    ALTER TABLE crm_messages ADD COLUMN filed_at INTEGER;
    ALTER TABLE crm_messages ADD COLUMN in_reply_to INTEGER;
    -- The out-of-office auto-reply of the attempt's inbox, as last saved (one row per attempt).
    CREATE TABLE crm_auto_replies (
      attempt_id  TEXT PRIMARY KEY REFERENCES attempts(id),
      enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
      body        TEXT,
      updated_at  INTEGER NOT NULL,
      CHECK (enabled = 0 OR body IS NOT NULL)
    );
  `,
  up: categoriesOfExistingCases,
};
