// The calls of an attempt, for metrics and packs. Calls are not linked to attempts when they are
// made (the softphone knows nothing of attempts), so an attempt's calls are those its desktop
// actions were linked to, plus the candidate's calls offered between the attempt's start and its
// close (the same window server/sittings/attempt-call.ts uses for "the" call of an attempt).
import type { Attempt } from '../db/repositories/attempts.js';
import type { CallRecord } from '../db/repositories/calls.js';
import type { Repositories } from '../db/repositories/index.js';

export function attemptCalls(repos: Pick<Repositories, 'calls' | 'attemptEvents'>, attempt: Attempt): CallRecord[] {
  const until = attempt.closedAt ?? Number.POSITIVE_INFINITY;
  const byId = new Map<string, CallRecord>();
  for (const c of repos.calls.list({ userId: attempt.candidateUserId, limit: 200 })) {
    if (c.candidateUserId === attempt.candidateUserId && c.invitedAt >= attempt.createdAt && c.invitedAt <= until) byId.set(c.id, c);
  }
  for (const id of repos.attemptEvents.callIdsOfAttempt(attempt.id)) {
    const c = byId.has(id) ? undefined : repos.calls.find(id);
    if (c) byId.set(c.id, c);
  }
  return [...byId.values()].sort((a, b) => a.invitedAt - b.invitedAt || a.id.localeCompare(b.id));
}
