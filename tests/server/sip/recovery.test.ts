import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finaliseInterruptedRecordings, markInterruptedCalls } from '../../../server/sip/recovery.js';
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
