// Loading a sitting or an attempt for a user (server/auth/sitting-access.ts, attempt-access.ts)
// over a real SQLite database: the record when the user may have it, the same 404 as an unknown id
// when not (so ids cannot be probed), ids matched whatever their letter case, writes only by the
// attempt's own candidate while it is open, and under the 'stop' overrun policy a sitting past its
// time ended (its open attempt closed) before the write is refused.
import { describe, expect, it } from 'vitest';
import { AttemptAccess } from '../../../server/auth/attempt-access.js';
import { SittingAccess } from '../../../server/auth/sitting-access.js';
import { ManualClock } from '../../../server/clock.js';
import type { Repositories } from '../../../server/db/repositories/index.js';
import { HttpError } from '../../../server/http/errors.js';
import type { Role, SessionUser } from '../../../server/protocol/roles.js';
import { useMemoryRepositories } from '../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const START = Date.UTC(2026, 2, 2, 9, 0, 0);

interface World {
  repos: Repositories;
  clock: ManualClock;
  own: number;
  other: number;
  people: Record<'admin' | 'moderator' | 'assessor' | 'foreignAssessor' | 'iqa' | 'candidate' | 'otherCandidate', SessionUser>;
}

function world(): World {
  const { repos } = memoryRepositories();
  const own = repos.centres.create({ name: 'Own centre' }, START).id;
  const other = repos.centres.create({ name: 'Other centre' }, START).id;
  const person = (username: string, role: Role, centreId: number | null): SessionUser => {
    const u = repos.users.create({ username, displayName: username, role, centreId, passwordHash: 'x' }, START);
    return { id: u.id, username, displayName: username, role, centreId, centreName: null, centreIsDemo: false, mustChangePassword: false };
  };
  return {
    repos,
    clock: new ManualClock(START),
    own,
    other,
    people: {
      admin: person('admin', 'admin', null),
      moderator: person('moderator', 'moderator', null),
      assessor: person('assessor', 'assessor', own),
      foreignAssessor: person('assessor2', 'assessor', other),
      iqa: person('iqa', 'iqa', own),
      candidate: person('candidate', 'candidate', own),
      otherCandidate: person('candidate2', 'candidate', own),
    },
  };
}

/** A sitting of the own centre for the candidate, started at START: 60 minutes, the given overrun policy. */
function startedSitting(w: World, overrunPolicy: 'warn' | 'stop') {
  const s = w.repos.sittings.create(
    { centreId: w.own, candidateUserId: w.people.candidate.id, assessorUserId: w.people.assessor.id, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: w.people.assessor.id, overrunPolicy },
    START,
  );
  w.repos.sittings.start(s.id, START);
  const attempt = w.repos.attempts.create({ centreId: w.own, candidateUserId: w.people.candidate.id, assessorUserId: w.people.assessor.id, scenarioKey: 's1', sittingId: s.id, position: 1 }, START + 60_000);
  return { sitting: w.repos.sittings.findById(s.id)!, attempt };
}

/** The error a call throws (or undefined when it returns). */
function thrown(f: () => unknown): HttpError | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof HttpError) return e;
    // Not rethrown as is: a thrown undefined would not fail the test.
    throw new Error(`expected an HttpError, got ${String(e)}`);
  }
}

const notFound = (what: string) => ({ statusCode: 404, code: 'not_found', message: `There is no such ${what}.` });

describe('SittingAccess', () => {
  it('gives readers the sitting, by an id in any letter case, and everyone else the 404 of an unknown id', () => {
    const w = world();
    const { sitting } = startedSitting(w, 'warn');
    const access = new SittingAccess(w.repos);
    const readers = [w.people.admin, w.people.moderator, w.people.assessor, w.people.iqa, w.people.candidate];
    for (const u of readers) {
      expect(access.readable(u, sitting.id).id).toBe(sitting.id);
      expect(access.readable(u, sitting.id.toUpperCase()).id).toBe(sitting.id);
    }
    for (const u of [w.people.foreignAssessor, w.people.otherCandidate]) {
      expect(thrown(() => access.readable(u, sitting.id))).toMatchObject(notFound('sitting'));
    }
    const unknown = thrown(() => access.readable(w.people.admin, '00000000-0000-4000-8000-000000000000'));
    expect(unknown).toMatchObject(notFound('sitting'));
  });

  it('lets only the centre\u2019s assessors and admins run the sitting', () => {
    const w = world();
    const { sitting } = startedSitting(w, 'warn');
    const access = new SittingAccess(w.repos);
    for (const u of [w.people.admin, w.people.assessor]) {
      expect(access.runnable(u, sitting.id.toUpperCase()).id).toBe(sitting.id);
    }
    for (const u of [w.people.moderator, w.people.iqa, w.people.candidate, w.people.foreignAssessor, w.people.otherCandidate]) {
      expect(thrown(() => access.runnable(u, sitting.id))).toMatchObject(notFound('sitting'));
    }
    expect(thrown(() => access.runnable(w.people.admin, 'no-such-sitting'))).toMatchObject(notFound('sitting'));
  });
});

describe('AttemptAccess', () => {
  it('gives readers the attempt, by an id in any letter case, and everyone else the 404 of an unknown id', () => {
    const w = world();
    const { attempt } = startedSitting(w, 'warn');
    const access = new AttemptAccess(w.repos, w.clock);
    for (const u of [w.people.admin, w.people.moderator, w.people.assessor, w.people.candidate]) {
      expect(access.readable(u, attempt.id.toUpperCase()).id).toBe(attempt.id);
    }
    for (const u of [w.people.foreignAssessor, w.people.otherCandidate]) {
      expect(thrown(() => access.readable(u, attempt.id))).toMatchObject(notFound('attempt'));
    }
    expect(thrown(() => access.readable(w.people.admin, 'no-such-attempt'))).toMatchObject(notFound('attempt'));
  });

  it('lets staff supervise it and not its candidate', () => {
    const w = world();
    const { attempt } = startedSitting(w, 'warn');
    const access = new AttemptAccess(w.repos);
    for (const u of [w.people.admin, w.people.moderator, w.people.assessor]) {
      expect(access.supervised(u, attempt.id.toUpperCase()).id).toBe(attempt.id);
    }
    for (const u of [w.people.candidate, w.people.foreignAssessor, w.people.otherCandidate]) {
      expect(thrown(() => access.supervised(u, attempt.id))).toMatchObject(notFound('attempt'));
    }
    expect(thrown(() => access.supervised(w.people.admin, 'no-such-attempt'))).toMatchObject(notFound('attempt'));
  });

  it('lets only its own candidate write while it is open; staff who may read it get the 404', () => {
    const w = world();
    const { attempt } = startedSitting(w, 'warn');
    const access = new AttemptAccess(w.repos, w.clock);
    expect(access.writable(w.people.candidate, attempt.id.toUpperCase(), 'closed').id).toBe(attempt.id);
    for (const u of [w.people.admin, w.people.moderator, w.people.assessor, w.people.otherCandidate]) {
      expect(thrown(() => access.writable(u, attempt.id, 'closed'))).toMatchObject(notFound('attempt'));
    }
    w.repos.attempts.close(attempt.id, START + 120_000);
    expect(thrown(() => access.writable(w.people.candidate, attempt.id, 'The attempt has ended.'))).toMatchObject({ statusCode: 409, code: 'attempt_closed', message: 'The attempt has ended.' });
  });

  it("under the 'stop' policy, a write after the sitting's time ends the sitting and is refused", () => {
    const w = world();
    const { sitting, attempt } = startedSitting(w, 'stop');
    const access = new AttemptAccess(w.repos, w.clock);
    w.clock.advance(59 * 60_000);
    expect(access.writable(w.people.candidate, attempt.id, 'closed').status).toBe('open');
    w.clock.advance(2 * 60_000);
    expect(thrown(() => access.writable(w.people.candidate, attempt.id, 'Time is up.'))).toMatchObject({ statusCode: 409, code: 'attempt_closed', message: 'Time is up.' });
    expect(w.repos.sittings.findById(sitting.id)!.status).toBe('ended');
    expect(w.repos.attempts.findById(attempt.id)!.status).toBe('closed');
  });

  it("under the 'warn' policy, or without a clock, the write goes on past the time", () => {
    const w = world();
    const { sitting, attempt } = startedSitting(w, 'warn');
    w.clock.advance(90 * 60_000);
    expect(new AttemptAccess(w.repos, w.clock).writable(w.people.candidate, attempt.id, 'closed').status).toBe('open');
    expect(w.repos.sittings.findById(sitting.id)!.status).toBe('in-progress');

    const stopped = world();
    const s = startedSitting(stopped, 'stop');
    stopped.clock.advance(90 * 60_000);
    expect(new AttemptAccess(stopped.repos).writable(stopped.people.candidate, s.attempt.id, 'closed').status).toBe('open');
    expect(stopped.repos.sittings.findById(s.sitting.id)!.status).toBe('in-progress');
  });

  it('an attempt outside any sitting is written without looking for one', () => {
    const w = world();
    const attempt = w.repos.attempts.create({ centreId: w.own, candidateUserId: w.people.candidate.id, scenarioKey: 's1' }, START);
    w.clock.advance(24 * 60 * 60_000);
    expect(new AttemptAccess(w.repos, w.clock).writable(w.people.candidate, attempt.id, 'closed').id).toBe(attempt.id);
  });
});
