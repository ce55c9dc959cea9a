// First-start accounts. An admin always exists: with CALLMARK_ADMIN_PASSWORD it gets that password,
// otherwise a random one that is printed once, when the account is created. Either way that password
// is for the first login only: the admin chooses their own before anything else (must_change_password,
// as for an account an administrator made), since it sits in a log or a deployment's environment. Demo users of every role,
// in a centre clearly marked as a demo, are created only when asked for (--demo or CALLMARK_DEMO=1),
// and exist only while demo mode is on: a start without it disables them (and the banner says so).
import { generatePassword, hashPassword } from './auth/passwords.js';
import type { Repositories } from './db/repositories/index.js';
import type { Role } from './protocol/roles.js';

export const DEMO_CENTRE_NAME = 'DEMO CENTRE (practice only, not for real assessments)';

export interface BootstrapResult {
  adminCreated?: { username: string; password: string; passwordWasGenerated: boolean };
  demoUsers?: Array<{ username: string; role: Role }>;
  /** Demo accounts found enabled at a start without demo mode, and disabled now. */
  demoUsersDisabled?: string[];
}

const DEMO_USERS: ReadonlyArray<{ username: string; displayName: string; role: Role; inCentre: boolean }> = [
  { username: 'demo-candidate', displayName: 'Demo Candidate', role: 'candidate', inCentre: true },
  { username: 'demo-assessor', displayName: 'Demo Assessor', role: 'assessor', inCentre: true },
  // The demo centre's internal quality assurer: countersigning and standardisation can be tried.
  { username: 'demo-iqa', displayName: 'Demo Quality Assurer', role: 'iqa', inCentre: true },
  { username: 'demo-moderator', displayName: 'Demo Moderator', role: 'moderator', inCentre: false },
  { username: 'demo-admin', displayName: 'Demo Administrator', role: 'admin', inCentre: false },
];

/**
 * The demo accounts that exist: a demo username with its demo role, in the demo centre (candidate,
 * assessor, IQA) or, for the roles without a centre, with no centre and the demo display name. A real
 * user who happens to have such a username elsewhere is not one.
 */
function existingDemoUsers(repos: Repositories): Array<{ id: number; username: string; disabled: boolean }> {
  const centre = repos.centres.findByName(DEMO_CENTRE_NAME);
  const found: Array<{ id: number; username: string; disabled: boolean }> = [];
  for (const d of DEMO_USERS) {
    const u = repos.users.findByUsernameWithHash(d.username);
    if (!u || u.role !== d.role) continue;
    const isDemo = d.inCentre ? centre !== undefined && centre.isDemo && u.centreId === centre.id : u.centreId === null && u.displayName === d.displayName;
    if (isDemo) found.push({ id: u.id, username: u.username, disabled: u.disabled });
  }
  return found;
}

export async function bootstrapAccounts(
  repos: Repositories,
  opts: { adminUser: string; adminPassword: string | undefined; demo: boolean; demoPassword: string },
): Promise<BootstrapResult> {
  const result: BootstrapResult = {};
  if (repos.users.countByRole('admin') === 0) {
    const password = opts.adminPassword ?? generatePassword();
    repos.users.create({
      username: opts.adminUser,
      displayName: 'Administrator',
      role: 'admin',
      centreId: null,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
    });
    result.adminCreated = { username: opts.adminUser, password, passwordWasGenerated: !opts.adminPassword };
  }
  if (!opts.demo) {
    // Demo accounts exist only while demo mode is on: a start without it disables them and ends their sessions.
    const enabled = existingDemoUsers(repos).filter((u) => !u.disabled);
    if (enabled.length > 0) {
      repos.transaction(() => {
        for (const u of enabled) {
          repos.users.setDisabled(u.id, true);
          repos.sessions.deleteForUser(u.id);
        }
      });
      result.demoUsersDisabled = enabled.map((u) => u.username);
    }
    return result;
  }
  const hash = await hashPassword(opts.demoPassword);
  result.demoUsers = repos.transaction(() => {
    const centre = repos.centres.findByName(DEMO_CENTRE_NAME) ?? repos.centres.create({ name: DEMO_CENTRE_NAME, isDemo: true });
    for (const u of DEMO_USERS) {
      if (repos.users.findByUsernameWithHash(u.username)) continue;
      repos.users.create({ username: u.username, displayName: u.displayName, role: u.role, centreId: u.inCentre ? centre.id : null, passwordHash: hash });
    }
    for (const u of existingDemoUsers(repos)) if (u.disabled) repos.users.setDisabled(u.id, false);
    return DEMO_USERS.map((u) => ({ username: u.username, role: u.role }));
  });
  return result;
}
