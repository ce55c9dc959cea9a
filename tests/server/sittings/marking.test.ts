// Marking an attempt (server/sittings/marking.ts) over a real SQLite database and the shipped
// scenario S1 (twelve criteria of 1 mark; with no call the auto-checks decide 0 for some criteria,
// leave answer time and hold time undecided, and suggest nothing for the rest). Written from the
// rules at the top of marking.ts: what a save refuses and why (and that a refused save writes
// nothing), override and change reasons, one audit row per change, finishing the marking, the
// re-take rule, and the marking view built from what was saved. The API tests
// (tests/server/api/marking.test.ts) cover the same over HTTP; this one is quick enough for
// `npm run mutation:marking`.
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';
import type { Attempt } from '../../../server/db/repositories/attempts.js';
import type { Repositories } from '../../../server/db/repositories/index.js';
import { HttpError } from '../../../server/http/errors.js';
import { ValidationFailed } from '../../../server/http/field-problems.js';
import type { SessionUser } from '../../../server/protocol/roles.js';
import { blank, bookmarkView, changedBy, criterionHeading, MAX_COMMENT, markHistory, markingStatus, markingView, saveMarks, saveMarksSchema, type SaveMarks } from '../../../server/sittings/marking.js';
import { useMemoryRepositories } from '../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const S1 = builtInScenarios().find((l) => l.scenario.key === 's1' && l.scenario.variant === 'a')!.scenario;
const IDS = S1.rubric.map((c) => c.criterionId);
// What the auto-checks make of an S1 attempt with no call (checked in the first test).
const DECIDED_ZERO = ['U2-1.1-verify-id', 'U2-6.1-accurate-entry', 'U2-6.1-interaction-record', 'U2-1.4-confirmation', 'U2-7.2-recipients'];
const UNDECIDED = ['U2-1.1-answer-time', 'U2-4.2-hold-max-60'];
const NO_SUGGESTION = ['U2-1.2-questioning', 'U2-1.1-greeting', 'U2-1.1-recording-notice', 'U2-1.3-accurate-info', 'U2-1.4-close-style'];

interface World {
  repos: Repositories;
  assessor: SessionUser;
  attempt: Attempt;
  sittingId: string;
}

function world(): World {
  const { repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'Centre' }, T0).id;
  const a = repos.users.create({ username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, passwordHash: 'x' }, T0);
  const c = repos.users.create({ username: 'cand', displayName: 'Cara Candidate', role: 'candidate', centreId, passwordHash: 'x' }, T0);
  const assessor: SessionUser = { id: a.id, username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, centreName: 'Centre', centreIsDemo: false, mustChangePassword: false };
  const sitting = repos.sittings.create({ centreId, candidateUserId: c.id, assessorUserId: a.id, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: a.id }, T0);
  repos.sittings.start(sitting.id, T0);
  const attempt = repos.attempts.create({ centreId, candidateUserId: c.id, assessorUserId: a.id, scenarioKey: 's1', variant: 'a', sittingId: sitting.id, position: 1 }, T0 + 1000);
  return { repos, assessor, attempt, sittingId: sitting.id };
}

const fresh = (w: World): Attempt => w.repos.attempts.findById(w.attempt.id)!;
const save = (w: World, input: SaveMarks, now = T0 + 60_000) => saveMarks(w.repos, fresh(w), S1, input, w.assessor, now);
/** Every criterion at `mark`, with override reasons where a decided 0 is overridden. */
const all = (mark: 0 | 1): SaveMarks['marks'] => IDS.map((criterionId) => ({ criterionId, mark, ...(mark === 1 && DECIDED_ZERO.includes(criterionId) ? { overrideReason: 'Heard on the recording.' } : {}) }));
const marksOf = (w: World) => Object.fromEntries(w.repos.attemptMarks.forAttempt(w.attempt.id).map((m) => [m.criterionId, m]));
const auditOf = (w: World, action = 'mark-changed') => w.repos.auditLog.forSubject('attempt', w.attempt.id, action);

/** The ValidationFailed a save throws, as its fields. */
function refused(f: () => unknown): Record<string, string> {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationFailed) return e.fields;
    throw e;
  }
  throw new Error('the save was accepted');
}

describe('the save rules', () => {
  it('the auto-checks of a call-less S1 attempt are what this test assumes', () => {
    const w = world();
    const view = markingView(w.repos, fresh(w), S1, T0 + 60_000);
    const suggested = Object.fromEntries(view.criteria.map((c) => [c.criterionId, c.suggestion?.suggestedMarks]));
    for (const id of DECIDED_ZERO) expect(suggested[id]).toBe(0);
    for (const id of UNDECIDED) expect(suggested[id]).toBeNull();
    for (const id of NO_SUGGESTION) expect(suggested[id]).toBeUndefined();
  });

  it('refuses a criterion outside the rubric, one marked twice, and a mark above its maximum, naming each; nothing is written', () => {
    const w = world();
    const fields = refused(() =>
      save(w, {
        marks: [
          { criterionId: 'U2-9.9-made-up', mark: 0 },
          { criterionId: 'U2-1.2-questioning', mark: 1 },
          { criterionId: 'U2-1.2-questioning', mark: 0 },
          { criterionId: 'U2-1.1-greeting', mark: 2 },
        ],
      }),
    );
    expect(fields).toEqual({
      'marks.0.criterionId': 'Criterion U2-9.9-made-up is not in the rubric of S1.',
      'marks.2.criterionId': 'Criterion U2-1.2-questioning is marked twice in one save.',
      'marks.3.mark': 'The mark for U2-1.1-greeting must be a whole number from 0 to 1; got 2.',
    });
    expect(w.repos.attemptMarks.forAttempt(w.attempt.id)).toEqual([]);
    expect(auditOf(w)).toEqual([]);
  });

  it('accepts the maximum itself', () => {
    const w = world();
    save(w, { marks: [{ criterionId: 'U2-1.1-greeting', mark: 1 }] });
    expect(marksOf(w)['U2-1.1-greeting']).toMatchObject({ mark: 1, comment: '', overrideReason: null, updatedBy: w.assessor.id, updatedAt: T0 + 60_000 });
  });

  it('a mark differing from a decided suggestion needs an override reason, stored trimmed', () => {
    const w = world();
    for (const overrideReason of [undefined, null, '   ']) {
      expect(refused(() => save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 1, overrideReason }] }))).toEqual({
        'marks.0.overrideReason': 'The suggestion for U2-1.1-verify-id is 0; say why 1 is given instead.',
      });
    }
    expect(marksOf(w)).toEqual({});
    save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 1, overrideReason: '  Asked for the postcode at 0:40.  ' }] });
    expect(marksOf(w)['U2-1.1-verify-id']).toMatchObject({ mark: 1, overrideReason: 'Asked for the postcode at 0:40.' });
  });

  it('a mark agreeing with the suggestion keeps no override reason; with no decided suggestion a given reason is kept', () => {
    const w = world();
    save(w, {
      marks: [
        { criterionId: 'U2-1.1-verify-id', mark: 0, overrideReason: 'Not needed.' },
        { criterionId: 'U2-1.1-answer-time', mark: 1 },
        { criterionId: 'U2-4.2-hold-max-60', mark: 1, overrideReason: ' No hold was used. ' },
        { criterionId: 'U2-1.2-questioning', mark: 1, overrideReason: 'Open questions throughout.' },
      ],
    });
    const m = marksOf(w);
    expect(m['U2-1.1-verify-id']!.overrideReason).toBeNull();
    expect(m['U2-1.1-answer-time']!.overrideReason).toBeNull();
    expect(m['U2-4.2-hold-max-60']!.overrideReason).toBe('No hold was used.');
    expect(m['U2-1.2-questioning']!.overrideReason).toBe('Open questions throughout.');
  });

  it('an override reason given before stands while its mark stays; sending null clears it (and is refused while the mark still differs)', () => {
    const w = world();
    save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 1, overrideReason: 'Checked the date of birth.' }] });
    save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 1, comment: 'Clear.' }] });
    expect(marksOf(w)['U2-1.1-verify-id']).toMatchObject({ mark: 1, comment: 'Clear.', overrideReason: 'Checked the date of birth.' });
    expect(refused(() => save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 1, overrideReason: null }] }))).toHaveProperty(['marks.0.overrideReason']);
    // Back to the suggestion (a change of a saved mark, so with a reason): the override reason goes.
    save(w, { marks: [{ criterionId: 'U2-1.1-verify-id', mark: 0 }], reason: 'Second listen.' });
    expect(marksOf(w)['U2-1.1-verify-id']!.overrideReason).toBeNull();
    // A reason from before does not carry over to a different mark.
    save(w, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 1, overrideReason: 'No hold.' }] });
    save(w, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 0 }], reason: 'The hold ran long.' });
    expect(marksOf(w)['U2-4.2-hold-max-60']!.overrideReason).toBeNull();
  });

  it('changing a saved mark needs a reason; saving the same mark again does not', () => {
    const w = world();
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.' }] });
    for (const reason of [undefined, null, ' ']) {
      expect(refused(() => save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 0 }], reason }))).toEqual({ reason: 'A saved mark is being changed: give the reason for the change.' });
    }
    expect(marksOf(w)['U2-1.2-questioning']!.mark).toBe(1);
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Very good.' }] });
    // The comment given before stays when a save sends none.
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 0 }], reason: '  Closed questions at the end.  ' });
    expect(marksOf(w)['U2-1.2-questioning']).toMatchObject({ mark: 0, comment: 'Very good.' });
  });

  it('writes one audit row per changed mark or comment, none for an unchanged one, with the reason where there is one', () => {
    const w = world();
    const by = { actorUserId: w.assessor.id, actorRole: 'assessor', centreId: w.attempt.centreId, subjectType: 'attempt', subjectId: w.attempt.id };
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.' }, { criterionId: 'U2-1.1-greeting', mark: 0 }] }, T0 + 1);
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.' }, { criterionId: 'U2-1.1-greeting', mark: 0 }], reason: 'Nothing moved.' }, T0 + 2);
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Better.' }], reason: ' Listened again. ' }, T0 + 3);
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 0 }], reason: ' Missed a question. ' }, T0 + 4);
    const rows = auditOf(w);
    expect(rows.map(({ at, before, after, reason }) => ({ at, before, after, reason }))).toEqual([
      { at: T0 + 1, before: null, after: { criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.', overrideReason: null }, reason: null },
      { at: T0 + 1, before: null, after: { criterionId: 'U2-1.1-greeting', mark: 0, comment: '', overrideReason: null }, reason: null },
      { at: T0 + 3, before: { criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.', overrideReason: null }, after: { criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Better.', overrideReason: null }, reason: 'Listened again.' },
      { at: T0 + 4, before: { criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Better.', overrideReason: null }, after: { criterionId: 'U2-1.2-questioning', mark: 0, comment: 'Better.', overrideReason: null }, reason: 'Missed a question.' },
    ]);
    for (const r of rows) expect(r).toMatchObject(by);
    // An override reason given on its own is a change too.
    save(w, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 1 }] }, T0 + 5);
    save(w, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 1, overrideReason: 'No hold.' }] }, T0 + 6);
    expect(auditOf(w).slice(-2).map((r) => r.at)).toEqual([T0 + 5, T0 + 6]);
  });

  it('final needs every criterion marked, counting those saved before, and names the missing ones', () => {
    const w = world();
    save(w, { marks: all(0).slice(0, 9) });
    expect(refused(() => save(w, { marks: [{ criterionId: IDS[9]!, mark: 0 }], final: true }))).toEqual({
      final: `Marking cannot be finished: not every criterion is marked yet (${IDS.slice(10).join(', ')}).`,
    });
    expect(fresh(w).markedAt).toBeNull();
    expect(marksOf(w)[IDS[9]!]).toBeUndefined();
    // Not final: the same partial save is fine.
    save(w, { marks: [{ criterionId: IDS[9]!, mark: 0 }], final: false });
    expect(fresh(w)).toMatchObject({ markedAt: null, status: 'open' });
  });

  it('final with every criterion marked finishes the marking once and closes the attempt', () => {
    const w = world();
    save(w, { marks: all(1).slice(0, 6) }, T0 + 10);
    save(w, { marks: all(1).slice(6), final: true }, T0 + 20);
    expect(fresh(w)).toMatchObject({ markedAt: T0 + 20, markedBy: w.assessor.id, status: 'closed', closedAt: T0 + 20 });
    const finished = auditOf(w, 'marking-finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ at: T0 + 20, actorUserId: w.assessor.id, actorRole: 'assessor', after: { total: 12 } });
    expect(auditOf(w, 'attempt-closed')).toMatchObject([{ at: T0 + 20, actorUserId: w.assessor.id, reason: 'Marking finished.' }]);
    // Finishing again (a later correction): no second 'marking-finished', the first time stays.
    save(w, { marks: [{ criterionId: IDS[0]!, mark: 0 }], reason: 'Answered late.', final: true }, T0 + 30);
    expect(auditOf(w, 'marking-finished')).toHaveLength(1);
    expect(fresh(w).markedAt).toBe(T0 + 20);
  });
});

describe('the re-take rule', () => {
  function retaken(): World {
    const w = world();
    // Marked below the minimum, then re-taken.
    save(w, { marks: all(0), final: true });
    w.repos.attempts.create({ centreId: w.attempt.centreId, candidateUserId: w.attempt.candidateUserId, scenarioKey: 's1', variant: 'b', sittingId: w.sittingId, position: 1, retakeOf: w.attempt.id }, T0 + 120_000);
    return w;
  }

  it('a re-taken attempt may be moved up to 5 but not to 6', () => {
    const w = retaken();
    save(w, { marks: ['U2-1.2-questioning', 'U2-1.1-greeting', 'U2-1.3-accurate-info', 'U2-1.4-close-style', 'U2-1.1-answer-time'].map((criterionId) => ({ criterionId, mark: 1 })), reason: 'Re-marked.' });
    expect(Object.values(marksOf(w)).reduce((s, m) => s + m.mark, 0)).toBe(5);
    let error: unknown;
    try {
      save(w, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 1 }], reason: 'Re-marked.' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 409, code: 'attempt_retaken', message: 'This attempt has been re-taken, which only a mark below 6 allows; it cannot be moved to 6.' });
    expect(marksOf(w)['U2-4.2-hold-max-60']!.mark).toBe(0);
  });

  it('applies only once marks count: a re-taken attempt not yet finished may be saved at any total, and may not be finished at 6', () => {
    const w = world();
    w.repos.attempts.close(w.attempt.id, T0 + 5000);
    w.repos.attempts.create({ centreId: w.attempt.centreId, candidateUserId: w.attempt.candidateUserId, scenarioKey: 's1', variant: 'b', sittingId: w.sittingId, position: 1, retakeOf: w.attempt.id }, T0 + 6000);
    save(w, { marks: all(1) });
    expect(() => save(w, { marks: [], final: true })).toThrow(/cannot be moved to 12/);
    expect(fresh(w).markedAt).toBeNull();
  });

  it('counts only the criteria of the rubric marked against: a mark saved for a criterion since dropped does not count', () => {
    const w = retaken();
    const five = ['U2-1.2-questioning', 'U2-1.1-greeting', 'U2-1.3-accurate-info', 'U2-1.4-close-style', 'U2-1.1-answer-time'];
    save(w, { marks: five.map((criterionId) => ({ criterionId, mark: 1 })), reason: 'Re-marked.' });
    // A later version of S1 without 'U2-1.2-questioning': its saved mark no longer counts, so 5 - 1 + 1 = 5.
    const revised: Scenario = { ...S1, rubric: S1.rubric.filter((c) => c.criterionId !== 'U2-1.2-questioning') };
    saveMarks(w.repos, fresh(w), revised, { marks: [{ criterionId: 'U2-4.2-hold-max-60', mark: 1 }], reason: 'Re-marked.' }, w.assessor, T0 + 70_000);
    expect(marksOf(w)['U2-4.2-hold-max-60']!.mark).toBe(1);
  });

  it('an attempt not re-taken may be finished at any total', () => {
    const w = world();
    save(w, { marks: all(1), final: true });
    expect(fresh(w).markedAt).not.toBeNull();
  });
});

describe('the marking view', () => {
  it('lists the rubric with what was saved and the suggestions, the total once complete, the history and bookmarks', () => {
    const w = world();
    const empty = markingView(w.repos, fresh(w), S1, T0 + 60_000);
    expect(empty).toMatchObject({ attemptId: w.attempt.id, sittingId: w.sittingId, scenarioKey: 's1', title: S1.title, total: null, history: [], bookmarks: [], status: 'open', markingStatus: 'in-progress', markedAt: null });
    expect(empty.criteria.map((c) => c.criterionId)).toEqual(IDS);
    expect(empty.criteria[0]).toEqual({ ...criterionHeading(S1.rubric[0]!), mark: null, comment: '', suggestion: { criterionId: IDS[0], suggestedMarks: null, evidence: expect.any(String) }, overrideReason: null });
    expect(empty.criteria.find((c) => c.criterionId === 'U2-1.2-questioning')!.suggestion).toBeNull();

    // Every line but the recipients (a line the auto-checks decide, 0 here), then that one last.
    const LAST = 'U2-7.2-recipients';
    save(w, { marks: all(1).filter((m) => m.criterionId !== LAST) }, T0 + 100);
    expect(markingView(w.repos, fresh(w), S1, T0 + 200).total).toBeNull();
    save(w, { marks: [{ criterionId: LAST, mark: 1, comment: 'Sent to both.', overrideReason: 'Both recipients.' }], final: true }, T0 + 300);
    w.repos.attemptBookmarks.add({ attemptId: w.attempt.id, at: T0 + 400, callId: null, offsetMs: 1500, note: 'Greeting', cueId: null, createdBy: w.assessor.id });
    const view = markingView(w.repos, fresh(w), S1, T0 + 500);
    expect(view).toMatchObject({ total: 12, status: 'closed', markingStatus: 'marked', markedAt: T0 + 300 });
    expect(view.criteria.find((c) => c.criterionId === LAST)).toMatchObject({ mark: 1, comment: 'Sent to both.', overrideReason: 'Both recipients.', suggestion: { suggestedMarks: 0 } });
    expect(view.history).toHaveLength(12);
    expect(view.history[11]).toEqual({ id: expect.any(Number), criterionId: LAST, at: T0 + 300, by: { id: w.assessor.id, name: 'Ann Assessor', role: 'assessor' }, before: null, after: 1, commentBefore: null, commentAfter: 'Sent to both.', reason: null });
    expect(view.bookmarks).toEqual([{ id: expect.any(Number), attemptId: w.attempt.id, at: T0 + 400, offsetMs: 1500, callId: null, note: 'Greeting', cueId: null, cueWhen: null, by: { id: w.assessor.id, name: 'Ann Assessor' } }]);
    // A total of zero marks is a total, not "incomplete".
    const z = world();
    save(z, { marks: all(0) });
    expect(markingView(z.repos, fresh(z), S1, T0 + 500).total).toBe(0);
  });

  it('the history shows a changed mark before and after, with its reason', () => {
    const w = world();
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 1, comment: 'Good.' }] }, T0 + 1);
    save(w, { marks: [{ criterionId: 'U2-1.2-questioning', mark: 0, comment: 'Weak.' }], reason: 'Second listen.' }, T0 + 2);
    expect(markHistory(w.repos, w.attempt.id).map(({ criterionId, before, after, commentBefore, commentAfter, reason }) => ({ criterionId, before, after, commentBefore, commentAfter, reason }))).toEqual([
      { criterionId: 'U2-1.2-questioning', before: null, after: 1, commentBefore: null, commentAfter: 'Good.', reason: null },
      { criterionId: 'U2-1.2-questioning', before: 1, after: 0, commentBefore: 'Good.', commentAfter: 'Weak.', reason: 'Second listen.' },
    ]);
  });

  it('the history also reads a row without an after (a mark taken away), by its before', () => {
    const w = world();
    w.repos.transaction(() =>
      w.repos.auditLog.append({ at: T0, actor: { userId: w.assessor.id, role: 'assessor' }, centreId: w.attempt.centreId, action: 'mark-changed', subjectType: 'attempt', subjectId: w.attempt.id, before: { criterionId: 'U2-1.1-greeting', mark: 1, comment: 'Yes.', overrideReason: null }, after: null, reason: 'Entered on the wrong attempt.' }),
    );
    expect(markHistory(w.repos, w.attempt.id)).toMatchObject([{ criterionId: 'U2-1.1-greeting', before: 1, after: null, commentBefore: 'Yes.', commentAfter: null, reason: 'Entered on the wrong attempt.' }]);
  });

  it('the marking status: in progress while open, awaiting marks once closed, marked once finished', () => {
    const w = world();
    expect(markingStatus(fresh(w))).toBe('in-progress');
    w.repos.attempts.close(w.attempt.id, T0 + 10);
    expect(markingStatus(fresh(w))).toBe('awaiting-marks');
    w.repos.attempts.markFinished(w.attempt.id, w.assessor.id, T0 + 20);
    expect(markingStatus(fresh(w))).toBe('marked');
    // Marked while still open (not a state the routes make, but "marked" wins).
    const o = world();
    o.repos.attempts.markFinished(o.attempt.id, o.assessor.id, T0 + 20);
    expect(markingStatus(fresh(o))).toBe('marked');
  });

  it('who changed a mark: the user, or "system" when no user did', () => {
    const w = world();
    const entry = w.repos.transaction(() => w.repos.auditLog.append({ at: T0, actor: null, centreId: w.attempt.centreId, action: 'mark-changed', subjectType: 'attempt', subjectId: w.attempt.id, before: null, after: { criterionId: 'U2-1.2-questioning', mark: 0, comment: '', overrideReason: null } }));
    expect(changedBy(w.repos, entry)).toEqual({ id: 0, name: 'system', role: 'system' });
    const byUser = w.repos.transaction(() => w.repos.auditLog.append({ at: T0, actor: { userId: w.assessor.id, role: 'assessor' }, centreId: w.attempt.centreId, action: 'note', subjectType: 'attempt', subjectId: w.attempt.id }));
    expect(changedBy(w.repos, byUser)).toEqual({ id: w.assessor.id, name: 'Ann Assessor', role: 'assessor' });
    expect(bookmarkView(w.repos, { id: 9, attemptId: w.attempt.id, at: T0, callId: null, offsetMs: null, note: '', cueId: null, createdBy: 999 }, []).by).toEqual({ id: 999, name: 'user 999' });
  });

  it("a bookmark's cue is named by when it is played in the caller brief, never by its id", () => {
    const w = world();
    const cues = [{ id: 'old-mobile', when: 'While the candidate is confirming her details', prompt: 'Say so.', tests: [] }];
    const view = (cueId: string | null) => bookmarkView(w.repos, { id: 9, attemptId: w.attempt.id, at: T0, callId: null, offsetMs: null, note: 'n', cueId, createdBy: w.assessor.id }, cues);
    expect(view('old-mobile')).toMatchObject({ cueId: 'old-mobile', cueWhen: 'While the candidate is confirming her details' });
    expect(view('gone-from-the-brief').cueWhen).toBeNull();
    expect(view(null).cueWhen).toBeNull();
  });

  it('blank: absent, null and white space only', () => {
    for (const s of [undefined, null, '', ' \t\n']) expect(blank(s)).toBe(true);
    expect(blank(' x ')).toBe(false);
  });
});

describe('the save schema', () => {
  const ok = (input: unknown) => saveMarksSchema.safeParse(input).success;
  const message = (input: unknown) => {
    const r = saveMarksSchema.safeParse(input);
    return r.success ? undefined : r.error.issues[0]!.message;
  };

  it('takes whole marks from 0, comments, override reasons and reasons up to the limit, and final', () => {
    const long = 'x'.repeat(MAX_COMMENT);
    expect(MAX_COMMENT).toBe(2000);
    expect(ok({ marks: [{ criterionId: 'c', mark: 0, comment: long, overrideReason: long }], reason: long, final: true })).toBe(true);
    expect(ok({ marks: [{ criterionId: 'c', mark: 3, overrideReason: null }], reason: null })).toBe(true);
    expect(ok({ marks: Array.from({ length: 100 }, (_, i) => ({ criterionId: `c${i}`, mark: 0 })) })).toBe(true);
    expect(ok({ marks: [{ criterionId: 'x'.repeat(100), mark: 0 }] })).toBe(true);
  });

  it('refuses, with words a person can act on', () => {
    const over = 'x'.repeat(MAX_COMMENT + 1);
    expect(message({ marks: [{ criterionId: 'c', mark: 1.5 }] })).toBe('must be a whole number');
    expect(message({ marks: [{ criterionId: 'c', mark: '1' }] })).toBe('must be a whole number');
    expect(message({ marks: [{ criterionId: 'c', mark: -1 }] })).toBe('must be 0 or more');
    expect(message({ marks: [{ criterionId: 'c', mark: 0, comment: over }] })).toBe('must be at most 2000 characters');
    expect(message({ marks: [{ criterionId: 'c', mark: 0, overrideReason: over }] })).toBe('must be at most 2000 characters');
    expect(message({ marks: [], reason: over })).toBe('must be at most 2000 characters');
    expect(ok({ marks: [{ criterionId: '', mark: 0 }] })).toBe(false);
    expect(ok({ marks: [{ criterionId: 'x'.repeat(101), mark: 0 }] })).toBe(false);
    expect(ok({ marks: Array.from({ length: 101 }, (_, i) => ({ criterionId: `c${i}`, mark: 0 })) })).toBe(false);
    // Unknown fields are refused, in a mark and in the save.
    expect(ok({ marks: [{ criterionId: 'c', mark: 0, grade: 'A' }] })).toBe(false);
    expect(ok({ marks: [], total: 12 })).toBe(false);
    expect(ok({ marks: [], final: 'yes' })).toBe(false);
  });
});
