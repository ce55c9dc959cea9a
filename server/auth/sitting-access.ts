// Who may see and run a sitting. Candidates see their own; assessors and internal quality assurers
// their centre's; moderators read every centre (they moderate across centres, like attempts);
// admins everything. Running a
// sitting (start, breaks, attempts, marks) is for the centre's assessors and admins. A sitting a
// user may not see answers like an unknown id, so ids cannot be probed.
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';

export function canRunSitting(user: SessionUser, sitting: Pick<Sitting, 'centreId'>): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'assessor' && user.centreId !== null && user.centreId === sitting.centreId;
}

export function canReadSitting(user: SessionUser, sitting: Pick<Sitting, 'centreId' | 'candidateUserId'>): boolean {
  if (user.role === 'moderator' || canRunSitting(user, sitting)) return true;
  if (user.role === 'iqa') return user.centreId !== null && user.centreId === sitting.centreId;
  return user.role === 'candidate' && user.id === sitting.candidateUserId;
}

export const sittingNotFound = (): HttpError => new HttpError(404, 'not_found', 'There is no such sitting.');

export class SittingAccess {
  constructor(private readonly repos: Repositories) {}

  readable(user: SessionUser, id: string): Sitting {
    const sitting = this.repos.sittings.findById(id.toLowerCase());
    if (!sitting || !canReadSitting(user, sitting)) throw sittingNotFound();
    return sitting;
  }

  runnable(user: SessionUser, id: string): Sitting {
    const sitting = this.repos.sittings.findById(id.toLowerCase());
    if (!sitting || !canRunSitting(user, sitting)) throw sittingNotFound();
    return sitting;
  }
}
