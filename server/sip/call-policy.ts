// Who may call whom: the one routing policy the B2BUA asks for every new call and for every party a
// REFER would bring into a call (transfer or conference), and the phone directory shows.
//
//   - Both users belong to the same centre.
//   - Sitting isolation: while a candidate's sitting is running, their phone reaches and is reached
//     by their assessor only (the sitting's, and the assessor of the attempt in progress), so a
//     sitting cannot be used to talk to another candidate or to keep one busy. An assignment that
//     names parts to transfer to (candidateBrief.transferTargets, e.g. a team leader) also lets
//     the candidate reach the centre's other staff, who play those parts; never another candidate.
//
// A refusal is 403 with a reason phrase saying why. RFC 3261 §21.4.4
// (https://www.rfc-editor.org/rfc/rfc3261#section-21.4.4): "The server understood the request, but
// is refusing to fulfill it. Authorization will not help, and the request SHOULD NOT be repeated."
// The reason phrase is "intended for the human user" (§7.2), so it is written for the candidate.
import { ScenarioVersionMissingError, scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Repositories } from '../db/repositories/index.js';
import type { User } from '../db/repositories/users.js';

export type CallDecision = { allowed: true } | { allowed: false; status: 403; reason: string };

/** Decides whether `caller` may ring `callee` (or bring them into a call). */
export type CallPolicy = (caller: Pick<User, 'id' | 'role' | 'centreId'>, callee: Pick<User, 'id' | 'role' | 'centreId'>) => CallDecision;

const forbid = (reason: string): CallDecision => ({ allowed: false, status: 403, reason: `Forbidden (${reason})` });

/** Who a candidate in a running sitting may reach; undefined when the user is not in one. */
export interface SittingReach {
  /** The sitting's assessor and the assessor of the attempt in progress. */
  assessorIds: ReadonlySet<number>;
  /** The current assignment names parts the centre's staff play (transfer targets). */
  staffParts: boolean;
}

export function sittingReach(repos: Repositories, user: Pick<User, 'id' | 'role'>): SittingReach | undefined {
  if (user.role !== 'candidate') return undefined;
  const sitting = repos.sittings.inProgressFor(user.id);
  if (!sitting) return undefined;
  const current = repos.attempts.forSitting(sitting.id).find((a) => a.status === 'open');
  const assessorIds = new Set([sitting.assessorUserId, current?.assessorUserId ?? null].filter((id): id is number => id !== null));
  // An open attempt's version is current or kept; should its file be gone, the candidate's phone
  // reaches only the assessor (the narrower reach) rather than the call setup failing.
  let scenario: ReturnType<typeof scenarioOfAttempt>;
  try {
    scenario = current ? scenarioOfAttempt(current) : undefined;
  } catch (err) {
    if (!(err instanceof ScenarioVersionMissingError)) throw err;
    scenario = undefined;
  }
  return { assessorIds, staffParts: (scenario?.candidateBrief.transferTargets.length ?? 0) > 0 };
}

function reaches(reach: SittingReach, candidate: Pick<User, 'centreId'>, other: Pick<User, 'id' | 'role' | 'centreId'>): boolean {
  if (reach.assessorIds.has(other.id)) return true;
  return reach.staffParts && other.role === 'assessor' && other.centreId === candidate.centreId;
}

/** The policy over the live data: a sitting started or ended takes effect on the next call. */
export function callPolicy(repos: Repositories): CallPolicy {
  return (caller, callee) => {
    if (caller.centreId === null || caller.centreId !== callee.centreId) return forbid('not in your centre');
    const own = sittingReach(repos, caller);
    if (own && !reaches(own, caller, callee)) {
      return forbid(own.staffParts ? "during your sitting you can call your assessor and the centre's staff only" : 'during your sitting you can call your assessor only');
    }
    const theirs = sittingReach(repos, callee);
    if (theirs && !reaches(theirs, callee, caller)) return forbid('this candidate is in a sitting');
    return { allowed: true };
  };
}
