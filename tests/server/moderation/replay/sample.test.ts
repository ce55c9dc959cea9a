// A centre's moderation sample as the moderator sees it (server/moderation/replay/sample.ts) over a
// real SQLite database and the shipped scenarios, without the app: the sampling rule run over the
// centre's ENDED sittings by the centre's own marks (a moderated mark moves the total shown, never
// the sample), each sitting with its people, totals, reasons and attempts, and the moderator's
// changes on top (a proposed sitting taken out, another added, the newest change of a sitting
// standing; changes to sittings that have not ended, or of another centre, ignored).
// tests/server/api/assurance.test.ts shows the same through the API; this file is quick enough
// for `npm run mutation:replay`.
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../../server/assessment/scenario-schema.js';
import type { Attempt } from '../../../../server/db/repositories/attempts.js';
import type { Repositories } from '../../../../server/db/repositories/index.js';
import { forSamplingRule, inSample, sampleView } from '../../../../server/moderation/replay/sample.js';
import type { SampleSittingView, SampleView } from '../../../../server/protocol/moderation.js';
import { sittingResults } from '../../../../server/sittings/results.js';
import { useMemoryRepositories } from '../../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const KEYS = ['s1', 's4', 's5', 's3'];
const SCENARIOS = new Map(KEYS.map((k) => [k, builtInScenarios().find((l) => l.scenario.key === k && l.scenario.variant === 'a')!.scenario]));

interface World {
  repos: Repositories;
  centreId: number;
  otherCentreId: number;
  moderator: number;
  assessors: number[];
  people: Map<number, string>;
}

function world(): World {
  const { repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'Centre' }, T0).id;
  const otherCentreId = repos.centres.create({ name: 'Other centre' }, T0).id;
  const people = new Map<number, string>();
  const user = (username: string, displayName: string, role: 'assessor' | 'moderator', centre: number | null) => {
    const id = repos.users.create({ username, displayName, role, centreId: centre, passwordHash: 'x' }, T0).id;
    people.set(id, displayName);
    return id;
  };
  const assessors = [user('a1', 'Ann Assessor', 'assessor', centreId), user('a2', 'Bob Assessor', 'assessor', centreId), user('a3', 'Cy Assessor', 'assessor', centreId)];
  const moderator = user('mod', 'Mo Moderator', 'moderator', null);
  return { repos, centreId, otherCentreId, moderator, assessors, people };
}

let nextCandidate = 0;
let clock = T0;

/** Marks an attempt to `total`, criteria filled in rubric order, and finishes its marking. */
function mark(w: World, attempt: Attempt, total: number): void {
  const scenario: Scenario = SCENARIOS.get(attempt.scenarioKey)!;
  let left = total;
  for (const c of scenario.rubric) {
    const m = Math.min(c.maxMarks, left);
    left -= m;
    w.repos.attemptMarks.save({ attemptId: attempt.id, criterionId: c.criterionId, mark: m, comment: '', overrideReason: null, updatedAt: clock, updatedBy: attempt.assessorUserId ?? w.assessors[0]! });
  }
  expect(left).toBe(0);
  w.repos.attempts.markFinished(attempt.id, w.assessors[0]!, clock);
}

interface Made {
  id: string;
  candidate: number;
  /** Attempts by position, oldest first. */
  attempts: Attempt[];
}

/**
 * A sitting of a new candidate: each of `totals` is the mark of the assignment at that position
 * (null: not taken); `retake` re-takes assignment 1 (first marked `retake.first`). Ended unless
 * `ended` is false.
 */
function sitting(w: World, name: string, assessor: number | null, totals: ReadonlyArray<number | null>, opts: { retake?: { first: number }; ended?: boolean; centreId?: number } = {}): Made {
  const centreId = opts.centreId ?? w.centreId;
  clock += 60_000;
  const candidate = w.repos.users.create({ username: `cand${++nextCandidate}`, displayName: name, role: 'candidate', centreId, passwordHash: 'x' }, clock).id;
  w.people.set(candidate, name);
  const s = w.repos.sittings.create({ centreId, candidateUserId: candidate, assessorUserId: assessor, scenarioKeys: KEYS, scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: w.assessors[0]! }, clock);
  w.repos.sittings.start(s.id, clock);
  const attempts: Attempt[] = [];
  totals.forEach((total, i) => {
    if (total === null) return;
    const make = (retakeOf: string | null) => {
      clock += 1000;
      const a = w.repos.attempts.create({ centreId, candidateUserId: candidate, assessorUserId: assessor, scenarioKey: KEYS[i]!, variant: 'a', sittingId: s.id, position: i + 1, retakeOf }, clock);
      w.repos.attempts.close(a.id, clock + 500);
      return w.repos.attempts.findById(a.id)!;
    };
    if (i === 0 && opts.retake) {
      const first = make(null);
      mark(w, first, opts.retake.first);
      attempts.push(first);
      const again = make(first.id);
      mark(w, again, total);
      attempts.push(again);
      return;
    }
    const a = make(null);
    mark(w, a, total);
    attempts.push(a);
  });
  if (opts.ended !== false) w.repos.sittings.end(s.id, clock + 2000);
  return { id: s.id, candidate, attempts };
}

/** A moderator raises the first criteria of an attempt that have room, by `by` marks in all. */
function moderateUp(w: World, attempt: Attempt, by: number): void {
  const centre = new Map(w.repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m.mark]));
  let left = by;
  for (const c of SCENARIOS.get(attempt.scenarioKey)!.rubric) {
    const now = centre.get(c.criterionId)!;
    const up = Math.min(c.maxMarks - now, left);
    if (up === 0) continue;
    left -= up;
    w.repos.moderation.saveMark({ attemptId: attempt.id, criterionId: c.criterionId, mark: now + up, reason: 'Heard on the recording.', updatedAt: clock, updatedBy: w.moderator });
    if (left === 0) return;
  }
  throw new Error('no room to moderate up');
}

function change(w: World, sittingId: string, action: 'add' | 'remove', reason: string, centreId = w.centreId): void {
  clock += 1000;
  w.repos.moderation.addSampleChange({ centreId, sittingId, action, reason, at: clock, byUserId: w.moderator });
}

const find = (list: readonly SampleSittingView[], id: string) => list.find((s) => s.sittingId === id);
const ids = (list: readonly SampleSittingView[]) => list.map((s) => s.sittingId).sort();

/** The centre of the tests: one sitting for each way into the sample, and some that stay out. */
function centreWithSittings() {
  const w = world();
  const [a1, a2, a3] = w.assessors as [number, number, number];
  const made = {
    fail: sitting(w, 'Fay Fail', a1, [3, 3, 3, 3]),
    near: sitting(w, 'Nia Near', a1, [7, 7, 7, 7]),
    far1: sitting(w, 'Fred Far', a1, [8, 8, 8, 8]),
    retake: sitting(w, 'Rita Retake', a2, [8, 8, 8, 8], { retake: { first: 4 } }),
    far2: sitting(w, 'Frank Far', a2, [8, 8, 8, 8]),
    incomplete: sitting(w, 'Ian Incomplete', a3, [8, 8, 8, null]),
    unassessed: sitting(w, 'Una Nobody', null, [8, 8, 8, 8]),
  };
  const open = sitting(w, 'Otto Open', a1, [7, 7, 7, 7], { ended: false });
  const foreign = sitting(w, 'Flora Foreign', null, [7, 7, 7, 7], { centreId: w.otherCentreId });
  return { w, made, open, foreign };
}

describe('sampleView: the rule over the centre’s ended sittings', () => {
  it('proposes fails, re-takes, results near a boundary, an assessor minimum and a share of the rest, each in full', () => {
    const { w, made } = centreWithSittings();
    const v = sampleView(w.repos, w.centreId);
    expect(v.centreId).toBe(w.centreId);
    expect(v.of).toBe(7);
    expect(v.config).toEqual({ percentage: 10, boundaryMargin: 2, perAssessor: 1, includeRetakes: true, seed: 'callmark' });
    expect(v.removed).toEqual([]);

    const fail = find(v.sample, made.fail.id)!;
    expect(fail).toEqual({
      sittingId: made.fail.id,
      candidate: { id: made.fail.candidate, name: 'Fay Fail' },
      assessor: { id: w.assessors[0], name: 'Ann Assessor' },
      endedAt: w.repos.sittings.findById(made.fail.id)!.endedAt,
      total: 12,
      grade: null,
      centreTotal: 12,
      centreGrade: null,
      moderated: false,
      source: 'rule',
      reasons: ['fail'],
      explanations: ['no grade: every fail is checked'],
      overrideReason: null,
      attempts: made.fail.attempts.map((a, i) => ({ attemptId: a.id, position: i + 1, scenarioKey: KEYS[i], retake: false })),
    });
    expect(typeof fail.endedAt).toBe('number');
    expect(find(v.sample, made.near.id)).toMatchObject({ total: 28, grade: 'Pass', centreTotal: 28, centreGrade: 'Pass', reasons: ['near-boundary'], explanations: ['total 28 is 1 mark from the Merit boundary (29)'] });
    expect(find(v.sample, made.retake.id)).toMatchObject({ total: 32, grade: 'Merit', reasons: ['retake'], assessor: { name: 'Bob Assessor' } });
    expect(find(v.sample, made.retake.id)!.attempts.map((a) => [a.position, a.retake])).toEqual([
      [1, false],
      [1, true],
      [2, false],
      [3, false],
      [4, false],
    ]);
    // Assessor 3's only sitting, without a total: in by the assessor minimum.
    expect(find(v.sample, made.incomplete.id)).toMatchObject({ total: null, grade: null, centreTotal: null, centreGrade: null, reasons: ['assessor-minimum'], explanations: ['at least 1 sitting of every assessor'] });
    expect(find(v.sample, made.incomplete.id)!.attempts).toHaveLength(3);
    // Assessors 1 and 2 are covered already: their far-from-boundary sittings and the one with no
    // assessor are the rest, of which 10 % (rounded up: one) is drawn.
    const rest = [made.far1.id, made.far2.id, made.unassessed.id];
    const drawn = v.sample.filter((s) => rest.includes(s.sittingId));
    expect(drawn).toHaveLength(1);
    expect(drawn[0]).toMatchObject({ total: 32, grade: 'Merit', reasons: ['random'], explanations: ['10% of the remaining sittings (seed "callmark")'] });
    expect(ids(v.sample)).toEqual([made.fail.id, made.near.id, made.retake.id, made.incomplete.id, drawn[0]!.sittingId].sort());
    expect(find(v.sample, made.unassessed.id)?.assessor ?? null).toBeNull();
  });

  it('lists every ended sitting of the centre and only those, newest first, saying which are in the sample', () => {
    const { w, made, open, foreign } = centreWithSittings();
    const v = sampleView(w.repos, w.centreId);
    const order = [made.unassessed, made.incomplete, made.far2, made.retake, made.far1, made.near, made.fail];
    expect(v.sittings.map((s) => s.sittingId)).toEqual(order.map((m) => m.id));
    expect(v.sittings.find((s) => s.sittingId === made.fail.id)).toEqual({ sittingId: made.fail.id, candidate: { id: made.fail.candidate, name: 'Fay Fail' }, endedAt: w.repos.sittings.findById(made.fail.id)!.endedAt, inSample: true });
    for (const s of v.sittings) expect(s.inSample).toBe(inSample(v, s.sittingId));
    expect(v.sittings.filter((s) => s.inSample)).toHaveLength(5);
    expect([...v.sample, ...v.removed].some((s) => s.sittingId === open.id || s.sittingId === foreign.id)).toBe(false);
    expect(inSample(v, open.id)).toBe(false);
    expect(sampleView(w.repos, w.otherCentreId)).toMatchObject({ of: 1, sittings: [{ sittingId: foreign.id, inSample: true }] });
  });

  it('reads the centre’s marks: a moderated total is shown, the sample does not move', () => {
    const { w, made } = centreWithSittings();
    const before = sampleView(w.repos, w.centreId);
    // Moderation raises Nia's 28 to 32 (far from any boundary) and Fred's 32 to 30 (near Merit): neither moves.
    moderateUp(w, made.near.attempts[0]!, 4);
    const fredsFirst = made.far1.attempts[0]!;
    for (const m of w.repos.attemptMarks.forAttempt(fredsFirst.id).filter((x) => x.mark > 0).slice(0, 2)) {
      w.repos.moderation.saveMark({ attemptId: fredsFirst.id, criterionId: m.criterionId, mark: m.mark - 1, reason: 'Not heard.', updatedAt: clock, updatedBy: w.moderator });
    }
    const after = sampleView(w.repos, w.centreId);
    expect(ids(after.sample)).toEqual(ids(before.sample));
    expect(find(after.sample, made.near.id)).toMatchObject({ total: 32, grade: 'Merit', centreTotal: 28, centreGrade: 'Pass', moderated: true, reasons: ['near-boundary'], explanations: ['total 28 is 1 mark from the Merit boundary (29)'] });
    expect(find(after.sample, made.fail.id)!.moderated).toBe(false);
    expect(after.sample.find((x) => x.sittingId === made.far1.id)?.reasons.includes('near-boundary') ?? false).toBe(false);
    expect(sittingResults(w.repos, w.repos.sittings.findById(made.far1.id)!).counted.result.total).toBe(30);
  });
});

describe('sampleView: the moderator’s changes on top', () => {
  it('a proposed sitting taken out moves to `removed` with the reason; one not proposed is added with its reason', () => {
    const { w, made } = centreWithSittings();
    const left = [made.far1.id, made.far2.id, made.unassessed.id].filter((id) => !inSample(sampleView(w.repos, w.centreId), id));
    expect(left).toHaveLength(2);
    change(w, made.fail.id, 'remove', 'Checked at the last visit.');
    change(w, left[0]!, 'add', 'The assessor asked for a second look.');
    const v = sampleView(w.repos, w.centreId);
    expect(v.removed).toEqual([expect.objectContaining({ sittingId: made.fail.id, source: 'rule', reasons: ['fail'], overrideReason: 'Checked at the last visit.' })]);
    expect(inSample(v, made.fail.id)).toBe(false);
    const added = find(v.sample, left[0]!)!;
    expect(added).toMatchObject({ source: 'added', reasons: ['added'], explanations: [], overrideReason: 'The assessor asked for a second look.', total: 32, centreTotal: 32, grade: 'Merit' });
    expect(inSample(v, left[0]!)).toBe(true);
    expect(inSample(v, left[1]!)).toBe(false);
    expect(v.sittings.find((s) => s.sittingId === made.fail.id)!.inSample).toBe(false);
    expect(v.sittings.find((s) => s.sittingId === left[0])!.inSample).toBe(true);
    // The rule's own picks carry no moderator's reason.
    expect(find(v.sample, made.near.id)!.overrideReason).toBeNull();
  });

  it('the newest change of a sitting stands', () => {
    const { w, made } = centreWithSittings();
    const left = [made.far1.id, made.far2.id, made.unassessed.id].filter((id) => !inSample(sampleView(w.repos, w.centreId), id));
    change(w, made.near.id, 'remove', 'Seen before.');
    change(w, made.near.id, 'add', 'Back in: the boundary matters.');
    change(w, left[0]!, 'add', 'A second look.');
    change(w, left[0]!, 'remove', 'Not needed after all.');
    const v = sampleView(w.repos, w.centreId);
    // Put back: proposed by the rule again, once, with the newest reason.
    expect(v.sample.filter((s) => s.sittingId === made.near.id)).toEqual([expect.objectContaining({ source: 'rule', reasons: ['near-boundary'], overrideReason: 'Back in: the boundary matters.' })]);
    expect(v.removed).toEqual([]);
    // Added then taken out: in neither list (it was never proposed).
    expect(inSample(v, left[0]!)).toBe(false);
    expect(find(v.removed, left[0]!)).toBeUndefined();
  });

  it('adding a sitting already proposed keeps one entry, by the rule; changes to a sitting not ended, or filed under another centre, are ignored', () => {
    const { w, made, open, foreign } = centreWithSittings();
    change(w, made.retake.id, 'add', 'Make sure.');
    change(w, open.id, 'add', 'Still running.');
    change(w, foreign.id, 'add', 'Wrong centre.');
    change(w, made.far1.id, 'add', 'Filed under the other centre.', w.otherCentreId);
    const v = sampleView(w.repos, w.centreId);
    expect(v.sample.filter((s) => s.sittingId === made.retake.id)).toEqual([expect.objectContaining({ source: 'rule', reasons: ['retake'], overrideReason: 'Make sure.' })]);
    expect(v.sample).toHaveLength(5);
    expect(inSample(v, open.id)).toBe(false);
    expect(inSample(v, foreign.id)).toBe(false);
    expect(sampleView(w.repos, w.otherCentreId).sample.map((s) => s.sittingId)).toEqual([foreign.id]);
  });
});

describe('forSamplingRule: a sitting as the rule reads it', () => {
  const ruleOf = (w: World, id: string) => forSamplingRule(sittingResults(w.repos, w.repos.sittings.findById(id)!));

  it('the centre’s total and grade, whether re-taken, whether failed', () => {
    const { w, made } = centreWithSittings();
    expect(ruleOf(w, made.fail.id)).toEqual({ sittingId: made.fail.id, assessorUserId: w.assessors[0], total: 12, grade: null, retake: false, failed: true });
    expect(ruleOf(w, made.near.id)).toEqual({ sittingId: made.near.id, assessorUserId: w.assessors[0], total: 28, grade: 'Pass', retake: false, failed: false });
    expect(ruleOf(w, made.retake.id)).toMatchObject({ total: 32, grade: 'Merit', retake: true, failed: false });
    // Not complete: no total, and not a fail (it is still open to marking).
    expect(ruleOf(w, made.incomplete.id)).toEqual({ sittingId: made.incomplete.id, assessorUserId: w.assessors[2], total: null, grade: null, retake: false, failed: false });
    expect(ruleOf(w, made.unassessed.id).assessorUserId).toBeNull();
  });

  it('one assignment below the minimum with a re-take left: no grade, complete, a fail to sample', () => {
    const w = world();
    const s = sitting(w, 'Lou Low', w.assessors[0]!, [12, 12, 12, 4]);
    expect(ruleOf(w, s.id)).toMatchObject({ total: 40, grade: null, failed: true });
    const v: SampleView = sampleView(w.repos, w.centreId);
    expect(find(v.sample, s.id)).toMatchObject({ total: 40, grade: null, reasons: ['fail'] });
  });
});
