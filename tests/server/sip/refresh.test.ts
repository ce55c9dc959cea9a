// A registration refresh from sip.js while its nonce is still fresh. sip.js re-sends the previous
// Authorization header as it is (same nonce, same nonce-count), which the replay check refused
// with 403 — so every softphone dropped its registration at its first refresh (about 5 minutes).
// A replayed count must get a fresh challenge instead: a genuine client answers it, a replayer cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { startUa, type TestUa } from '../../support/sip-clients.js';

let t: TestApp;
const uas: TestUa[] = [];
beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
});
afterAll(async () => {
  for (const u of uas) await u.stop();
  await t.close();
});

const refresh = (u: TestUa) =>
  new Promise<number>((resolve, reject) => {
    void u.registerer
      .register({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)) } })
      .catch(reject);
  });

describe('registration refresh', () => {
  it('a sip.js UA refreshes its registration again and again without being refused', async () => {
    const creds = await t.sipCredentials('candidate');
    const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password });
    uas.push(u);
    await u.register();
    for (let i = 0; i < 3; i++) expect(await refresh(u)).toBe(200);
    expect(t.app.telephony!.sip.registrar.isRegistered(creds.extension)).toBe(true);
  });
});
