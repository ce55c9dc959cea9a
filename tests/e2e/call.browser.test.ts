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

describe('a real call between two browsers', () => {
  it('rings, connects with two-way audio, holds, resumes, hangs up, and is recorded per channel', async () => {
    const candidate = await login(fx.candidateBrowser, fx.server.url, 'demo-candidate');
    const assessor = await login(fx.assessorBrowser, fx.server.url, 'demo-assessor');
    await dial(assessor, candidate);
    const banner = candidate.getByTestId('incoming');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Demo Assessor');
    await assessor.getByTestId('call-phase').filter({ hasText: 'Ringing' }).waitFor();
    await answer(candidate);
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
    const answeredAt = Date.now();

    await sleep(3000);
    const c1 = await inboundAudio(candidate);
    const a1 = await inboundAudio(assessor);
    expect(c1.packetsReceived).toBeGreaterThan(50);
    expect(a1.packetsReceived).toBeGreaterThan(50);
    // The remote track is played by the softphone's <audio>, so energy is measured too.
    expect(c1.totalAudioEnergy).toBeGreaterThan(0);
    expect(a1.totalAudioEnergy).toBeGreaterThan(0);
    expect(await assessor.getByTestId('call-timer').textContent()).toMatch(/^00:0[2-9]$/);

    // Keypad: a digit pressed by the candidate is sent (RFC 4733 and SIP INFO) and lands on the call timeline.
    await candidate.getByRole('button', { name: 'Keypad' }).click();
    await candidate.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '5', exact: true }).click();
    expect(await candidate.getByTestId('dtmf').textContent()).toBe('5');

    // Mute by the candidate: packets keep flowing (the track is disabled, not removed) but the
    // assessor hears silence; unmute brings the tone back.
    await candidate.getByRole('button', { name: 'Mute' }).click();
    await sleep(600);
    const m1 = await inboundAudio(assessor);
    await sleep(1500);
    const m2 = await inboundAudio(assessor);
    const mutedRms = Math.sqrt((m2.totalAudioEnergy - m1.totalAudioEnergy) / (m2.totalSamplesDuration - m1.totalSamplesDuration));
    await candidate.getByRole('button', { name: 'Unmute' }).click();
    await sleep(1000);
    const m3 = await inboundAudio(assessor);
    await sleep(1500);
    const m4 = await inboundAudio(assessor);
    const liveRms = Math.sqrt((m4.totalAudioEnergy - m3.totalAudioEnergy) / (m4.totalSamplesDuration - m3.totalSamplesDuration));
    expect(m2.packetsReceived).toBeGreaterThan(m1.packetsReceived);
    expect(liveRms).toBeGreaterThan(0.005);
    expect(mutedRms).toBeLessThan(0.2 * liveRms);

    // Hold by the assessor: neither side receives audio; then resume.
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
    await assessor.getByRole('button', { name: 'Resume' }).click();
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
    const holdEnd = Date.now();
    await sleep(2500);
    const c3 = await inboundAudio(candidate);
    const a3 = await inboundAudio(assessor);
    expect(c3.packetsReceived - cHold2.packetsReceived).toBeGreaterThan(50);
    expect(a3.packetsReceived - aHold2.packetsReceived).toBeGreaterThan(50);

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
    const types = details.events.map((e: { type: string }) => e.type);
    for (const e of ['invite', 'ringing', 'answered', 'recording-started', 'dtmf', 'hold', 'resume', 'hangup', 'recording-finished', 'end']) expect(types).toContain(e);
    expect(details.events.find((e: { type: string }) => e.type === 'dtmf')).toMatchObject({ leg: 'callee', detail: { digit: '5', via: 'info' } });
    expect(details.holds).toHaveLength(1);
    expect(details.holds[0].by).toBe('caller');
    expect(Math.abs((details.holds[0].end - details.holds[0].start) - (holdEnd - holdStart))).toBeLessThan(1000);

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
    expect(Math.abs(seconds - (endedAt - answeredAt) / 1000)).toBeLessThan(1.5);
    expect(Math.abs(call!.recording!.durationMs / 1000 - seconds)).toBeLessThan(0.5);

    // Talk before the hold: 440 Hz only on the left (candidate), 880 Hz only on the right (assessor).
    const s = (t: number) => Math.max(0, Math.min(left.length, Math.round(t * sampleRate)));
    // The first three seconds: both talking, before the keypad and mute steps.
    const talkFrom = s(0.5);
    const talkTo = s(3.0);
    const l440 = tonePower(left, sampleRate, 440, talkFrom, talkTo);
    const l880 = tonePower(left, sampleRate, 880, talkFrom, talkTo);
    const r880 = tonePower(right, sampleRate, 880, talkFrom, talkTo);
    const r440 = tonePower(right, sampleRate, 440, talkFrom, talkTo);
    expect(l440).toBeGreaterThan(0.01);
    expect(r880).toBeGreaterThan(0.01);
    expect(l440).toBeGreaterThan(20 * l880);
    expect(r880).toBeGreaterThan(20 * r440);

    if (process.env.DEBUG_E2E) {
      const start = details.events.find((e: { type: string }) => e.type === 'recording-started').at;
      console.log(details.events.map((e: { type: string; at: number; leg: string }) => `${((e.at - start) / 1000).toFixed(2)} ${e.type} ${e.leg ?? ''}`).join('\n'));
      console.log('hold ui', (holdStart - answeredAt) / 1000, (holdEnd - answeredAt) / 1000);
      for (let sec = 0; sec < seconds - 1; sec += 0.5) console.log(sec.toFixed(1), rms(left, s(sec), s(sec + 0.5)).toFixed(3), rms(right, s(sec), s(sec + 0.5)).toFixed(3));
    }
    // The hold is silence on both channels (a margin for signalling latency at each end).
    const holdFrom = s((holdStart - answeredAt) / 1000 + 0.8);
    const holdTo = s((holdEnd - answeredAt) / 1000 - 0.8);
    expect(holdTo - holdFrom).toBeGreaterThan(sampleRate);
    expect(rms(left, holdFrom, holdTo)).toBeLessThan(0.1 * rms(left, talkFrom, talkTo));
    expect(rms(right, holdFrom, holdTo)).toBeLessThan(0.1 * rms(right, talkFrom, talkTo));
    // And both voices are back after the resume.
    const afterFrom = s((holdEnd - answeredAt) / 1000 + 0.8);
    const afterTo = s((endedAt - answeredAt) / 1000 - 0.5);
    expect(tonePower(left, sampleRate, 440, afterFrom, afterTo)).toBeGreaterThan(0.01);
    expect(tonePower(right, sampleRate, 880, afterFrom, afterTo)).toBeGreaterThan(0.01);
  });

  it('a callee who is not signed in: the caller is told in words', async () => {
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
