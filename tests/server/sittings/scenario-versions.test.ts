// An attempt is marked, totalled, printed and exported with the scenario version it was sat on
// (issue 13). The attempt records the version of S1 it was started on (N); then S1 is bumped to
// N+1 with another rubric, the file of version N kept in scenarios/previous/ as a release would
// leave it, and the server restarted on the new files. The marking form, the suggestions, the
// counted total, the mark sheet and the moderation pack of the old attempt still use version N's
// rubric and file; a new attempt gets N+1; an attempt whose version is held nowhere is refused
// with a clear error rather than marked against the current rubric.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultScenariosDir, NON_SCENARIO_FILES, useShippedScenariosDir } from '../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';
import type { MarkingView } from '../../../server/protocol/assessment.js';
import { attemptCount } from '../../../server/sittings/results.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

const S1_FILE = 's1-home-move.json';
let dir: string;
let shipped: { release: () => void } | undefined;
let t: TestApp;
let assessor: Login;
let moderator: Login;
let sittingId: string;
let attemptId: string;
let versionN: Scenario;
let fileN: Buffer;
let versionN1: Scenario;

const rubricIds = (s: Pick<Scenario, 'rubric'>) => s.rubric.map((c) => c.criterionId);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The server restarted on the files now in `dir` (everything shipped is read afresh). */
const restartOnFiles = () => {
  shipped?.release();
  shipped = useShippedScenariosDir(dir);
};

beforeAll(async () => {
  // The shipped scenarios as a release left them, in a folder this test may change.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-scenario-versions-'));
  for (const name of fs.readdirSync(defaultScenariosDir())) {
    if (name.endsWith('.json')) fs.copyFileSync(path.join(defaultScenariosDir(), name), path.join(dir, name));
  }
  expect(NON_SCENARIO_FILES.every((n) => fs.existsSync(path.join(dir, n)))).toBe(true);
  restartOnFiles();
  fileN = fs.readFileSync(path.join(dir, S1_FILE));
  versionN = JSON.parse(fileN.toString('utf8')) as Scenario;

  t = await createTestApp();
  ({ assessor, moderator } = await t.loginRoles('assessor', 'moderator'));
  sittingId = (await createSitting(t, assessor)).id;
  await startSitting(t, assessor, sittingId);
  attemptId = (await startAttempt(t, assessor, sittingId, 1)).currentAttemptId!;
  expect(t.repos.attempts.findById(attemptId)).toMatchObject({ scenarioKey: 's1', scenarioVersion: versionN.version });
  await markAttempt(t, assessor, attemptId, 12);

  // The release after: S1 version N+1 drops two lines (one of them auto-checked) for two others;
  // version N kept in previous/.
  const dropped = ['U2-1.1-greeting', 'U2-1.1-answer-time'];
  versionN1 = {
    ...versionN,
    version: versionN.version + 1,
    autoChecks: versionN.autoChecks.filter((c) => !dropped.includes(c.criterionId)),
    rubric: [
      ...versionN.rubric.filter((c) => !dropped.includes(c.criterionId)),
      { criterionId: 'U2-1.2-read-back', band: 'Needs & questioning', description: 'Reads back the new address, postcode, move date and mobile number.', maxMarks: 1 },
      { criterionId: 'U2-4.3-professional-friendly', band: 'Techniques & style', description: 'Stays professional and friendly, in plain language, throughout.', maxMarks: 1 },
    ],
  };
  fs.mkdirSync(path.join(dir, 'previous'));
  fs.renameSync(path.join(dir, S1_FILE), path.join(dir, 'previous', `s1-home-move.v${versionN.version}.json`));
  fs.writeFileSync(path.join(dir, S1_FILE), `${JSON.stringify(versionN1, null, 2)}\n`);
  restartOnFiles();
});
afterAll(async () => {
  await t?.close();
  shipped?.release();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('an attempt sat on version N after S1 is bumped to N+1 with another rubric', () => {
  it('the two versions have different rubrics (the premise)', () => {
    expect(rubricIds(versionN)).toContain('U2-1.1-greeting');
    expect(rubricIds(versionN1)).not.toContain('U2-1.1-greeting');
    expect(versionN1.autoChecks.map((c) => c.criterionId)).not.toContain('U2-1.1-answer-time');
    expect(rubricIds(versionN1)).toContain('U2-4.3-professional-friendly');
  });

  it('is marked on the rubric of version N: the marking form and the suggestions', async () => {
    const view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptId}/marking`);
    expect(view.criteria.map((c) => c.criterionId)).toEqual(rubricIds(versionN));
    expect(view.criteria.every((c) => c.mark === 1)).toBe(true);
    // The answer time is suggested from version N's auto-checks; version N+1 has none for it.
    const suggested = await ok<{ suggestions: Array<{ criterionId: string }> }>(t, assessor, 'GET', `/api/attempts/${attemptId}/suggestions`);
    const ids = suggested.suggestions.map((s) => s.criterionId);
    expect(ids).toContain('U2-1.1-answer-time');
    expect(ids.every((id) => rubricIds(versionN).includes(id))).toBe(true);
  });

  it('is totalled on version N: all 12 marks count, none is read against the new rubric', () => {
    const count = attemptCount(t.repos, t.repos.attempts.findById(attemptId)!);
    expect(count.centreTotal).toBe(12);
    expect(count.criteria.map((c) => c.criterionId)).toEqual(rubricIds(versionN));
  });

  it('prints version N\'s criteria on the mark sheet', async () => {
    const res = await call(t, assessor, 'GET', `/api/sittings/${sittingId}/mark-sheet.pdf`);
    expect(res.statusCode, res.body).toBe(200);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: res.rawPayload }).toString('utf8').replace(/\s+/g, ' ');
    // Every line of version N with its mark, the total out of 12; nothing of version N+1.
    expect(text).toMatch(/U2-1\.1-greeting: Greets/);
    expect(text).toMatch(/U2-1\.1-answer-time: Answers within/);
    expect(text).toContain('total 12 / 12');
    expect(text).not.toContain('U2-4.3-professional-friendly');
    expect(text).not.toContain('U2-1.2-read-back');
  });

  it('exports version N\'s file, byte for byte, in the moderation pack', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/pack.zip`, headers: { cookie: moderator.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const zip = new AdmZip(res.rawPayload);
    const attempt = JSON.parse(zip.readAsText(`attempts/${attemptId}/attempt.json`)) as { scenario: { file: string; sha256: string } };
    expect(attempt.scenario.sha256).toBe(sha(fileN));
    expect(zip.getEntry(attempt.scenario.file)!.getData().equals(fileN)).toBe(true);
  });

  it('a new attempt on S1 is sat on version N+1', async () => {
    const other = (await createSitting(t, assessor, {}, ['s1', 's2', 's3', 's6'])).id;
    await startSitting(t, assessor, other);
    const id = (await startAttempt(t, assessor, other, 1)).currentAttemptId!;
    expect(t.repos.attempts.findById(id)!.scenarioVersion).toBe(versionN1.version);
    const view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${id}/marking`);
    expect(view.criteria.map((c) => c.criterionId)).toEqual(rubricIds(versionN1));
  });
});

describe('an attempt whose version the server no longer holds', () => {
  beforeAll(() => {
    fs.rmSync(path.join(dir, 'previous', `s1-home-move.v${versionN.version}.json`));
    restartOnFiles();
  });
  afterAll(() => {
    fs.writeFileSync(path.join(dir, 'previous', `s1-home-move.v${versionN.version}.json`), fileN);
    restartOnFiles();
  });

  it('is refused with a clear error, never marked against the current rubric', async () => {
    for (const url of [`/api/attempts/${attemptId}/marking`, `/api/attempts/${attemptId}/suggestions`, `/api/sittings/${sittingId}/mark-sheet.pdf`]) {
      const res = await call(t, assessor, 'GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(409);
      expect(res.json()).toMatchObject({ error: 'scenario_version_missing', message: expect.stringContaining(`version ${versionN.version} of scenario S1`) });
    }
  });
});
