import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/auth/passwords.js';
import { bootstrapAccounts, DEMO_CENTRE_NAME } from '../../server/bootstrap.js';
import { openDatabase } from '../../server/db/connection.js';
import { migrate } from '../../server/db/migrations.js';
import { createRepositories } from '../../server/db/repositories/index.js';

const fresh = () => {
  const db = openDatabase(':memory:');
  migrate(db);
  return createRepositories(db);
};
const base = { adminUser: 'admin', adminPassword: undefined, demo: false, demoPassword: 'demo-password' };

describe('bootstrapAccounts', () => {
  it('creates an admin with a generated password once, and never again', async () => {
    const repos = fresh();
    const first = await bootstrapAccounts(repos, base);
    expect(first.adminCreated).toMatchObject({ username: 'admin', passwordWasGenerated: true });
    const admin = repos.users.findByUsernameWithHash('admin')!;
    expect(admin.role).toBe('admin');
    expect(await verifyPassword(first.adminCreated!.password, admin.passwordHash)).toBe(true);
    const second = await bootstrapAccounts(repos, base);
    expect(second.adminCreated).toBeUndefined();
    expect(repos.users.count()).toBe(1);
  });

  it('makes the first-start admin choose their own password at the first login, whether the password was generated or set in the environment', async () => {
    const generated = fresh();
    await bootstrapAccounts(generated, base);
    expect(generated.users.findByUsernameWithHash('admin')!.mustChangePassword).toBe(true);
    const fromEnv = fresh();
    await bootstrapAccounts(fromEnv, { ...base, adminPassword: 'from-the-environment' });
    expect(fromEnv.users.findByUsernameWithHash('admin')!.mustChangePassword).toBe(true);
    // The demo accounts' password is published for practice: they are not asked to change it.
    const demo = fresh();
    await bootstrapAccounts(demo, { ...base, demo: true });
    expect(demo.users.findByUsernameWithHash('demo-admin')!.mustChangePassword).toBe(false);
  });

  it('uses the admin password from the environment', async () => {
    const repos = fresh();
    const r = await bootstrapAccounts(repos, { ...base, adminPassword: 'from-the-environment' });
    expect(r.adminCreated?.passwordWasGenerated).toBe(false);
    expect(await verifyPassword('from-the-environment', repos.users.findByUsernameWithHash('admin')!.passwordHash)).toBe(true);
  });

  it('creates no demo data unless asked', async () => {
    const repos = fresh();
    await bootstrapAccounts(repos, base);
    expect(repos.centres.list()).toEqual([]);
  });

  it('creates demo users of each role in a marked demo centre, idempotently', async () => {
    const repos = fresh();
    await bootstrapAccounts(repos, { ...base, demo: true });
    await bootstrapAccounts(repos, { ...base, demo: true });
    const centres = repos.centres.list();
    expect(centres).toEqual([expect.objectContaining({ name: DEMO_CENTRE_NAME, isDemo: true })]);
    const users = repos.users.list();
    expect(users.map((u) => u.role).sort()).toEqual(['admin', 'admin', 'assessor', 'candidate', 'iqa', 'moderator']);
    expect(users.find((u) => u.username === 'demo-candidate')!.centreId).toBe(centres[0]!.id);
    // The demo centre's internal quality assurer, so the IQA workflow can be tried (issue 13).
    expect(users.find((u) => u.username === 'demo-iqa')).toMatchObject({ role: 'iqa', centreId: centres[0]!.id });
  });

  it('disables the demo users when started without demo mode, and enables them again with it', async () => {
    const repos = fresh();
    await bootstrapAccounts(repos, { ...base, demo: true });
    const off = await bootstrapAccounts(repos, base);
    expect(off.demoUsersDisabled).toEqual(['demo-candidate', 'demo-assessor', 'demo-iqa', 'demo-moderator', 'demo-admin']);
    for (const name of off.demoUsersDisabled!) expect(repos.users.findByUsernameWithHash(name)!.disabled).toBe(true);
    // Already disabled: nothing to say the next time.
    expect((await bootstrapAccounts(repos, base)).demoUsersDisabled).toBeUndefined();
    const on = await bootstrapAccounts(repos, { ...base, demo: true });
    expect(on.demoUsers).toHaveLength(5);
    for (const name of off.demoUsersDisabled!) expect(repos.users.findByUsernameWithHash(name)!.disabled).toBe(false);
  });

  it('never disables a real user that happens to share a demo username outside the demo centre', async () => {
    const repos = fresh();
    const real = repos.centres.create({ name: 'Northgate College' });
    repos.users.create({ username: 'demo-candidate', displayName: 'Real person', role: 'candidate', centreId: real.id, passwordHash: 'x' });
    await bootstrapAccounts(repos, base);
    expect(repos.users.findByUsernameWithHash('demo-candidate')!.disabled).toBe(false);
  });
});

