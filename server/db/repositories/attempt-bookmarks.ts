// Bookmarks the assessor drops on an attempt (append-only): a note, optionally the cue card it
// belongs to, and where it falls in the attempt's call.
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

const SELECT = `SELECT id, attempt_id AS attemptId, at, call_id AS callId, offset_ms AS offsetMs, note, cue_id AS cueId,
  created_by AS createdBy FROM attempt_bookmarks`;

export class AttemptBookmarkRepository {
  constructor(private readonly db: Db) {}

  add(input: Omit<AttemptBookmark, 'id'>): AttemptBookmark {
    const info = this.db
      .prepare('INSERT INTO attempt_bookmarks (attempt_id, at, call_id, offset_ms, note, cue_id, created_by) VALUES (@attemptId, @at, @callId, @offsetMs, @note, @cueId, @createdBy)')
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  forAttempt(attemptId: string): AttemptBookmark[] {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? ORDER BY id`).all(attemptId) as AttemptBookmark[];
  }
}
