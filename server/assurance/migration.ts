// Migration 11 (listed in server/db/migrations.ts): what a centre must show an awarding body
// (issue 13): centre settings and numbers, the internal quality assurer role, each sitting's result
// state with its signatures, the candidate's identity check and declarations, conflicts of
// interest, IQA reviews, standardisation, special consideration, malpractice and enquiries. Kept
// beside the code that uses it so the columns and their meaning are read together. Self-contained:
// it depends on nothing but migrations 1–9.
import type { Db } from '../db/connection.js';
import { appendOnly, type Migration } from '../db/migration.js';

const OLD_ROLE_CHECK = "role IN ('admin', 'candidate', 'assessor', 'moderator')";
const NEW_ROLE_CHECK = "role IN ('admin', 'candidate', 'assessor', 'moderator', 'iqa')";
const OLD_CENTRE_CHECK = "role NOT IN ('candidate', 'assessor') OR centre_id IS NOT NULL";
const NEW_CENTRE_CHECK = "role NOT IN ('candidate', 'assessor', 'iqa') OR centre_id IS NOT NULL";

/**
 * Lets users.role be 'iqa' (a centre role). SQLite cannot change a CHECK constraint in place, so
 * the table is rebuilt from its own stored definition (keeping every column later migrations
 * added), copied, swapped in, and its indexes and triggers are made again: the procedure of
 * https://www.sqlite.org/lang_altertable.html section 7, with foreign keys off (Migration.rebuildsTables).
 */
function allowIqaRole(db: Db): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").get() as { sql: string } | undefined;
  if (!table || !table.sql.includes(OLD_ROLE_CHECK) || !table.sql.includes(OLD_CENTRE_CHECK)) {
    throw new Error('migration 11: the users table is not the one migration 1 made (its role checks differ)');
  }
  const rebuilt = table.sql.replace(/^CREATE TABLE "?users"?/, 'CREATE TABLE users_rebuilt').replace(OLD_ROLE_CHECK, NEW_ROLE_CHECK).replace(OLD_CENTRE_CHECK, NEW_CENTRE_CHECK);
  const dependants = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL").all() as Array<{ sql: string }>;
  db.exec(rebuilt);
  db.exec('INSERT INTO users_rebuilt SELECT * FROM users');
  db.exec('DROP TABLE users');
  db.exec('ALTER TABLE users_rebuilt RENAME TO users');
  for (const d of dependants) db.exec(d.sql);
}

export const assuranceMigration: Migration = {
  version: 11,
  name: 'awarding body readiness: centre settings, IQA role, result states and signatures, identity, conflicts, IQA reviews, standardisation, special consideration, malpractice, enquiries',
  rebuildsTables: true,
  sql: `
    -- The centre's settings (the admin sets them): its awarding-body centre number, when candidates
    -- see results (server/assessment/release-rule.ts), re-takes allowed per assignment, what
    -- happens at time up (server/assessment/overrun.ts) and how long after moderation an
    -- enquiry or appeal may still come (evidence is kept at least that long).
    ALTER TABLE centres ADD COLUMN centre_number TEXT;
    ALTER TABLE centres ADD COLUMN release_rule TEXT NOT NULL DEFAULT 'moderated' CHECK (release_rule IN ('centre-final', 'iqa-countersigned', 'moderated'));
    ALTER TABLE centres ADD COLUMN max_retakes INTEGER NOT NULL DEFAULT 1 CHECK (max_retakes BETWEEN 0 AND 5);
    ALTER TABLE centres ADD COLUMN overrun_policy TEXT NOT NULL DEFAULT 'warn' CHECK (overrun_policy IN ('warn', 'stop'));
    ALTER TABLE centres ADD COLUMN appeal_window_days INTEGER NOT NULL DEFAULT 30 CHECK (appeal_window_days BETWEEN 0 AND 3650);
    CREATE UNIQUE INDEX centres_centre_number ON centres(centre_number) WHERE centre_number IS NOT NULL;

    -- A candidate's number within the centre (printed on the mark sheet).
    ALTER TABLE users ADD COLUMN candidate_number TEXT;
    CREATE UNIQUE INDEX users_candidate_number ON users(centre_id, candidate_number) WHERE candidate_number IS NOT NULL;

    -- The sitting's result state (server/assessment/result-states.ts) and, once moderated, the
    -- outcome; result_state_at is when the current state began (for a moderated sitting: when it
    -- was moderated, which starts the enquiry/appeal window). max_retakes and overrun_policy are
    -- the centre's settings copied when the sitting is created: a sitting keeps the rules it began under.
    ALTER TABLE sittings ADD COLUMN result_state TEXT NOT NULL DEFAULT 'draft' CHECK (result_state IN ('draft', 'centre-final', 'iqa-countersigned', 'moderated'));
    ALTER TABLE sittings ADD COLUMN result_outcome TEXT CHECK (result_outcome IS NULL OR result_outcome IN ('accepted', 'adjusted', 'rejected'));
    ALTER TABLE sittings ADD COLUMN result_state_at INTEGER;
    ALTER TABLE sittings ADD COLUMN max_retakes INTEGER NOT NULL DEFAULT 1 CHECK (max_retakes BETWEEN 0 AND 5);
    ALTER TABLE sittings ADD COLUMN overrun_policy TEXT NOT NULL DEFAULT 'warn' CHECK (overrun_policy IN ('warn', 'stop'));

    -- How much of the attempt ran past the sitting's time allowed, written when it closes.
    ALTER TABLE attempts ADD COLUMN overrun_ms INTEGER CHECK (overrun_ms IS NULL OR overrun_ms >= 0);

    -- Electronic signatures: who signed, as whom, when, the words they signed, and what: the
    -- canonical JSON of the signed record (e.g. the sitting's marks) and its SHA-256.
    CREATE TABLE sitting_signatures (
      id              INTEGER PRIMARY KEY,
      sitting_id      TEXT NOT NULL REFERENCES sittings(id),
      kind            TEXT NOT NULL CHECK (kind IN ('candidate-declaration-start', 'candidate-declaration-end', 'assessor-mark-sheet', 'iqa-countersignature', 'moderator-outcome')),
      user_id         INTEGER NOT NULL REFERENCES users(id),
      role            TEXT NOT NULL,
      name            TEXT NOT NULL,
      statement       TEXT NOT NULL,
      subject         TEXT NOT NULL,
      subject_sha256  TEXT NOT NULL CHECK (length(subject_sha256) = 64),
      signed_at       INTEGER NOT NULL
    );
    CREATE INDEX sitting_signatures_sitting ON sitting_signatures(sitting_id, id);
    ${appendOnly('sitting_signatures')}

    -- Every step of the result state machine, with who took it and why (the current state is sittings.result_state).
    CREATE TABLE sitting_result_transitions (
      id            INTEGER PRIMARY KEY,
      sitting_id    TEXT NOT NULL REFERENCES sittings(id),
      action        TEXT NOT NULL,
      from_state    TEXT NOT NULL,
      to_state      TEXT NOT NULL,
      outcome       TEXT,
      reason        TEXT,
      signature_id  INTEGER REFERENCES sitting_signatures(id),
      by_user_id    INTEGER NOT NULL REFERENCES users(id),
      by_role       TEXT NOT NULL,
      at            INTEGER NOT NULL
    );
    CREATE INDEX sitting_result_transitions_sitting ON sitting_result_transitions(sitting_id, id);
    ${appendOnly('sitting_result_transitions')}

    -- The candidate's identity, checked before the sitting starts (seed 003, "ID requirements").
    -- The newest row of a sitting stands; older ones are its history.
    CREATE TABLE sitting_identity_checks (
      id                  INTEGER PRIMARY KEY,
      sitting_id          TEXT NOT NULL REFERENCES sittings(id),
      document_type       TEXT NOT NULL CHECK (document_type IN ('passport', 'driving-licence', 'warrant-card', 'photo-id-card', 'signed-id', 'third-party')),
      document_detail     TEXT NOT NULL DEFAULT '',
      checked_by_user_id  INTEGER NOT NULL REFERENCES users(id),
      checked_at          INTEGER NOT NULL
    );
    CREATE INDEX sitting_identity_checks_sitting ON sitting_identity_checks(sitting_id, id);
    ${appendOnly('sitting_identity_checks')}

    -- A member of staff's personal interest in a candidate (seed 003, "Guidance on assessment"):
    -- from then on they may not mark, review or countersign that candidate's work.
    CREATE TABLE conflicts_of_interest (
      id                 INTEGER PRIMARY KEY,
      centre_id          INTEGER NOT NULL REFERENCES centres(id),
      staff_user_id      INTEGER NOT NULL REFERENCES users(id),
      candidate_user_id  INTEGER NOT NULL REFERENCES users(id),
      nature             TEXT NOT NULL CHECK (length(trim(nature)) > 0),
      declared_at        INTEGER NOT NULL,
      UNIQUE (staff_user_id, candidate_user_id)
    );
    ${appendOnly('conflicts_of_interest')}

    -- The internal quality assurer's verdict on a centre mark, per attempt and criterion, with the
    -- centre mark it was given on (a verdict on a mark that has since changed is out of date).
    -- The newest row of an (attempt, criterion) stands.
    CREATE TABLE iqa_reviews (
      id                INTEGER PRIMARY KEY,
      sitting_id        TEXT NOT NULL REFERENCES sittings(id),
      attempt_id        TEXT NOT NULL REFERENCES attempts(id),
      criterion_id      TEXT NOT NULL,
      centre_mark       INTEGER NOT NULL,
      verdict           TEXT NOT NULL CHECK (verdict IN ('agree', 'disagree')),
      reason            TEXT NOT NULL DEFAULT '',
      reviewer_user_id  INTEGER NOT NULL REFERENCES users(id),
      at                INTEGER NOT NULL,
      CHECK (verdict = 'agree' OR length(trim(reason)) > 0)
    );
    CREATE INDEX iqa_reviews_attempt ON iqa_reviews(attempt_id, criterion_id, id);
    CREATE INDEX iqa_reviews_sitting ON iqa_reviews(sitting_id, id);
    ${appendOnly('iqa_reviews')}

    -- Standardisation: several assessors mark one recorded attempt blind; the IQA compares.
    CREATE TABLE standardisation_exercises (
      id          TEXT PRIMARY KEY,
      centre_id   INTEGER NOT NULL REFERENCES centres(id),
      attempt_id  TEXT NOT NULL REFERENCES attempts(id),
      title       TEXT NOT NULL,
      created_by  INTEGER NOT NULL REFERENCES users(id),
      created_at  INTEGER NOT NULL,
      closed_at   INTEGER
    );
    CREATE INDEX standardisation_exercises_centre ON standardisation_exercises(centre_id, created_at);
    CREATE TABLE standardisation_participants (
      exercise_id       TEXT NOT NULL REFERENCES standardisation_exercises(id),
      assessor_user_id  INTEGER NOT NULL REFERENCES users(id),
      submitted_at      INTEGER,
      PRIMARY KEY (exercise_id, assessor_user_id)
    );
    -- The current marks; every change is also an audit_log row ('standardisation-mark-changed').
    CREATE TABLE standardisation_marks (
      exercise_id       TEXT NOT NULL,
      assessor_user_id  INTEGER NOT NULL,
      criterion_id      TEXT NOT NULL,
      mark              INTEGER NOT NULL CHECK (mark >= 0),
      comment           TEXT NOT NULL DEFAULT '',
      updated_at        INTEGER NOT NULL,
      PRIMARY KEY (exercise_id, assessor_user_id, criterion_id),
      FOREIGN KEY (exercise_id, assessor_user_id) REFERENCES standardisation_participants(exercise_id, assessor_user_id)
    );

    -- Special consideration (seed 000): a post-assessment adjustment asked for because of illness,
    -- injury or other indisposition at the time of the assessment.
    CREATE TABLE special_considerations (
      id                    INTEGER PRIMARY KEY,
      sitting_id            TEXT NOT NULL REFERENCES sittings(id),
      category              TEXT NOT NULL CHECK (category IN ('illness', 'injury', 'bereavement', 'domestic-crisis', 'other')),
      incident_date         TEXT NOT NULL,          -- YYYY-MM-DD
      details               TEXT NOT NULL CHECK (length(trim(details)) > 0),
      evidence              TEXT NOT NULL DEFAULT '',
      adjustment_requested  TEXT NOT NULL DEFAULT '',
      recorded_by           INTEGER NOT NULL REFERENCES users(id),
      recorded_at           INTEGER NOT NULL
    );
    CREATE INDEX special_considerations_sitting ON special_considerations(sitting_id, id);
    ${appendOnly('special_considerations')}

    -- Malpractice (seed 000, "Malpractice"): JCQ form M1 (candidate) or M2(a) (staff or centre,
    -- reported to the awarding body before any investigation).
    CREATE TABLE malpractice_reports (
      id                            INTEGER PRIMARY KEY,
      sitting_id                    TEXT NOT NULL REFERENCES sittings(id),
      form                          TEXT NOT NULL CHECK (form IN ('M1', 'M2a')),
      incident_date                 TEXT NOT NULL,  -- YYYY-MM-DD
      persons_involved              TEXT NOT NULL CHECK (length(trim(persons_involved)) > 0),
      nature                        TEXT NOT NULL CHECK (length(trim(nature)) > 0),
      evidence                      TEXT NOT NULL DEFAULT '',
      statement_obtained            INTEGER NOT NULL DEFAULT 0 CHECK (statement_obtained IN (0, 1)),
      reported_to_awarding_body_on  TEXT,           -- YYYY-MM-DD, or NULL while not sent yet
      action_taken                  TEXT NOT NULL DEFAULT '',
      recorded_by                   INTEGER NOT NULL REFERENCES users(id),
      recorded_at                   INTEGER NOT NULL
    );
    CREATE INDEX malpractice_reports_sitting ON malpractice_reports(sitting_id, id);
    ${appendOnly('malpractice_reports')}

    -- Enquiries about results and appeals against a sitting. Open until closed with an outcome;
    -- closing is the only change a row may take, once.
    CREATE TABLE sitting_enquiries (
      id           INTEGER PRIMARY KEY,
      sitting_id   TEXT NOT NULL REFERENCES sittings(id),
      kind         TEXT NOT NULL CHECK (kind IN ('enquiry', 'appeal')),
      raised_by    TEXT NOT NULL CHECK (length(trim(raised_by)) > 0),
      received_on  TEXT NOT NULL,                   -- YYYY-MM-DD
      grounds      TEXT NOT NULL CHECK (length(trim(grounds)) > 0),
      recorded_by  INTEGER NOT NULL REFERENCES users(id),
      recorded_at  INTEGER NOT NULL,
      closed_at    INTEGER,
      closed_by    INTEGER REFERENCES users(id),
      outcome      TEXT,
      CHECK ((closed_at IS NULL) = (outcome IS NULL) AND (closed_at IS NULL) = (closed_by IS NULL))
    );
    CREATE INDEX sitting_enquiries_sitting ON sitting_enquiries(sitting_id, id);
    CREATE INDEX sitting_enquiries_open ON sitting_enquiries(sitting_id) WHERE closed_at IS NULL;
    CREATE TRIGGER sitting_enquiries_close_once BEFORE UPDATE ON sitting_enquiries
      WHEN OLD.closed_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.sitting_id IS NOT OLD.sitting_id OR NEW.kind IS NOT OLD.kind
        OR NEW.raised_by IS NOT OLD.raised_by OR NEW.received_on IS NOT OLD.received_on OR NEW.grounds IS NOT OLD.grounds
        OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.recorded_at IS NOT OLD.recorded_at
      BEGIN SELECT RAISE(ABORT, 'sitting_enquiries rows change only by being closed, once'); END;
    CREATE TRIGGER sitting_enquiries_no_delete BEFORE DELETE ON sitting_enquiries BEGIN SELECT RAISE(ABORT, 'sitting_enquiries rows are never deleted'); END;
  `,
  up: allowIqaRole,
};
