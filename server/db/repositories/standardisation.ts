// Standardisation exercises (migration 11): one recorded attempt, several assessors marking it
// blind, the internal quality assurer comparing their marks.
import { randomUUID } from 'node:crypto';
import type { Db } from '../connection.js';

export interface StandardisationExercise {
  id: string;
  centreId: number;
  attemptId: string;
  title: string;
  createdBy: number;
  createdAt: number;
  closedAt: number | null;
}

export interface StandardisationParticipant {
  exerciseId: string;
  assessorUserId: number;
  submittedAt: number | null;
}

export interface StandardisationMark {
  exerciseId: string;
  assessorUserId: number;
  criterionId: string;
  mark: number;
  comment: string;
  updatedAt: number;
}

const EX_SELECT = 'SELECT id, centre_id AS centreId, attempt_id AS attemptId, title, created_by AS createdBy, created_at AS createdAt, closed_at AS closedAt FROM standardisation_exercises';

export class StandardisationRepository {
  constructor(private readonly db: Db) {}

  create(input: { centreId: number; attemptId: string; title: string; createdBy: number; assessorUserIds: readonly number[] }, now: number): StandardisationExercise {
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO standardisation_exercises (id, centre_id, attempt_id, title, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, input.centreId, input.attemptId, input.title, input.createdBy, now);
    const add = this.db.prepare('INSERT INTO standardisation_participants (exercise_id, assessor_user_id) VALUES (?, ?)');
    for (const a of input.assessorUserIds) add.run(id, a);
    return this.find(id)!;
  }

  find(id: string): StandardisationExercise | undefined {
    return this.db.prepare(`${EX_SELECT} WHERE id = ?`).get(id) as StandardisationExercise | undefined;
  }

  /** A centre's exercises, newest first. */
  list(centreId: number): StandardisationExercise[] {
    return this.db.prepare(`${EX_SELECT} WHERE centre_id = ? ORDER BY created_at DESC, rowid DESC`).all(centreId) as StandardisationExercise[];
  }

  /** The exercises an assessor takes part in, newest first. */
  listFor(assessorUserId: number): StandardisationExercise[] {
    return this.db
      .prepare(`${EX_SELECT} WHERE id IN (SELECT exercise_id FROM standardisation_participants WHERE assessor_user_id = ?) ORDER BY created_at DESC, rowid DESC`)
      .all(assessorUserId) as StandardisationExercise[];
  }

  participants(exerciseId: string): StandardisationParticipant[] {
    return this.db
      .prepare('SELECT exercise_id AS exerciseId, assessor_user_id AS assessorUserId, submitted_at AS submittedAt FROM standardisation_participants WHERE exercise_id = ? ORDER BY assessor_user_id')
      .all(exerciseId) as StandardisationParticipant[];
  }

  marks(exerciseId: string, assessorUserId?: number): StandardisationMark[] {
    const base = 'SELECT exercise_id AS exerciseId, assessor_user_id AS assessorUserId, criterion_id AS criterionId, mark, comment, updated_at AS updatedAt FROM standardisation_marks WHERE exercise_id = ?';
    return (assessorUserId === undefined
      ? this.db.prepare(`${base} ORDER BY assessor_user_id, criterion_id`).all(exerciseId)
      : this.db.prepare(`${base} AND assessor_user_id = ? ORDER BY criterion_id`).all(exerciseId, assessorUserId)) as StandardisationMark[];
  }

  saveMark(m: StandardisationMark): void {
    this.db
      .prepare(
        `INSERT INTO standardisation_marks (exercise_id, assessor_user_id, criterion_id, mark, comment, updated_at)
         VALUES (@exerciseId, @assessorUserId, @criterionId, @mark, @comment, @updatedAt)
         ON CONFLICT (exercise_id, assessor_user_id, criterion_id) DO UPDATE SET mark = excluded.mark, comment = excluded.comment, updated_at = excluded.updated_at`,
      )
      .run(m);
  }

  submit(exerciseId: string, assessorUserId: number, at: number): boolean {
    return this.db.prepare('UPDATE standardisation_participants SET submitted_at = ? WHERE exercise_id = ? AND assessor_user_id = ? AND submitted_at IS NULL').run(at, exerciseId, assessorUserId).changes === 1;
  }

  close(exerciseId: string, at: number): boolean {
    return this.db.prepare('UPDATE standardisation_exercises SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(at, exerciseId).changes === 1;
  }
}
