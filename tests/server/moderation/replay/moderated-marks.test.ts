// Moderated marks (server/moderation/replay/moderated-marks.ts) over a real SQLite database and the
// shipped scenario S1, without the app: the rules at the top of the module — refused before the
// centre's marking is final, each problem named by its field and in words (and a refused save
// writes nothing), a reason for each change, the mark stored beside the centre's, withdrawn when
// the centre's mark is given back, one audit row per change with before, after and reason — and
// the view built from what was stored. tests/server/api/moderation-marks.test.ts covers the same
// over HTTP; this file is quick enough for `npm run mutation:replay`.
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../../../server/assessment/scenario-loader.js';
import type { Db } from '../../../../server/db/connection.js';
import type { Attempt } from '../../../../server/db/repositories/attempts.js';
import type { Repositories } from '../../../../server/db/repositories/index.js';
import { HttpError } from '../../../../server/http/errors.js';
import { ValidationFailed } from '../../../../server/http/field-problems.js';
import { MAX_REASON, MODERATED_MARK_CHANGED, moderationView, saveModeration } from '../../../../server/moderation/replay/moderated-marks.js';
import type { SaveModerationInput } from '../../../../server/protocol/moderation.js';
import type { SessionUser } from '../../../../server/protocol/roles.js';
import { saveMarks } from '../../../../server/sittings/marking.js';
import { useMemoryRepositories } from '../../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const S1 = builtInScenarios().find((l) => l.scenario.key === 's1' && l.scenario.variant === 'a')!.scenario;
const IDS = S1.rubric.map((c) => c.criterionId);
const MAX = new Map(S1.rubric.map((c) => [c.criterionId, c.maxMarks]));

interface World {
  repos: Repositories;
  moderator: SessionUser;
  attempt: Attempt;
  sittingId: string;
  centreId: number;
}

function world(opts: { marked?: boolean } = {}): World {
  const { repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'Centre' }, T0).id;
  const a = repos.users.create({ username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, passwordHash: 'x' }, T0);
  const m = repos.users.create({ username: 'mod', displayName: 'Mo Moderator', role: 'moderator', centreId: null, passwordHash: 'x' }, T0);
  const c = repos.users.create({ username: 'cand', displayName: 'Cara Candidate', role: 'candidate', centreId, passwordHash: 'x' }, T0);
  const assessor: SessionUser = { id: a.id, username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, centreName: 'Centre', centreIsDemo: false, mustChangePassword: false };
  const moderator: SessionUser = { id: m.id, username: 'mod', displayName: 'Mo Moderator', role: 'moderator', centreId: null, centreName: null, centreIsDemo: false, mustChangePassword: false };
  const sitting = repos.sittings.create({ centreId, candidateUserId: c.id, assessorUserId: a.id, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: a.id }, T0);
  repos.sittings.start(sitting.id, T0);
  const attempt = repos.attempts.create({ centreId, candidateUserId: c.id, assessorUserId: a.id, scenarioKey: 's1', variant: 'a', sittingId: sitting.id, position: 1 }, T0 + 1000);
  // The centre marks every criterion at 1, overriding the auto-checks where they decided 0.
  const marks = IDS.map((criterionId) => ({ criterionId, mark: 1, overrideReason: 'Heard on the recording.' }));
  saveMarks(repos, repos.attempts.findById(attempt.id)!, S1, { marks, final: opts.marked ?? true }, assessor, T0 + 60_000);
  return { repos, moderator, attempt: repos.attempts.findById(attempt.id)!, sittingId: sitting.id, centreId };
}

const save = (w: World, input: SaveModerationInput, now = T0 + 120_000) => saveModeration(w.repos, w.repos.attempts.findById(w.attempt.id)!, S1, input, w.moderator, now);
const view = (w: World) => moderationView(w.repos, w.repos.attempts.findById(w.attempt.id)!, S1);

function refused(f: () => void): Record<string, string> {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailed);
    return Object.fromEntries(Object.entries((err as ValidationFailed).fields).map(([k, v]) => [k, Array.isArray(v) ? v.join(' ') : String(v)]));
  }
  throw new Error('the save was accepted');
}

describe('saveModeration: what it refuses, writing nothing', () => {
  it('before the centre has finished marking', () => {
    const w = world({ marked: false });
    let thrown: unknown;
    try {
      save(w, { marks: [{ criterionId: IDS[0]!, mark: 0, reason: 'No.' }] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ statusCode: 409, code: 'not_marked', message: "The centre has not finished marking this attempt; moderation checks the centre's marks, so it starts once they are final." });
    expect(w.repos.moderation.marksFor(w.attempt.id)).toEqual([]);
  });

  it('a criterion not in the rubric, one listed twice, a mark out of range or not whole, a change without a reason or with one too long: each named', () => {
    const w = world();
    const [a, b, c, d, e, f, g] = IDS;
    const problems = refused(() =>
      save(w, {
        marks: [
          { criterionId: 'U2-nope', mark: 0, reason: 'x' },
          { criterionId: a!, mark: 0 },
          { criterionId: a!, mark: 0, reason: 'twice' },
          { criterionId: b!, mark: MAX.get(b!)! + 1, reason: 'Too generous.' },
          { criterionId: c!, mark: -1, reason: 'Negative.' },
          { criterionId: d!, mark: 0.5, reason: 'Half.' },
          { criterionId: e!, mark: 0, reason: '   ' },
          { criterionId: f!, mark: 0, reason: 'x'.repeat(MAX_REASON + 1) },
          { criterionId: g!, mark: 0, reason: 'x'.repeat(MAX_REASON) },
        ],
      }),
    );
    expect(problems).toEqual({
      'marks.0.criterionId': 'Criterion U2-nope is not in the rubric of S1.',
      'marks.1.reason': `Say why ${a} moves from 1 to 0.`,
      'marks.2.criterionId': `Criterion ${a} is listed twice in one save.`,
      'marks.3.mark': `The moderated mark for ${b} must be a whole number from 0 to ${MAX.get(b!)}; got ${MAX.get(b!)! + 1}.`,
      'marks.4.mark': `The moderated mark for ${c} must be a whole number from 0 to ${MAX.get(c!)}; got -1.`,
      'marks.5.mark': `The moderated mark for ${d} must be a whole number from 0 to ${MAX.get(d!)}; got 0.5.`,
      'marks.6.reason': `Say why ${e} moves from 1 to 0.`,
      'marks.7.reason': `The reason must be at most ${MAX_REASON} characters.`,
    });
    expect(MAX_REASON).toBe(2000);
    expect(w.repos.moderation.marksFor(w.attempt.id)).toEqual([]);
    expect(w.repos.auditLog.forSubject('attempt', w.attempt.id, MODERATED_MARK_CHANGED)).toEqual([]);
  });

  it('a criterion the centre left unmarked: the reason asked for says so', () => {
    const w = world({ marked: false });
    // Marking finished with one criterion missing from the centre's marks.
    const db = (w.repos as unknown as { db: Db }).db;
    db.prepare('DELETE FROM attempt_marks WHERE attempt_id = ? AND criterion_id = ?').run(w.attempt.id, IDS[0]);
    db.prepare('UPDATE attempts SET marked_at = ? WHERE id = ?').run(T0 + 70_000, w.attempt.id);
    expect(refused(() => save(w, { marks: [{ criterionId: IDS[0]!, mark: 0 }] }))).toEqual({ 'marks.0.reason': `Say why ${IDS[0]} moves from unmarked to 0.` });
  });
});

describe('saveModeration: what it stores', () => {
  it('the mark beside the centre’s, its reason trimmed, one audit row per change; the same mark again changes nothing', () => {
    const w = world();
    const [a, b] = IDS;
    save(w, { marks: [{ criterionId: a!, mark: 0, reason: '  No read-back of the postcode.  ' }, { criterionId: b!, mark: 1 }] }, T0 + 200_000);
    expect(w.repos.moderation.marksFor(w.attempt.id)).toEqual([{ attemptId: w.attempt.id, criterionId: a, mark: 0, reason: 'No read-back of the postcode.', updatedAt: T0 + 200_000, updatedBy: w.moderator.id }]);
    // The centre's mark is untouched.
    expect(w.repos.attemptMarks.forAttempt(w.attempt.id).find((m) => m.criterionId === a)!.mark).toBe(1);
    const rows = w.repos.auditLog.forSubject('attempt', w.attempt.id, MODERATED_MARK_CHANGED);
    expect(rows.map((r) => ({ at: r.at, actorUserId: r.actorUserId, actorRole: r.actorRole, centreId: r.centreId, before: r.before, after: r.after, reason: r.reason }))).toEqual([
      { at: T0 + 200_000, actorUserId: w.moderator.id, actorRole: 'moderator', centreId: w.centreId, before: { criterionId: a, centreMark: 1, mark: null }, after: { criterionId: a, centreMark: 1, mark: 0 }, reason: 'No read-back of the postcode.' },
    ]);
    // Sent again with the mark it now has: nothing written, no reason needed.
    save(w, { marks: [{ criterionId: a!, mark: 0 }] });
    expect(w.repos.auditLog.forSubject('attempt', w.attempt.id, MODERATED_MARK_CHANGED)).toHaveLength(1);
    expect(w.repos.auditLog.verify().ok).toBe(true);
  });

  it('a second change moves from the moderated mark; the centre’s mark given back withdraws the moderation', () => {
    const w = world();
    const c = S1.rubric[0]!;
    const id = c.criterionId;
    save(w, { marks: [{ criterionId: id, mark: 0, reason: 'First look.' }] }, T0 + 200_000);
    // The next change is from the moderated mark (0), not the centre's (1).
    expect(refused(() => save(w, { marks: [{ criterionId: id, mark: 1 }] }))).toEqual({ 'marks.0.reason': `Say why ${id} moves from 0 to 1.` });
    save(w, { marks: [{ criterionId: id, mark: 1, reason: 'Second moderator heard it at 02:10.' }] }, T0 + 300_000);
    expect(w.repos.moderation.marksFor(w.attempt.id)).toEqual([]);
    const rows = w.repos.auditLog.forSubject('attempt', w.attempt.id, MODERATED_MARK_CHANGED);
    expect(rows.map((r) => [r.before, r.after, r.reason])).toEqual([
      [{ criterionId: id, centreMark: 1, mark: null }, { criterionId: id, centreMark: 1, mark: 0 }, 'First look.'],
      [{ criterionId: id, centreMark: 1, mark: 0 }, { criterionId: id, centreMark: 1, mark: null }, 'Second moderator heard it at 02:10.'],
    ]);
  });
});

describe('moderationView', () => {
  it('each criterion with the centre’s mark and comment beside the moderated one; totals, the sitting’s result and the history', () => {
    const w = world();
    const [a] = IDS;
    const before = view(w);
    expect(before).toMatchObject({ attemptId: w.attempt.id, sittingId: w.sittingId, scenarioKey: 's1', title: S1.title, centreMarked: true, centreTotal: IDS.length, moderatedTotal: null, countedTotal: IDS.length, history: [] });
    expect(before.criteria.map((c) => c.criterionId)).toEqual(IDS);
    expect(before.criteria.every((c) => c.centreMark === 1 && c.moderatedMark === null && c.reason === null && c.moderatedBy === null && c.moderatedAt === null)).toBe(true);
    expect(before.sittingResult).not.toBeNull();

    save(w, { marks: [{ criterionId: a!, mark: 0, reason: 'No read-back.' }] }, T0 + 200_000);
    const after = view(w);
    expect(after.criteria[0]).toMatchObject({ criterionId: a, centreMark: 1, moderatedMark: 0, reason: 'No read-back.', moderatedBy: { name: 'Mo Moderator' }, moderatedAt: T0 + 200_000 });
    expect(after.criteria[1]).toMatchObject({ moderatedMark: null, reason: null, moderatedBy: null, moderatedAt: null });
    expect(after).toMatchObject({ centreTotal: IDS.length, moderatedTotal: IDS.length - 1, countedTotal: IDS.length - 1 });
    const row = w.repos.auditLog.forSubject('attempt', w.attempt.id, MODERATED_MARK_CHANGED)[0]!;
    expect(after.history).toEqual([{ id: row.id, at: T0 + 200_000, by: expect.objectContaining({ name: 'Mo Moderator' }) as unknown, criterionId: a, centreMark: 1, before: null, after: 0, reason: 'No read-back.' }]);

    // Withdrawn: the history names the criterion and the centre's mark from the row's before.
    save(w, { marks: [{ criterionId: a!, mark: 1, reason: 'Heard it after all.' }] }, T0 + 300_000);
    const withdrawn = view(w).history[1]!;
    expect(withdrawn).toMatchObject({ criterionId: a, centreMark: 1, before: 0, after: null, reason: 'Heard it after all.' });
  });

  it('the history of a criterion the centre gave 0: moved up to 1, then back', () => {
    const w = world();
    const [a] = IDS;
    const db = (w.repos as unknown as { db: Db }).db;
    db.prepare('UPDATE attempt_marks SET mark = 0 WHERE attempt_id = ? AND criterion_id = ?').run(w.attempt.id, a);
    save(w, { marks: [{ criterionId: a!, mark: 1, reason: 'Heard the greeting.' }] }, T0 + 200_000);
    save(w, { marks: [{ criterionId: a!, mark: 0, reason: 'Second opinion: it was cut off.' }] }, T0 + 300_000);
    expect(view(w).history.map((h) => ({ criterionId: h.criterionId, centreMark: h.centreMark, before: h.before, after: h.after }))).toEqual([
      { criterionId: a, centreMark: 0, before: null, after: 1 },
      { criterionId: a, centreMark: 0, before: 1, after: null },
    ]);
  });

  it('an attempt not yet marked, and one outside a sitting', () => {
    const w = world({ marked: false });
    expect(view(w)).toMatchObject({ centreMarked: false });
    const loose = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.attempt.candidateUserId, scenarioKey: 's1', variant: 'a' }, T0 + 5000);
    const v = moderationView(w.repos, loose, S1);
    expect(v).toMatchObject({ sittingId: null, sittingResult: null, centreMarked: false, centreTotal: null });
    expect(v.criteria.every((c) => c.centreMark === null && c.comment === '')).toBe(true);
  });
});
