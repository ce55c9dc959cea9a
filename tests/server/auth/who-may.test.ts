// The who-may rules for sittings, attempts and scenarios (server/auth/sitting-access.ts,
// attempt-access.ts, scenario-access.ts), role by role and centre by centre, written out here
// independently of the code: own centre, another centre, and a user without a centre.
import { describe, expect, it } from 'vitest';
import { canReadAttempt, canSuperviseAttempt } from '../../../server/auth/attempt-access.js';
import { canEditScenario, canReadScenario } from '../../../server/auth/scenario-access.js';
import { canReadSitting, canRunSitting } from '../../../server/auth/sitting-access.js';
import type { Attempt } from '../../../server/db/repositories/attempts.js';
import type { Role, SessionUser } from '../../../server/protocol/roles.js';

const OWN = 7;
const OTHER = 8;
const CANDIDATE_ID = 41;

function user(role: Role, centreId: number | null, id = 100): SessionUser {
  return { id, username: `${role}${id}`, displayName: role, role, centreId, centreName: null, centreIsDemo: false, mustChangePassword: false };
}

const sitting = { centreId: OWN, candidateUserId: CANDIDATE_ID };
const attempt = { centreId: OWN, candidateUserId: CANDIDATE_ID } as Pick<Attempt, 'centreId' | 'candidateUserId'> as Attempt;

// [who, run/supervise, read] for a sitting or attempt of centre OWN whose candidate is CANDIDATE_ID.
const people: Array<[string, SessionUser, boolean, boolean]> = [
  ['an admin without a centre', user('admin', null), true, true],
  ['an assessor of the centre', user('assessor', OWN), true, true],
  ['an assessor of another centre', user('assessor', OTHER), false, false],
  ['an assessor without a centre', user('assessor', null), false, false],
  ['the candidate', user('candidate', OWN, CANDIDATE_ID), false, true],
  ['another candidate of the centre', user('candidate', OWN), false, false],
];

describe('sittings', () => {
  it.each(people)('%s: runs %s, reads %s', (_who, u, runs, reads) => {
    expect(canRunSitting(u, sitting)).toBe(runs);
    expect(canReadSitting(u, sitting)).toBe(reads);
  });

  it('a moderator reads every centre\'s sittings and runs none', () => {
    for (const centreId of [null, OWN, OTHER]) {
      expect(canReadSitting(user('moderator', centreId), sitting)).toBe(true);
      expect(canRunSitting(user('moderator', centreId), sitting)).toBe(false);
    }
  });

  it('an internal quality assurer reads only their own centre\'s sittings and runs none', () => {
    expect(canReadSitting(user('iqa', OWN), sitting)).toBe(true);
    expect(canReadSitting(user('iqa', OTHER), sitting)).toBe(false);
    expect(canReadSitting(user('iqa', null), sitting)).toBe(false);
    expect(canReadSitting(user('iqa', null), { centreId: null as unknown as number, candidateUserId: CANDIDATE_ID })).toBe(false);
    expect(canRunSitting(user('iqa', OWN), sitting)).toBe(false);
  });

  it('a user whose id matches the candidate but who is not a candidate reads nothing by that', () => {
    expect(canReadSitting(user('iqa', OTHER, CANDIDATE_ID), sitting)).toBe(false);
    expect(canReadSitting(user('assessor', OTHER, CANDIDATE_ID), sitting)).toBe(false);
  });
});

describe('attempts', () => {
  it.each(people)('%s: supervises %s, reads %s', (_who, u, supervises, reads) => {
    expect(canSuperviseAttempt(u, attempt)).toBe(supervises);
    expect(canReadAttempt(u, attempt)).toBe(reads);
  });

  it('a moderator supervises every centre\'s attempts; an internal quality assurer none', () => {
    expect(canSuperviseAttempt(user('moderator', null), attempt)).toBe(true);
    expect(canSuperviseAttempt(user('iqa', OWN), attempt)).toBe(false);
    expect(canReadAttempt(user('iqa', OWN), attempt)).toBe(false);
    expect(canReadAttempt(user('assessor', OTHER, CANDIDATE_ID), attempt)).toBe(false);
  });

  it('a centre-less assessor does not match a centre-less record', () => {
    const centreless = { centreId: null as unknown as number, candidateUserId: CANDIDATE_ID } as Attempt;
    expect(canSuperviseAttempt(user('assessor', null), centreless)).toBe(false);
    expect(canRunSitting(user('assessor', null), centreless)).toBe(false);
  });
});

describe('scenarios', () => {
  it('the shipped six: every staff member reads them, nobody edits them, candidates never see them', () => {
    for (const role of ['admin', 'assessor', 'moderator', 'iqa'] as const) {
      expect(canReadScenario(user(role, OWN), undefined)).toBe(true);
      expect(canEditScenario(user(role, OWN), undefined)).toBe(false);
    }
    expect(canReadScenario(user('candidate', OWN), undefined)).toBe(false);
    expect(canReadScenario(user('candidate', OWN), OWN)).toBe(false);
  });

  it('a centre\'s variant: its assessors and admins read and edit it, moderators read it, other centres never learn it', () => {
    expect(canReadScenario(user('assessor', OWN), OWN)).toBe(true);
    expect(canEditScenario(user('assessor', OWN), OWN)).toBe(true);
    expect(canReadScenario(user('admin', null), OWN)).toBe(true);
    expect(canEditScenario(user('admin', null), OWN)).toBe(true);
    expect(canReadScenario(user('moderator', null), OWN)).toBe(true);
    expect(canEditScenario(user('moderator', null), OWN)).toBe(false);
    expect(canReadScenario(user('assessor', OTHER), OWN)).toBe(false);
    expect(canEditScenario(user('assessor', OTHER), OWN)).toBe(false);
    expect(canReadScenario(user('assessor', null), OWN)).toBe(false);
    expect(canEditScenario(user('assessor', null), OWN)).toBe(false);
    expect(canReadScenario(user('iqa', OWN), OWN)).toBe(false);
    expect(canEditScenario(user('iqa', OWN), OWN)).toBe(false);
    expect(canEditScenario(user('candidate', OWN), OWN)).toBe(false);
  });
});
