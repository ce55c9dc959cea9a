// Retention never deletes the evidence of a sitting that is not moderated, or that is moderated but
// still within the centre's enquiry/appeal window, or that has an enquiry or appeal open: its
// recordings stay, its attempts' CRM copies are not anonymised and its candidate keeps their name.
// A practice attempt (no sitting) is not held back.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sitting } from '../../../server/db/repositories/sittings.js';
import { runRetention } from '../../../server/retention/index.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 5, 1, 12, 0, 0);
const LONG_AGO = NOW - 400 * DAY;
let t: TestApp;
let recordingsDir: string;
beforeEach(async () => {
  t = await createTestApp({});
  recordingsDir = path.join(t.dir, 'recordings');
});
afterEach(async () => {
  await t.close();
});

/** An ended sitting of the candidate with one closed attempt and its recorded call, all long ago. */
function sittingWithCall(candidateUserId = t.users.candidate): { sitting: Sitting; attemptId: string; callId: string; file: string } {
  const sitting = t.repos.sittings.create(
    { centreId: t.centreId, candidateUserId, assessorUserId: t.users.assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: t.users.assessor },
    LONG_AGO,
  );
  t.repos.sittings.start(sitting.id, LONG_AGO);
  const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId, assessorUserId: t.users.assessor, scenarioKey: 's1', sittingId: sitting.id, position: 1, variant: 'a', scenarioVersion: scenarioForAttemptKey('s1')!.version }, LONG_AGO);
  const callId = randomUUID();
  const file = path.join(recordingsDir, 'old', `${callId}.ogg`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'OggS');
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: candidateUserId, callerExtension: 'a', calleeExtension: 'c', candidateUserId, invitedAt: LONG_AGO + 1000 });
  t.repos.calls.update(callId, { state: 'ended', endedAt: LONG_AGO + 60_000, recordingPath: file, recordingStatus: 'complete', recordingSha256: 'b'.repeat(64), recordingDurationMs: 59_000 });
  t.repos.attempts.close(attempt.id, LONG_AGO + 120_000);
  t.repos.sittings.end(sitting.id, LONG_AGO + 180_000);
  return { sitting, attemptId: attempt.id, callId, file };
}

function moderate(sittingId: string, at: number): void {
  const s = t.repos.sittings.findById(sittingId)!;
  expect(t.repos.sittings.setResultState(s.id, 'draft', 'centre-final', null, at)).toBe(true);
  expect(t.repos.sittings.setResultState(s.id, 'centre-final', 'iqa-countersigned', null, at)).toBe(true);
  expect(t.repos.sittings.setResultState(s.id, 'iqa-countersigned', 'moderated', 'accepted', at)).toBe(true);
}

const everything = () => runRetention(t.repos, { recordingsDays: 30, personalDays: 30, recordingsDir }, NOW);
const anonymised = (attemptId: string) => (t.repos.db.prepare('SELECT anonymised_at AS a FROM attempts WHERE id = ?').get(attemptId) as { a: number | null }).a !== null;
const candidateAnonymised = (id: number) => (t.repos.db.prepare('SELECT anonymised_at AS a FROM users WHERE id = ?').get(id) as { a: number | null }).a !== null;

describe('retention keeps the evidence of sittings', () => {
  it('keeps everything of a sitting that is not moderated, however old', () => {
    const s = sittingWithCall();
    t.repos.sittings.setResultState(s.sitting.id, 'draft', 'centre-final', null, LONG_AGO);
    t.repos.sittings.setResultState(s.sitting.id, 'centre-final', 'iqa-countersigned', null, LONG_AGO);
    // (The other centre's candidate, with no sitting, is anonymised as before.)
    expect(everything()).toMatchObject({ recordingsDeleted: 0, attemptsAnonymised: 0 });
    expect(fs.existsSync(s.file)).toBe(true);
    expect(anonymised(s.attemptId)).toBe(false);
    expect(candidateAnonymised(t.users.candidate)).toBe(false);
  });

  it('keeps a moderated sitting within the enquiry/appeal window, and lets it go after', () => {
    const s = sittingWithCall();
    t.repos.centres.updateSettings(t.centreId, { ...t.repos.centres.findById(t.centreId)!, appealWindowDays: 60 });
    moderate(s.sitting.id, NOW - 59 * DAY);
    expect(everything().recordingsDeleted).toBe(0);
    expect(fs.existsSync(s.file)).toBe(true);
    expect(anonymised(s.attemptId)).toBe(false);

    const later = NOW + 2 * DAY;
    const result = runRetention(t.repos, { recordingsDays: 30, personalDays: 30, recordingsDir }, later);
    expect(result).toMatchObject({ recordingsDeleted: 1, attemptsAnonymised: 1 });
    expect(fs.existsSync(s.file)).toBe(false);
  });

  it('keeps a moderated sitting with an open enquiry or appeal, past the window, until it is closed', () => {
    const s = sittingWithCall();
    moderate(s.sitting.id, LONG_AGO);
    const enquiry = t.repos.centreRecords.addEnquiry({ sittingId: s.sitting.id, kind: 'appeal', raisedBy: 'The candidate', receivedOn: '2026-05-01', grounds: 'The hold was not over 60 s.', recordedBy: t.users.admin, recordedAt: LONG_AGO });
    expect(everything()).toMatchObject({ recordingsDeleted: 0, attemptsAnonymised: 0 });
    expect(fs.existsSync(s.file)).toBe(true);
    expect(candidateAnonymised(t.users.candidate)).toBe(false);

    t.repos.centreRecords.closeEnquiry(enquiry.id, 'Not upheld.', t.users.admin, LONG_AGO + DAY);
    expect(everything()).toMatchObject({ recordingsDeleted: 1, attemptsAnonymised: 1 });
    expect(candidateAnonymised(t.users.candidate)).toBe(true);
  });

  it('still applies retention to practice attempts and their calls', () => {
    const practice = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, LONG_AGO);
    t.repos.attempts.close(practice.id, LONG_AGO + 1000);
    const callId = randomUUID();
    const file = path.join(recordingsDir, 'old', `${callId}.ogg`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'OggS');
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: LONG_AGO + 10 });
    t.repos.calls.update(callId, { state: 'ended', endedAt: LONG_AGO + 500, recordingPath: file, recordingStatus: 'complete' });
    expect(everything()).toMatchObject({ recordingsDeleted: 1, attemptsAnonymised: 1 });
    expect(fs.existsSync(file)).toBe(false);
  });
});
