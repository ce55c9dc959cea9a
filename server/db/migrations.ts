// Numbered schema migrations, applied in order at start-up inside one transaction each.
// A migration that has run is recorded in schema_migrations and never runs again, so applying
// the list twice is a no-op. Never edit a migration that has shipped: add the next number.
// A migration that must compute something SQL cannot (e.g. hashes over existing rows) adds an `up`
// step, which runs after its SQL inside the same transaction.
import { assuranceMigration } from '../assurance/migration.js';
import { crmFormsMigration } from '../crm/migration.js';
import { attemptEventHash, GENESIS_HASH } from '../hash-chain.js';
import { moderationMigration } from '../moderation/replay/migration.js';
import { evidenceSourceMigration } from '../realtime/evidence-migration.js';
import { retentionMigration } from '../retention/migration.js';
import { passwordChangeMigration } from '../auth/migration.js';
import { sittingCancelMigration } from '../sittings/migration.js';
import type { Db } from './connection.js';
import { appendOnly, appendOnlyTrigger, type Migration } from './migration.js';

/**
 * Migration 7's backfill: hashes the attempt_events rows stored before the chain existed, per
 * attempt in seq order, exactly as AttemptEventRepository.append would have. The append-only
 * trigger is lifted for this one UPDATE and restored in the same transaction.
 */
function chainExistingAttemptEvents(db: Db): void {
  db.exec('DROP TRIGGER attempt_events_no_update');
  const update = db.prepare('UPDATE attempt_events SET prev_hash = ?, hash = ? WHERE id = ?');
  const rows = db
    .prepare('SELECT id, attempt_id AS attemptId, seq, client_id AS clientId, at, client_at AS clientAt, call_id AS callId, offset_ms AS offsetMs, type, payload FROM attempt_events ORDER BY attempt_id, seq')
    .all() as Array<{ id: number; attemptId: string; seq: number; clientId: string; at: number; clientAt: number | null; callId: string | null; offsetMs: number | null; type: string; payload: string }>;
  let attempt: string | undefined;
  let prev = GENESIS_HASH;
  for (const r of rows) {
    if (r.attemptId !== attempt) {
      attempt = r.attemptId;
      prev = GENESIS_HASH;
    }
    const hash = attemptEventHash(prev, { ...r, payload: JSON.parse(r.payload) as unknown });
    update.run(prev, hash, r.id);
    prev = hash;
  }
  db.exec(appendOnlyTrigger('attempt_events', 'UPDATE'));
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
      ${appendOnly('call_events')}
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
      ${appendOnly('attempt_events')}
    `,
  },
  {
    version: 4,
    name: 'CRM data of each attempt: customers, products, orders, cases, notes, callbacks, messages, call list, wrap-up, knowledge base',
    sql: `
      -- Each attempt works on its own copy of the scenario's CRM seed (server/crm/attempt-copy.ts):
      -- every row carries attempt_id, ids are new for every copy, and natural keys (account number,
      -- product code, article slug…) are unique within one attempt. Child rows point at their parent
      -- through (attempt_id, parent_id), so a row can never reference another attempt's record.
      -- Times are ms since the epoch; dates are 'YYYY-MM-DD'; money is whole pence.
      -- origin: 'seed' for a copied row, 'attempt' for one the candidate created.
      CREATE TABLE crm_company (
        attempt_id  TEXT PRIMARY KEY REFERENCES attempts(id),
        name        TEXT NOT NULL,
        email       TEXT NOT NULL,               -- sender of outgoing e-mail
        phone       TEXT NOT NULL,               -- sender of outgoing SMS
        website     TEXT NOT NULL
      );
      CREATE TABLE crm_customers (
        id                  INTEGER PRIMARY KEY,
        attempt_id          TEXT NOT NULL REFERENCES attempts(id),
        account_number      TEXT NOT NULL,
        title               TEXT,
        first_name          TEXT NOT NULL,
        last_name           TEXT NOT NULL,
        date_of_birth       TEXT,                -- 'YYYY-MM-DD'
        address_line1       TEXT NOT NULL,
        address_line2       TEXT,
        town                TEXT NOT NULL,
        postcode            TEXT NOT NULL,       -- canonical 'SW1A 1AA'
        phone               TEXT NOT NULL,       -- as keyed
        phone_norm          TEXT NOT NULL,       -- national digits '02079460123', for screen pop and search
        mobile              TEXT,
        mobile_norm         TEXT,
        email               TEXT,
        contact_preference  TEXT CHECK (contact_preference IN ('phone', 'email', 'sms', 'post')),
        do_not_call         INTEGER NOT NULL DEFAULT 0 CHECK (do_not_call IN (0, 1)),
        version             INTEGER NOT NULL DEFAULT 1,  -- +1 on every change; an edit naming an older version is refused
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL,
        UNIQUE (attempt_id, account_number),
        UNIQUE (attempt_id, id)
      );
      CREATE INDEX crm_customers_phone ON crm_customers(attempt_id, phone_norm);
      CREATE INDEX crm_customers_mobile ON crm_customers(attempt_id, mobile_norm);
      CREATE INDEX crm_customers_name ON crm_customers(attempt_id, last_name COLLATE NOCASE);
      -- Questions the caller answered earlier; the answers are never sent to the desktop.
      CREATE TABLE crm_security_answers (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL,
        customer_id  INTEGER NOT NULL,
        position     INTEGER NOT NULL,
        question     TEXT NOT NULL,
        answer       TEXT NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_security_answers_customer ON crm_security_answers(customer_id, position);
      -- Every identity check made: results = [{questionId, question, given, correct}].
      CREATE TABLE crm_identity_checks (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL,
        customer_id  INTEGER NOT NULL,
        passed       INTEGER NOT NULL CHECK (passed IN (0, 1)),
        results      TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_identity_checks_customer ON crm_identity_checks(customer_id, id);
      CREATE TABLE crm_products (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL REFERENCES attempts(id),
        code         TEXT NOT NULL,
        name         TEXT NOT NULL,
        category     TEXT NOT NULL,
        features     TEXT NOT NULL,              -- JSON array of strings
        benefits     TEXT NOT NULL,              -- JSON array of strings
        price_pence  INTEGER NOT NULL CHECK (price_pence >= 0),
        price_basis  TEXT NOT NULL CHECK (price_basis IN ('monthly', 'one_off')),
        UNIQUE (attempt_id, code),
        UNIQUE (attempt_id, id)
      );
      CREATE TABLE crm_orders (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL,
        customer_id  INTEGER NOT NULL,
        reference    TEXT NOT NULL,              -- told to the customer, e.g. ORD-000004
        status       TEXT NOT NULL CHECK (status IN ('placed', 'active', 'cancelled')),
        total_pence  INTEGER NOT NULL CHECK (total_pence >= 0),  -- sum of the lines, computed by the server
        origin       TEXT NOT NULL CHECK (origin IN ('seed', 'attempt')),
        created_at   INTEGER NOT NULL,
        UNIQUE (attempt_id, reference),
        UNIQUE (attempt_id, id),
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_orders_customer ON crm_orders(customer_id, id);
      CREATE TABLE crm_order_lines (
        id                INTEGER PRIMARY KEY,
        attempt_id        TEXT NOT NULL,
        order_id          INTEGER NOT NULL,
        product_id        INTEGER NOT NULL,
        quantity          INTEGER NOT NULL CHECK (quantity > 0),
        unit_price_pence  INTEGER NOT NULL CHECK (unit_price_pence >= 0),  -- the product's price when ordered
        line_total_pence  INTEGER NOT NULL CHECK (line_total_pence >= 0),
        sale_type         TEXT NOT NULL CHECK (sale_type IN ('standard', 'upsell', 'cross_sell')),
        FOREIGN KEY (attempt_id, order_id) REFERENCES crm_orders(attempt_id, id),
        FOREIGN KEY (attempt_id, product_id) REFERENCES crm_products(attempt_id, id)
      );
      CREATE INDEX crm_order_lines_order ON crm_order_lines(order_id, id);
      CREATE TABLE crm_cases (
        id            INTEGER PRIMARY KEY,
        attempt_id    TEXT NOT NULL,
        customer_id   INTEGER NOT NULL,
        reference     TEXT NOT NULL,             -- e.g. CAS-000002
        type          TEXT NOT NULL CHECK (type IN ('complaint', 'query')),
        category      TEXT,                      -- e.g. MISSED_APPOINTMENT
        priority      TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
        status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
        escalated     INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
        description   TEXT NOT NULL,
        credit_pence  INTEGER CHECK (credit_pence >= 0),  -- goodwill credit offered, if any
        origin        TEXT NOT NULL CHECK (origin IN ('seed', 'attempt')),
        created_at    INTEGER NOT NULL,
        UNIQUE (attempt_id, reference),
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_cases_customer ON crm_cases(customer_id, id);
      CREATE TABLE crm_notes (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL,
        customer_id  INTEGER NOT NULL,
        body         TEXT NOT NULL,
        origin       TEXT NOT NULL CHECK (origin IN ('seed', 'attempt')),
        created_at   INTEGER NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_notes_customer ON crm_notes(customer_id, id);
      -- Callbacks and follow-up tasks.
      CREATE TABLE crm_callbacks (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL,
        customer_id  INTEGER NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('callback', 'task')),
        due_at       TEXT NOT NULL,              -- UK local 'YYYY-MM-DDTHH:MM'
        priority     TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
        reason       TEXT NOT NULL,
        phone        TEXT,                       -- number to call back on, if not the one on file
        status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
        origin       TEXT NOT NULL CHECK (origin IN ('seed', 'attempt')),
        created_at   INTEGER NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_callbacks_customer ON crm_callbacks(customer_id, due_at);
      -- The inbox (direction 'in', seeded) and what the candidate sent ('out').
      CREATE TABLE crm_messages (
        id            INTEGER PRIMARY KEY,
        attempt_id    TEXT NOT NULL REFERENCES attempts(id),
        customer_id   INTEGER,
        direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        channel       TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
        from_address  TEXT NOT NULL,
        to_address    TEXT NOT NULL,
        cc            TEXT NOT NULL DEFAULT '[]',  -- JSON array of addresses
        subject       TEXT,
        body          TEXT NOT NULL,
        template_key  TEXT,
        attachments   TEXT NOT NULL DEFAULT '[]',  -- JSON array of {kind, key|orderId, name}
        origin        TEXT NOT NULL CHECK (origin IN ('seed', 'attempt')),
        created_at    INTEGER NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_messages_attempt ON crm_messages(attempt_id, id);
      -- Outbound call list; a lead need not be a customer yet.
      CREATE TABLE crm_call_list (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL REFERENCES attempts(id),
        position     INTEGER NOT NULL,
        customer_id  INTEGER,
        name         TEXT NOT NULL,
        phone        TEXT NOT NULL,
        phone_norm   TEXT NOT NULL,
        do_not_call  INTEGER NOT NULL DEFAULT 0 CHECK (do_not_call IN (0, 1)),
        reason       TEXT NOT NULL,
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_call_list_attempt ON crm_call_list(attempt_id, position);
      CREATE TABLE crm_wrap_up_codes (
        id             INTEGER PRIMARY KEY,
        attempt_id     TEXT NOT NULL REFERENCES attempts(id),
        code           TEXT NOT NULL,
        label          TEXT NOT NULL,
        requires_note  INTEGER NOT NULL DEFAULT 0 CHECK (requires_note IN (0, 1)),
        UNIQUE (attempt_id, code)
      );
      -- The outcome of each call (or contact) with its notes.
      CREATE TABLE crm_wrap_ups (
        id           INTEGER PRIMARY KEY,
        attempt_id   TEXT NOT NULL REFERENCES attempts(id),
        code         TEXT NOT NULL,
        customer_id  INTEGER,
        call_id      TEXT REFERENCES calls(id),
        notes        TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        FOREIGN KEY (attempt_id, code) REFERENCES crm_wrap_up_codes(attempt_id, code),
        FOREIGN KEY (attempt_id, customer_id) REFERENCES crm_customers(attempt_id, id)
      );
      CREATE INDEX crm_wrap_ups_attempt ON crm_wrap_ups(attempt_id, id);
      CREATE TABLE crm_kb_articles (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        slug        TEXT NOT NULL,
        title       TEXT NOT NULL,
        category    TEXT NOT NULL,
        body        TEXT NOT NULL,
        tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
        UNIQUE (attempt_id, slug)
      );
      CREATE TABLE crm_scripts (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        key         TEXT NOT NULL,
        title       TEXT NOT NULL,
        purpose     TEXT NOT NULL,
        steps       TEXT NOT NULL,               -- JSON array of strings
        UNIQUE (attempt_id, key)
      );
      -- House-style e-mail and SMS templates, and documents that can be attached.
      CREATE TABLE crm_message_templates (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        key         TEXT NOT NULL,
        channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
        name        TEXT NOT NULL,
        subject     TEXT,
        body        TEXT NOT NULL,               -- with {{placeholders}}
        UNIQUE (attempt_id, key)
      );
      CREATE TABLE crm_documents (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        key         TEXT NOT NULL,
        title       TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        UNIQUE (attempt_id, key)
      );
    `,
  },
  {
    version: 5,
    name: 'print-outs of an attempt (PDF evidence), append-only',
    sql: `
      -- Every print-out a candidate made: a PDF rendered by the server (server/printouts/), written
      -- to '<print-outs directory>/<file>' before its row is stored, and never changed afterwards.
      CREATE TABLE attempt_printouts (
        id          TEXT PRIMARY KEY,              -- random UUID, also the start of the file name
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        kind        TEXT NOT NULL CHECK (kind IN ('customer', 'order', 'case')),
        subject_id  INTEGER NOT NULL,              -- the customer, order or case row of this attempt
        title       TEXT NOT NULL,                 -- what was printed, as the print-out names it
        file        TEXT NOT NULL UNIQUE           -- relative to the print-outs directory: '<attempt id>/<id>-<kind>.pdf'
                    CHECK (file NOT LIKE '/%' AND file NOT LIKE '%..%' AND file NOT LIKE '%\\%'),
        sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
        bytes       INTEGER NOT NULL CHECK (bytes > 0),
        pages       INTEGER NOT NULL CHECK (pages > 0),
        created_at  INTEGER NOT NULL,
        created_by  INTEGER NOT NULL REFERENCES users(id)
      );
      CREATE INDEX attempt_printouts_attempt ON attempt_printouts(attempt_id, created_at);
      ${appendOnly('attempt_printouts')}
    `,
  },
  {
    version: 6,
    name: 'sittings, rest breaks, attempt marks and bookmarks, and the hash-chained audit log',
    sql: `
      -- One candidate's Unit 2 session: four assignments in order, one sitting clock. The clock is
      -- never stored as a running count: it is read from started_at, ended_at and the rest breaks
      -- (server/assessment/clock.ts), so a restart or a reconnect cannot reset it.
      CREATE TABLE sittings (
        id                 TEXT PRIMARY KEY,
        centre_id          INTEGER NOT NULL REFERENCES centres(id),
        candidate_user_id  INTEGER NOT NULL REFERENCES users(id),
        assessor_user_id   INTEGER REFERENCES users(id),
        status             TEXT NOT NULL CHECK (status IN ('scheduled', 'in-progress', 'ended')),
        scheduled_for      INTEGER,
        base_minutes       INTEGER NOT NULL CHECK (base_minutes BETWEEN 1 AND 600),
        extra_time         TEXT,                   -- JSON {kind:'percent',percent} | {kind:'minutes',minutes}, or NULL
        rest_breaks        INTEGER NOT NULL DEFAULT 0 CHECK (rest_breaks IN (0, 1)),
        started_at         INTEGER,
        ended_at           INTEGER,
        created_by         INTEGER NOT NULL REFERENCES users(id),
        created_at         INTEGER NOT NULL,
        CHECK (status = 'scheduled' OR started_at IS NOT NULL),
        CHECK (status <> 'ended' OR ended_at IS NOT NULL)
      );
      CREATE INDEX sittings_centre ON sittings(centre_id, created_at);
      CREATE INDEX sittings_candidate ON sittings(candidate_user_id, created_at);
      -- The four chosen scenarios, by position (1..4), each key once.
      CREATE TABLE sitting_assignments (
        sitting_id    TEXT NOT NULL REFERENCES sittings(id),
        position      INTEGER NOT NULL CHECK (position BETWEEN 1 AND 4),
        scenario_key  TEXT NOT NULL,
        PRIMARY KEY (sitting_id, position),
        UNIQUE (sitting_id, scenario_key)
      );
      -- Supervised rest breaks (access arrangement); at most one open at a time.
      CREATE TABLE sitting_rest_breaks (
        id          INTEGER PRIMARY KEY,
        sitting_id  TEXT NOT NULL REFERENCES sittings(id),
        from_at     INTEGER NOT NULL,
        to_at       INTEGER,
        CHECK (to_at IS NULL OR to_at >= from_at)
      );
      CREATE INDEX sitting_rest_breaks_sitting ON sitting_rest_breaks(sitting_id, from_at);
      CREATE UNIQUE INDEX sitting_rest_breaks_one_open ON sitting_rest_breaks(sitting_id) WHERE to_at IS NULL;

      -- Attempts of a sitting: which assignment (position), which variant and scenario version,
      -- the attempt a re-take follows, and when the centre's marking was finished.
      ALTER TABLE attempts ADD COLUMN sitting_id TEXT REFERENCES sittings(id);
      ALTER TABLE attempts ADD COLUMN position INTEGER CHECK (position BETWEEN 1 AND 4);
      ALTER TABLE attempts ADD COLUMN variant TEXT;
      ALTER TABLE attempts ADD COLUMN scenario_version INTEGER;
      ALTER TABLE attempts ADD COLUMN retake_of TEXT REFERENCES attempts(id);
      ALTER TABLE attempts ADD COLUMN note TEXT;
      ALTER TABLE attempts ADD COLUMN marked_at INTEGER;
      ALTER TABLE attempts ADD COLUMN marked_by INTEGER REFERENCES users(id);
      CREATE INDEX attempts_sitting ON attempts(sitting_id, position, created_at);

      -- The centre's current mark per attempt and rubric criterion. Every change is also an
      -- audit_log row ('mark-changed'), which is the history; this table is the current state.
      -- (Moderated marks are stored beside these by the moderation work, never over them.)
      CREATE TABLE attempt_marks (
        attempt_id       TEXT NOT NULL REFERENCES attempts(id),
        criterion_id     TEXT NOT NULL,
        mark             INTEGER NOT NULL CHECK (mark >= 0),
        comment          TEXT NOT NULL DEFAULT '',
        override_reason  TEXT,
        updated_at       INTEGER NOT NULL,
        updated_by       INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (attempt_id, criterion_id)
      );

      -- Notes the assessor drops during or after the call, with the offset into the call.
      CREATE TABLE attempt_bookmarks (
        id          INTEGER PRIMARY KEY,
        attempt_id  TEXT NOT NULL REFERENCES attempts(id),
        at          INTEGER NOT NULL,
        call_id     TEXT REFERENCES calls(id),
        offset_ms   INTEGER,
        note        TEXT NOT NULL,
        cue_id      TEXT,
        created_by  INTEGER NOT NULL REFERENCES users(id)
      );
      CREATE INDEX attempt_bookmarks_attempt ON attempt_bookmarks(attempt_id, id);
      ${appendOnly('attempt_bookmarks')}

      -- The audit trail of the whole system: append-only, and hash-chained so that an edit made
      -- behind the triggers' back (another tool, a restored copy) is found by verifyAuditChain().
      -- hash = SHA-256 of the canonical JSON of the row's fields and prev_hash
      -- (server/db/repositories/audit-log.ts); the first row's prev_hash is 64 zeros.
      CREATE TABLE audit_log (
        id             INTEGER PRIMARY KEY,
        at             INTEGER NOT NULL,
        actor_user_id  INTEGER REFERENCES users(id),
        actor_role     TEXT,
        centre_id      INTEGER REFERENCES centres(id),
        action         TEXT NOT NULL,
        subject_type   TEXT NOT NULL,
        subject_id     TEXT NOT NULL,
        before         TEXT,                       -- JSON or NULL
        after          TEXT,                       -- JSON or NULL
        reason         TEXT,
        prev_hash      TEXT NOT NULL UNIQUE CHECK (length(prev_hash) = 64),
        hash           TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
      );
      CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id, id);
      CREATE INDEX audit_log_centre ON audit_log(centre_id, id);
      -- A row must extend the chain's head: two writers can never fork it.
      CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
        WHEN NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
          OR NEW.id <= COALESCE((SELECT MAX(id) FROM audit_log), 0)
        BEGIN SELECT RAISE(ABORT, 'audit_log rows must extend the hash chain'); END;
      ${appendOnly('audit_log')}
    `,
  },
  {
    version: 7,
    name: 'recording analysis (waveform peaks, talk and silence) and the hash chain of attempt_events',
    sql: `
      -- Computed once per finalised recording by the analysis job (server/analysis/): the waveform
      -- peaks the moderation player draws and the voice activity of each channel (left = candidate,
      -- right = the other party). No row means "not analysed yet": the job (re)does it. A failure is
      -- stored too (status 'failed', error), so a bad file is not decoded again at every start; a
      -- newer analyser_version redoes every row older than it.
      CREATE TABLE recording_analysis (
        call_id           TEXT PRIMARY KEY REFERENCES calls(id),
        recording_sha256  TEXT,                   -- the file that was analysed
        analyser_version  INTEGER NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('done', 'failed')),
        error             TEXT,
        analysed_at       INTEGER NOT NULL,
        duration_ms       INTEGER,                -- of the decoded audio
        channels          INTEGER,
        peaks_per_second  INTEGER,
        peaks             BLOB,                   -- uint8 0..255, interleaved per channel: L0 R0 L1 R1 ...
        left_talk_ms      INTEGER,                -- the candidate
        right_talk_ms     INTEGER,                -- the other party
        silence_ms        INTEGER,                -- neither talking
        overtalk_ms       INTEGER,                -- both talking
        segments          TEXT,                   -- JSON { left: [[fromMs, toMs], ...], right: [...] }
        CHECK (status = 'failed' OR (peaks IS NOT NULL AND duration_ms IS NOT NULL))
      );
      -- The desktop timeline becomes a hash chain per attempt (server/hash-chain.ts): rows
      -- stored from now on get both hashes at insert (AttemptEventRepository.append), older rows
      -- get them from this migration's backfill step, in seq order.
      ALTER TABLE attempt_events ADD COLUMN prev_hash TEXT CHECK (prev_hash IS NULL OR length(prev_hash) = 64);
      ALTER TABLE attempt_events ADD COLUMN hash TEXT CHECK (hash IS NULL OR length(hash) = 64);
      CREATE TRIGGER attempt_events_chained BEFORE INSERT ON attempt_events
        WHEN NEW.hash IS NULL OR NEW.prev_hash IS NULL
          OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM attempt_events WHERE attempt_id = NEW.attempt_id ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}')
        BEGIN SELECT RAISE(ABORT, 'attempt_events rows must extend their attempt''s hash chain'); END;
    `,
    up: chainExistingAttemptEvents,
  },
  retentionMigration,
  moderationMigration,
  evidenceSourceMigration,
  assuranceMigration,
  crmFormsMigration,
  passwordChangeMigration,
  sittingCancelMigration,
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
    const foreignKeysWereOn = m.rebuildsTables === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (foreignKeysWereOn) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        m.up?.(db);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length) throw new Error(`migration ${m.version} (${m.name}) would leave ${broken.length} broken foreign key(s)`);
        }
        record.run(m.version, m.name, Date.now());
      })();
    } finally {
      if (foreignKeysWereOn) db.pragma('foreign_keys = ON');
    }
    applied.push(m.version);
  }
  return { applied, currentVersion: sorted.length };
}
