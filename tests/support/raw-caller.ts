// A caller written by hand: a raw SIP-over-WebSocket client (no SIP library) that registers as an
// assessor and INVITEs a sip.js candidate phone through the B2BUA, then keeps its dialog: every
// header of its requests is written here.
import { cannedSdp, nextMatching, RawSipClient, rawRequest, registerRaw, startUa, type TestUa } from './sip-clients.js';
import type { TestApp } from './test-app.js';
import { startTonePeer } from './webrtc-party.js';
import { until } from './until.js';

export function header(m: string, name: string): string | undefined {
  const line = m
    .slice(0, m.indexOf('\r\n\r\n'))
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}
export const statusOf = (m: string): number => Number(/^SIP\/2\.0 (\d{3}) /.exec(m)?.[1] ?? 0);

/** The raw caller's side of its dialog with the B2BUA. */
export interface RawCaller {
  client: RawSipClient;
  extension: string;
  callId: string;
  from: string;
  /** The B2BUA's To (with its tag), once it sent one. */
  to: string;
  target: string;
  cseq: number;
  callee: TestUa;
  /** The INVITE's Via branch and Request-URI (a CANCEL repeats them, RFC 3261 §9.1). */
  inviteBranch: string;
  inviteUri: string;
  /** An in-dialog request from the raw caller; resolves with its final response. */
  send(method: string, headers?: Record<string, string>, body?: string): Promise<string>;
  /** The ACK of an INVITE of this dialog (CSeq `cseq`), with an SDP answer if given. */
  ack(cseq: number, body?: string): void;
}

/** A raw caller (an assessor) INVITEs a sip.js candidate, with the given extra headers; resolves at the first final response. */
export async function rawCall(t: TestApp, track: { uas: TestUa[]; raws: RawSipClient[] }, extra: Record<string, string>, answer = true, body: string | null = cannedSdp('offer')): Promise<{ caller: RawCaller; final: string; ringing: string }> {
  const assessor = await t.sipCredentials('assessor');
  const client = await RawSipClient.connect(t.wsUrl);
  track.raws.push(client);
  await registerRaw(client, assessor.extension, assessor.password);
  const candidate = await t.sipCredentials('candidate');
  const callee = await startUa({ wsUrl: t.wsUrl, extension: candidate.extension, password: candidate.password });
  track.uas.push(callee);
  await callee.register();
  const callId = `st-${Date.now()}-${Math.random()}`;
  const branch = `z9hG4bKrawst${Date.now()}`;
  const from = `<sip:${assessor.extension}@callmark.local>;tag=rawst${Date.now()}`;
  client.send(
    rawRequest('INVITE', {
      uri: `sip:${candidate.extension}@callmark.local`,
      callId,
      cseq: 1,
      branch,
      headers: { From: from, To: `<sip:${candidate.extension}@callmark.local>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, ...(body === null ? {} : { 'Content-Type': 'application/sdp' }), ...extra },
      body: body ?? undefined,
    }),
  );
  const first = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 (18\d|[2-6]\d\d) /.test(m), 8000);
  const caller: RawCaller = { client, extension: assessor.extension, callId, from, to: header(first, 'To')!, target: /<([^>]+)>/.exec(header(first, 'Contact') ?? '<sip:b2bua@callmark.invalid>')![1]!, cseq: 1, callee, inviteBranch: branch, inviteUri: `sip:${candidate.extension}@callmark.local`,
    send: (method, headers = {}, sdp) => inDialog(caller, method, headers, sdp),
    ack: (cseq, sdp) => client.send(rawRequest('ACK', { uri: caller.target, callId, cseq, headers: { From: caller.from, To: caller.to, ...(sdp ? { 'Content-Type': 'application/sdp' } : {}) }, body: sdp })),
  };
  if (statusOf(first) >= 200) return { caller, final: first, ringing: '' };
  if (answer) await until(() => callee.incoming.length > 0).then(() => callee.incoming[0]!.accept());
  if (!answer) return { caller, final: '', ringing: first };
  const final = await nextMatching(client, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m), 8000);
  caller.to = header(final, 'To')!;
  caller.target = /<([^>]+)>/.exec(header(final, 'Contact')!)![1]!;
  if (statusOf(final) < 300) client.send(rawRequest('ACK', { uri: caller.target, callId, cseq: 1, headers: { From: from, To: caller.to } }));
  return { caller, final, ringing: first };
}

async function inDialog(c: RawCaller, method: string, headers: Record<string, string> = {}, body?: string): Promise<string> {
  const cseq = ++c.cseq;
  c.client.send(rawRequest(method, { uri: c.target, callId: c.callId, cseq, headers: { From: c.from, To: c.to, Contact: `<sip:${c.extension}@raw.invalid;transport=ws>`, ...(body ? { 'Content-Type': 'application/sdp' } : {}), ...headers }, body }));
  return nextMatching(c.client, (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === `${cseq} ${method}`);
}


/**
 * A raw SIP-over-WebSocket client registered as `username`, whose media is a real WebRTC peer
 * (werift) sending a `toneHz` tone; `sdh` makes and takes its SDP. Cleaned up with the test.
 */
export async function rawToneCaller(h: { t: TestApp; raws: RawSipClient[]; cleanups: Array<() => Promise<unknown>> }, username: string, toneHz: number) {
  const creds = await h.t.sipCredentials(username);
  const client = await RawSipClient.connect(h.t.wsUrl);
  h.raws.push(client);
  await registerRaw(client, creds.extension, creds.password);
  const tone = await startTonePeer(toneHz);
  h.cleanups.push(() => tone.stop());
  return { client, extension: creds.extension, tone, sdh: tone.factory({} as never) };
}
