// Retention (README "Operations"): at start-up and then daily, recordings older than
// CALLMARK_RETENTION_RECORDINGS_DAYS are deleted (the call row keeps the recording's SHA-256 and
// duration and gets recording_deleted_at), and after CALLMARK_RETENTION_PERSONAL_DAYS candidates
// with no activity are anonymised and closed attempts' CRM copies have their personal details
// overwritten. Each deletion or anonymisation is one audit_log row, written in the same
// transaction as the change. Both periods are off by default. The evidence of a sitting that is not
// moderated, is within its centre's enquiry/appeal window or has an enquiry or appeal open is never
// offered (server/db/repositories/retention.ts, HELD_SITTING).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Repositories } from '../db/repositories/index.js';
import { RetentionRepository } from '../db/repositories/retention.js';
import { auditSubject } from '../db/repositories/audit-log.js';

const DAY_MS = 86_400_000;
/** Rows handled per transaction; a large backlog is worked through in batches. */
const BATCH = 200;

export interface RetentionOptions {
  recordingsDays?: number;
  personalDays?: number;
  /** Only files inside this folder are ever deleted. */
  recordingsDir: string;
}

export interface RetentionResult {
  recordingsDeleted: number;
  candidatesAnonymised: number;
  attemptsAnonymised: number;
}

export function runRetention(repos: Repositories, opts: RetentionOptions, now: number, log?: FastifyBaseLogger): RetentionResult {
  const retention = new RetentionRepository(repos.db);
  const result: RetentionResult = { recordingsDeleted: 0, candidatesAnonymised: 0, attemptsAnonymised: 0 };
  const root = path.resolve(opts.recordingsDir);

  if (opts.recordingsDays !== undefined) {
    const before = now - opts.recordingsDays * DAY_MS;
    for (;;) {
      const due = retention.expiredRecordings(before, BATCH, now);
      for (const call of due) {
        const file = path.resolve(call.recordingPath);
        const inside = file.startsWith(root + path.sep);
        // The row is updated and audited first; a file that then fails to go is logged and left
        // for an operator (the row no longer points at it, so it is never served again).
        repos.transaction(() => {
          retention.markRecordingDeleted(call.id, now);
          repos.auditLog.append({
            at: now,
            actor: null,
            ...auditSubject('call', call),
            action: 'recording-deleted',
            before: { file: path.relative(root, file), sha256: call.recordingSha256 },
            after: null,
            reason: `retention: recordings are kept ${opts.recordingsDays} days`,
          });
        });
        if (inside) {
          try {
            fs.rmSync(file, { force: true });
          } catch (err) {
            log?.error({ err, callId: call.id, file }, 'retention: recording file could not be deleted');
          }
        } else log?.warn({ callId: call.id, file }, 'retention: recording path outside the recordings folder; file left alone');
        result.recordingsDeleted++;
      }
      if (due.length < BATCH) break;
    }
  }

  if (opts.personalDays !== undefined) {
    const before = now - opts.personalDays * DAY_MS;
    const reason = `retention: personal data is kept ${opts.personalDays} days`;
    for (;;) {
      const due = retention.attemptsDue(before, BATCH, now);
      for (const a of due) {
        repos.transaction(() => {
          const rows = retention.anonymiseAttempt(a.id, now);
          repos.auditLog.append({ at: now, actor: null, ...auditSubject('attempt', a), action: 'attempt-anonymised', after: { crmRowsChanged: rows }, reason });
        });
        result.attemptsAnonymised++;
      }
      if (due.length < BATCH) break;
    }
    for (;;) {
      const due = retention.candidatesDue(before, BATCH, now);
      for (const u of due) {
        repos.transaction(() => {
          retention.anonymiseCandidate(u.id, now);
          repos.auditLog.append({ at: now, actor: null, ...auditSubject('user', u), action: 'candidate-anonymised', reason });
        });
        result.candidatesAnonymised++;
      }
      if (due.length < BATCH) break;
    }
  }
  return result;
}

/** Runs now and then every day; returns a stop function. Does nothing when both periods are off. */
export function startRetention(repos: Repositories, opts: RetentionOptions, now: () => number, log: FastifyBaseLogger): () => void {
  if (opts.recordingsDays === undefined && opts.personalDays === undefined) return () => {};
  const tick = (): void => {
    try {
      const r = runRetention(repos, opts, now(), log);
      if (r.recordingsDeleted + r.candidatesAnonymised + r.attemptsAnonymised > 0) log.info(r, 'retention applied');
    } catch (err) {
      log.error({ err }, 'retention job failed; it runs again tomorrow');
    }
  };
  tick();
  const timer = setInterval(tick, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
