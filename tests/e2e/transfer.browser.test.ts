// Blind transfer and conference with three headless Chromium browsers through the production
// server, each with its own tone as the fake microphone: candidate 440 Hz, assessor (the caller)
// 880 Hz, supervisor (a second assessor of the centre) 660 Hz. What each party hears is measured
// in its page: every remote track the softphone plays is tapped with WebAudio and the tones are
// measured with Goertzel. The recordings are checked per channel: candidate left, others right.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, tonePower, writeToneWav } from '../support/audio.js';
import { answer, apiIn, callAndAnswer, dial, launchBrowser, loginAs } from '../support/browser.js';
import { prepareSittingIn } from '../support/fixtures.js';
import { keepServerLogsOnFailure } from '../support/server-log.js';
import { loginFirstStartAdmin, startServer, type ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/until.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-transfer-'));
const TONES = { candidate: 440, assessor: 880, supervisor: 660 } as const;
const ADMIN_PASSWORD = 'transfer-test-admin-pw';

// Test-only instrumentation: remember every RTCPeerConnection, and measure tones on every live
// remote track of the newest one (the softphone plays each; WebAudio taps them here).
const INSTRUMENT = `
  window.__pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
  window.__hears = async (freqs, ms) => {
    const pc = window.__pcs[window.__pcs.length - 1];
    if (!pc) return [];
    const tracks = pc.getTransceivers().filter((t) => t.receiver.track && t.receiver.track.readyState === 'live' && (t.currentDirection === 'sendrecv' || t.currentDirection === 'recvonly')).map((t) => t.receiver.track);
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const mixed = ctx.createGain();
    for (const track of tracks) ctx.createMediaStreamSource(new MediaStream([track])).connect(mixed);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const chunks = [];
    proc.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    mixed.connect(proc);
    proc.connect(ctx.destination);
    await new Promise((r) => setTimeout(r, ms));
    await ctx.close();
    const n = chunks.reduce((a, c) => a + c.length, 0);
    const all = new Float32Array(n);
    let o = 0;
    for (const c of chunks) { all.set(c, o); o += c.length; }
    return freqs.map((f) => {
      const k = Math.round((n * f) / 48000), w = (2 * Math.PI * k) / n, coeff = 2 * Math.cos(w);
      let s1 = 0, s2 = 0;
      for (let i = 0; i < n; i++) { const s0 = all[i] + coeff * s1 - s2; s2 = s1; s1 = s0; }
      return Math.sqrt(s1 * s1 + s2 * s2 - coeff * s1 * s2) / Math.max(1, n);
    });
  };
`;

type Party = keyof typeof TONES;

/** The power of each party's tone in what `page` hears now (over 1.5 s). */
async function hears(page: Page): Promise<Record<Party, number>> {
  const freqs = [TONES.candidate, TONES.assessor, TONES.supervisor];
  const [candidate, assessor, supervisor] = await page.evaluate(
    ([f, ms]) => (window as unknown as { __hears: (f: number[], ms: number) => Promise<number[]> }).__hears(f as number[], ms as number),
    [freqs, 1500] as const,
  );
  return { candidate: candidate ?? 0, assessor: assessor ?? 0, supervisor: supervisor ?? 0 };
}

/**
 * Waits until `page` hears `party` (listening 1.5 s at a time, at most 20 s: media after an answer
 * or a transfer starts after ICE, DTLS and a re-INVITE, seconds later on a loaded machine than on
 * an idle one) and returns the moment that listen ended: from then on the audio is flowing, so a
 * level measured or a recording window taken after it is the party's full level.
 */
async function untilHeard(page: Page, party: Party, what: string): Promise<number> {
  let last = 0;
  await expect
    .poll(async () => (last = (await hears(page))[party]), { timeout: 20_000, interval: 0, message: `${what}: ${party} not heard (last level ${last})` })
    .toBeGreaterThan(0.01);
  return Date.now();
}

/**
 * Waits (as `untilHeard`) until one listen of `page` hears `party` and the candidate below a tenth
 * of it: "ends up hearing the party, not the candidate".
 */
async function untilHearsOnly(page: Page, party: Party, what: string): Promise<void> {
  let last: Record<Party, number> = { candidate: 0, assessor: 0, supervisor: 0 };
  await expect
    .poll(async () => (last = await hears(page))[party] > 0.01 && last.candidate < 0.1 * last[party], { timeout: 20_000, interval: 0, message: `${what}: ${party} alone not heard (last levels ${JSON.stringify(last)})` })
    .toBe(true);
}

let server: ServerProcess;
const browsers = {} as Record<Party, Browser>;
const contexts: BrowserContext[] = [];
let supervisorExt = '';
const base = () => server.url.replace(/\/$/, '');

keepServerLogsOnFailure(() => [server]);
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

beforeAll(async () => {
  server = await startServer({
    args: ['--demo'],
    env: { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1', CALLMARK_ADMIN_PASSWORD: ADMIN_PASSWORD, CALLMARK_SIP_NO_ANSWER_SECONDS: '15' },
  });
  // A second staff user of the demo centre plays the supervisor.
  const { headers } = await loginFirstStartAdmin(base(), ADMIN_PASSWORD);
  const { users } = (await (await fetch(`${base()}/api/users`, { headers })).json()) as { users: Array<{ username: string; centreId: number | null }> };
  const centreId = users.find((u) => u.username === 'demo-assessor')!.centreId;
  const created = await fetch(`${base()}/api/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username: 'demo-supervisor', displayName: 'Demo Supervisor', role: 'assessor', centreId, password: 'demo-password' }),
  });
  expect(created.status).toBe(201);
  supervisorExt = ((await created.json()) as { user: { extension: string } }).user.extension;
  // A password an administrator set is for the first login only: the supervisor chooses their own (used by the browser login below).
  const first = await fetch(`${base()}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo-supervisor', password: 'demo-password' }) });
  const own = { cookie: (first.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': ((await first.json()) as { csrfToken: string }).csrfToken, 'content-type': 'application/json' };
  const changed = await fetch(`${base()}/api/auth/password`, { method: 'POST', headers: own, body: JSON.stringify({ currentPassword: 'demo-password', newPassword: 'supervisor-password' }) });
  expect(changed.status, await changed.text()).toBe(200);
  for (const party of Object.keys(TONES) as Party[]) {
    const wav = path.join(tmp, `${party}.wav`);
    writeToneWav(wav, TONES[party], 10);
    browsers[party] = await launchBrowser({ fakeAudioFile: wav });
  }
}, 60_000);
afterAll(async () => {
  for (const b of Object.values(browsers)) await b?.close();
  await server?.stop();
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function open(party: Party): Promise<Page> {
  const page = await loginAs(browsers[party], server.url, `demo-${party}`, { init: INSTRUMENT, ...(party === 'supervisor' ? { password: 'supervisor-password' } : {}) });
  contexts.push(page.context());
  return page;
}

/** Screenshots of `page` for a person to check, at both screen sizes: in $CALLMARK_SCREENSHOTS, else the temp dir. */
async function screenshots(page: Page, name: string): Promise<void> {
  const shots = process.env.CALLMARK_SCREENSHOTS ?? tmp;
  fs.mkdirSync(shots, { recursive: true });
  for (const viewport of [{ width: 1024, height: 768 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(shots, `${name}-${viewport.width}.png`) });
  }
}

/** The assessor calls the candidate, who answers. */
async function connect(assessor: Page, candidate: Page): Promise<void> {
  await callAndAnswer(assessor, candidate);
  await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
}

/** The newest call's details and its recording decoded, once the recording is complete. */
async function recording(page: Page): Promise<{ events: Array<{ type: string; at: number; detail: Record<string, unknown> | null }>; left: Float32Array; right: Float32Array; startedAt: number }> {
  let call: { id: string; recording: { url: string; status: string } | null } | undefined;
  for (let i = 0; i < 60 && call?.recording?.status !== 'complete'; i++) {
    call = (await page.evaluate(async () => (await (await fetch('/api/calls')).json()).calls))[0];
    if (call?.recording?.status !== 'complete') await sleep(250);
  }
  expect(call?.recording?.status).toBe('complete');
  const details = await page.evaluate(async (id) => (await (await fetch(`/api/calls/${id}`)).json()), call!.id);
  const b64 = await page.evaluate(async (url) => {
    const buf = new Uint8Array(await (await fetch(url)).arrayBuffer());
    let s = '';
    for (const b of buf) s += String.fromCharCode(b);
    return btoa(s);
  }, call!.recording!.url);
  const file = path.join(tmp, `${call!.id}.ogg`);
  fs.writeFileSync(file, Buffer.from(b64, 'base64'));
  const { channels } = await decodeAudio(file);
  const startedAt = details.events.find((e: { type: string }) => e.type === 'recording-started').at as number;
  return { events: details.events, left: channels[0]!, right: channels[1]!, startedAt };
}

/** Tone powers on one channel between two wall-clock times (ms since the epoch). */
function tones(samples: Float32Array, startedAt: number, from: number, to: number): Record<Party, number> {
  const s = (t: number) => Math.max(0, Math.min(samples.length, Math.round(((t - startedAt) / 1000) * 48000)));
  const [a, b] = [s(from), s(to)];
  expect(b - a).toBeGreaterThan(48000 * 0.8);
  return { candidate: tonePower(samples, 48000, 440, a, b), assessor: tonePower(samples, 48000, 880, a, b), supervisor: tonePower(samples, 48000, 660, a, b) };
}

describe('transfer and conference between three browsers', () => {
  // 120 s: three logins, two answers (up to 15 s each), four waits to hear a party (up to 20 s
  // each), the recording's completion (up to 15 s) and ~10 s of listening and decoding.
  it('blind transfer: the caller ends up hearing the supervisor and not the candidate; the recording follows', async () => {
    const [candidate, assessor, supervisor] = [await open('candidate'), await open('assessor'), await open('supervisor')];
    await connect(assessor, candidate);
    // Both directions flowing; the recording's window before the transfer starts there.
    await untilHeard(assessor, 'candidate', 'the caller before the transfer');
    const tBefore = await untilHeard(candidate, 'assessor', 'the candidate before the transfer');
    const before = await hears(assessor);
    expect(before.candidate).toBeGreaterThan(0.01);
    const tBeforeEnd = Date.now();

    await candidate.getByRole('button', { name: 'Transfer' }).click();
    await candidate.getByLabel('Transfer to extension').fill(supervisorExt);
    await candidate.getByRole('button', { name: 'Transfer now' }).click();
    // The phone names the person as the directory the server sent has them, never the extension typed.
    await candidate.getByTestId('referral-status').filter({ hasText: 'Transferring to Demo Supervisor…' }).waitFor();
    await answer(supervisor);
    await candidate.getByTestId('last-call').filter({ hasText: 'Transferred to Demo Supervisor.' }).waitFor();
    await screenshots(candidate, 'transfer-done');
    // The supervisor's media joins after "Transferred" shows (their ICE and DTLS, the caller's
    // re-INVITE with the new SSRC): wait until each of the two hears the other, then measure.
    await untilHeard(assessor, 'supervisor', 'the caller after the transfer');
    await untilHeard(supervisor, 'assessor', 'the supervisor after the transfer');
    const tAfter = Date.now();
    // Each then hears the other and not the candidate in one whole listen. (A listen right after the
    // first one that heard the supervisor may catch the caller's phone taking the server's re-INVITE
    // with the new SSRC: one listen at 0.0095 seen under the full suite.)
    await untilHearsOnly(assessor, 'supervisor', 'the caller after the transfer');
    await untilHearsOnly(supervisor, 'assessor', 'the supervisor after the transfer');
    const tAfterEnd = Date.now();

    await assessor.getByRole('button', { name: 'Hang up' }).click();
    await supervisor.getByTestId('last-call').waitFor();
    const rec = await recording(assessor);
    const types = rec.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['transfer-requested', 'transferred']));
    // Before: candidate left, caller right. After: left silent, caller and supervisor right. Each
    // window starts once both of its parties were heard flowing.
    const l1 = tones(rec.left, rec.startedAt, tBefore, tBeforeEnd);
    const r1 = tones(rec.right, rec.startedAt, tBefore, tBeforeEnd);
    expect(l1.candidate).toBeGreaterThan(0.01);
    expect(r1.assessor).toBeGreaterThan(0.01);
    expect(r1.candidate).toBeLessThan(0.1 * r1.assessor);
    const l2 = tones(rec.left, rec.startedAt, tAfter, tAfterEnd);
    const r2 = tones(rec.right, rec.startedAt, tAfter, tAfterEnd);
    expect(r2.supervisor).toBeGreaterThan(0.01);
    expect(r2.assessor).toBeGreaterThan(0.01);
    expect(l2.candidate).toBeLessThan(0.1 * l1.candidate);
  }, 120_000);

  // 90 s: three logins, two answers (up to 15 s each), two waits to hear the parties (up to 20 s
  // each), the recording's completion (up to 15 s) and the 1.5 s after the candidate leaves.
  it('conference: each party hears the other two; the candidate leaving keeps the others connected', async () => {
    const [candidate, assessor, supervisor] = [await open('candidate'), await open('assessor'), await open('supervisor')];
    await connect(assessor, candidate);
    await candidate.getByRole('button', { name: 'Conference' }).click();
    await candidate.getByLabel('Add extension to the call').fill(supervisorExt);
    await candidate.getByRole('button', { name: 'Add to call' }).click();
    await answer(supervisor);
    await candidate.getByTestId('referral-status').filter({ hasText: 'Conference: 3 parties' }).waitFor();
    // Each party's audio reaches the other two once the conference's media is joined: listen until
    // it has (on a loaded machine that can take longer than a fixed wait), then check every pair.
    let tConf = 0;
    let tConfEnd = 0;
    const none: Record<Party, number> = { candidate: 0, assessor: 0, supervisor: 0 };
    let [c, a, s] = [none, none, none];
    await expect
      .poll(async () => {
        tConf = Date.now();
        [c, a, s] = [await hears(candidate), await hears(assessor), await hears(supervisor)];
        tConfEnd = Date.now();
        return Math.min(c.assessor, c.supervisor, a.candidate, a.supervisor, s.candidate, s.assessor);
      }, { timeout: 20_000, interval: 0 })
      .toBeGreaterThan(0.01);
    expect(c.assessor).toBeGreaterThan(0.01);
    expect(c.supervisor).toBeGreaterThan(0.01);
    expect(a.candidate).toBeGreaterThan(0.01);
    expect(a.supervisor).toBeGreaterThan(0.01);
    expect(s.candidate).toBeGreaterThan(0.01);
    expect(s.assessor).toBeGreaterThan(0.01);
    // Nobody hears themselves.
    expect(c.candidate).toBeLessThan(0.1 * c.assessor);
    expect(a.assessor).toBeLessThan(0.1 * a.candidate);

    await candidate.getByRole('button', { name: 'Hang up' }).click();
    await sleep(1500);
    expect(await assessor.getByTestId('call-phase').textContent()).toBe('Connected');
    let a2 = {} as Record<Party, number>;
    await expect
      .poll(async () => (a2 = await hears(assessor)).supervisor, { timeout: 20_000, interval: 0 })
      .toBeGreaterThan(0.01);
    expect(a2.candidate).toBeLessThan(0.1 * a2.supervisor);
    await assessor.getByRole('button', { name: 'Hang up' }).click();
    await supervisor.getByTestId('last-call').waitFor();

    const rec = await recording(assessor);
    const types = rec.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['conference-started', 'conference-party-left']));
    const l = tones(rec.left, rec.startedAt, tConf, tConfEnd);
    const r = tones(rec.right, rec.startedAt, tConf, tConfEnd);
    expect(l.candidate).toBeGreaterThan(0.01);
    expect(l.assessor + l.supervisor).toBeLessThan(0.1 * l.candidate);
    expect(r.assessor).toBeGreaterThan(0.01);
    expect(r.supervisor).toBeGreaterThan(0.01);
    expect(r.candidate).toBeLessThan(0.1 * r.assessor);
  }, 90_000);
});

// Last in the file: it puts the candidate in a sitting (ended at the end).
describe('a transfer to a candidate who is not Ready', () => {
  // 90 s: two logins and a reload, registration, two answers (up to 15 s each), the wait to hear
  // the candidate (up to 20 s) and the sitting set up through the API.
  it('waits at the server as a dialled call would (the supervisor’s phone says so in the same words), rings once they are Ready, and the caller then hears them', async () => {
    const assessor = await open('assessor');
    // A sitting whose first assignment names a part the centre's staff play (a team leader), so the
    // supervisor may reach the candidate and transfer the caller to them.
    const cloned = await apiIn<{ key: string }>(assessor, 'POST', '/api/scenarios/s3/clone', { variant: 'queue', title: 'Complaint with a team leader' });
    const variant = await apiIn<{ text: string }>(assessor, 'GET', `/api/scenarios/${cloned.key}`);
    const raw = JSON.parse(variant.text) as { version: number; candidateBrief: { transferTargets?: unknown } };
    raw.candidateBrief.transferTargets = [{ label: 'Team leader' }];
    raw.version += 1;
    await apiIn(assessor, 'PUT', `/api/scenarios/${cloned.key}`, raw);
    const { entries } = await apiIn<{ entries: Array<{ userId: number; role: string; extension: string; displayName: string }> }>(assessor, 'GET', '/api/directory');
    const cand = entries.find((e) => e.role === 'candidate')!;
    const sitting = await apiIn<{ id: string }>(assessor, 'POST', '/api/sittings', { candidateUserId: cand.userId, scenarioKeys: [cloned.key, 's4', 's5', 's1'] });
    await prepareSittingIn(assessor, browsers.candidate, server.url, sitting.id);
    await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/start`, {});
    await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`, {});
    const candidate = await open('candidate');
    expect(await candidate.getByTestId('agent-state').textContent()).toBe('Not ready');
    const supervisor = await open('supervisor');
    await assessor.reload();
    await assessor.getByTestId('registration').filter({ hasText: 'Registered' }).waitFor({ timeout: 15_000 });

    // The assessor (the customer) is put through to the supervisor, who transfers them to the candidate.
    await dial(assessor, supervisorExt);
    await answer(supervisor);
    await supervisor.getByRole('button', { name: 'Transfer' }).click();
    await supervisor.getByLabel('Transfer to extension').fill(cand.extension);
    await supervisor.getByRole('button', { name: 'Transfer now' }).click();
    // The same words as a call dialled to a candidate who is not Ready.
    await supervisor.getByTestId('referral-status').filter({ hasText: `Waiting… ${cand.displayName} is not Ready yet: their phone rings as soon as they are.` }).waitFor();
    await screenshots(supervisor, 'transfer-waiting');
    expect(await candidate.getByTestId('incoming').count()).toBe(0);
    expect(await assessor.getByTestId('call-phase').textContent()).toBe('Connected');

    // Ready: the transferred call rings, is answered, and the caller hears the candidate.
    await candidate.getByRole('button', { name: 'Ready', exact: true }).click();
    await answer(candidate);
    await supervisor.getByTestId('last-call').filter({ hasText: `Transferred to ${cand.displayName}.` }).waitFor();
    await screenshots(supervisor, 'transfer-to-candidate-done');
    await expect.poll(async () => (await hears(assessor)).candidate, { timeout: 20_000, interval: 0 }).toBeGreaterThan(0.01);
    const { calls } = await apiIn<{ calls: Array<{ id: string }> }>(assessor, 'GET', '/api/calls');
    const detail = await apiIn<{ events: Array<{ type: string }> }>(assessor, 'GET', `/api/calls/${calls[0]!.id}`);
    expect(detail.events.map((e) => e.type).filter((t) => ['transfer-requested', 'queued', 'offered', 'transferred'].includes(t))).toEqual(['transfer-requested', 'queued', 'offered', 'transferred']);

    await assessor.getByRole('button', { name: 'Hang up' }).click();
    await candidate.getByTestId('last-call').waitFor();
    await apiIn(assessor, 'POST', `/api/sittings/${sitting.id}/end`, {});
  }, 90_000);
});
