// Numbered schema migrations, applied in order at start-up inside one transaction each.
// A migration that has run is recorded in schema_migrations and never runs again, so applying
// the list twice is a no-op. Never edit a migration that has shipped: add the next number.
import type { Db } from './connection.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'centres, users and sessions',
    sql: `
      CREATE TABLE centres (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        is_demo     INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE users (
        id             INTEGER PRIMARY KEY,
        username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name   TEXT NOT NULL,
        role           TEXT NOT NULL CHECK (role IN ('admin', 'candidate', 'assessor', 'moderator')),
        centre_id      INTEGER REFERENCES centres(id),
        password_hash  TEXT NOT NULL,
        disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        CHECK (role NOT IN ('candidate', 'assessor') OR centre_id IS NOT NULL)
      );
      CREATE INDEX users_centre ON users(centre_id);
      CREATE TABLE sessions (
        token_hash    TEXT PRIMARY KEY,
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token    TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE INDEX sessions_expiry ON sessions(expires_at);
    `,
  },
  {
    version: 2,
    name: 'extensions, SIP credentials, calls and call events',
    sql: `
      ALTER TABLE users ADD COLUMN extension TEXT;
      UPDATE users SET extension = CAST(1000 + id AS TEXT);
      CREATE UNIQUE INDEX users_extension ON users(extension);
      -- SIP credentials are bound to a login session: H(user:realm:password) per algorithm.
      ALTER TABLE sessions ADD COLUMN sip_ha1_md5 TEXT;
      ALTER TABLE sessions ADD COLUMN sip_ha1_sha256 TEXT;
      CREATE TABLE calls (
        id                     TEXT PRIMARY KEY,
        centre_id              INTEGER REFERENCES centres(id),
        caller_user_id         INTEGER REFERENCES users(id),
        callee_user_id         INTEGER REFERENCES users(id),
        caller_extension       TEXT NOT NULL,
        callee_extension       TEXT NOT NULL,
        candidate_user_id      INTEGER REFERENCES users(id),
        state                  TEXT NOT NULL CHECK (state IN ('setup', 'ringing', 'answered', 'ended', 'interrupted')),
        invited_at             INTEGER NOT NULL,
        ringing_at             INTEGER,
        answered_at            INTEGER,
        ended_at               INTEGER,
        end_reason             TEXT,
        sip_status             INTEGER,
        recording_path         TEXT,
        recording_status       TEXT CHECK (recording_status IN ('recording', 'complete', 'partial', 'failed')),
        recording_started_at   INTEGER,
        recording_sha256       TEXT,
        recording_duration_ms  INTEGER,
        recording_bytes        INTEGER
      );
      CREATE INDEX calls_centre ON calls(centre_id, invited_at);
      CREATE INDEX calls_state ON calls(state);
      -- Append-only call lifecycle timeline.
      CREATE TABLE call_events (
        id       INTEGER PRIMARY KEY,
        call_id  TEXT NOT NULL REFERENCES calls(id),
        at       INTEGER NOT NULL,
        type     TEXT NOT NULL,
        leg      TEXT CHECK (leg IN ('caller', 'callee')),
        detail   TEXT
      );
      CREATE INDEX call_events_call ON call_events(call_id, id);
      CREATE TRIGGER call_events_no_update BEFORE UPDATE ON call_events BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
      CREATE TRIGGER call_events_no_delete BEFORE DELETE ON call_events BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
    `,
  },
  {
    version: 3,
    name: 'assignment attempts and their append-only desktop timeline',
    sql: `
      -- One candidate working one assignment scenario, on its own copy of the scenario's CRM data.
      -- (The Assessment issue adds sittings around attempts.)
      CREATE TABLE attempts (
        id                 TEXT PRIMARY KEY,
        centre_id          INTEGER NOT NULL REFERENCES centres(id),
        candidate_user_id  INTEGER NOT NULL REFERENCES users(id),
        assessor_user_id   INTEGER REFERENCES users(id),
        scenario_key       TEXT NOT NULL,
        status             TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        created_at         INTEGER NOT NULL,
        closed_at          INTEGER
      );
      CREATE INDEX attempts_candidate ON attempts(candidate_user_id, status);
      CREATE INDEX attempts_centre ON attempts(centre_id, created_at);
      -- Every desktop action, stamped by the server, stored once per client id, never changed.
      CREATE TABLE attempt_events (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        seq         INTEGER NOT NULL,
        client_id   TEXT NOT NULL,
        at          INTEGER NOT NULL,
        client_at   INTEGER,
        call_id     TEXT REFERENCES calls(id),
        offset_ms   INTEGER,
        type        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        UNIQUE (attempt_id, client_id),
        UNIQUE (attempt_id, seq)
      );
      CREATE TRIGGER attempt_events_no_update BEFORE UPDATE ON attempt_events BEGIN SELECT RAISE(ABORT, 'attempt_events is append-only'); END;
      CREATE TRIGGER attempt_events_no_delete BEFORE DELETE ON attempt_events BEGIN SELECT RAISE(ABORT, 'attempt_events is append-only'); END;
    `,
  },
];

export interface MigrationResult {
  applied: number[];
  currentVersion: number;
}

export function migrate(db: Db, list: readonly Migration[] = migrations): MigrationResult {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const done = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((r) => (r as { version: number }).version),
  );
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at position ${i + 1}`);
  });
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    applied.push(m.version);
  }
  return { applied, currentVersion: sorted.length };
}
