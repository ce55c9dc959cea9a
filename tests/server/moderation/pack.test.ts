// Moderation packs end to end: an attempt with a desktop timeline, a recorded call (a real
// Ogg/Opus file whose hash enters the attempt's chain when finalised) and a print-out is exported
// through the API; the pack verifies; one changed byte in one file fails naming that file; an edited
// timeline entry (with the manifest "fixed up") fails naming the chain entry; the verify upload and
// `npm run verify-pack` (scripts/verify-pack.ts) say the same.
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySeedToAttempt, scenarioSeeds } from '../../../server/crm/attempt-copy.js';
import { RECORDING_FINALISED } from '../../../server/moderation/recording-chain.js';
import { MANIFEST, type PackManifest, type TimelineFile } from '../../../server/moderation/pack-format.js';
import { buildModerationPack } from '../../../server/moderation/pack.js';
import { verifyPackZip } from '../../../server/moderation/pack-verify.js';
import { runRetention } from '../../../server/retention/job.js';
import { writeScheduledOgg } from '../../media/analysis-fixture.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The version of S1 the attempt is sat on (its pack file is scenarios/s1.v<version>.json). */
const S1_VERSION = scenarioForAttemptKey('s1')!.version;
let t: TestApp;
let moderator: Login;
let attemptId: string;
let sittingId: string;
const callId = randomUUID();

beforeAll(async () => {
  t = await createTestApp();
  moderator = await t.loginAs('moderator');
  const sitting = t.repos.sittings.create(
    { centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: t.users.assessor },
    t.clock.now(),
  );
  sittingId = sitting.id;
  const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKey: 's1', sittingId, position: 1, variant: 'a', scenarioVersion: scenarioForAttemptKey('s1')!.version }, t.clock.now());
  attemptId = attempt.id;
  const at = t.clock.now();
  t.repos.attemptEvents.append(attemptId, randomUUID(), { at: at + 1000, clientAt: at + 990, callId: null, offsetMs: null, type: 'screen-pop', payload: { callerNumber: '01134960412' }, source: 'browser' });
  // The call: offered, answered, ended, then its recording finalised (hash stored → chained).
  const dir = path.join(t.dir, 'recordings', '2026-01-01');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${callId}.ogg`);
  writeScheduledOgg(file, { left: [[0, 1]], right: [[1, 2]], seconds: 2 });
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: '1001', calleeExtension: '1002', candidateUserId: t.users.candidate, invitedAt: at + 2000 });
  t.repos.calls.update(callId, { state: 'answered', ringingAt: at + 2100, answeredAt: at + 3000, recordingPath: file, recordingStatus: 'recording', recordingStartedAt: at + 3000 });
  t.repos.attemptEvents.append(attemptId, randomUUID(), { at: at + 3500, clientAt: at + 3490, callId, offsetMs: 500, type: 'field-changed', payload: { field: 'town', old: 'York', new: 'Leeds' }, source: 'server' });
  t.repos.calls.update(callId, { state: 'ended', endedAt: at + 5000 });
  t.clock.advance(at + 5500 - t.clock.now());
  const bytes = fs.readFileSync(file);
  t.repos.calls.update(callId, { recordingStatus: 'complete', recordingSha256: sha(bytes), recordingBytes: bytes.length, recordingDurationMs: 2000 });
  t.repos.attemptEvents.append(attemptId, randomUUID(), { at: at + 9000, clientAt: at + 8990, callId, offsetMs: 6000, type: 'wrap-up', payload: { outcome: 'resolved' }, source: 'server' });
  // A print-out on disk with its row.
  const pid = randomUUID();
  const rel = `${attemptId}/${pid}-customer.pdf`;
  const pdf = Buffer.from('%PDF-1.4\n% a print-out\n%%EOF\n');
  fs.mkdirSync(path.join(t.dir, 'printouts', attemptId), { recursive: true });
  fs.writeFileSync(path.join(t.dir, 'printouts', rel), pdf);
  t.repos.printouts.insert({ id: pid, attemptId, kind: 'customer', subjectId: 1, title: 'Customer BL100231', file: rel, sha256: sha(pdf), bytes: pdf.length, pages: 1, createdAt: at + 4000, createdBy: t.users.candidate });
});
afterAll(async () => {
  await t?.close();
});

async function downloadPack(url: string): Promise<Buffer> {
  const res = await t.app.inject({ method: 'GET', url, headers: { cookie: moderator.cookie } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/zip');
  return res.rawPayload;
}

/** The zip with one file's bytes replaced (everything else as it was). */
function rewrite(zip: Buffer, edits: Record<string, (b: Buffer) => Buffer>): Buffer {
  const src = new AdmZip(zip);
  const out = new AdmZip();
  for (const e of src.getEntries()) out.addFile(e.entryName, edits[e.entryName] ? edits[e.entryName]!(e.getData()) : e.getData());
  return out.toBuffer();
}

describe('moderation pack', () => {
  it('chained the recording hash into the attempt timeline when it was finalised', () => {
    const events = t.repos.attemptEvents.list(attemptId);
    const rec = events.find((e) => e.type === RECORDING_FINALISED);
    expect(rec).toMatchObject({ callId, payload: { callId, sha256: t.repos.calls.find(callId)!.recordingSha256 } });
  });

  it('exports an attempt with every file hashed, and the pack verifies', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const files = new AdmZip(zip).getEntries().map((e) => e.entryName).sort();
    const dir = `attempts/${attemptId}`;
    expect(files).toEqual(
      expect.arrayContaining([MANIFEST, 'audit-log.json', `${dir}/timeline.json`, `${dir}/timeline.csv`, `${dir}/attempt.json`, `${dir}/calls/${callId}.json`, `${dir}/calls/${callId}.ogg`]),
    );
    expect(files.some((f) => f.startsWith(`${dir}/printouts/`) && f.endsWith('-customer.pdf'))).toBe(true);
    const manifest = JSON.parse(new AdmZip(zip).readAsText(MANIFEST)) as PackManifest;
    expect(manifest.files.map((f) => f.path).sort()).toEqual(files.filter((f) => f !== MANIFEST));
    expect(manifest.chains.attempts[attemptId]!.entries).toBe(4);
    expect(manifest.missing).toEqual([]);
    // The recording in the pack is the recorded file, byte for byte.
    expect(sha(new AdmZip(zip).getEntry(`${dir}/calls/${callId}.ogg`)!.getData())).toBe(t.repos.calls.find(callId)!.recordingSha256);
    const csv = new AdmZip(zip).readAsText(`${dir}/timeline.csv`);
    expect(csv.split('\r\n')[0]).toBe('seq,at,at_iso,client_at,call_id,offset_ms,type,recorded_by,client_id,payload,source,source_in_chain,prev_hash,hash');
    expect(csv).toContain('"screen-pop","reported by the candidate\'s browser"');
    // The JSON is the same as writing the whole file at once (it is written page by page).
    const json = new AdmZip(zip).readAsText(`${dir}/timeline.json`);
    expect(json).toBe(`${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    const result = await verifyPackZip(zip);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked).toMatchObject({ timelineEntries: 4 });
  });

  it('fails naming the file when one byte of one file changed', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const target = `attempts/${attemptId}/calls/${callId}.ogg`;
    const flipped = rewrite(zip, {
      [target]: (b) => {
        const c = Buffer.from(b);
        const i = Math.floor(c.length / 2);
        c[i] = c[i]! ^ 0x01;
        return c;
      },
    });
    const result = await verifyPackZip(flipped);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ file: target, message: expect.stringMatching(/altered/) });
    expect(result.summary).toContain(target);
  });

  it('fails naming the chain entry when a timeline entry was edited and the manifest fixed up to match', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const tl = `attempts/${attemptId}/timeline.json`;
    let edited: Buffer = Buffer.alloc(0);
    const once = rewrite(zip, {
      [tl]: (b) => {
        const timeline = JSON.parse(b.toString()) as TimelineFile;
        timeline.events[1]!.payload.new = 'Harrogate';
        edited = Buffer.from(JSON.stringify(timeline, null, 2));
        return edited;
      },
    });
    const fixed = rewrite(once, {
      [MANIFEST]: (b) => {
        const m = JSON.parse(b.toString()) as PackManifest;
        m.files.find((f) => f.path === tl)!.sha256 = sha(edited);
        m.files.find((f) => f.path === tl)!.bytes = edited.length;
        return Buffer.from(JSON.stringify(m));
      },
    });
    const result = await verifyPackZip(fixed);
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: tl, entry: 'event 2', message: expect.stringMatching(/chain is broken.*content does not match/) });
  });

  it('notices a file added, a file removed, and a recording swapped together with its manifest line', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const added = new AdmZip(zip);
    added.addFile('attempts/extra.txt', Buffer.from('x'));
    expect((await verifyPackZip(added.toBuffer())).problems[0]).toMatchObject({ file: 'attempts/extra.txt', message: expect.stringMatching(/not in the manifest/) });
    const removed = new AdmZip(zip);
    removed.deleteFile(`attempts/${attemptId}/timeline.csv`);
    expect((await verifyPackZip(removed.toBuffer())).problems[0]).toMatchObject({ file: `attempts/${attemptId}/timeline.csv`, message: expect.stringMatching(/missing/) });
    const rec = `attempts/${attemptId}/calls/${callId}.ogg`;
    const other = Buffer.from('OggS another recording');
    const swapped = rewrite(rewrite(zip, { [rec]: () => other }), {
      [MANIFEST]: (b) => {
        const m = JSON.parse(b.toString()) as PackManifest;
        m.files.find((f) => f.path === rec)!.sha256 = sha(other);
        return Buffer.from(JSON.stringify(m));
      },
    });
    expect((await verifyPackZip(swapped)).problems[0]).toMatchObject({ file: rec, message: expect.stringMatching(/not the one whose hash the attempt's chain recorded/) });
  });

  it('exports a sitting with its mark sheet, and audits every export', async () => {
    const zip = await downloadPack(`/api/sittings/${sittingId}/pack.zip`);
    const manifest = JSON.parse(new AdmZip(zip).readAsText(MANIFEST)) as PackManifest;
    expect(manifest.scope).toEqual({ sittings: [sittingId], attempts: [attemptId] });
    const names = manifest.files.map((f) => f.path);
    expect(names).toContain(`sittings/${sittingId}/sitting.json`);
    // The mark sheet comes from the sittings work's renderer (server/assessment-docs/mark-sheet.ts).
    const markSheet = `sittings/${sittingId}/mark-sheet.pdf`;
    expect(names).toContain(markSheet);
    expect(new AdmZip(zip).getEntry(markSheet)!.getData().subarray(0, 5).toString()).toBe('%PDF-');
    expect((await verifyPackZip(zip)).ok).toBe(true);
    const audited = t.repos.auditLog.forSubject('sitting', sittingId, 'moderation-pack-exported');
    expect(audited.at(-1)!.after).toMatchObject({ packId: manifest.packId, manifestSha256: sha(new AdmZip(zip).getEntry(MANIFEST)!.getData()) });
    expect(t.repos.auditLog.verify().ok).toBe(true);
  });

  it('POST /api/packs/verify says the same, and whether this server issued the pack', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const post = (body: Buffer) => t.app.inject({ method: 'POST', url: '/api/packs/verify', headers: { cookie: moderator.cookie, 'x-csrf-token': moderator.csrf, 'content-type': 'application/zip' }, payload: body });
    const good = await post(zip);
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ ok: true, issuedByThisServer: true });
    const target = `attempts/${attemptId}/timeline.csv`;
    const bad = await post(rewrite(zip, { [target]: (b) => Buffer.concat([b, Buffer.from('x')]) }));
    expect(bad.json()).toMatchObject({ ok: false, problems: [{ file: target }] });
    expect((await post(Buffer.from('nope'))).statusCode).toBe(400);
  });

  it('what a rewritten manifest hides offline, the server does not: it did not issue that pack', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const post = async (body: Buffer) => (await t.app.inject({ method: 'POST', url: '/api/packs/verify', headers: { cookie: moderator.cookie, 'x-csrf-token': moderator.csrf, 'content-type': 'application/zip' }, payload: body })).json<{ ok: boolean; issuedByThisServer: boolean }>();
    const fixUp = (edited: Buffer, target: string) =>
      rewrite(rewrite(zip, { [target]: () => edited }), {
        [MANIFEST]: (b) => {
          const m = JSON.parse(b.toString()) as PackManifest;
          m.files.find((f) => f.path === target)!.sha256 = sha(edited);
          m.files.find((f) => f.path === target)!.bytes = edited.length;
          return Buffer.from(JSON.stringify(m, null, 2));
        },
      });
    // attempt.json is covered by no chain: changed and re-hashed, the pack verifies offline…
    const attemptJson = `attempts/${attemptId}/attempt.json`;
    const forged = fixUp(Buffer.from(new AdmZip(zip).readAsText(attemptJson).replace('"s1"', '"s2"')), attemptJson);
    expect(await post(forged)).toMatchObject({ ok: true, issuedByThisServer: false });
    // …and so does an audit entry removed with the manifest's count lowered to match.
    const audit = JSON.parse(new AdmZip(zip).readAsText('audit-log.json')) as unknown[];
    expect(audit.length).toBeGreaterThan(1);
    const fewer = Buffer.from(JSON.stringify(audit.slice(1), null, 2));
    const cut = rewrite(fixUp(fewer, 'audit-log.json'), {
      [MANIFEST]: (b) => {
        const m = JSON.parse(b.toString()) as PackManifest;
        m.chains.audit.entries = audit.length - 1;
        return Buffer.from(JSON.stringify(m, null, 2));
      },
    });
    expect(await post(cut)).toMatchObject({ ok: true, issuedByThisServer: false });
    // The pack as issued: verified and issued here.
    expect(await post(zip)).toMatchObject({ ok: true, issuedByThisServer: true });
  });

  it('npm run verify-pack exits 0 for a good pack and 1 naming the altered file', async () => {
    const zip = await downloadPack(`/api/attempts/${attemptId}/pack.zip`);
    const good = path.join(t.dir, 'good.zip');
    const bad = path.join(t.dir, 'bad.zip');
    fs.writeFileSync(good, zip);
    const target = `attempts/${attemptId}/attempt.json`;
    fs.writeFileSync(bad, rewrite(zip, { [target]: (b) => Buffer.from(b.toString().replace('"s1"', '"s2"')) }));
    const run = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'verify-pack.ts'), file], { cwd: root, encoding: 'utf8' });
    const ok = run(good);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Pack verified/);
    const altered = run(bad);
    expect(altered.status, altered.stderr).toBe(1);
    expect(altered.stdout).toContain(`ALTERED  ${target}`);
  });
});

describe('the scenario file and the final CRM state of each attempt', () => {
  const dir = () => `attempts/${attemptId}`;
  let zip: Buffer;
  let customer: { id: number; accountNumber: string };
  beforeAll(async () => {
    // The attempt's records: S1's seed, then the candidate's change to the first customer's town.
    copySeedToAttempt(t.repos, attemptId, scenarioSeeds().s1!(), t.clock.now());
    const c = t.repos.crm.listCustomers(attemptId)[0]!;
    customer = c;
    expect(t.repos.crm.updateCustomer(attemptId, c.id, c.version, { town: 'Harrogate' }, t.clock.now())).toBe(true);
    zip = await downloadPack(`/api/sittings/${sittingId}/pack.zip`);
  });

  it('holds the scenario file the attempt was run from, byte for byte, its SHA-256 in the manifest and attempt.json', () => {
    const onDisk = fs.readFileSync(path.join(root, 'scenarios', 's1-home-move.json'));
    const file = `scenarios/s1.v${S1_VERSION}.json`;
    const held = new AdmZip(zip).getEntry(file)!.getData();
    expect(held.equals(onDisk)).toBe(true);
    const manifest = JSON.parse(new AdmZip(zip).readAsText(MANIFEST)) as PackManifest;
    expect(manifest.scenarios).toEqual({ [`s1.v${S1_VERSION}`]: { path: file, sha256: sha(onDisk), title: expect.any(String) } });
    expect(manifest.files).toContainEqual({ path: file, sha256: sha(onDisk), bytes: onDisk.length });
    const attempt = JSON.parse(new AdmZip(zip).readAsText(`${dir()}/attempt.json`)) as { scenario: unknown; crmState: unknown };
    expect(attempt).toMatchObject({ scenario: { key: 's1', version: S1_VERSION, file, sha256: sha(onDisk) }, crmState: 'crm-state.json' });
  });

  it('holds the CRM records as the candidate left them', () => {
    const state = JSON.parse(new AdmZip(zip).readAsText(`${dir()}/crm-state.json`)) as { attemptId: string; customers: Array<{ accountNumber: string; town: string }>; company: unknown };
    expect(state.attemptId).toBe(attemptId);
    expect(state.company).not.toBeNull();
    expect(state.customers.find((c) => c.accountNumber === customer.accountNumber)).toMatchObject({ town: 'Harrogate' });
  });

  it('verifies; an edited CRM state or scenario file is caught, with or without the manifest line fixed up', async () => {
    expect((await verifyPackZip(zip)).problems).toEqual([]);
    const crmState = `${dir()}/crm-state.json`;
    const edit = (b: Buffer) => Buffer.from(b.toString().replace('"Harrogate"', '"Leeds"'));
    const edited = await verifyPackZip(rewrite(zip, { [crmState]: edit }));
    expect(edited.problems).toEqual([expect.objectContaining({ file: crmState, message: expect.stringMatching(/altered/) })]);
    // The scenario file swapped for an easier one and its manifest line made to match: attempt.json still names the original.
    const scenario = `scenarios/s1.v${S1_VERSION}.json`;
    const easier = Buffer.from(new AdmZip(zip).readAsText(scenario).replace(/"maxMarks": 1/, '"maxMarks": 2'));
    const lineFixed = (target: string, data: Buffer) => (b: Buffer) => {
      const m = JSON.parse(b.toString()) as PackManifest;
      Object.assign(m.files.find((f) => f.path === target)!, { sha256: sha(data), bytes: data.length });
      return Buffer.from(JSON.stringify(m, null, 2));
    };
    expect(easier.equals(new AdmZip(zip).getEntry(scenario)!.getData())).toBe(false);
    const swapped = await verifyPackZip(rewrite(zip, { [scenario]: () => easier, [MANIFEST]: lineFixed(scenario, easier) }));
    expect(swapped.ok).toBe(false);
    expect(swapped.problems).toEqual([expect.objectContaining({ file: scenario, message: expect.stringMatching(/not the scenario file the attempt was exported with/) })]);
    // Removed together with their manifest lines: the layout still requires them.
    const removed = new AdmZip(zip);
    removed.deleteFile(crmState);
    removed.deleteFile(scenario);
    removed.updateFile(MANIFEST, (() => {
      const m = JSON.parse(new AdmZip(zip).readAsText(MANIFEST)) as PackManifest;
      m.files = m.files.filter((f) => f.path !== crmState && f.path !== scenario);
      return Buffer.from(JSON.stringify(m, null, 2));
    })());
    const gone = await verifyPackZip(removed.toBuffer());
    expect(gone.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: crmState, message: expect.stringMatching(/is missing/) }),
      expect.objectContaining({ file: scenario, message: expect.stringMatching(/is missing/) }),
    ]));
    // A CRM state edited with its manifest line fixed up verifies offline, but this server did not issue it.
    const data = edit(new AdmZip(zip).getEntry(crmState)!.getData());
    const forged = rewrite(zip, { [crmState]: () => data, [MANIFEST]: lineFixed(crmState, data) });
    expect((await verifyPackZip(forged)).ok).toBe(true);
    const res = await t.app.inject({ method: 'POST', url: '/api/packs/verify', headers: { cookie: moderator.cookie, 'x-csrf-token': moderator.csrf, 'content-type': 'application/zip' }, payload: forged });
    expect(res.json()).toMatchObject({ ok: true, issuedByThisServer: false });
  });
});

describe('a recording deleted by the retention policy', () => {
  it('is listed as missing with the reason, and the pack still verifies', async () => {
    const r = await createTestApp();
    try {
      const attempt = r.repos.attempts.create({ centreId: r.centreId, candidateUserId: r.users.candidate, scenarioKey: 'demo' }, r.clock.now());
      const at = r.clock.now();
      const id = randomUUID();
      const dir = path.join(r.dir, 'recordings', '2026-01-01');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${id}.ogg`);
      writeScheduledOgg(file, { left: [[0, 1]], right: [[1, 2]], seconds: 2 });
      r.repos.calls.create({ id, centreId: r.centreId, callerUserId: r.users.assessor, calleeUserId: r.users.candidate, callerExtension: '1001', calleeExtension: '1002', candidateUserId: r.users.candidate, invitedAt: at + 1000 });
      r.repos.calls.update(id, { state: 'answered', answeredAt: at + 2000, recordingPath: file, recordingStatus: 'recording', recordingStartedAt: at + 2000 });
      r.repos.attemptEvents.append(attempt.id, randomUUID(), { at: at + 2500, clientAt: at + 2490, callId: id, offsetMs: 500, type: 'field-changed', payload: { field: 'town', old: 'York', new: 'Leeds' }, source: 'server' });
      r.repos.calls.update(id, { state: 'ended', endedAt: at + 4000 });
      const bytes = fs.readFileSync(file);
      r.repos.calls.update(id, { recordingStatus: 'complete', recordingSha256: sha(bytes), recordingBytes: bytes.length, recordingDurationMs: 2000 });
      expect(runRetention(r.repos, { recordingsDays: 30, recordingsDir: path.join(r.dir, 'recordings') }, at + 31 * 86_400_000).recordingsDeleted).toBe(1);

      const { zip, manifest } = await buildModerationPack({ repos: r.repos, printoutsDir: path.join(r.dir, 'printouts'), now: () => r.clock.now() }, { attemptIds: [attempt.id] }, null);
      const rec = `attempts/${attempt.id}/calls/${id}.ogg`;
      expect(manifest.missing).toEqual([{ path: rec, reason: expect.stringMatching(/retention/) }]);
      const result = await verifyPackZip(zip);
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      await r.close();
    }
  });
});
