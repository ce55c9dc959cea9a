// A call between two raw SIP-over-WebSocket phones (no SIP library) brought to ringing: the
// assessor's raw caller INVITEs the candidate's raw callee, which answers 180. The tests that order
// a race by hand (the media worker stopped with SIGSTOP, then the callee's 200 and the caller's
// CANCEL or a second 200) start from here and send the rest themselves.
import { header } from './raw-caller.js';
import { rawCallee, type RawCallee } from './raw-callee.js';
import { cannedSdp, nextMatching, RawSipClient, rawRequest, registerRaw } from './sip-clients.js';
import type { TelephonyApp } from './telephony-app.js';

export interface RawRingingCall {
  caller: RawSipClient;
  callee: RawCallee;
  /** The B2BUA's INVITE as the callee received it. */
  invite: string;
  /** The callee leg's Call-ID (the B2BUA's own). */
  calleeCallId: string;
  /** What the caller's INVITE carried, for a CANCEL of it (RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and branch). */
  callerInvite: { uri: string; callId: string; branch: string; headers: { From: string; To: string } };
}

/** Rings the candidate from the assessor; `label` makes the caller's Call-ID, branch and tag unique to the test. */
export async function rawRingingCall(h: Pick<TelephonyApp, 't' | 'raws'>, label: string): Promise<RawRingingCall> {
  const callee = await rawCallee(h.t, 'candidate', h.raws);
  const assessor = await h.t.sipCredentials('assessor');
  const caller = await RawSipClient.connect(h.t.wsUrl);
  h.raws.push(caller);
  await registerRaw(caller, assessor.extension, assessor.password);

  const callId = `${label}-${Date.now()}`;
  const branch = `z9hG4bK${label}${Date.now()}`;
  const uri = `sip:${callee.extension}@callmark.local`;
  const headers = { From: `<sip:${assessor.extension}@callmark.local>;tag=${label}caller`, To: `<${uri}>` };
  caller.send(rawRequest('INVITE', { uri, callId, cseq: 1, branch, headers: { ...headers, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' }, body: cannedSdp('offer') }));
  const invite = await callee.nextRequest('INVITE');
  callee.respond(invite, '180 Ringing');
  await nextMatching(caller, (m) => m.startsWith('SIP/2.0 180 ') && m.includes(callId), 8000);
  return { caller, callee, invite, calleeCallId: header(invite, 'Call-ID')!, callerInvite: { uri, callId, branch, headers } };
}
