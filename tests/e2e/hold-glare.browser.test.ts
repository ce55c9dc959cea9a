// The candidate's Hold must not silently stay "Connected". Reproduced: the assessor takes the call
// off hold, so the server sends the candidate's phone a re-INVITE; until the server's ACK for it
// arrives that INVITE transaction is still in progress, and RFC 3261 §14.1
// (https://www.rfc-editor.org/rfc/rfc3261#section-14.1) says "If there is an ongoing INVITE server
// transaction, the TU MUST wait until the transaction reaches the confirmed or terminated state
// before initiating the new INVITE". sip.js refuses the candidate's hold re-INVITE in that window
// (its answer to a re-INVITE waits up to 500 ms for ICE candidates, so the window is real when
// both press Hold together); the phone gave up and stayed "Connected". Here the window is widened
// deterministically by holding the server's ACK back for 2.5 s on the page's SIP WebSocket.
import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiIn, assessorStartsPractice, callAndAnswer, candidateOnline, DESKTOP_VIEWPORT, withFailureScreenshots } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';

const fx = twoPartyFixture({ tmpPrefix: 'callmark-hold-glare-' });

describe('hold while the server re-INVITEs the candidate', () => {
  it('the candidate\'s Hold goes through once the server\'s re-INVITE is done, and the server records it', { timeout: 120_000 }, async () => {
    await withFailureScreenshots('hold-glare', scenario);
  });
});

async function scenario(pages: Page[]): Promise<void> {
  const assessor = await assessorStartsPractice(fx.assessorBrowser, fx.server.url, { viewport: DESKTOP_VIEWPORT, pages });

  let holdBackAck = false;
  let ackHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => (ackHeld = resolve));
  /** ACKs the server sent the candidate's phone (one per server INVITE it answered). */
  let acks = 0;
  const candidate = await candidateOnline(fx.candidateBrowser, fx.server.url, {
    viewport: DESKTOP_VIEWPORT,
    pages,
    ready: true,
    prepare: async (context) => {
      await context.routeWebSocket(/\/sip$/, (page: WebSocketRoute) => {
        const server = page.connectToServer();
        page.onMessage((m) => server.send(m));
        server.onMessage((m) => {
          if (typeof m === 'string' && m.startsWith('ACK ')) acks++;
          if (holdBackAck && typeof m === 'string' && m.startsWith('ACK ')) {
            holdBackAck = false;
            ackHeld();
            setTimeout(() => page.send(m), 2500);
          } else page.send(m);
        });
      });
    },
  });

  await callAndAnswer(assessor, candidate);
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();

  // The assessor holds and the server tells the candidate's phone (a re-INVITE, answered, ACKed).
  const before = acks;
  await assessor.getByRole('button', { name: 'Hold' }).click();
  await assessor.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor();
  while (acks === before) await candidate.waitForTimeout(50);
  // The assessor resumes: the server's re-INVITE to the candidate is answered, its ACK held back.
  holdBackAck = true;
  await assessor.getByRole('button', { name: 'Resume' }).click();
  await held;
  // The candidate presses Hold inside that window.
  await candidate.getByRole('button', { name: 'Hold' }).click();
  await candidate.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor({ timeout: 20_000 });

  // The server saw the candidate's hold on the SIP dialog (it is the candidate's evidence).
  const { calls } = await apiIn<{ calls: Array<{ id: string }> }>(assessor, 'GET', '/api/calls');
  const detail = await apiIn<{ events: Array<{ type: string; leg: string | null }> }>(assessor, 'GET', `/api/calls/${calls[0]!.id}`);
  expect(detail.events.some((e) => e.type === 'hold' && e.leg === 'callee')).toBe(true);
  await candidate.getByRole('button', { name: 'Hang up' }).click();
}
