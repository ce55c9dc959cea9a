// The call of an assignment attempt. Calls are not linked to attempts when they are made (the
// softphone knows nothing of attempts), so the attempt's call is the candidate's latest answered
// call from the attempt's start until it was closed. Used by suggestions, bookmarks and marking.
import type { Attempt } from '../db/repositories/attempts.js';
import type { CallRecord } from '../db/repositories/calls.js';
import type { Repositories } from '../db/repositories/index.js';

export function findAttemptCall(repos: Repositories, attempt: Attempt): CallRecord | undefined {
  const until = attempt.closedAt ?? Number.POSITIVE_INFINITY;
  return repos.calls
    .list({ userId: attempt.candidateUserId, limit: 50 })
    .filter((c) => c.invitedAt >= attempt.createdAt && c.invitedAt <= until && c.answeredAt !== null)
    .sort((a, b) => (b.answeredAt ?? 0) - (a.answeredAt ?? 0))[0];
}
