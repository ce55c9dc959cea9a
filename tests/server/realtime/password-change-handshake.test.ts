// An account still on the password an administrator set may use nothing but the password change:
// its socket.io handshake is refused too (no live timeline, no presence), with the reason in words,
// and the same session connects once the password is its own. Real app, real socket.io client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSocket } from '../../support/realtime.js';
import { ok } from '../../support/sitting-helpers.js';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let starter: Login;

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  const passwordHash = t.repos.users.findByUsernameWithHash('assessor1')!.passwordHash;
  t.repos.users.create({ username: 'new-assessor', displayName: 'New Assessor', role: 'assessor', centreId: t.centreId, passwordHash, mustChangePassword: true });
  starter = await t.login('new-assessor');
});
afterAll(async () => {
  await t.close();
});

describe('the socket.io handshake during a forced password change', () => {
  it('is refused, saying why, until the account has chosen its own password; then the same session connects', async () => {
    const refused = await connectedSocket(t, starter.cookie).then(
      (socket) => {
        socket.close();
        return undefined;
      },
      (err: unknown) => err as Error & { data?: { message?: string } },
    );
    expect(refused, 'the handshake was accepted').toBeDefined();
    expect(refused!.message).toBe('password_change_required');
    expect(refused!.data?.message).toMatch(/Choose a new password before you go on/);

    await ok(t, starter, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'my-own-password-1' });
    const socket = await connectedSocket(t, starter.cookie);
    expect(socket.connected).toBe(true);
    socket.close();
  });
});
