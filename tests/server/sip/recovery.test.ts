import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishLegFiles, sha256File } from '../../../media/index.js';
import { finaliseEndedRecordings, finaliseInterruptedRecordings, listUnmixedRecordings, markInterruptedCalls } from '../../../server/sip/recovery.js';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const call = (id: string, recordingPath: string | null) => {
  t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: 1 });
  t.repos.calls.update(id, { state: 'answered', answeredAt: 2, recordingPath, recordingStatus: recordingPath ? 'recording' : null });
};

describe('recovery after a crash', () => {
  it('marks unfinished calls interrupted at once, and a missing recording as failed', () => {
    const file = path.join(t.dir, 'a.ogg');
    fs.writeFileSync(file, 'partial');
    call('00000000-0000-4000-8000-0000000000a1', file);
    call('00000000-0000-4000-8000-0000000000a2', path.join(t.dir, 'gone.ogg'));
    call('00000000-0000-4000-8000-0000000000a3', null);
    expect(markInterruptedCalls(t.repos, 1000)).toHaveLength(3);
    const rows = ['a1', 'a2', 'a3'].map((s) => t.repos.calls.find(`00000000-0000-4000-8000-0000000000${s}`)!);
    expect(rows.map((r) => r.state)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    expect(rows.map((r) => r.recordingStatus)).toEqual(['partial', 'failed', null]);
    expect(markInterruptedCalls(t.repos, 2000)).toHaveLength(0);
  });

  it('hashes a partial recording only after it has stopped changing', async () => {
    const file = path.join(t.dir, 'b.ogg');
    fs.writeFileSync(file, 'first part');
    call('00000000-0000-4000-8000-0000000000b1', file);
    const calls = markInterruptedCalls(t.repos, 1000);
    // The orphaned recorder is still writing for a moment.
    const writer = setInterval(() => fs.appendFileSync(file, '+more'), 50);
    setTimeout(() => clearInterval(writer), 400);
    const hashed: string[] = [];
    await finaliseInterruptedRecordings(t.repos, calls, {
      settleMs: 300,
      facts: async (f) => {
        const content = fs.readFileSync(f, 'utf8');
        hashed.push(content);
        return { sha256: 'x'.repeat(64), durationMs: 1, bytes: content.length };
      },
    });
    expect(hashed).toHaveLength(1);
    expect(hashed[0]).toBe(fs.readFileSync(file, 'utf8'));
    expect(hashed[0]!.endsWith('+more')).toBe(true);
    expect(t.repos.calls.find('00000000-0000-4000-8000-0000000000b1')).toMatchObject({ recordingStatus: 'partial', recordingBytes: hashed[0]!.length });
  });

  it('mixes the leg files a crashed recorder left, instead of waiting for a file', async () => {
    const file = path.join(t.dir, 'c.ogg');
    fs.mkdirSync(`${file}.legs`);
    call('00000000-0000-4000-8000-0000000000c1', file);
    const calls = markInterruptedCalls(t.repos, 1000);
    expect(t.repos.calls.find('00000000-0000-4000-8000-0000000000c1')!.recordingStatus).toBe('partial');
    const mixed: string[] = [];
    await finaliseInterruptedRecordings(t.repos, calls, {
      facts: async () => {
        throw new Error('not for leg files');
      },
      finishLegs: async (f) => {
        mixed.push(f);
        return { sha256: 'c'.repeat(64), durationMs: 1234, bytes: 99 };
      },
    });
    expect(mixed).toEqual([file]);
    expect(t.repos.calls.find('00000000-0000-4000-8000-0000000000c1')).toMatchObject({ recordingStatus: 'partial', recordingSha256: 'c'.repeat(64), recordingDurationMs: 1234 });
  });
});

describe('recovery of a call that ended before its recording was mixed', () => {
  // The call ended (BYE, or the server shutting down) and its legs were closed, but the process
  // stopped before the end-of-call mix ran: e.g. the mix was still waiting in the queue when the
  // shutdown's time ran out, or the server was killed in that moment.
  const ended = (id: string, file: string) => {
    call(id, file);
    t.repos.calls.update(id, { state: 'ended', endedAt: 3, endReason: 'completed: hung up' });
  };
  const leg = (file: string, hz: number) => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=2`, '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-y', file]);
    if (r.status !== 0) throw new Error(r.stderr.toString());
  };

  it('finds it (it is not an interrupted call) and mixes its legs into a complete recording', async () => {
    const file = path.join(t.dir, 'ended.ogg');
    const legs = `${file}.legs`;
    fs.mkdirSync(legs);
    leg(path.join(legs, 'candidate.ogg'), 440);
    leg(path.join(legs, 'caller.ogg'), 880);
    fs.writeFileSync(path.join(legs, 'manifest.json'), JSON.stringify({ version: 1, startedAt: 1, legs: [
      { file: 'candidate.ogg', side: 'left', startMs: 0, endMs: 2000 },
      { file: 'caller.ogg', side: 'right', startMs: 0, endMs: 2000 },
    ] }));
    const id = '00000000-0000-4000-8000-0000000000d1';
    ended(id, file);
    ended('00000000-0000-4000-8000-0000000000d2', path.join(t.dir, 'no-legs.ogg'));
    const finished = t.repos.calls.find('00000000-0000-4000-8000-0000000000d2')!;
    t.repos.calls.update(finished.id, { recordingStatus: 'complete' });

    expect(markInterruptedCalls(t.repos, 1000)).toHaveLength(0);
    const unmixed = listUnmixedRecordings(t.repos);
    expect(unmixed.map((c) => c.id)).toEqual([id]);
    expect(await finaliseEndedRecordings(t.repos, unmixed, { finishLegs: (f) => finishLegFiles(f) })).toBe(1);

    const row = t.repos.calls.find(id)!;
    expect(row).toMatchObject({ state: 'ended', recordingStatus: 'complete', recordingSha256: await sha256File(file) });
    expect(Math.abs(row.recordingDurationMs! - 2000)).toBeLessThan(100);
    expect(fs.existsSync(legs)).toBe(false);
    const { channels, sampleRate: sr } = await decodeAudio(file);
    expect(tonePower(channels[0]!, sr, 440, 0.2 * sr, 1.8 * sr)).toBeGreaterThan(100 * tonePower(channels[0]!, sr, 880, 0.2 * sr, 1.8 * sr));
    expect(tonePower(channels[1]!, sr, 880, 0.2 * sr, 1.8 * sr)).toBeGreaterThan(100 * tonePower(channels[1]!, sr, 440, 0.2 * sr, 1.8 * sr));
    expect(t.repos.calls.events(id).map((e) => e.type)).toContain('recording-finished');
    expect(listUnmixedRecordings(t.repos)).toHaveLength(0);
  });

  it('hashes and completes a recording written during the call that has no leg files', async () => {
    const file = path.join(t.dir, 'live.ogg');
    leg(file, 440); // stands in for the stereo file the recorder writes while the call runs
    const id = '00000000-0000-4000-8000-0000000000f1';
    ended(id, file);
    expect(await finaliseEndedRecordings(t.repos, listUnmixedRecordings(t.repos), { finishLegs: (f) => finishLegFiles(f) })).toBe(1);
    const row = t.repos.calls.find(id)!;
    expect(row).toMatchObject({ recordingStatus: 'complete', recordingSha256: await sha256File(file), recordingBytes: fs.statSync(file).size });
    expect(Math.abs(row.recordingDurationMs! - 2000)).toBeLessThan(100);
  });

  it('marks the recording failed, with the reason, when its legs are gone', async () => {
    const id = '00000000-0000-4000-8000-0000000000e1';
    ended(id, path.join(t.dir, 'vanished.ogg'));
    expect(await finaliseEndedRecordings(t.repos, listUnmixedRecordings(t.repos), { finishLegs: (f) => finishLegFiles(f) })).toBe(0);
    expect(t.repos.calls.find(id)!.recordingStatus).toBe('failed');
    const failed = t.repos.calls.events(id).find((e) => e.type === 'recording-failed');
    expect(JSON.stringify(failed?.detail)).toMatch(/leg files/);
  });
});
