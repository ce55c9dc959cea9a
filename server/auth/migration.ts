// Migration 13 (listed in server/db/migrations.ts): an account whose password an administrator
// set (a new account's initial password, or a reset) must have it changed by its owner before the
// account can do anything else (server/auth/access.ts refuses every other route until then).
// Self-contained: it depends on nothing but the users table of migration 1.
import type { Migration } from '../db/migration.js';

export const passwordChangeMigration: Migration = {
  version: 13,
  name: 'a password an administrator set must be changed by its owner at the next login',
  sql: `
    -- 1 while the password is one an administrator set and its owner has not yet replaced.
    ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
  `,
};
