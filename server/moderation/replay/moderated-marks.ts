// Moderated marks: the moderator's mark per criterion, stored beside the centre's (never over it),
// each change with a reason and an audit row in the same transaction. Rules for a save (all
// checked before anything is written, so a refused save changes nothing):
// - the centre's marking of the attempt is finished (moderation checks a centre's marking);
// - every criterion id is in the rubric, once; each mark a whole number from 0 to its maxMarks;
// - every criterion whose mark changes (from the moderated mark standing, or the centre mark when
//   none) needs a reason; a criterion sent with the mark it already has changes nothing;
// - a moderated mark equal to the centre mark withdraws the moderation of that criterion (the row
//   goes; the audit row keeps the history).
import type { Scenario } from '../../assessment/scenario-schema.js';
import type { Attempt } from '../../db/repositories/attempts.js';
import type { Repositories } from '../../db/repositories/index.js';
import { FieldProblems } from '../../http/field-problems.js';
import { HttpError } from '../../http/errors.js';
import type { ModeratedMarkChange, ModerationView, SaveModerationInput } from '../../protocol/moderation.js';
import type { SessionUser } from '../../protocol/roles.js';
import { blank, changedBy, criterionHeading } from '../../sittings/marking.js';
import { attemptCount, resultView, sittingResults } from '../../sittings/results.js';
import { person } from '../../sittings/views.js';
import { auditActor, auditSubject } from '../../db/repositories/audit-log.js';

export const MAX_REASON = 2000;
export const MODERATED_MARK_CHANGED = 'moderated-mark-changed';

interface ModeratedState {
  criterionId: string;
  centreMark: number | null;
  mark: number | null;
}

function history(repos: Repositories, attemptId: string): ModeratedMarkChange[] {
  return repos.auditLog.forSubject('attempt', attemptId, MODERATED_MARK_CHANGED).map((e) => {
    const before = e.before as ModeratedState | null;
    const after = e.after as ModeratedState | null;
    return {
      id: e.id,
      at: e.at,
      by: changedBy(repos, e),
      criterionId: after?.criterionId ?? before?.criterionId ?? '',
      centreMark: after?.centreMark ?? before?.centreMark ?? null,
      before: before?.mark ?? null,
      after: after?.mark ?? null,
      reason: e.reason,
    };
  });
}

export function moderationView(repos: Repositories, attempt: Attempt, scenario: Scenario): ModerationView {
  const centre = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m]));
  const moderated = new Map(repos.moderation.marksFor(attempt.id).map((m) => [m.criterionId, m]));
  const criteria = scenario.rubric.map((c) => {
    const m = centre.get(c.criterionId);
    const x = moderated.get(c.criterionId);
    return {
      ...criterionHeading(c),
      centreMark: m?.mark ?? null,
      comment: m?.comment ?? '',
      moderatedMark: x?.mark ?? null,
      reason: x?.reason ?? null,
      moderatedBy: x ? person(repos, x.updatedBy) : null,
      moderatedAt: x?.updatedAt ?? null,
    };
  });
  const count = attemptCount(repos, attempt);
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  return {
    attemptId: attempt.id,
    sittingId: attempt.sittingId,
    scenarioKey: scenario.key,
    title: scenario.title,
    centreMarked: attempt.markedAt !== null,
    criteria,
    centreTotal: count.centreTotal,
    moderatedTotal: count.moderatedTotal,
    countedTotal: count.countedTotal,
    sittingResult: sitting ? resultView(sittingResults(repos, sitting)) : null,
    history: history(repos, attempt.id),
  };
}

/** Checks and stores one save (see the rules at the top). Throws ValidationFailed / HttpError, writing nothing. */
export function saveModeration(repos: Repositories, attempt: Attempt, scenario: Scenario, input: SaveModerationInput, me: SessionUser, now: number): void {
  if (attempt.markedAt === null) {
    throw new HttpError(409, 'not_marked', "The centre has not finished marking this attempt; moderation checks the centre's marks, so it starts once they are final.");
  }
  const rubric = new Map(scenario.rubric.map((c) => [c.criterionId, c]));
  const centre = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m.mark]));
  const standing = new Map(repos.moderation.marksFor(attempt.id).map((m) => [m.criterionId, m]));
  const problems = new FieldProblems();
  const seen = new Set<string>();
  const changes: Array<{ criterionId: string; before: ModeratedState; after: ModeratedState; reason: string }> = [];

  input.marks.forEach((m, i) => {
    const at = `marks.${i}`;
    const criterion = rubric.get(m.criterionId);
    if (!criterion) return problems.add(`${at}.criterionId`, `Criterion ${m.criterionId} is not in the rubric of ${scenario.key.toUpperCase()}.`);
    if (seen.has(m.criterionId)) return problems.add(`${at}.criterionId`, `Criterion ${m.criterionId} is listed twice in one save.`);
    seen.add(m.criterionId);
    if (!Number.isInteger(m.mark) || m.mark < 0 || m.mark > criterion.maxMarks) {
      return problems.add(`${at}.mark`, `The moderated mark for ${m.criterionId} must be a whole number from 0 to ${criterion.maxMarks}; got ${m.mark}.`);
    }
    const centreMark = centre.get(m.criterionId) ?? null;
    const current = standing.get(m.criterionId)?.mark ?? centreMark;
    if (current === m.mark) return;
    if (blank(m.reason)) return problems.add(`${at}.reason`, `Say why ${m.criterionId} moves from ${current ?? 'unmarked'} to ${m.mark}.`);
    if (m.reason!.length > MAX_REASON) return problems.add(`${at}.reason`, `The reason must be at most ${MAX_REASON} characters.`);
    changes.push({
      criterionId: m.criterionId,
      before: { criterionId: m.criterionId, centreMark, mark: standing.get(m.criterionId)?.mark ?? null },
      // Back to the centre's mark: the moderation of the criterion is withdrawn.
      after: { criterionId: m.criterionId, centreMark, mark: m.mark === centreMark ? null : m.mark },
      reason: m.reason!.trim(),
    });
  });
  problems.throwIfAny();

  repos.transaction(() => {
    const actor = auditActor(me);
    for (const c of changes) {
      if (c.after.mark === null) repos.moderation.removeMark(attempt.id, c.criterionId);
      else repos.moderation.saveMark({ attemptId: attempt.id, criterionId: c.criterionId, mark: c.after.mark, reason: c.reason, updatedAt: now, updatedBy: me.id });
      repos.auditLog.append({ at: now, actor, ...auditSubject('attempt', attempt), action: MODERATED_MARK_CHANGED, before: c.before, after: c.after, reason: c.reason });
    }
  });
}
