// Queries of the retention job (server/retention/): recordings past their retention period, and
// candidates and attempts whose personal data is due to be anonymised. None of them ever offers the
// evidence of a sitting still held (HELD_SITTING below): its calls, its attempts and its candidate.
import type { Db } from '../connection.js';

const DAY_MS = 86_400_000;

/**
 * A sitting whose evidence must be kept (issue 13): not moderated yet, or moderated less than the
 * centre's enquiry/appeal window ago, or with an enquiry or appeal still open. `s` is the sitting;
 * the query binds @now.
 */
const HELD_SITTING = `(s.result_state <> 'moderated' OR s.result_state_at IS NULL
  OR s.result_state_at > @now - (SELECT c.appeal_window_days FROM centres c WHERE c.id = s.centre_id) * ${DAY_MS}
  OR EXISTS (SELECT 1 FROM sitting_enquiries q WHERE q.sitting_id = s.id AND q.closed_at IS NULL))`;

export interface ExpiredRecording {
  id: string;
  centreId: number | null;
  recordingPath: string;
  recordingSha256: string | null;
  endedAt: number;
}

/** Placeholders written over a CRM customer's personal details (the record's shape stays valid). */
const ANON_CUSTOMER = {
  title: null,
  first_name: 'Anonymised',
  last_name: 'Customer',
  date_of_birth: null,
  address_line1: 'Anonymised',
  address_line2: null,
  town: 'Anonymised',
  postcode: 'ZZ99 9ZZ',
  phone: '00000000000',
  phone_norm: '00000000000',
  mobile: null,
  mobile_norm: null,
  email: null,
};

export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /**
   * Finished calls whose recording file still exists in the database's view and that ended before
   * `before`, except the calls of a held sitting: made by its candidate during the sitting or during
   * one of its attempts, or linked to one of its attempts by the desktop timeline (the same calls
   * server/moderation/attempt-calls.ts gives an attempt, and more).
   */
  expiredRecordings(before: number, limit: number, now: number): ExpiredRecording[] {
    return this.db
      .prepare(
        `SELECT id, centre_id AS centreId, recording_path AS recordingPath, recording_sha256 AS recordingSha256, ended_at AS endedAt
         FROM calls
         WHERE recording_path IS NOT NULL AND recording_deleted_at IS NULL AND ended_at IS NOT NULL AND ended_at < @before
           AND state IN ('ended', 'interrupted') AND (recording_status IS NULL OR recording_status <> 'recording')
           AND NOT EXISTS (SELECT 1 FROM sittings s WHERE ${HELD_SITTING} AND (
                 (s.candidate_user_id = calls.candidate_user_id AND s.started_at IS NOT NULL
                   AND calls.invited_at >= s.started_at AND calls.invited_at <= COALESCE(s.ended_at, @now))
                 OR EXISTS (SELECT 1 FROM attempts a WHERE a.sitting_id = s.id AND (
                   (a.candidate_user_id = calls.candidate_user_id AND calls.invited_at >= a.created_at AND calls.invited_at <= COALESCE(a.closed_at, @now))
                   OR EXISTS (SELECT 1 FROM attempt_events e WHERE e.attempt_id = a.id AND e.call_id = calls.id)))))
         ORDER BY ended_at LIMIT @limit`,
      )
      .all({ before, limit, now }) as ExpiredRecording[];
  }

  markRecordingDeleted(callId: string, at: number): void {
    this.db.prepare('UPDATE calls SET recording_deleted_at = ?, recording_path = NULL WHERE id = ?').run(at, callId);
  }

  /**
   * Candidates not yet anonymised with no open attempt and no sign of life since `before`: account
   * changed, attempt started or closed, login session seen; and no held sitting (their name is on
   * its evidence).
   */
  candidatesDue(before: number, limit: number, now: number): Array<{ id: number; centreId: number | null }> {
    return this.db
      .prepare(
        `SELECT u.id, u.centre_id AS centreId FROM users u
         WHERE u.role = 'candidate' AND u.anonymised_at IS NULL AND u.updated_at < @before
           AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_user_id = u.id
                           AND (a.status = 'open' OR a.created_at >= @before OR COALESCE(a.closed_at, 0) >= @before))
           AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.user_id = u.id AND x.last_seen_at >= @before)
           AND NOT EXISTS (SELECT 1 FROM sittings s WHERE s.candidate_user_id = u.id AND ${HELD_SITTING})
         ORDER BY u.id LIMIT @limit`,
      )
      .all({ before, limit, now }) as Array<{ id: number; centreId: number | null }>;
  }

  anonymiseCandidate(userId: number, at: number): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
    // '!' is no scrypt hash: no password can ever match it.
    this.db
      .prepare(
        `UPDATE users SET username = 'anonymised-' || id, display_name = 'Anonymised candidate ' || id, password_hash = '!', disabled = 1,
           anonymised_at = @at, updated_at = @at WHERE id = @userId`,
      )
      .run({ userId, at });
  }

  /** Closed attempts (closed before `before`) whose CRM copy has not been anonymised yet, except those of a held sitting (their final CRM state is evidence). */
  attemptsDue(before: number, limit: number, now: number): Array<{ id: string; centreId: number }> {
    return this.db
      .prepare(
        `SELECT id, centre_id AS centreId FROM attempts
         WHERE anonymised_at IS NULL AND status = 'closed' AND closed_at IS NOT NULL AND closed_at < @before
           AND NOT EXISTS (SELECT 1 FROM sittings s WHERE s.id = attempts.sitting_id AND ${HELD_SITTING})
         ORDER BY closed_at LIMIT @limit`,
      )
      .all({ before, limit, now }) as Array<{ id: string; centreId: number }>;
  }

  /**
   * Overwrites the personal details in one attempt's CRM copy: customers, call list names and
   * numbers, security answers, and the free text the candidate typed (notes, messages, cases,
   * callbacks, wrap-ups). Returns how many rows changed. The append-only evidence (desktop timeline,
   * print-out PDFs) is not touched here.
   */
  anonymiseAttempt(attemptId: string, at: number): number {
    let changed = 0;
    const run = (sql: string, params: Record<string, unknown> = {}): void => {
      changed += this.db.prepare(sql).run({ attemptId, ...params }).changes;
    };
    const sets = Object.keys(ANON_CUSTOMER)
      .map((c) => `${c} = @${c}`)
      .join(', ');
    run(`UPDATE crm_customers SET ${sets}, updated_at = @at WHERE attempt_id = @attemptId`, { ...ANON_CUSTOMER, at });
    run(`UPDATE crm_security_answers SET answer = 'anonymised' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_identity_checks SET results = '[]' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_call_list SET name = 'Anonymised', phone = '00000000000', phone_norm = '00000000000' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_notes SET body = '[anonymised]' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_messages SET from_address = 'anonymised', to_address = 'anonymised', cc = '[]', subject = NULL, body = '[anonymised]' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_cases SET description = '[anonymised]' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_callbacks SET reason = '[anonymised]', phone = NULL WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_wrap_ups SET notes = '[anonymised]' WHERE attempt_id = @attemptId`);
    run(`UPDATE crm_auto_replies SET body = '[anonymised]' WHERE attempt_id = @attemptId AND body IS NOT NULL`);
    this.db.prepare('UPDATE attempts SET anonymised_at = ? WHERE id = ?').run(at, attemptId);
    return changed;
  }
}
