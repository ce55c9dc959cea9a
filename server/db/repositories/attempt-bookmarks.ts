// Bookmarks the assessor drops on an attempt (append-only): a note, optionally the cue card it
// belongs to, and where it falls in the attempt's call.
import { insertWithId, selectFrom, snakeCaseColumns } from '../columns.js';
import type { Db } from '../connection.js';

export interface AttemptBookmark {
  id: number;
  attemptId: string;
  at: number;
  callId: string | null;
  offsetMs: number | null;
  note: string;
  cueId: string | null;
  createdBy: number;
}

const COLUMNS = snakeCaseColumns<AttemptBookmark>()(['id', 'attemptId', 'at', 'callId', 'offsetMs', 'note', 'cueId', 'createdBy']);
const SELECT = selectFrom('attempt_bookmarks', COLUMNS);

export class AttemptBookmarkRepository {
  constructor(private readonly db: Db) {}

  add(input: Omit<AttemptBookmark, 'id'>): AttemptBookmark {
    return insertWithId(this.db, 'attempt_bookmarks', COLUMNS, input);
  }

  forAttempt(attemptId: string): AttemptBookmark[] {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? ORDER BY id`).all(attemptId) as AttemptBookmark[];
  }
}
