// Which party the recording puts on which channel (server/sip/b2bua.ts startRecording and
// recordParty): the candidate on the left, everyone else on the right, whichever way the call was
// placed, and after a transfer or with a conference party. Without a browser: every party is a
// real sip.js user agent with real WebRTC media (tests/support/webrtc-party.ts) sending its own
// tone, through the B2BUA, mediasoup and the recorder; the stereo file is decoded and each channel
// is checked by what it contains.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Invitation as InvitationT } from 'sip.js';
import { MediaWorkerPool } from '../../../media/index.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { decodeAudio, tonesIn, type DecodedAudio } from '../../support/audio.js';
import { Inviter, SessionState, UserAgent } from '../../support/sip-clients.js';
import { createTestApp, PASSWORD, type TestApp } from '../../support/test-app.js';
import { sleep, until } from '../../support/until.js';
import { referAndWait, tonePhone, type TonePhone } from '../../support/tone-phone.js';

const CANDIDATE_HZ = 440;
const CALLER_HZ = 880;
const THIRD_HZ = 1320;
const TONES = [CANDIDATE_HZ, CALLER_HZ, THIRD_HZ];

let t: TestApp;
let pool: MediaWorkerPool;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 43000, rtcMaxPort: 43199 });
  t = await createTestApp({ telephony: { pool } });
  t.repos.users.create({ username: 'supervisor1', displayName: 'Supervisor', role: 'assessor', centreId: t.centreId, passwordHash: await hashPassword(PASSWORD) });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0, 10_000);
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

type Phone = TonePhone;
const phone = (username: string, hz: number): Promise<Phone> => tonePhone(t, username, hz, cleanups);

async function dial(from: Phone, to: Phone): Promise<void> {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!);
  from.session = inviter;
  await inviter.invite();
  await until(() => inviter.state === SessionState.Established && to.session?.state === SessionState.Established, 10_000);
}


const lastCall = () => t.repos.calls.list({ limit: 1 })[0]!;

/** Lets the call run until the recording holds `seconds` of audio from now. */
async function talk(seconds: number): Promise<void> {
  await until(() => lastCall().recordingStatus === 'recording' && lastCall().recordingStartedAt !== null, 10_000);
  await sleep(seconds * 1000);
}

/** Hangs up from each of `who` in turn (in a conference the other two talk on), waits for the finished recording and decodes it. */
async function hangUpAndDecode(...who: Phone[]): Promise<{ audio: DecodedAudio; startedAt: number }> {
  const id = lastCall().id;
  for (const p of who) {
    const s = p.session!;
    if (s instanceof Inviter) await s.bye();
    else await (s as InvitationT).bye();
  }
  await until(() => t.repos.calls.find(id)!.recordingStatus === 'complete', 20_000);
  const call = t.repos.calls.find(id)!;
  return { audio: await decodeAudio(call.recordingPath!), startedAt: call.recordingStartedAt! };
}


const LEFT = 0;
const RIGHT = 1;

// Real media on a shared 2-core machine: set-up, two seconds of talk and the final mix take a while.
describe('recording channels: candidate left, everyone else right', { timeout: 90_000 }, () => {
  it('the candidate calls the assessor', async () => {
    const candidate = await phone('candidate1', CANDIDATE_HZ);
    const assessor = await phone('assessor1', CALLER_HZ);
    await dial(candidate, assessor);
    await talk(2);
    const { audio } = await hangUpAndDecode(candidate);
    expect(tonesIn(audio, LEFT, 0.5, 1.8, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, 0.5, 1.8, TONES)).toEqual([CALLER_HZ]);
  });

  it('the assessor calls the candidate', async () => {
    const candidate = await phone('candidate1', CANDIDATE_HZ);
    const assessor = await phone('assessor1', CALLER_HZ);
    await dial(assessor, candidate);
    await talk(2);
    const { audio } = await hangUpAndDecode(assessor);
    expect(tonesIn(audio, LEFT, 0.5, 1.8, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, 0.5, 1.8, TONES)).toEqual([CALLER_HZ]);
  });

  it('after the caller is transferred to a supervisor, the supervisor is on the right and the candidate stays left', async () => {
    const candidate = await phone('candidate1', CANDIDATE_HZ);
    const assessor = await phone('assessor1', CALLER_HZ);
    const supervisor = await phone('supervisor1', THIRD_HZ);
    await dial(assessor, candidate);
    await talk(1.5);
    // The customer (the assessor's leg) asks to be put through; its leg is replaced by the supervisor's.
    await referAndWait(assessor, supervisor, 'blind');
    const transferredAt = Date.now();
    await sleep(2000);
    const { audio, startedAt } = await hangUpAndDecode(candidate);
    const after = (transferredAt - startedAt) / 1000 + 0.5;
    expect(tonesIn(audio, LEFT, 0.3, 1.3, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, 0.3, 1.3, TONES)).toEqual([CALLER_HZ]);
    expect(tonesIn(audio, LEFT, after, after + 1.2, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, after, after + 1.2, TONES)).toEqual([THIRD_HZ]);
  });

  it('in a conference the candidate brings in, both other parties are on the right', async () => {
    const candidate = await phone('candidate1', CANDIDATE_HZ);
    const assessor = await phone('assessor1', CALLER_HZ);
    const supervisor = await phone('supervisor1', THIRD_HZ);
    await dial(candidate, assessor);
    await talk(1.5);
    await referAndWait(candidate, supervisor, 'conference');
    const joinedAt = Date.now();
    await sleep(2000);
    const { audio, startedAt } = await hangUpAndDecode(assessor, candidate);
    const after = (joinedAt - startedAt) / 1000 + 0.5;
    expect(tonesIn(audio, LEFT, 0.3, 1.3, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, 0.3, 1.3, TONES)).toEqual([CALLER_HZ]);
    expect(tonesIn(audio, LEFT, after, after + 1.2, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, after, after + 1.2, TONES)).toEqual([CALLER_HZ, THIRD_HZ]);
  });
});
