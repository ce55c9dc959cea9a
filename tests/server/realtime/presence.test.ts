// Presence is pushed, not polled: when a phone of a centre registers or unregisters (or its
// connection drops), every connected page of that centre gets 'presence:changed' over socket.io
// and reads GET /api/directory again, which then says who is available. Pages of another centre
// hear nothing. Real sip.js user agent, real registrar, real socket.io.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESENCE_CHANGED_EVENT, type DirectoryEntry } from '../../../server/protocol/telephony.js';
import { connectedSocket } from '../../support/realtime.js';
import { ok } from '../../support/sitting-helpers.js';
import { startUa } from '../../support/sip-clients.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

let t: TestApp;
let assessor: Login;
let own: Socket;
let foreign: Socket;
const pushes = { own: 0, foreign: 0 };

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  assessor = await t.loginAs('assessor');
  own = await connectedSocket(t, assessor.cookie);
  own.on(PRESENCE_CHANGED_EVENT, () => pushes.own++);
  const other = t.repos.users.create({ username: 'foreign-assessor', displayName: 'Foreign', role: 'assessor', centreId: t.foreignCentreId, passwordHash: t.repos.users.findByUsernameWithHash('assessor1')!.passwordHash });
  foreign = await connectedSocket(t, (await t.login(other.username)).cookie);
  foreign.on(PRESENCE_CHANGED_EVENT, () => pushes.foreign++);
});
afterAll(async () => {
  own.close();
  foreign.close();
  await t.close();
});

const candidateAvailable = async (): Promise<boolean | undefined> =>
  (await ok<{ entries: DirectoryEntry[] }>(t, assessor, 'GET', '/api/directory')).entries.find((e) => e.userId === t.users.candidate)?.registered;

describe('presence pushed over socket.io', () => {
  it('tells the centre\'s pages when a phone registers and when it goes, and the directory agrees', async () => {
    expect(await candidateAvailable()).toBe(false);
    const creds = await t.sipCredentials('candidate');
    const phone = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password });
    await phone.register();
    await until(() => pushes.own === 1);
    expect(await candidateAvailable()).toBe(true);

    // The connection goes (a closed tab): pushed again, and the directory says so.
    await phone.stop();
    await until(() => pushes.own === 2);
    expect(await candidateAvailable()).toBe(false);
    // Another centre's page heard nothing.
    expect(pushes.foreign).toBe(0);
  });
});
