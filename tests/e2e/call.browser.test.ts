// A real call: two headless Chromium browsers (one process per party, each with its own tone as
// the fake microphone: candidate 440 Hz, assessor 880 Hz) log in through the UI, register their
// softphones, and the assessor calls the candidate through the production server (SIP over
// WebSocket, mediasoup, ffmpeg). Checks two-way audio with getStats, hold/resume, hang-up, and the
// stereo recording: candidate's tone only on the left, assessor's only on the right, hold silent.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAudio, rms, tonePower } from '../support/audio.js';
import { answer, dial, loginAs } from '../support/browser.js';
import { twoPartyFixture } from '../support/fixtures.js';
import { sleep } from '../support/until.js';

// Test-only instrumentation: remember every RTCPeerConnection the page creates, to read getStats.
const RECORD_PEER_CONNECTIONS = `
  window.__pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
`;

interface AudioStats {
  packetsReceived: number;
  totalAudioEnergy: number;
  totalSamplesDuration: number;
}

async function inboundAudio(page: Page): Promise<AudioStats> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const pc = pcs[pcs.length - 1];
    const out = { packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.packetsReceived += Number(s.packetsReceived ?? 0);
        out.totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
        out.totalSamplesDuration += Number(s.totalSamplesDuration ?? 0);
      }
    });
    return out;
  });
}


const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function login(browser: Browser, url: string, username: string): Promise<Page> {
  const page = await loginAs(browser, url, username, { init: RECORD_PEER_CONNECTIONS });
  contexts.push(page.context());
  return page;
}

const fx = twoPartyFixture({ tmpPrefix: 'callmark-e2e-' });

/** Waits (at most 15 s) until each page has received more than 50 audio packets since `since` and energy with them. */
async function untilTwoWayAudio(candidate: Page, assessor: Page, since: { c: AudioStats; a: AudioStats } | undefined, what: string): Promise<{ c: AudioStats; a: AudioStats }> {
  let now = { c: await inboundAudio(candidate), a: await inboundAudio(assessor) };
  const from = since ?? { c: { packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0 }, a: { packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0 } };
  await expect
    .poll(
      async () => {
        now = { c: await inboundAudio(candidate), a: await inboundAudio(assessor) };
        const flowing = (x: AudioStats, y: AudioStats) => x.packetsReceived - y.packetsReceived > 50 && x.totalAudioEnergy > y.totalAudioEnergy;
        return flowing(now.c, from.c) && flowing(now.a, from.a);
      },
      { timeout: 15_000, interval: 250, message: `${what}: ${JSON.stringify({ from, now })}` },
    )
    .toBe(true);
  return now;
}

describe('a real call between two browsers', () => {
  // 90 s: two logins and registrations, the answer, two waits for two-way audio (up to 15 s each),
  // ~11 s of talk, mute and hold on the schedule, the recording's completion (up to 10 s) and its
  // decoding.
  it('rings, connects with two-way audio, holds, resumes, hangs up, and is recorded per channel', { timeout: 90_000 }, async () => {
    const candidate = await login(fx.candidateBrowser, fx.server.url, 'demo-candidate');
    const assessor = await login(fx.assessorBrowser, fx.server.url, 'demo-assessor');
    await dial(assessor, candidate);
    const banner = candidate.getByTestId('incoming');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Demo Assessor');
    await assessor.getByTestId('call-phase').filter({ hasText: 'Ringing' }).waitFor();
    const answerClickAt = Date.now();
    await answer(candidate);
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
    const answeredAt = Date.now();

    // Two-way audio: packets and, as the softphone's <audio> plays the remote track, energy. ICE,
    // DTLS and the fake capture device start after "Connected", later on a loaded machine: waited
    // for, then ~2.5 s of both talking (the recording's talk window) before the keypad and mute.
    const talking = await untilTwoWayAudio(candidate, assessor, undefined, 'two-way audio after the answer');
    const talkFrom = Date.now();
    await sleep(2500);
    const talkTo = Date.now();
    const talked = await inboundAudio(assessor);
    expect(await assessor.getByTestId('call-timer').textContent()).toMatch(/^00:(0[2-9]|[1-5]\d)$/);

    // Keypad: a digit pressed by the candidate is sent (RFC 4733 and SIP INFO) and lands on the call timeline.
    await candidate.getByRole('button', { name: 'Keypad' }).click();
    await candidate.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '5', exact: true }).click();
    expect(await candidate.getByTestId('dtmf').textContent()).toBe('5');

    // Mute by the candidate: packets keep flowing (the track is disabled, not removed) but the
    // assessor hears silence; unmute brings the tone back.
    // Each level is what the assessor received over 1.5 s, listened to again (at most 15 s) until the
    // change has reached it: the audio in flight and the jitter buffer take longer under load.
    const rmsBetween = (x: AudioStats, y: AudioStats) => Math.sqrt((y.totalAudioEnergy - x.totalAudioEnergy) / Math.max(1e-9, y.totalSamplesDuration - x.totalSamplesDuration));
    const talkRms = rmsBetween(talking.a, talked);
    expect(talkRms).toBeGreaterThan(0.005);
    const listen = async () => {
      const from = await inboundAudio(assessor);
      await sleep(1500);
      return { from, to: await inboundAudio(assessor) };
    };
    await candidate.getByRole('button', { name: 'Mute' }).click();
    let muted = await listen();
    await expect.poll(async () => rmsBetween((muted = await listen()).from, muted.to), { timeout: 15_000, interval: 0 }).toBeLessThan(0.2 * talkRms);
    const mutedRms = rmsBetween(muted.from, muted.to);
    await candidate.getByRole('button', { name: 'Unmute' }).click();
    let live = await listen();
    await expect.poll(async () => rmsBetween((live = await listen()).from, live.to), { timeout: 15_000, interval: 0 }).toBeGreaterThan(0.005);
    const liveRms = rmsBetween(live.from, live.to);
    expect(muted.to.packetsReceived).toBeGreaterThan(muted.from.packetsReceived);
    expect(mutedRms).toBeLessThan(0.2 * liveRms);

    // Hold by the assessor: neither side receives audio; then resume.
    const holdClickAt = Date.now();
    await assessor.getByRole('button', { name: 'Hold' }).click();
    await assessor.getByTestId('call-phase').filter({ hasText: 'On hold' }).waitFor();
    const holdStart = Date.now();
    await sleep(1000);
    const cHold1 = await inboundAudio(candidate);
    const aHold1 = await inboundAudio(assessor);
    await sleep(2500);
    const cHold2 = await inboundAudio(candidate);
    const aHold2 = await inboundAudio(assessor);
    expect(cHold2.packetsReceived - cHold1.packetsReceived).toBeLessThan(10);
    expect(aHold2.packetsReceived - aHold1.packetsReceived).toBeLessThan(10);
    const resumeClickAt = Date.now();
    await assessor.getByRole('button', { name: 'Resume' }).click();
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
    const holdEnd = Date.now();
    // Each browser sends again once the server's re-INVITE reached it: waited for, then both talk
    // ~1.5 s more (the recording's window after the hold).
    await untilTwoWayAudio(candidate, assessor, { c: cHold2, a: aHold2 }, 'two-way audio after the resume');
    const resumedFrom = Date.now();
    await sleep(1500);

    const hangUpClickAt = Date.now();
    await candidate.getByRole('button', { name: 'Hang up' }).click();
    await assessor.getByTestId('last-call').filter({ hasText: 'hung up' }).waitFor();
    const endedAt = Date.now();

    // The recording, fetched as the assessor would play it.
    let call: { id: string; recording: { url: string; durationMs: number; sha256: string; status: string } | null } | undefined;
    for (let i = 0; i < 40 && !call?.recording; i++) {
      const calls = await assessor.evaluate(async () => (await (await fetch('/api/calls')).json()).calls);
      call = calls[0];
      if (!call?.recording) await sleep(250);
    }
    expect(call?.recording?.status).toBe('complete');
    const details = await assessor.evaluate(async (id) => (await (await fetch(`/api/calls/${id}`)).json()), call!.id);
    const eventAt = (type: string): number => details.events.find((e: { type: string }) => e.type === type).at;
    const types = details.events.map((e: { type: string }) => e.type);
    for (const e of ['invite', 'ringing', 'answered', 'recording-started', 'dtmf', 'hold', 'resume', 'hangup', 'recording-finished', 'end']) expect(types).toContain(e);
    expect(details.events.find((e: { type: string }) => e.type === 'dtmf')).toMatchObject({ leg: 'callee', detail: { digit: '5', via: 'info' } });
    expect(details.holds).toHaveLength(1);
    expect(details.holds[0].by).toBe('caller');
    // Stamped by the server between the clicks that made it (it cannot hold before the Hold click
    // nor resume before the Resume click); how long after is the machine's load, not the product's.
    expect(details.holds[0].start).toBeGreaterThanOrEqual(holdClickAt);
    expect(details.holds[0].start).toBeLessThanOrEqual(resumeClickAt);
    expect(details.holds[0].end).toBeGreaterThanOrEqual(resumeClickAt);
    expect(details.holds[0].end).toBeLessThanOrEqual(hangUpClickAt);

    // The assessor's console lists the call with its recording, which the browser can load and seek.
    await assessor.reload();
    const row = assessor.locator(`tr[data-call-id="${call!.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('recording-duration').textContent()).toMatch(/^0:(0[89]|1\d|2\d)$/);
    const player = row.locator('audio');
    const mediaDuration = await player.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          if (a.readyState >= 1) resolve(a.duration);
          a.addEventListener('loadedmetadata', () => resolve(a.duration));
          a.load();
        }),
    );
    expect(Math.abs(mediaDuration - call!.recording!.durationMs / 1000)).toBeLessThan(1);
    const seeked = await player.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          a.addEventListener('seeked', () => resolve(a.currentTime), { once: true });
          a.currentTime = 5;
        }),
    );
    expect(seeked).toBeGreaterThan(4.5);
    const bytes = await assessor.evaluate(async (url) => {
      const buf = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let s = '';
      for (const b of buf) s += String.fromCharCode(b);
      return btoa(s);
    }, call!.recording!.url);
    const file = path.join(fx.tmp, 'call.ogg');
    fs.writeFileSync(file, Buffer.from(bytes, 'base64'));
    const { channels, sampleRate } = await decodeAudio(file);
    expect(channels).toHaveLength(2);
    const [left, right] = channels as [Float32Array, Float32Array];
    const seconds = left.length / sampleRate;
    // The recording spans the call: it starts after the Answer click and no later than the server's
    // 'recording-started', and runs at least to the Hang-up click and at most to 'recording-finished'
    // (0.3 s for the packets in flight at the end).
    const recordingStartedAt = eventAt('recording-started');
    expect(seconds).toBeGreaterThanOrEqual((hangUpClickAt - recordingStartedAt) / 1000 - 0.3);
    expect(seconds).toBeLessThanOrEqual((eventAt('recording-finished') - answerClickAt) / 1000);
    expect(Math.abs(call!.recording!.durationMs / 1000 - seconds)).toBeLessThan(0.5);

    // Talk before the hold: 440 Hz only on the left (candidate), 880 Hz only on the right (assessor).
    // A wall-clock moment as a sample of the recording: its t=0 lies a little before the server's
    // 'recording-started' (the recorder starts first), so a window lands at most that much early.
    const s = (at: number) => Math.max(0, Math.min(left.length, Math.round(((at - recordingStartedAt) / 1000) * sampleRate)));
    // The talk before the keypad and mute steps: both tones were flowing from talkFrom on.
    const [talkFromS, talkToS] = [s(talkFrom + 300), s(talkTo)];
    const l440 = tonePower(left, sampleRate, 440, talkFromS, talkToS);
    const l880 = tonePower(left, sampleRate, 880, talkFromS, talkToS);
    const r880 = tonePower(right, sampleRate, 880, talkFromS, talkToS);
    const r440 = tonePower(right, sampleRate, 440, talkFromS, talkToS);
    expect(l440).toBeGreaterThan(0.01);
    expect(r880).toBeGreaterThan(0.01);
    expect(l440).toBeGreaterThan(20 * l880);
    expect(r880).toBeGreaterThan(20 * r440);

    if (process.env.DEBUG_E2E) {
      console.log(details.events.map((e: { type: string; at: number; leg: string }) => `${((e.at - recordingStartedAt) / 1000).toFixed(2)} ${e.type} ${e.leg ?? ''}`).join('\n'));
      console.log('ui', { answered: answeredAt - recordingStartedAt, talkFrom: talkFrom - recordingStartedAt, holdStart: holdStart - recordingStartedAt, holdEnd: holdEnd - recordingStartedAt, resumedFrom: resumedFrom - recordingStartedAt, hangUp: hangUpClickAt - recordingStartedAt, ended: endedAt - recordingStartedAt });
      const at = (sec: number) => Math.round(sec * sampleRate);
      for (let sec = 0; sec < seconds - 0.5; sec += 0.5) console.log(sec.toFixed(1), rms(left, at(sec), at(sec + 0.5)).toFixed(3), rms(right, at(sec), at(sec + 0.5)).toFixed(3));
    }
    // The hold is silence on both channels: from 0.8 s after the phone showed "On hold" (the server
    // pauses the media as it answers the re-INVITE) to the Resume click.
    const holdFrom = s(holdStart + 800);
    const holdTo = s(resumeClickAt);
    expect(holdTo - holdFrom).toBeGreaterThan(sampleRate);
    expect(rms(left, holdFrom, holdTo)).toBeLessThan(0.1 * rms(left, talkFromS, talkToS));
    expect(rms(right, holdFrom, holdTo)).toBeLessThan(0.1 * rms(right, talkFromS, talkToS));
    // And both voices are back after the resume: from when both browsers received audio again to
    // the Hang-up click.
    const afterFrom = s(resumedFrom);
    const afterTo = s(hangUpClickAt);
    expect(tonePower(left, sampleRate, 440, afterFrom, afterTo)).toBeGreaterThan(0.01);
    expect(tonePower(right, sampleRate, 880, afterFrom, afterTo)).toBeGreaterThan(0.01);
  });

  // 60 s: a login with its registration (up to 15 s), up to 10 s for the directory to show the
  // candidate unregistered, and the refused call.
  it('a callee who is not signed in: the caller is told in words', { timeout: 60_000 }, async () => {
    const assessor = await login(fx.assessorBrowser, fx.server.url, 'demo-assessor');
    // The candidate's browser closed at the end of the previous test, so it is not registered.
    let entry: { extension: string; registered: boolean } | undefined;
    for (let i = 0; i < 40; i++) {
      const entries = await assessor.evaluate(async () => (await (await fetch('/api/directory')).json()).entries);
      entry = entries.find((e: { role: string }) => e.role === 'candidate');
      if (entry && !entry.registered) break;
      await sleep(250);
    }
    expect(entry?.registered).toBe(false);
    const candidateExt = entry!.extension;
    await dial(assessor, candidateExt);
    // sip.js may report the call terminated ("Call ended.") just before the 480 that says why.
    const lastCall = assessor.getByTestId('last-call');
    // In words only: no SIP status code (480) on screen.
    await lastCall.filter({ hasText: /Not available/ }).waitFor();
    expect(await lastCall.textContent()).not.toMatch(/\d{3}/);
  });
});
