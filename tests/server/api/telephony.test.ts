// Row-level rules of the telephony API: who sees which call and who may hear its recording.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.js';

let t: TestApp;
const OWN = '00000000-0000-4000-8000-00000000000a';
const FOREIGN = '00000000-0000-4000-8000-00000000000b';
const OUTSIDE = '00000000-0000-4000-8000-00000000000c';
const audio = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  const dir = path.join(t.dir, 'recordings', '2026-01-01');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${OWN}.ogg`), audio);
  fs.writeFileSync(path.join(t.dir, 'secret.txt'), 'not a recording');
  const foreignCandidate = t.repos.users.findByUsernameWithHash('candidate2')!;
  const base = { callerExtension: 'x', calleeExtension: 'y', invitedAt: 1 };
  t.repos.calls.create({ ...base, id: OWN, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, candidateUserId: t.users.candidate });
  t.repos.calls.update(OWN, { state: 'ended', recordingPath: path.join(dir, `${OWN}.ogg`), recordingStatus: 'complete', recordingDurationMs: 5000 });
  t.repos.calls.create({ ...base, id: FOREIGN, centreId: t.foreignCentreId, callerUserId: foreignCandidate.id, calleeUserId: null, candidateUserId: foreignCandidate.id });
  // A call row whose recording path points outside the recordings directory must never be served.
  t.repos.calls.create({ ...base, id: OUTSIDE, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, candidateUserId: t.users.candidate });
  t.repos.calls.update(OUTSIDE, { state: 'ended', recordingPath: path.join(t.dir, 'secret.txt'), recordingStatus: 'complete' });
});
afterAll(async () => {
  await t.close();
});

const get = async (role: Parameters<TestApp['loginAs']>[0] | 'candidate2', url: string, headers: Record<string, string> = {}) => {
  const s = role === 'candidate2' ? await t.login('candidate2') : await t.loginAs(role);
  return t.app.inject({ method: 'GET', url, headers: { cookie: s.cookie, ...headers } });
};

describe('calls and recordings', () => {
  it('an assessor lists their centre’s calls only, with the recording link', async () => {
    const res = await get('assessor', '/api/calls');
    const ids = res.json().calls.map((c: { id: string }) => c.id);
    expect(ids).toContain(OWN);
    expect(ids).not.toContain(FOREIGN);
    expect(res.json().calls.find((c: { id: string }) => c.id === OWN).recording).toMatchObject({ url: `/api/calls/${OWN}/recording`, durationMs: 5000 });
  });

  it('a candidate sees their own calls but never a recording link, and not other candidates’ calls', async () => {
    const res = await get('candidate', '/api/calls');
    const own = res.json().calls.find((c: { id: string }) => c.id === OWN);
    expect(own.recording).toBeNull();
    expect((await get('candidate2', `/api/calls/${OWN}`)).statusCode).toBe(404);
    expect((await get('candidate', `/api/calls/${OWN}/recording`)).statusCode).toBe(403);
  });

  it('an assessor of another centre gets 404 for the call and its recording (no id probing)', async () => {
    const s = await t.login('assessor1');
    const foreign = await t.app.inject({ method: 'GET', url: `/api/calls/${FOREIGN}`, headers: { cookie: s.cookie } });
    expect(foreign.statusCode).toBe(404);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/calls/00000000-0000-4000-8000-0000000000ff', headers: { cookie: s.cookie } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toBe(foreign.body);
  });

  it('serves the recording with byte ranges, so players can seek', async () => {
    const full = await get('moderator', `/api/calls/${OWN}/recording`);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('audio/ogg');
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.rawPayload.equals(audio)).toBe(true);
    const part = await get('assessor', `/api/calls/${OWN}/recording`, { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.rawPayload.equals(audio.subarray(100, 200))).toBe(true);
    const bad = await get('assessor', `/api/calls/${OWN}/recording`, { range: 'bytes=5000-6000' });
    expect(bad.statusCode).toBe(416);
  });

  it('never serves a file outside the recordings directory, and refuses malformed ids', async () => {
    expect((await get('admin', `/api/calls/${OUTSIDE}/recording`)).statusCode).toBe(404);
    expect((await get('admin', '/api/calls/..%2F..%2Fsecret/recording')).statusCode).toBe(400);
  });

  it('includes the call timeline', async () => {
    t.repos.calls.addEvent(OWN, 10, 'invite', 'caller', { from: 'x' });
    const res = await get('assessor', `/api/calls/${OWN}`);
    expect(res.json().events).toEqual([expect.objectContaining({ type: 'invite', leg: 'caller', detail: { from: 'x' } })]);
  });

  it('the call timeline is append-only in the database', () => {
    expect(() => t.repos.db.prepare('UPDATE call_events SET type = ?').run('x')).toThrow(/append-only/);
    expect(() => t.repos.db.prepare('DELETE FROM call_events').run()).toThrow(/append-only/);
  });
});
