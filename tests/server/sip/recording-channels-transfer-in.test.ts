// A call that reaches the candidate by transfer (server/sip/transfer.ts): it starts between two of
// the centre's staff (the customer, played by the assessor, rings a supervisor's phone), so it has
// no candidate; the supervisor then transfers it to the candidate, whose attempt is open. From the
// transfer on it is the candidate's call: the call row names them, its events enter their attempt's
// timeline, and the recording puts the candidate alone on the left channel and the customer on the
// right (server/sip/call-recording.ts), what was recorded before the transfer left as it was.
// Every phone is a real sip.js user agent with real WebRTC media sending its own tone, through the
// B2BUA, mediasoup and the recorder; the stereo file is decoded and each channel checked by content.
import { describe, expect, it } from 'vitest';
import { decodeAudio, tonesIn } from '../../support/audio.js';
import { Inviter, SessionState } from '../../support/sip-clients.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { addSupervisor, openAttemptReady } from '../../support/sitting-helpers.js';
import { dial, referAndWait, tonePhone, type TonePhone } from '../../support/tone-phone.js';
import { sleep, until } from '../../support/until.js';

const CANDIDATE_HZ = 440;
const CUSTOMER_HZ = 880;
const SUPERVISOR_HZ = 1320;
const TONES = [CANDIDATE_HZ, CUSTOMER_HZ, SUPERVISOR_HZ];
const LEFT = 0;
const RIGHT = 1;

const h = useTelephonyApp({ rtcPorts: [48460, 48499] });

const phone = (username: string, hz: number): Promise<TonePhone> => tonePhone(h.t, username, hz, h.cleanups);
const lastCall = () => h.t.repos.calls.list({ limit: 1 })[0]!;

describe('a call transferred to the candidate becomes the candidate\'s call', { timeout: 90_000 }, () => {
  it('the call row names the candidate, its events reach the attempt, and the candidate is alone on the left from the transfer on', async () => {
    const t = h.t;
    await addSupervisor(t);
    // The candidate's open attempt, and their desktop Ready (so the transfer rings them at once).
    const attempt = await openAttemptReady(t);

    const candidate = await phone('candidate1', CANDIDATE_HZ);
    const customer = await phone('assessor1', CUSTOMER_HZ);
    const supervisor = await phone('supervisor1', SUPERVISOR_HZ);
    await dial(customer, supervisor);
    const callId = lastCall().id;
    expect(lastCall().candidateUserId).toBeNull();
    await until(() => lastCall().recordingStatus === 'recording' && lastCall().recordingStartedAt !== null, 10_000);
    await sleep(1500);
    const eventsBefore = t.repos.calls.events(callId);

    // The supervisor puts the customer through to the candidate.
    await referAndWait(supervisor, candidate);
    const transferredAt = Date.now();
    await until(() => candidate.session?.state === SessionState.Established, 10_000);
    await sleep(2000);

    // The call is the candidate's now; what was stored before the transfer is as it was.
    expect(t.repos.calls.find(callId)!.candidateUserId).toBe(t.users.candidate);
    expect(t.repos.calls.events(callId).slice(0, eventsBefore.length)).toEqual(eventsBefore);
    const timeline = () => t.repos.attemptEvents.list(attempt.id).filter((e) => e.callId === callId).map((e) => e.type);
    expect(timeline()).toContain('transfer');
    // The timeline names who the call was put through to, from the directory (the live view and replay say "Transferred to Test candidate").
    expect(t.repos.attemptEvents.list(attempt.id).find((e) => e.type === 'transfer')?.payload).toMatchObject({ outcome: 'transferred', targetName: 'Test candidate' });

    // The customer hangs up.
    await (customer.session as InstanceType<typeof Inviter>).bye();
    await until(() => t.repos.calls.find(callId)!.recordingStatus === 'complete', 20_000);
    expect(timeline()).toContain('call-ended');
    const call = t.repos.calls.find(callId)!;
    const audio = await decodeAudio(call.recordingPath!);
    const after = (transferredAt - call.recordingStartedAt!) / 1000 + 0.5;
    // Before the transfer two of the staff talked: each on their own channel, as recorded then.
    expect(tonesIn(audio, LEFT, 0.3, 1.3, TONES)).toEqual([CUSTOMER_HZ]);
    expect(tonesIn(audio, RIGHT, 0.3, 1.3, TONES)).toEqual([SUPERVISOR_HZ]);
    // From the transfer on: the candidate alone on the left, the customer on the right.
    expect(tonesIn(audio, LEFT, after, after + 1.2, TONES)).toEqual([CANDIDATE_HZ]);
    expect(tonesIn(audio, RIGHT, after, after + 1.2, TONES)).toEqual([CUSTOMER_HZ]);
  });
});
