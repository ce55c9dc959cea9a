// The repository layer: the only code in Callmark that writes SQL.
import type { Db } from '../connection.js';
import { AttemptBookmarkRepository } from './attempt-bookmarks.js';
import { AttemptEventRepository } from './attempt-events.js';
import { AttemptMarkRepository } from './attempt-marks.js';
import { AssuranceRepository } from './assurance.js';
import { AttemptRepository } from './attempts.js';
import { AuditLogRepository } from './audit-log.js';
import { CallRepository } from './calls.js';
import { CentreRecordRepository } from './centre-records.js';
import { CentreRepository } from './centres.js';
import { CrmRepository } from './crm.js';
import { ModerationRepository } from './moderation.js';
import { PrintoutRepository } from './printouts.js';
import { RecordingAnalysisRepository } from './recording-analysis.js';
import { SessionRepository } from './sessions.js';
import { SittingRepository } from './sittings.js';
import { StandardisationRepository } from './standardisation.js';
import { UserRepository } from './users.js';

export interface Repositories {
  db: Db;
  centres: CentreRepository;
  users: UserRepository;
  sessions: SessionRepository;
  calls: CallRepository;
  crm: CrmRepository;
  attempts: AttemptRepository;
  attemptEvents: AttemptEventRepository;
  printouts: PrintoutRepository;
  /** Waveform peaks and talk/silence of finalised recordings (server/analysis/). */
  recordingAnalysis: RecordingAnalysisRepository;
  sittings: SittingRepository;
  attemptMarks: AttemptMarkRepository;
  attemptBookmarks: AttemptBookmarkRepository;
  /** The hash-chained audit trail: append() inside the transaction of the change it records. */
  auditLog: AuditLogRepository;
  /** Moderated marks, moderators' sample changes, the paged audit-log read (server/api/replay-routes.ts). */
  moderation: ModerationRepository;
  /** Signatures, result steps, identity checks, conflicts of interest, IQA reviews (server/assurance/). */
  assurance: AssuranceRepository;
  /** Special consideration, malpractice and enquiries/appeals against sittings. */
  centreRecords: CentreRecordRepository;
  standardisation: StandardisationRepository;
  /** Runs fn in one write transaction: all of it is stored, or none. */
  transaction<T>(fn: () => T): T;
}

export function createRepositories(db: Db): Repositories {
  return {
    db,
    centres: new CentreRepository(db),
    users: new UserRepository(db),
    sessions: new SessionRepository(db),
    calls: new CallRepository(db),
    crm: new CrmRepository(db),
    attempts: new AttemptRepository(db),
    attemptEvents: new AttemptEventRepository(db),
    printouts: new PrintoutRepository(db),
    recordingAnalysis: new RecordingAnalysisRepository(db),
    sittings: new SittingRepository(db),
    attemptMarks: new AttemptMarkRepository(db),
    attemptBookmarks: new AttemptBookmarkRepository(db),
    auditLog: new AuditLogRepository(db),
    moderation: new ModerationRepository(db),
    assurance: new AssuranceRepository(db),
    centreRecords: new CentreRecordRepository(db),
    standardisation: new StandardisationRepository(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
