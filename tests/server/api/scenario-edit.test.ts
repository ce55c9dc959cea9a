// Customised scenarios over the real API: a centre clones a shipped scenario into its own variant
// (a file in the data folder), edits it with precise refusals (file, path, reason; nothing
// written), uses it in a sitting of its own, and nobody else sees it. The shipped six are
// read-only; a variant an attempt used is frozen; a bad file edited by hand is skipped at start
// with the reason in the log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import type { ScenarioDocument, ScenarioList, ScenarioRefusal } from '../../../server/protocol/scenarios.js';
import { call, createSitting, ok, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, type Login, type TestApp } from '../../support/test-app.js';
import type { Json } from '../../support/json.js';

const shipped = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
let t: TestApp;
let assessor: Login;
let moderator: Login;
let admin: Login;
let candidate: Login;
let foreignAssessor: Login;
let ACME = '';

const folder = () => path.join(t.dir, 'scenarios');
const keysOf = (list: ScenarioList) => list.scenarios.map((s) => s.key);
/** PUT a scenario as JSON (or its text as text/plain, as the editor does). */
const put = (who: Login, key: string, body: Json | string) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/scenarios/${key}`,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const del = (who: Login, key: string) => t.app.inject({ method: 'DELETE', url: `/api/scenarios/${key}`, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf } });

beforeAll(async () => {
  t = await createTestApp();
  t.addUser(FOREIGN_ASSESSOR);
  ({ assessor, moderator, admin, candidate } = await t.loginRoles('assessor', 'moderator', 'admin', 'candidate'));
  foreignAssessor = await t.login('assessor2');
  ACME = `s1-c${t.centreId}-acme`;
});
afterAll(async () => {
  await t.close();
});

describe('cloning', () => {
  it('lists the six shipped scenarios and their re-take variants, read-only', async () => {
    const list = await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios');
    expect(keysOf(list)).toEqual(['demo', 's1', 's1-b', 's1-c', 's2', 's2-b', 's2-c', 's3', 's3-b', 's3-c', 's4', 's4-b', 's4-c', 's5', 's5-b', 's5-c', 's6', 's6-b', 's6-c']);
    expect(list.scenarios.filter((s) => s.key !== 'demo').every((s) => s.builtIn && s.centreId === null)).toBe(true);
    const doc = await ok<ScenarioDocument>(t, assessor, 'GET', '/api/scenarios/s1');
    expect(doc).toMatchObject({ key: 's1', builtIn: true, editable: false, file: 'scenarios/s1-home-move.json', issues: [] });
    expect(doc.text).toBe(fs.readFileSync(path.join(shipped, 's1-home-move.json'), 'utf8'));
  });

  it('clones S1 into a variant of the centre that only the centre (and moderators, admins) see', async () => {
    const doc = await ok<ScenarioDocument>(t, assessor, 'POST', '/api/scenarios/s1/clone', { variant: 'acme', title: 'Acme: home move' }, 201);
    expect(doc).toMatchObject({ key: ACME, scenarioKey: 's1', variant: `c${t.centreId}-acme`, version: 1, title: 'Acme: home move', builtIn: false, centreId: t.centreId, editable: true, issues: [] });
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder(), `${ACME}.json`), 'utf8')) as Json;
    expect(onDisk).toMatchObject({ key: 's1', variant: `c${t.centreId}-acme`, version: 1, title: 'Acme: home move' });
    expect(doc.file).toBe(`${path.basename(t.dir)}/scenarios/${ACME}.json`);

    expect(keysOf(await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios'))).toContain(ACME);
    expect(keysOf(await ok<ScenarioList>(t, moderator, 'GET', '/api/scenarios'))).toContain(ACME);
    expect(keysOf(await ok<ScenarioList>(t, admin, 'GET', '/api/scenarios'))).toContain(ACME);
    expect(keysOf(await ok<ScenarioList>(t, foreignAssessor, 'GET', '/api/scenarios'))).not.toContain(ACME);
    expect((await ok<ScenarioDocument>(t, moderator, 'GET', `/api/scenarios/${ACME}`)).editable).toBe(false);

    // The same name twice is refused; so is a centre that is not the assessor's.
    expect((await call(t, assessor, 'POST', '/api/scenarios/s1/clone', { variant: 'acme', title: 'Again' })).statusCode).toBe(409);
    expect((await call(t, assessor, 'POST', '/api/scenarios/s1/clone', { variant: 'other', title: 'X', centreId: t.foreignCentreId })).statusCode).toBe(400);
    expect((await call(t, assessor, 'POST', '/api/scenarios/s1/clone', { variant: 'bad name!', title: 'X' })).statusCode).toBe(400);
    // An admin without a centre names one.
    expect((await call(t, admin, 'POST', '/api/scenarios/s2/clone', { variant: 'x', title: 'X' })).json()).toMatchObject({ field: 'centreId' });
  });

  it('hides a centre variant from another centre (404 like an unknown key) and from candidates (403)', async () => {
    for (const [method, url] of [
      ['GET', `/api/scenarios/${ACME}`],
      ['POST', `/api/scenarios/${ACME}/clone`],
    ] as const) {
      const res = await call(t, foreignAssessor, method, url, method === 'POST' ? { variant: 'mine', title: 'Mine' } : undefined);
      expect(res.statusCode, res.body).toBe(404);
    }
    const before = fs.readFileSync(path.join(folder(), `${ACME}.json`), 'utf8');
    expect((await put(foreignAssessor, ACME, JSON.parse(before) as Json)).statusCode).toBe(404);
    expect((await del(foreignAssessor, ACME)).statusCode).toBe(404);
    expect((await call(t, candidate, 'GET', `/api/scenarios/${ACME}`)).statusCode).toBe(403);
    expect((await call(t, candidate, 'GET', '/api/scenarios/s1')).statusCode).toBe(403);
    expect(fs.readFileSync(path.join(folder(), `${ACME}.json`), 'utf8')).toBe(before);
    // Nor can another centre's sitting or practice attempt use it.
    const foreignCandidate = t.repos.users.findByUsernameWithHash('candidate2')!.id;
    const sitting = await call(t, foreignAssessor, 'POST', '/api/sittings', { candidateUserId: foreignCandidate, scenarioKeys: [ACME, 's4', 's5', 's3'] });
    expect(sitting.statusCode).toBe(400);
    expect(sitting.json().fields).toHaveProperty('scenarioKeys.0');
    const practice = await call(t, foreignAssessor, 'POST', '/api/attempts', { candidateUserId: foreignCandidate, scenarioKey: ACME });
    expect(practice.statusCode).toBe(400);
  });

  it('keeps the shipped six read-only', async () => {
    const s1 = JSON.parse(fs.readFileSync(path.join(shipped, 's1-home-move.json'), 'utf8')) as Json;
    const res = await put(assessor, 's1', s1);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'read_only' });
    expect((await del(admin, 's1')).statusCode).toBe(403);
  });
});

describe('editing', () => {
  const stored = () => fs.readFileSync(path.join(folder(), `${ACME}.json`), 'utf8');
  const current = () => JSON.parse(stored()) as Json;
  const file = () => `${path.basename(t.dir)}/scenarios/${ACME}.json`;

  async function refused(body: Json | string): Promise<ScenarioRefusal> {
    const before = stored();
    const res = await put(assessor, ACME, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(stored()).toBe(before);
    return res.json<ScenarioRefusal>();
  }

  it('refuses rubric marks that do not sum to 12, naming file, path and reason, and writes nothing', async () => {
    const s = current();
    s.rubric[1].maxMarks += 1;
    const r = await refused(s);
    expect(r.error).toBe('invalid_scenario');
    expect(r.issues).toEqual([{ file: file(), path: 'rubric', reason: 'marks sum to 13, must be 12' }]);
  });

  it('refuses a criterion id that is not in the catalogue', async () => {
    const s = current();
    s.rubric[0].criterionId = 'U2-4.2-made-up';
    const r = await refused(s);
    expect(r.issues).toContainEqual({ file: file(), path: 'rubric.0.criterionId', reason: '"U2-4.2-made-up" is not a criterion in the catalogue' });
  });

  it('places a JSON mistake in the text by line and column', async () => {
    const text = stored().replace('"version": 1,', '"version": 1');
    const r = await refused(text);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ file: file(), path: '' });
    // The comma is missing at the end of line 3; JSON breaks where the next property starts.
    expect(r.issues[0]!.reason).toMatch(/^not valid JSON \(line 4, column 3\)/);
  });

  it('refuses a change of key or variant, and an answer key naming a product the seed lacks', async () => {
    const s = current();
    s.variant = 'c999-elsewhere';
    expect((await refused(s)).issues).toContainEqual(expect.objectContaining({ path: 'variant' }));
    const t2 = current();
    t2.seed.products = t2.seed.products.filter((p: Json) => p.code !== 'BB-FIBRE-500');
    const r = await refused(t2);
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^seed\.|^answerKey\./)]));
  });

  it('saves a valid change with a new version, and a sitting of the centre uses it', async () => {
    const s = current();
    s.title = 'Acme Homes: moving house';
    s.seed.company.name = 'Acme Homes Ltd';
    s.seed.products[0].pricePence = 3100;
    const res = await put(assessor, ACME, s);
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json<ScenarioDocument>();
    expect(doc).toMatchObject({ version: 2, title: 'Acme Homes: moving house', issues: [] });
    expect(current()).toMatchObject({ version: 2, title: 'Acme Homes: moving house' });
    // Saving the same content again changes nothing.
    expect((await put(assessor, ACME, current())).json()).toMatchObject({ version: 2 });
    expect(fs.readdirSync(folder()).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(t.repos.auditLog.forSubject('scenario', ACME).map((e) => e.action)).toEqual(['scenario-created', 'scenario-changed']);

    const sitting = await createSitting(t, assessor, {}, [ACME, 's4', 's5', 's3']);
    expect(sitting.assignments.map((a) => a.scenarioKey)).toEqual([ACME, 's4', 's5', 's3']);
    await startSitting(t, assessor, sitting.id);
    const started = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`);
    const attempt = t.repos.attempts.findById(started.currentAttemptId!)!;
    expect(attempt).toMatchObject({ scenarioKey: ACME, variant: `c${t.centreId}-acme`, scenarioVersion: 2 });
    expect(t.repos.crm.company(attempt.id)?.name).toBe('Acme Homes Ltd');
    const brief = await ok<Json>(t, assessor, 'GET', `/api/attempts/${attempt.id}/brief`);
    expect(JSON.stringify(brief)).toContain('Acme Homes: moving house');

    // Used by an attempt: frozen (its marking reads it), and it cannot be deleted.
    expect((await put(assessor, ACME, { ...current(), title: 'Changed later' })).statusCode).toBe(409);
    expect((await del(assessor, ACME)).statusCode).toBe(409);
    expect((await ok<ScenarioDocument>(t, assessor, 'GET', `/api/scenarios/${ACME}`)).editable).toBe(false);
  });

  it('deletes an unused variant of the centre', async () => {
    const doc = await ok<ScenarioDocument>(t, admin, 'POST', '/api/scenarios/s4/clone', { variant: 'spare', title: 'Spare copy', centreId: t.centreId }, 201);
    expect(doc.key).toBe(`s4-c${t.centreId}-spare`);
    // A practice attempt of the centre can use it too (then it is frozen); this one stays unused.
    const res = await del(assessor, doc.key);
    expect(res.statusCode, res.body).toBe(204);
    expect(fs.existsSync(path.join(folder(), `${doc.key}.json`))).toBe(false);
    expect(keysOf(await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios'))).not.toContain(doc.key);
    expect((await call(t, assessor, 'GET', `/api/scenarios/${doc.key}`)).statusCode).toBe(404);
  });

  it('lets a practice attempt of the centre use a variant', async () => {
    await ok(t, assessor, 'POST', '/api/scenarios/s2/clone', { variant: 'practice', title: 'Practice copy' }, 201);
    const key = `s2-c${t.centreId}-practice`;
    const res = await call(t, assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate, scenarioKey: key });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('picks up a file edited by hand: a broken one is listed with its reason, not loaded', async () => {
    await ok(t, assessor, 'POST', '/api/scenarios/s6/clone', { variant: 'hand', title: 'Edited by hand' }, 201);
    const key = `s6-c${t.centreId}-hand`;
    const p = path.join(folder(), `${key}.json`);
    const s = JSON.parse(fs.readFileSync(p, 'utf8')) as Json;
    s.rubric[0].maxMarks += 1;
    fs.writeFileSync(p, JSON.stringify(s, null, 2));
    const list = await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios');
    expect(keysOf(list)).not.toContain(key);
    expect(list.problems).toContainEqual({ file: `${path.basename(t.dir)}/scenarios/${key}.json`, path: 'rubric', reason: 'marks sum to 13, must be 12', key, centreId: t.centreId });
    expect((await ok<ScenarioList>(t, foreignAssessor, 'GET', '/api/scenarios')).problems).toEqual([]);
    // The editor still opens it, with its problems, and a valid PUT mends it.
    const doc = await ok<ScenarioDocument>(t, assessor, 'GET', `/api/scenarios/${key}`);
    expect(doc.issues).toEqual([{ file: doc.file, path: 'rubric', reason: 'marks sum to 13, must be 12' }]);
    s.rubric[0].maxMarks -= 1;
    expect((await put(assessor, key, s)).statusCode).toBe(200);
    expect(keysOf(await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios'))).toContain(key);
  });
});

describe('start-up', () => {
  it('skips a bad centre file with the file, path and reason in the log, and loads the good ones', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-centre-scenarios-'));
    const folderPath = path.join(dir, 'scenarios');
    fs.mkdirSync(folderPath);
    const s1 = JSON.parse(fs.readFileSync(path.join(shipped, 's1-home-move.json'), 'utf8')) as Json;
    fs.writeFileSync(path.join(folderPath, 's1-c1-good.json'), JSON.stringify({ ...s1, variant: 'c1-good' }));
    const bad = structuredClone(s1);
    bad.variant = 'c1-bad';
    bad.rubric[0].criterionId = 'U2-4.2-made-up';
    fs.writeFileSync(path.join(folderPath, 's1-c1-bad.json'), JSON.stringify(bad));
    fs.writeFileSync(path.join(folderPath, 's3-c1-broken.json'), '{ "key": "s3", ');
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const other = await createTestApp({ centreScenariosDir: folderPath, logger: { level: 'warn', stream } });
    try {
      const logged = lines.map((l) => JSON.parse(l) as Json);
      expect(logged).toContainEqual(expect.objectContaining({ file: `${path.basename(dir)}/scenarios/s1-c1-bad.json`, path: 'rubric.0.criterionId', reason: '"U2-4.2-made-up" is not a criterion in the catalogue' }));
      expect(logged).toContainEqual(expect.objectContaining({ file: `${path.basename(dir)}/scenarios/s3-c1-broken.json`, path: '', reason: expect.stringMatching(/^not valid JSON/) }));
      const who = await other.loginAs('assessor');
      const list = (await other.app.inject({ method: 'GET', url: '/api/scenarios', headers: { cookie: who.cookie } })).json<ScenarioList>();
      expect(list.scenarios.map((s) => s.key)).toContain('s1-c1-good');
      expect(list.scenarios.map((s) => s.key)).not.toContain('s1-c1-bad');
    } finally {
      await other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The first app's folder is in use again once the second app is closed.
    expect(keysOf(await ok<ScenarioList>(t, assessor, 'GET', '/api/scenarios'))).toContain(ACME);
  });
});

describe('deeply nested input (SECURITY.md, info finding: 10k-deep JSON)', () => {
  it('a 10 000-deep JSON body, as JSON or as the editor\'s text, is refused with 400 and no error is logged', async () => {
    const errors: string[] = [];
    const { Writable } = await import('node:stream');
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) if ((JSON.parse(line) as { level: number }).level >= 50) errors.push(line);
        done();
      },
    });
    const own = await createTestApp({ logger: { level: 'error', stream } });
    try {
      const me = await own.loginAs('assessor');
      const clone = await own.app.inject({ method: 'POST', url: '/api/scenarios/s1/clone', headers: { cookie: me.cookie, 'x-csrf-token': me.csrf }, payload: { variant: 'deep', title: 'Deep' } });
      expect(clone.statusCode, clone.body).toBe(201);
      const key = clone.json<ScenarioDocument>().key;
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      for (const [contentType, body] of [['application/json', deep], ['application/json', deepObject], ['text/plain', deepObject]] as const) {
        const res = await own.app.inject({ method: 'PUT', url: `/api/scenarios/${key}`, headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'content-type': contentType }, payload: body });
        expect(res.statusCode, `${contentType}: ${res.body.slice(0, 200)}`).toBe(400);
        expect(res.json().message).toMatch(/nested/i);
      }
      expect(errors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

