// First-start accounts. An admin always exists: with CALLMARK_ADMIN_PASSWORD it gets that password,
// otherwise a random one that is printed once, when the account is created. Demo users of every role,
// in a centre clearly marked as a demo, are created only when asked for (--demo or CALLMARK_DEMO=1).
import { generatePassword, hashPassword } from './auth/passwords.js';
import type { Repositories } from './db/repositories/index.js';
import type { Role } from './protocol/roles.js';

export const DEMO_CENTRE_NAME = 'DEMO CENTRE (practice only, not for real assessments)';

export interface BootstrapResult {
  adminCreated?: { username: string; password: string; passwordWasGenerated: boolean };
  demoUsers?: Array<{ username: string; role: Role }>;
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
    });
    result.adminCreated = { username: opts.adminUser, password, passwordWasGenerated: !opts.adminPassword };
  }
  if (opts.demo) {
    const hash = await hashPassword(opts.demoPassword);
    const demoUsers: Array<{ username: string; displayName: string; role: Role; inCentre: boolean }> = [
      { username: 'demo-candidate', displayName: 'Demo Candidate', role: 'candidate', inCentre: true },
      { username: 'demo-assessor', displayName: 'Demo Assessor', role: 'assessor', inCentre: true },
      { username: 'demo-moderator', displayName: 'Demo Moderator', role: 'moderator', inCentre: false },
      { username: 'demo-admin', displayName: 'Demo Administrator', role: 'admin', inCentre: false },
    ];
    result.demoUsers = repos.transaction(() => {
      const centre = repos.centres.findByName(DEMO_CENTRE_NAME) ?? repos.centres.create({ name: DEMO_CENTRE_NAME, isDemo: true });
      for (const u of demoUsers) {
        if (repos.users.findByUsernameWithHash(u.username)) continue;
        repos.users.create({ username: u.username, displayName: u.displayName, role: u.role, centreId: u.inCentre ? centre.id : null, passwordHash: hash });
      }
      return demoUsers.map((u) => ({ username: u.username, role: u.role }));
    });
  }
  return result;
}
