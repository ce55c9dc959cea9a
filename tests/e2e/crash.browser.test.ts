// Nothing lost on a crash: the server is SIGKILLed in the middle of a recorded call between two
// real browsers. After a restart the call is marked interrupted and the partial recording is kept,
// hashed, and decodes with the audio up to shortly before the crash.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio, tonePower, writeToneWav } from '../support/audio.js';
import { assessorStartsPractice, callAndAnswer, candidateOnline, launchBrowser } from '../support/browser.js';
import { keepServerLogsOnFailure } from '../support/server-log.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { untilHears } from '../support/remote-audio.js';
import { sleep } from '../support/until.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-crash-'));
const servers: ServerProcess[] = [];
const browsers: Browser[] = [];
keepServerLogsOnFailure(() => servers);
afterAll(async () => {
  for (const b of browsers) await b.close();
  for (const s of servers) {
    await s.stop('SIGKILL');
    try {
      process.kill(-s.child.pid!, 'SIGKILL'); // anything the killed server left behind
    } catch {
      /* none */
    }
  }
  if (servers[0]) fs.rmSync(servers[0].dataDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

const env = { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1' };

describe('server killed mid-call', () => {
  // Its own waits exceed the default 30 s under a full suite on 2 cores (a CI run timed out there): up
  // to 15 s each for the two pages to hear each other, 6 s of call, two server starts, recovery's 6-s
  // settle of the orphaned file, then up to 25 s of polling.
  it('marks the call interrupted at the next start, keeps a playable partial recording and every desktop event', { timeout: 120_000 }, async () => {
    writeToneWav(path.join(tmp, 'c.wav'), 440, 10);
    writeToneWav(path.join(tmp, 'a.wav'), 880, 10);
    const first = await startServer({ args: ['--demo'], env });
    servers.push(first);
    const cb = await launchBrowser({ fakeAudioFile: path.join(tmp, 'c.wav') });
    const ab = await launchBrowser({ fakeAudioFile: path.join(tmp, 'a.wav') });
    browsers.push(cb, ab);
    const assessor = await assessorStartsPractice(ab, first.url);
    const candidate = await candidateOnline(cb, first.url, { ready: true });
    await callAndAnswer(assessor, candidate);
    await assessor.getByTestId('call-phase').filter({ hasText: 'Connected' }).waitFor();
    const answeredAt = Date.now();
    await candidate.getByTestId('agent-state').filter({ hasText: 'On call' }).waitFor();
    // Both tones flowing before the 6 s of call the recording must hold (ICE, DTLS and the fake
    // capture device start after "Connected", seconds later under load).
    await untilHears(assessor, 440, 'the assessor hears the candidate');
    await untilHears(candidate, 880, 'the candidate hears the assessor');
    const heardFromS = (Date.now() - answeredAt) / 1000;
    await sleep(6000);
    // The desktop events stored before the crash (every action acknowledged: nothing queued).
    await candidate.getByTestId('connection').filter({ hasText: /^Online$/ }).waitFor();
    const attemptId = await candidate.evaluate(async () => (await (await fetch('/api/attempts/current')).json()).attempt.id as string);
    type Events = { events: Array<{ seq: number; clientId: string; type: string; at: number }> };
    const timeline = async (url: string, cookie?: string) =>
      ((await (await fetch(new URL(`/api/attempts/${attemptId}/timeline`, url), cookie ? { headers: { cookie } } : {})).json()) as Events).events.map((e) => [e.seq, e.clientId, e.type, e.at]);
    const before = await assessor.evaluate(async (id) => ((await (await fetch(`/api/attempts/${id}/timeline`)).json()) as Events).events.map((e) => [e.seq, e.clientId, e.type, e.at]), attemptId);
    expect(before.map((e) => e[2])).toEqual(expect.arrayContaining(['agent-state']));
    const elapsed = (Date.now() - answeredAt) / 1000;
    expect(await first.stop('SIGKILL')).toBeNull();

    // Demo mode again: without it the demo accounts are disabled at start.
    const second = await startServer({ dataDir: first.dataDir, args: ['--demo'], env });
    servers.push(second);
    expect(second.output()).toContain('calls interrupted by the last stop were marked interrupted');
    const login2 = await fetch(new URL('/api/auth/login', second.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo-assessor', password: 'demo-password' }),
    });
    const cookie = login2.headers.get('set-cookie')!.split(';')[0]!;
    // Desktop events intact: the same entries, in the same order, after the crash. The restart may
    // already have mixed the orphaned recording, whose hash then joins the chain after them.
    const after = await timeline(second.url, cookie);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => e[2])).toEqual(after.length > before.length ? ['recording-finalised'] : []);
    type Calls = { calls: Array<{ id: string; state: string; endReason: string; recording: { url: string; status: string; durationMs: number; sha256: string | null } | null }> };
    let call: Calls['calls'][number] | undefined;
    // Marked interrupted at once; hashed once the orphaned recorder has finished the file.
    for (let i = 0; i < 100; i++) {
      call = ((await (await fetch(new URL('/api/calls', second.url), { headers: { cookie } })).json()) as Calls).calls[0];
      if (call?.recording?.sha256) break;
      await sleep(250);
    }
    if (!call) throw new Error('no call listed');
    expect(call.state).toBe('interrupted');
    expect(call.endReason).toMatch(/interrupted/);
    expect(call.recording?.status).toBe('partial');
    expect(call.recording?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const audio = Buffer.from(await (await fetch(new URL(call.recording!.url, second.url), { headers: { cookie } })).arrayBuffer());
    const file = path.join(tmp, 'partial.ogg');
    fs.writeFileSync(file, audio);
    // The stored hash is the hash of the file as it stays on disk.
    expect(createHash('sha256').update(audio).digest('hex')).toBe(call.recording!.sha256);
    const { channels, sampleRate } = await decodeAudio(file);
    const seconds = channels[0]!.length / sampleRate;
    expect(seconds).toBeGreaterThan(elapsed - 3);
    // Three seconds from when both were heard (0.5 s later: the page's "Connected" may lag the
    // recording's start by that much, which would put the window early).
    const [from, to] = [Math.round((heardFromS + 0.5) * sampleRate), Math.min(channels[0]!.length, Math.round((heardFromS + 3.5) * sampleRate))];
    expect(to - from).toBeGreaterThan(sampleRate);
    expect(tonePower(channels[0]!, sampleRate, 440, from, to)).toBeGreaterThan(0.01);
    expect(tonePower(channels[1]!, sampleRate, 880, from, to)).toBeGreaterThan(0.01);
  });
});
