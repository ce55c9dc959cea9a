// Unauthenticated engine.io handshakes (SECURITY.md, info finding: they were unlimited, and each
// refused connection stayed open until socket.io's 45 s connect timeout): per client address only
// a few a minute get through to be told "unauthenticated"; beyond that the handshake is refused.
// Handshakes with a live session cookie are not limited here, and a connection that does not join
// within a few seconds is closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UNAUTHENTICATED_HANDSHAKES_PER_MINUTE } from '../../../server/realtime/handshake-limit.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { messageText } from '../../support/ws-text.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

const handshake = (cookie?: string) => fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: cookie ? { cookie } : {} });

describe('engine.io handshakes', () => {
  it('lets a few unauthenticated handshakes a minute through from one address, then refuses them; logged-in ones are not counted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < UNAUTHENTICATED_HANDSHAKES_PER_MINUTE + 5; i++) statuses.push((await handshake(`callmark_session=made-up-${i}`)).status);
    expect(statuses.slice(0, UNAUTHENTICATED_HANDSHAKES_PER_MINUTE).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(UNAUTHENTICATED_HANDSHAKES_PER_MINUTE)).toEqual(Array(5).fill(403));
    const s = await t.loginAs('candidate');
    for (let i = 0; i < 5; i++) expect((await handshake(s.cookie)).status).toBe(200);
  });

  it('closes a connection that is refused the namespace (no session) within a few seconds', async () => {
    const other = await createTestApp();
    try {
      const url = (await other.app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
      const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`);
      const messages: string[] = [];
      ws.on('message', (d) => {
        const m = messageText(d);
        messages.push(m);
        if (m.startsWith('0')) ws.send('40');
        if (m === '2') ws.send('3');
      });
      const code = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still open after 15 s: ${messages.join(' | ')}`)), 15_000);
        ws.on('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code).toBeGreaterThan(0);
      expect(messages.some((m) => m.startsWith('44') && m.includes('unauthenticated'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
