// Re-INVITE glare (RFC 3261 §14.1, §14.2) between the B2BUA and a party. The callee is a raw SIP
// client, so the collision is built step by step rather than left to timing: the sip.js caller puts
// the call on hold, the server relays hold to the callee with a re-INVITE, and the callee either
// sends its own re-INVITE before answering (the server must refuse it with 491) or refuses the
// server's with 491 (the server must send it again later, with a new CSeq and a fresh offer).
import { describe, expect, it } from 'vitest';
import { cannedSdp, Inviter, nextMatching, RawSipClient, rawRequest, registerRaw, SessionState, startUa, UserAgent } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { sleep, until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47400, 47499], telephony: { noAnswerTimeoutMs: 1500 } });
const { uas, raws } = h;

const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;
const eventTypes = (id: string) => h.t.repos.calls.events(id).map((e) => e.type);

/** A header's value in a raw SIP message (its first occurrence). */
function header(m: string, name: string): string {
  const line = m
    .slice(0, m.indexOf('\r\n\r\n'))
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) throw new Error(`no ${name} header in ${m.split('\r\n')[0]}`);
  return line.slice(line.indexOf(':') + 1).trim();
}
const cseqOf = (m: string): number => Number(header(m, 'CSeq').split(' ')[0]);
const statusOf = (m: string): number => Number(/^SIP\/2\.0 (\d{3}) /.exec(m)?.[1] ?? 0);
const tagOf = (value: string): string | undefined => /;tag=([^;\s]+)/.exec(value)?.[1];

/** The callee's side of its dialog with the server, as a raw client keeps it. */
interface RawDialog {
  client: RawSipClient;
  extension: string;
  callId: string;
  /** Our To header (with our tag) and the server's From (with its tag): swapped in our requests. */
  local: string;
  remote: string;
  /** The server's Contact: the Request-URI of our in-dialog requests. */
  remoteTarget: string;
  cseq: number;
}

/** Answers `request` like a UA: Via, From, Call-ID and CSeq echoed, our tag on To, SDP if given. */
function respond(c: RawSipClient, request: string, status: string, local: string, extension: string, sdp?: string): void {
  const echo = request
    .slice(0, request.indexOf('\r\n\r\n'))
    .split('\r\n')
    .filter((l) => /^(via|from|call-id|cseq)\s*:/i.test(l));
  const lines = [`SIP/2.0 ${status}`, ...echo, `To: ${local}`, `Contact: <sip:${extension}@raw.invalid;transport=ws>`];
  if (sdp) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(sdp ?? '')}`, '', sdp ?? '');
  c.send(lines.join('\r\n'));
}

const isRequest = (method: string, callId: string, cseq?: number) => (m: string) =>
  m.startsWith(`${method} `) && header(m, 'Call-ID') === callId && (cseq === undefined || cseqOf(m) === cseq);

/**
 * A raw candidate phone answers a call from a sip.js assessor; then the assessor puts the call on
 * hold. Resolves with the server's hold re-INVITE to the candidate, not yet answered.
 */
async function callThenHold(): Promise<{ dialog: RawDialog; caller: InstanceType<typeof Inviter>; callId: string; reinvite: string }> {
  const candidate = await h.t.sipCredentials('candidate');
  const client = await RawSipClient.connect(h.t.wsUrl);
  raws.push(client);
  await registerRaw(client, candidate.extension, candidate.password);
  const assessor = await h.t.sipCredentials('assessor');
  const ua = await startUa({ wsUrl: h.t.wsUrl, extension: assessor.extension, password: assessor.password });
  uas.push(ua);
  await ua.register();

  const caller = new Inviter(ua.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
  const answered = new Promise<number>((resolve) => {
    void caller.invite({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } });
  });
  const invite = await nextMatching(client, (m) => m.startsWith('INVITE '));
  const callId = header(invite, 'Call-ID');
  const dialog: RawDialog = {
    client,
    extension: candidate.extension,
    callId,
    local: `${header(invite, 'To')};tag=rawglare${Date.now()}`,
    remote: header(invite, 'From'),
    remoteTarget: /<([^>]+)>/.exec(header(invite, 'Contact'))![1]!,
    cseq: 0,
  };
  respond(client, invite, '200 OK', dialog.local, dialog.extension, cannedSdp('answer'));
  await nextMatching(client, isRequest('ACK', callId, cseqOf(invite)));
  expect(await answered).toBe(200);
  await until(() => caller.state === SessionState.Established);

  caller.sessionDescriptionHandlerOptionsReInvite = { hold: true } as never;
  await new Promise<void>((resolve, reject) => void caller.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
  const reinvite = await nextMatching(client, isRequest('INVITE', callId));
  expect(cseqOf(reinvite)).toBeGreaterThan(cseqOf(invite));
  expect(reinvite).toMatch(/\r\na=sendonly\r\n/);
  return { dialog, caller, callId, reinvite };
}

/** The callee's own re-INVITE in the dialog; resolves with the server's final response (ACKed if not 2xx). */
async function sendReinvite(d: RawDialog): Promise<string> {
  return finalResponse(d, startReinvite(d));
}

/** Sends the callee's own re-INVITE (an offer, `direction` on its m-line) without waiting; its CSeq and branch. */
function startReinvite(d: RawDialog, direction?: 'sendonly'): { cseq: number; branch: string } {
  const cseq = ++d.cseq;
  const branch = `z9hG4bKrawreinv${cseq}${Date.now()}`;
  d.client.send(
    rawRequest('INVITE', { uri: d.remoteTarget, callId: d.callId, cseq, branch, headers: { From: d.local, To: d.remote, Contact: `<sip:${d.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' }, body: cannedSdp('offer', undefined, direction) }),
  );
  return { cseq, branch };
}

/** The server's final response to the re-INVITE `sent`, ACKed (a non-2xx in its transaction, a 2xx end to end). */
async function finalResponse(d: RawDialog, sent: { cseq: number; branch: string }, timeoutMs?: number): Promise<string> {
  const { cseq, branch } = sent;
  const response = await nextMatching(d.client, (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === `${cseq} INVITE`, timeoutMs);
  const base = { uri: d.remoteTarget, callId: d.callId, cseq, branch };
  const ack = statusOf(response) < 300 ? { ...base, branch: `${branch}ack` } : base;
  d.client.send(rawRequest('ACK', { ...ack, headers: { From: d.local, To: header(response, 'To') } }));
  return response;
}

/** Ends the call from the caller's side; the raw callee answers the server's BYE. */
async function hangUp(d: RawDialog, caller: InstanceType<typeof Inviter>): Promise<void> {
  await caller.bye();
  const bye = await nextMatching(d.client, isRequest('BYE', d.callId));
  respond(d.client, bye, '200 OK', d.local, d.extension);
  await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0);
}

describe('re-INVITE glare (RFC 3261 §14)', () => {
  it('a re-INVITE from a party whose dialog has our re-INVITE pending is refused with 491; the call carries on', async () => {
    const { dialog, caller, callId, reinvite } = await callThenHold();
    const id = lastCall().id;

    // The callee's own re-INVITE crosses the server's hold re-INVITE (still unanswered).
    expect(statusOf(await sendReinvite(dialog))).toBe(491);

    // The callee answers the server's re-INVITE; the hold stands and the dialog works on.
    respond(dialog.client, reinvite, '200 OK', dialog.local, dialog.extension, cannedSdp('answer', undefined, 'recvonly'));
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(reinvite)));
    // The callee tries again once the server's re-INVITE is done (§14.1): now it is answered.
    expect(statusOf(await sendReinvite(dialog))).toBe(200);
    expect(lastCall().state).toBe('answered');
    expect(eventTypes(id)).toContain('hold');

    await hangUp(dialog, caller);
  }, 10_000);

  it('a 491 to our re-INVITE is ACKed and the re-INVITE is sent again later, with a new CSeq', async () => {
    const { dialog, caller, callId, reinvite } = await callThenHold();
    const id = lastCall().id;

    respond(dialog.client, reinvite, '491 Request Pending', dialog.local, dialog.extension);
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(reinvite)));

    // The server generated this dialog's Call-ID, so it waits 2.1–4 s (§14.1) on its clock, then
    // tries again. 2 s on: nothing yet (an OPTIONS round trip shows the server has moved on).
    h.t.clock.advance(2_000);
    dialog.client.send(rawRequest('OPTIONS'));
    const afterTwoSeconds = await nextMatching(dialog.client, (m) => (m.startsWith('SIP/2.0 ') && /CSeq: \d+ OPTIONS/.test(m)) || m.startsWith('INVITE '));
    expect(afterTwoSeconds).toMatch(/^SIP\/2\.0 200 /);
    h.t.clock.advance(2_000);
    const retry = await nextMatching(dialog.client, isRequest('INVITE', callId), 1_000);
    expect(cseqOf(retry)).toBeGreaterThan(cseqOf(reinvite));
    // The same dialog: its tags on both sides.
    expect(tagOf(header(retry, 'From'))).toBe(tagOf(dialog.remote));
    expect(tagOf(header(retry, 'To'))).toBe(tagOf(dialog.local));
    expect(retry).toMatch(/\r\na=sendonly\r\n/);

    respond(dialog.client, retry, '200 OK', dialog.local, dialog.extension, cannedSdp('answer', undefined, 'recvonly'));
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(retry)));
    expect(lastCall().state).toBe('answered');
    expect(eventTypes(id)).toContain('hold');

    await hangUp(dialog, caller);
  }, 10_000);

  it('a re-INVITE sent again after a 491 offers the call as it is then, not as it was when first sent', async () => {
    const { dialog, caller, callId, reinvite } = await callThenHold();
    const id = lastCall().id;

    respond(dialog.client, reinvite, '491 Request Pending', dialog.local, dialog.extension);
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(reinvite)));

    // While the server waits to send its hold again, the assessor takes the call off hold.
    caller.sessionDescriptionHandlerOptionsReInvite = { hold: false } as never;
    await new Promise<void>((resolve, reject) => void caller.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    await until(() => eventTypes(id).includes('resume'));

    // The re-INVITE sent after the wait offers the media as it now is: the call is not on hold, so
    // the candidate's phone is not told it is held (RFC 3264 §8.4: a stream is on hold when
    // marked sendonly), not even for a moment.
    h.t.clock.advance(4_000);
    const retry = await nextMatching(dialog.client, isRequest('INVITE', callId), 1_000);
    expect(cseqOf(retry)).toBeGreaterThan(cseqOf(reinvite));
    expect(retry).toMatch(/\r\na=sendrecv\r\n/);
    expect(retry).not.toMatch(/\r\na=sendonly\r\n/);
    respond(dialog.client, retry, '200 OK', dialog.local, dialog.extension, cannedSdp('answer'));
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(retry)));

    // Every later re-INVITE (telling of the resume) offers sendrecv too; answered as a phone would.
    const later = await nextMatching(dialog.client, isRequest('INVITE', callId), 1_000).catch(() => undefined);
    if (later) {
      expect(later).toMatch(/\r\na=sendrecv\r\n/);
      respond(dialog.client, later, '200 OK', dialog.local, dialog.extension, cannedSdp('answer'));
      await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(later)));
    }
    expect(lastCall().state).toBe('answered');

    await hangUp(dialog, caller);
  }, 10_000);
});

describe('a second re-INVITE from a party before its first is answered (RFC 3261 §14.2)', () => {
  it('gets 500 with a Retry-After of 0 to 10 s; the other party\'s offer meanwhile gets 491; the first is answered once the media has it', async () => {
    const { dialog, caller, callId, reinvite } = await callThenHold();
    respond(dialog.client, reinvite, '200 OK', dialog.local, dialog.extension, cannedSdp('answer', undefined, 'recvonly'));
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(reinvite)));
    // The assessor resumes; the server tells the candidate.
    caller.sessionDescriptionHandlerOptionsReInvite = { hold: false } as never;
    await new Promise<void>((resolve, reject) => void caller.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } }));
    const resumed = await nextMatching(dialog.client, isRequest('INVITE', callId));
    respond(dialog.client, resumed, '200 OK', dialog.local, dialog.extension, cannedSdp('answer'));
    await nextMatching(dialog.client, isRequest('ACK', callId, cseqOf(resumed)));

    // The worker is stopped, so the candidate's hold (its first re-INVITE) stays unanswered: its
    // media step waits for the worker to pause what the candidate is sent.
    const worker = h.pool.health().workers[0]!.pid;
    process.kill(worker, 'SIGSTOP');
    try {
      const first = startReinvite(dialog, 'sendonly');
      await sleep(200);
      // "A UAS that receives a second INVITE before it sends the final response to a first INVITE
      // with a lower CSeq sequence number on the same dialog MUST return a 500 (Server Internal
      // Error) response to the second INVITE and MUST include a Retry-After header field with a
      // randomly chosen value of between 0 and 10 seconds."
      const second = await finalResponse(dialog, startReinvite(dialog));
      expect(statusOf(second)).toBe(500);
      const retryAfter = Number(header(second, 'Retry-After'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 0 && retryAfter <= 10, header(second, 'Retry-After')).toBe(true);
      // An UPDATE with an offer likewise (RFC 3311 §5.2: "the UAS has received an offer ... to which it
      // has not yet generated an answer, the UAS MUST reject the UPDATE with a 500 response, and MUST
      // include a Retry-After header field").
      const update = ++dialog.cseq;
      dialog.client.send(
        rawRequest('UPDATE', { uri: dialog.remoteTarget, callId, cseq: update, branch: `z9hG4bKrawupd${update}`, headers: { From: dialog.local, To: dialog.remote, Contact: `<sip:${dialog.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' }, body: cannedSdp('offer') }),
      );
      const updated = await nextMatching(dialog.client, (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === `${update} UPDATE`);
      expect(statusOf(updated)).toBe(500);
      expect(Number(header(updated, 'Retry-After'))).toBeLessThanOrEqual(10);

      // The assessor's hold meanwhile: answering the candidate's offer will re-INVITE the
      // assessor's leg, so its own re-INVITE is refused as glare (491), to be tried again.
      caller.sessionDescriptionHandlerOptionsReInvite = { hold: true } as never;
      const hold = await new Promise<number>((resolve) => void caller.invite({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } }));
      expect(hold).toBe(491);

      process.kill(worker, 'SIGCONT');
      expect(statusOf(await finalResponse(dialog, first, 10_000))).toBe(200);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    expect(lastCall().state).toBe('answered');
    await hangUp(dialog, caller);
  }, 20_000);
});
