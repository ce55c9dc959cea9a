// Retention (server/retention/): recordings past their period are deleted with the call row keeping
// its hash, candidates and closed attempts past the personal-data period are anonymised, each with
// an audit_log row; nothing happens when the periods are off, and nothing recent is touched.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRetention } from '../../../server/retention/index.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';

const DAY = 86_400_000;
let t: TestApp;
let recordingsDir: string;
beforeEach(async () => {
  // With telephony, so the call routes that must stop offering a deleted recording are there.
  t = await createTestApp({ telephony: {} });
  recordingsDir = path.join(t.dir, 'recordings');
});
afterEach(async () => {
  await t.close();
});

function recordedCall(endedAt: number): { id: string; file: string } {
  const id = randomUUID();
  const file = path.join(recordingsDir, new Date(endedAt).toISOString().slice(0, 10), `${id}.ogg`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'OggS');
  t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: endedAt - 60_000 });
  t.repos.calls.update(id, { state: 'ended', endedAt, recordingPath: file, recordingStatus: 'complete', recordingSha256: 'a'.repeat(64), recordingDurationMs: 60_000 });
  return { id, file };
}

const row = (sql: string, ...args: unknown[]) => t.repos.db.prepare(sql).get(...args) as Record<string, unknown>;

describe('retention', () => {
  it('does nothing when no period is set', () => {
    const old = recordedCall(Date.now() - 1000 * DAY);
    expect(runRetention(t.repos, { recordingsDir }, Date.now())).toEqual({ recordingsDeleted: 0, candidatesAnonymised: 0, attemptsAnonymised: 0 });
    expect(fs.existsSync(old.file)).toBe(true);
  });

  it('deletes recordings older than N days, keeps the hash, records the deletion in the audit log', async () => {
    const now = Date.now();
    const old = recordedCall(now - 31 * DAY);
    const recent = recordedCall(now - 29 * DAY);
    const result = runRetention(t.repos, { recordingsDays: 30, recordingsDir }, now);
    expect(result.recordingsDeleted).toBe(1);
    expect(fs.existsSync(old.file)).toBe(false);
    expect(fs.existsSync(recent.file)).toBe(true);
    expect(row('SELECT recording_path AS p, recording_sha256 AS h, recording_deleted_at AS d FROM calls WHERE id = ?', old.id)).toEqual({ p: null, h: 'a'.repeat(64), d: now });
    const audit = t.repos.auditLog.forSubject('call', old.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'recording-deleted', actorUserId: null, centreId: t.centreId, before: { sha256: 'a'.repeat(64) } });
    // The API no longer offers it, and running again changes nothing.
    const admin = await t.loginAs('admin');
    const call = await t.app.inject({ method: 'GET', url: `/api/calls/${old.id}`, headers: { cookie: admin.cookie } });
    expect(call.statusCode, call.body).toBe(200);
    expect(call.json<{ call: { recording: unknown } }>().call).toMatchObject({ id: old.id, recording: null });
    const download = await t.app.inject({ method: 'GET', url: `/api/calls/${old.id}/recording`, headers: { cookie: admin.cookie } });
    expect(download.statusCode).toBe(404);
    expect(runRetention(t.repos, { recordingsDays: 30, recordingsDir }, now).recordingsDeleted).toBe(0);
  });

  it('never deletes a file outside the recordings folder named by a call row', () => {
    const now = Date.now();
    const outside = path.join(t.dir, 'not-a-recording.txt');
    fs.writeFileSync(outside, 'keep me');
    const { id } = recordedCall(now - 100 * DAY);
    t.repos.calls.update(id, { recordingPath: outside });
    runRetention(t.repos, { recordingsDays: 30, recordingsDir }, now);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(row('SELECT recording_path AS p FROM calls WHERE id = ?', id)).toEqual({ p: null });
  });

  it('anonymises closed attempts’ CRM copies and inactive candidates after N days, with audit rows', async () => {
    const assessor = await t.loginAs('assessor');
    const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf }, payload: { candidateUserId: t.users.candidate } });
    const attemptId = made.json<{ attempt: { id: string } }>().attempt.id;
    const customer = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!;
    const candidate = await t.loginAs('candidate');
    await t.app.inject({ method: 'POST', url: `/api/attempts/${attemptId}/customers/${customer.id}/notes`, headers: { cookie: candidate.cookie, 'x-csrf-token': candidate.csrf }, payload: { body: 'Mrs Hughes, 12 Elm Road, card ending 4242' } });
    await t.app.inject({ method: 'PUT', url: `/api/attempts/${attemptId}/auto-reply`, headers: { cookie: candidate.cookie, 'x-csrf-token': candidate.csrf }, payload: { enabled: true, body: 'Away; call Jo Bloggs on 07700 900999' } });
    const later = Date.now() + 400 * DAY;
    t.repos.attempts.close(attemptId, Date.now());
    // Sessions seen now are activity; nothing is due yet within the period.
    expect(runRetention(t.repos, { personalDays: 365, recordingsDir }, Date.now() + 10 * DAY)).toMatchObject({ attemptsAnonymised: 0, candidatesAnonymised: 0 });

    const result = runRetention(t.repos, { personalDays: 365, recordingsDir }, later);
    expect(result.attemptsAnonymised).toBe(1);
    // candidate1 (and the foreign candidate2, also inactive) are anonymised.
    expect(result.candidatesAnonymised).toBe(2);
    const c = row('SELECT first_name, last_name, phone, email, date_of_birth FROM crm_customers WHERE id = ?', customer.id);
    expect(c).toEqual({ first_name: 'Anonymised', last_name: 'Customer', phone: '00000000000', email: null, date_of_birth: null });
    expect(row("SELECT COUNT(*) AS n FROM crm_notes WHERE attempt_id = ? AND body LIKE '%Elm Road%'", attemptId)).toEqual({ n: 0 });
    expect(row('SELECT body FROM crm_auto_replies WHERE attempt_id = ?', attemptId)).toEqual({ body: '[anonymised]' });
    const u = row('SELECT username, display_name, disabled, anonymised_at FROM users WHERE id = ?', t.users.candidate);
    expect(u).toEqual({ username: `anonymised-${t.users.candidate}`, display_name: `Anonymised candidate ${t.users.candidate}`, disabled: 1, anonymised_at: later });
    expect(row('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', t.users.candidate)).toEqual({ n: 0 });
    expect(t.repos.auditLog.forSubject('attempt', attemptId, 'attempt-anonymised')).toHaveLength(1);
    expect(t.repos.auditLog.forSubject('user', t.users.candidate, 'candidate-anonymised')).toHaveLength(1);
    // Staff accounts are never anonymised, and the login of the anonymised candidate is gone.
    expect(row('SELECT anonymised_at AS a FROM users WHERE id = ?', t.users.assessor)).toEqual({ a: null });
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'candidate1', password: 'correct-horse-battery' } });
    expect(login.statusCode).toBe(401);
  });

  it('leaves a candidate with an open attempt alone', () => {
    t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, Date.now());
    const result = runRetention(t.repos, { personalDays: 30, recordingsDir }, Date.now() + 400 * DAY);
    expect(row('SELECT anonymised_at AS a FROM users WHERE id = ?', t.users.candidate)).toEqual({ a: null });
    expect(result.candidatesAnonymised).toBe(1); // only the foreign, inactive candidate2
  });
});
