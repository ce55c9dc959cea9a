// Who may see and change a scenario. The shipped six: every staff member reads them, nobody
// changes them (they are the reference copies). A centre's variant: its own assessors and admins
// read and change it, moderators read every centre's (they moderate across centres), and staff of
// another centre never learn it exists (404, like an unknown key). Candidates never reach these
// routes: a scenario file holds the caller brief and the answer key.
import type { SessionUser } from '../protocol/roles.js';

/** `centreId` undefined: a shipped scenario. */
export function canReadScenario(user: SessionUser, centreId: number | undefined): boolean {
  if (user.role === 'candidate') return false;
  if (centreId === undefined || user.role === 'admin' || user.role === 'moderator') return true;
  return user.role === 'assessor' && user.centreId !== null && user.centreId === centreId;
}

export function canEditScenario(user: SessionUser, centreId: number | undefined): boolean {
  if (centreId === undefined) return false;
  if (user.role === 'admin') return true;
  return user.role === 'assessor' && user.centreId !== null && user.centreId === centreId;
}
