// Marking an attempt against its scenario's rubric: the view the assessor marks from, and saving
// marks. Rules for a save (all checked before anything is written, so a refused save changes
// nothing):
// - every criterion id is in the rubric, once; each mark a whole number from 0 to its maxMarks;
//   comments at most 2000 characters;
// - a mark that differs from a decided automatic suggestion needs an override reason (digest 2.8:
//   pre-filled values stay editable, but the change is explained);
// - changing a mark saved before needs a `reason` (the audit trail says why it moved);
// - `final` needs every criterion marked; it finishes the centre's marking and closes the attempt;
// - an attempt that has been re-taken cannot be moved to 6 or more: the re-take would then have
//   had no grounds (retakes.ts refuses such a history).
// Every change of a mark, comment or override reason writes one 'mark-changed' audit row in the
// same transaction.
import { z } from 'zod';
import { UNIT2_GRADES } from '../assessment/grades.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import type { AttemptBookmark } from '../db/repositories/attempt-bookmarks.js';
import { auditActor, type AuditEntry, auditSubject } from '../db/repositories/audit-log.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { AttemptMarkingStatus, Bookmark, CriterionMarkView, MarkChange, MarkingView } from '../protocol/assessment.js';
import type { SessionUser } from '../protocol/roles.js';
import { FieldProblems } from '../http/field-problems.js';
import { closeAttempt } from './closing.js';
import { attemptSuggestions, toSuggestionView } from './suggestions.js';

export const MAX_COMMENT = 2000;

/** A criterion and its mark, as the centre's and the moderator's saves both send them. */
export const markFields = {
  criterionId: z.string().min(1).max(100),
  mark: z.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more'),
};

export const saveMarksSchema = z
  .object({
    marks: z
      .array(
        z
          .object({
            ...markFields,
            comment: z.string().max(MAX_COMMENT, `must be at most ${MAX_COMMENT} characters`).optional(),
            overrideReason: z.string().max(MAX_COMMENT, `must be at most ${MAX_COMMENT} characters`).nullable().optional(),
          })
          .strict(),
      )
      .max(100),
    reason: z.string().max(MAX_COMMENT, `must be at most ${MAX_COMMENT} characters`).nullable().optional(),
    final: z.boolean().optional(),
  })
  .strict();
export type SaveMarks = z.infer<typeof saveMarksSchema>;

/** The shape of a mark in the audit log's before/after. */
interface MarkState {
  criterionId: string;
  mark: number;
  comment: string;
  overrideReason: string | null;
}

export function markingStatus(attempt: Attempt): AttemptMarkingStatus {
  if (attempt.markedAt !== null) return 'marked';
  return attempt.status === 'open' ? 'in-progress' : 'awaiting-marks';
}

/** A bookmark as staff read it; its cue named by when it is played in the attempt's caller brief (`cues`), never by its id. */
export function bookmarkView(repos: Repositories, b: AttemptBookmark, cues: Scenario['callerBrief']['cues']): Bookmark {
  return {
    id: b.id,
    attemptId: b.attemptId,
    at: b.at,
    offsetMs: b.offsetMs,
    callId: b.callId,
    note: b.note,
    cueId: b.cueId,
    cueWhen: b.cueId === null ? null : (cues.find((c) => c.id === b.cueId)?.when ?? null),
    by: { id: b.createdBy, name: repos.users.findById(b.createdBy)?.displayName ?? `user ${b.createdBy}` },
  };
}

/** Who wrote an audit row ('system' when no user did), as the mark histories show it. */
export function changedBy(repos: Repositories, e: AuditEntry): { id: number; name: string; role: string } {
  // Stryker disable next-line ConditionalExpression: equivalent, findById(null) finds no user either.
  const actor = e.actorUserId === null ? undefined : repos.users.findById(e.actorUserId);
  return { id: e.actorUserId ?? 0, name: actor?.displayName ?? 'system', role: e.actorRole ?? 'system' };
}

/** A rubric criterion as the marking and moderation views list it. */
export const criterionHeading = (c: Scenario['rubric'][number]) => ({ criterionId: c.criterionId, band: c.band, description: c.description, maxMarks: c.maxMarks });

export const blank = (s: string | null | undefined): boolean => s === undefined || s === null || s.trim() === '';

/** Every 'mark-changed' row of the attempt, oldest first. */
export function markHistory(repos: Repositories, attemptId: string): MarkChange[] {
  return repos.auditLog.forSubject('attempt', attemptId, 'mark-changed').map((e) => {
    const before = e.before as MarkState | null;
    const after = e.after as MarkState | null;
    return {
      id: e.id,
      criterionId: after?.criterionId ?? before?.criterionId ?? '',
      at: e.at,
      by: changedBy(repos, e),
      before: before?.mark ?? null,
      after: after?.mark ?? null,
      commentBefore: before?.comment ?? null,
      commentAfter: after?.comment ?? null,
      reason: e.reason,
    };
  });
}

export function markingView(repos: Repositories, attempt: Attempt, scenario: Scenario, now: number): MarkingView {
  const suggestions = new Map(attemptSuggestions(repos, attempt, scenario, now).suggestions.map((s) => [s.criterionId, s]));
  const saved = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m]));
  const criteria: CriterionMarkView[] = scenario.rubric.map((c) => {
    const m = saved.get(c.criterionId);
    const s = suggestions.get(c.criterionId);
    return {
      ...criterionHeading(c),
      mark: m?.mark ?? null,
      comment: m?.comment ?? '',
      suggestion: s ? toSuggestionView(s) : null,
      overrideReason: m?.overrideReason ?? null,
    };
  });
  const complete = criteria.every((c) => c.mark !== null);
  return {
    attemptId: attempt.id,
    sittingId: attempt.sittingId,
    scenarioKey: scenario.key,
    title: scenario.title,
    criteria,
    total: complete ? criteria.reduce((sum, c) => sum + (c.mark ?? 0), 0) : null,
    history: markHistory(repos, attempt.id),
    bookmarks: repos.attemptBookmarks.forAttempt(attempt.id).map((b) => bookmarkView(repos, b, scenario.callerBrief.cues)),
    status: attempt.status,
    markingStatus: markingStatus(attempt),
    markedAt: attempt.markedAt,
  };
}

/** Checks and stores one save (see the rules at the top). Throws ValidationFailed / HttpError, writing nothing. */
export function saveMarks(repos: Repositories, attempt: Attempt, scenario: Scenario, input: SaveMarks, me: SessionUser, now: number): void {
  const rubric = new Map(scenario.rubric.map((c) => [c.criterionId, c]));
  const saved = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m]));
  const suggestions = new Map(attemptSuggestions(repos, attempt, scenario, now).suggestions.map((s) => [s.criterionId, s.suggestedMarks]));
  const problems = new FieldProblems();
  const seen = new Set<string>();
  const next: MarkState[] = [];
  let anySavedMarkChanges = false;

  input.marks.forEach((m, i) => {
    const at = `marks.${i}`;
    const criterion = rubric.get(m.criterionId);
    if (!criterion) return problems.add(`${at}.criterionId`, `Criterion ${m.criterionId} is not in the rubric of ${scenario.key.toUpperCase()}.`);
    if (seen.has(m.criterionId)) return problems.add(`${at}.criterionId`, `Criterion ${m.criterionId} is marked twice in one save.`);
    seen.add(m.criterionId);
    if (m.mark > criterion.maxMarks) return problems.add(`${at}.mark`, `The mark for ${m.criterionId} must be a whole number from 0 to ${criterion.maxMarks}; got ${m.mark}.`);
    const before = saved.get(m.criterionId);
    const suggested = suggestions.get(m.criterionId) ?? null;
    const differs = suggested !== null && m.mark !== suggested;
    // A reason given before still stands while the mark it explains stays the same.
    const overrideReason = !blank(m.overrideReason) ? m.overrideReason!.trim() : before && before.mark === m.mark && m.overrideReason === undefined ? before.overrideReason : null;
    if (differs && blank(overrideReason)) {
      problems.add(`${at}.overrideReason`, `The suggestion for ${m.criterionId} is ${suggested}; say why ${m.mark} is given instead.`);
    }
    if (before && before.mark !== m.mark) anySavedMarkChanges = true;
    next.push({ criterionId: m.criterionId, mark: m.mark, comment: m.comment ?? before?.comment ?? '', overrideReason: differs ? overrideReason : suggested === null ? overrideReason : null });
  });
  if (anySavedMarkChanges && blank(input.reason)) problems.add('reason', 'A saved mark is being changed: give the reason for the change.');

  const after = new Map(saved);
  for (const n of next) after.set(n.criterionId, { ...n, attemptId: attempt.id, updatedAt: now, updatedBy: me.id });
  const unmarked = scenario.rubric.filter((c) => !after.has(c.criterionId)).map((c) => c.criterionId);
  if (input.final && unmarked.length) problems.add('final', `Marking cannot be finished: not every criterion is marked yet (${unmarked.join(', ')}).`);
  problems.throwIfAny();

  // A re-taken attempt must stay below the minimum, or the re-take would have had no grounds.
  const willBeMarked = attempt.markedAt !== null || input.final === true;
  const newTotal = [...after.values()].filter((m) => rubric.has(m.criterionId)).reduce((s, m) => s + m.mark, 0);
  if (willBeMarked && attempt.sittingId && newTotal >= UNIT2_GRADES.minMark) {
    const retaken = repos.attempts.forSitting(attempt.sittingId).some((a) => a.retakeOf === attempt.id);
    if (retaken) {
      throw new HttpError(409, 'attempt_retaken', `This attempt has been re-taken, which only a mark below ${UNIT2_GRADES.minMark} allows; it cannot be moved to ${newTotal}.`);
    }
  }

  repos.transaction(() => {
    const actor = auditActor(me);
    for (const n of next) {
      const before = saved.get(n.criterionId);
      const was: MarkState | null = before ? { criterionId: before.criterionId, mark: before.mark, comment: before.comment, overrideReason: before.overrideReason } : null;
      if (was && was.mark === n.mark && was.comment === n.comment && was.overrideReason === n.overrideReason) continue;
      repos.attemptMarks.save({ attemptId: attempt.id, ...n, updatedAt: now, updatedBy: me.id });
      repos.auditLog.append({
        at: now,
        actor,
        ...auditSubject('attempt', attempt),
        action: 'mark-changed',
        before: was,
        after: n,
        // Stryker disable next-line ConditionalExpression: equivalent, a changed mark has a non-blank reason (checked above), which the second branch also trims.
        reason: was && was.mark !== n.mark ? input.reason!.trim() : blank(input.reason) ? null : input.reason!.trim(),
      });
    }
    if (input.final) {
      if (repos.attempts.markFinished(attempt.id, me.id, now)) {
        repos.auditLog.append({ at: now, actor, ...auditSubject('attempt', attempt), action: 'marking-finished', after: { total: newTotal } });
      }
      closeAttempt(repos, attempt, now, actor, 'Marking finished.');
    }
  });
}
