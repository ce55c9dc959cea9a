// A callee written by hand: a raw SIP-over-WebSocket client (no SIP library) registered as a user,
// that receives the B2BUA's INVITE and answers it with responses built here, header by header.
import { header } from './raw-caller.js';
import { nextMatching, RawSipClient, registerRaw } from './sip-clients.js';
import type { TestApp } from './test-app.js';

export interface RawCallee {
  client: RawSipClient;
  extension: string;
  /** Our To header with our tag, once we answered. */
  local: string;
  /** The next request from the server with this method (and Call-ID, when given). */
  nextRequest(method: string, callId?: string, timeoutMs?: number): Promise<string>;
  /** Answers `request` like a UA: Via, From, Call-ID and CSeq echoed, our tag on To, our Contact, SDP if given, then `extra` headers. */
  respond(request: string, status: string, sdp?: string, extra?: Record<string, string>): void;
}

/** Where a raw phone gets its SIP credentials and connects: a test app, or a started server process. */
export type PhoneSource = Pick<TestApp, 'sipCredentials' | 'wsUrl'>;

export async function rawCallee(t: PhoneSource, role: 'candidate' | 'assessor' | (string & {}), track: RawSipClient[]): Promise<RawCallee> {
  const user = await t.sipCredentials(role);
  const client = await RawSipClient.connect(t.wsUrl);
  track.push(client);
  await registerRaw(client, user.extension, user.password);
  const tag = `rawcallee${Date.now()}`;
  const callee: RawCallee = {
    client,
    extension: user.extension,
    local: '',
    nextRequest: (method, callId, timeoutMs = 8000) =>
      nextMatching(client, (m) => m.startsWith(`${method} `) && (callId === undefined || header(m, 'Call-ID') === callId), timeoutMs),
    respond: (request, status, sdp, extra = {}) => {
      const lines = request
        .slice(0, request.indexOf('\r\n\r\n'))
        .split('\r\n')
        .filter((l) => /^(via|from|call-id|cseq)\s*:/i.test(l));
      const to = header(request, 'To') ?? '';
      if (!callee.local && request.startsWith('INVITE ')) callee.local = /;tag=/.test(to) ? to : `${to};tag=${tag}`;
      const out = [`SIP/2.0 ${status}`, ...lines, `To: ${/;tag=/.test(to) ? to : `${to};tag=${tag}`}`, `Contact: <sip:${user.extension}@raw.invalid;transport=ws>`];
      for (const [name, value] of Object.entries(extra)) out.push(`${name}: ${value}`);
      if (sdp) out.push('Content-Type: application/sdp');
      out.push(`Content-Length: ${Buffer.byteLength(sdp ?? '')}`, '', sdp ?? '');
      client.send(out.join('\r\n'));
    },
  };
  return callee;
}
