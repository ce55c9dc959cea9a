// Building a moderation pack (server/moderation/pack.ts, with attempt-calls.ts, crm-state.ts and
// mark-sheets.ts) straight over a real SQLite database, without the app: what the zip holds, file
// by file, checked by content — every manifest line against the SHA-256 node:crypto gives the
// zip's own bytes, timeline.json and timeline.csv against the stored chain, each absence in
// manifest.missing with its reason, the audit entries and the audit of the export itself with the
// manifest's own hash. tests/server/moderation/pack.test.ts does the same end to end through the
// API; this file is quick enough for `npm run mutation:moderation`.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarioForAttemptKey, scenarioSourceOfAttempt } from '../../../server/assessment/scenario-loader.js';
import { copySeedToAttempt, scenarioSeeds } from '../../../server/crm/attempt-copy.js';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate } from '../../../server/db/migrations.js';
import type { Attempt } from '../../../server/db/repositories/attempts.js';
import { auditRowHash, type AuditEntry } from '../../../server/db/repositories/audit-log.js';
import { createRepositories, type Repositories } from '../../../server/db/repositories/index.js';
import { attemptCalls } from '../../../server/moderation/attempt-calls.js';
import { attemptCrmState, CRM_STATE_VERSION } from '../../../server/moderation/crm-state.js';
import { markSheetRenderer } from '../../../server/moderation/mark-sheets.js';
import type { PackManifest, TimelineFile } from '../../../server/moderation/pack-format.js';
import { buildModerationPack, PackScopeError, recordedByWords, type PackOptions } from '../../../server/moderation/pack.js';
import { verifyPackZip } from '../../../server/moderation/pack-verify.js';
import { chainRecordingsOnFinalise, RECORDING_FINALISED } from '../../../server/moderation/recording-chain.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOW = T0 + 3_600_000;
const GENESIS = '0'.repeat(64);
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const dbs: Db[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface World {
  db: Db;
  repos: Repositories;
  dir: string;
  centreId: number;
  candidate: number;
  assessor: number;
  sittingId: string;
  attempt: Attempt;
}

function world(): World {
  const db = openDatabase(':memory:');
  dbs.push(db);
  migrate(db);
  const repos = createRepositories(db);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-pack-build-'));
  dirs.push(dir);
  const centreId = repos.centres.create({ name: 'Centre' }, T0).id;
  const assessor = repos.users.create({ username: 'assessor', displayName: 'Ann Assessor', role: 'assessor', centreId, passwordHash: 'x' }, T0).id;
  const candidate = repos.users.create({ username: 'cand', displayName: 'Cara Candidate', role: 'candidate', centreId, passwordHash: 'x' }, T0).id;
  const sitting = repos.sittings.create({ centreId, candidateUserId: candidate, assessorUserId: assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: assessor }, T0);
  const attempt = repos.attempts.create({ centreId, candidateUserId: candidate, assessorUserId: assessor, scenarioKey: 's1', variant: 'a', sittingId: sitting.id, position: 1, scenarioVersion: scenarioForAttemptKey('s1')!.version }, T0 + 1000);
  chainRecordingsOnFinalise(repos, () => T0 + 50_000);
  return { db, repos, dir, centreId, candidate, assessor, sittingId: sitting.id, attempt };
}

const options = (w: World, extra: Partial<PackOptions> = {}): PackOptions => ({ repos: w.repos, printoutsDir: path.join(w.dir, 'printouts'), now: () => NOW, ...extra });

/** A call of the candidate, offered at `invitedAt`, optionally with a recording of `bytes` on disk. */
function call(w: World, invitedAt: number, opts: { candidate?: number; recording?: Buffer; status?: 'recording' | 'complete' | 'failed'; sha256?: string | null; onDisk?: boolean; id?: string } = {}): string {
  const id = opts.id ?? randomUUID();
  const who = opts.candidate ?? w.candidate;
  w.repos.calls.create({ id, centreId: w.centreId, callerUserId: w.assessor, calleeUserId: who, callerExtension: '1001', calleeExtension: '1002', candidateUserId: who, invitedAt });
  if (opts.recording) {
    const file = path.join(w.dir, 'recordings', `${id}.ogg`);
    if (opts.onDisk !== false) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, opts.recording);
    }
    w.repos.calls.update(id, { state: 'answered', answeredAt: invitedAt + 1000, recordingPath: file, recordingStatus: 'recording' });
    if (opts.status !== 'recording') {
      w.repos.calls.update(id, {
        state: 'ended',
        endedAt: invitedAt + 5000,
        recordingStatus: opts.status ?? 'complete',
        ...(opts.sha256 === null ? {} : { recordingSha256: opts.sha256 ?? sha(opts.recording), recordingBytes: opts.recording.length, recordingDurationMs: 4000 }),
      });
    }
  }
  return id;
}

function event(w: World, attemptId: string, n: number, extra: { type?: string; payload?: Record<string, unknown>; source?: 'server' | 'browser'; callId?: string | null } = {}): void {
  w.repos.attemptEvents.append(attemptId, `client-${n}`, { at: T0 + 2000 + n, clientAt: T0 + 1990 + n, callId: extra.callId ?? null, offsetMs: null, type: extra.type ?? 'field-changed', payload: extra.payload ?? { field: 'town', old: 'York', new: `Leeds ${n}` }, source: extra.source ?? 'server' });
}

interface Pack {
  zip: Buffer;
  manifest: PackManifest;
  files: Map<string, Buffer>;
  json: <T = unknown>(p: string) => T;
  missing: Record<string, string>;
}

async function pack(w: World, scope: { sittingIds?: string[]; attemptIds?: string[] }, extra: Partial<PackOptions> = {}, actor: { userId: number; role: string; name: string } | null = null): Promise<Pack> {
  const built = await buildModerationPack(options(w, extra), scope, actor);
  const files = new Map(new AdmZip(built.zip).getEntries().map((e) => [e.entryName, e.getData()]));
  return {
    ...built,
    files,
    json: <T,>(p: string) => JSON.parse(files.get(p)!.toString('utf8')) as T,
    missing: Object.fromEntries(built.manifest.missing.map((m) => [m.path, m.reason])),
  };
}

const A = (w: World) => `attempts/${w.attempt.id}`;

describe('the files of a pack, and the manifest that lists them', () => {
  it('lists every file of the zip but itself, with the SHA-256 and size of the bytes the zip holds, and verifies', async () => {
    const w = world();
    const rec = Buffer.from('OggS recorded call audio');
    const callId = call(w, T0 + 3000, { recording: rec });
    event(w, w.attempt.id, 1);
    const p = await pack(w, { sittingIds: [w.sittingId] }, { markSheet: () => Buffer.from('%PDF mark sheet') }, { userId: w.assessor, role: 'moderator', name: 'Mo' });

    const a = A(w);
    const scenarioPath = `scenarios/s1.v${scenarioForAttemptKey('s1')!.version}.json`;
    expect([...p.files.keys()].sort()).toEqual(
      [
        'manifest.json',
        'audit-log.json',
        `sittings/${w.sittingId}/sitting.json`,
        `sittings/${w.sittingId}/assurance.json`,
        `sittings/${w.sittingId}/mark-sheet.pdf`,
        `${a}/timeline.json`,
        `${a}/timeline.csv`,
        `${a}/calls/${callId}.json`,
        `${a}/calls/${callId}.ogg`,
        `${a}/crm-state.json`,
        `${a}/attempt.json`,
        scenarioPath,
      ].sort(),
    );
    expect(p.manifest.files.map((f) => f.path).sort()).toEqual([...p.files.keys()].filter((f) => f !== 'manifest.json').sort());
    for (const f of p.manifest.files) expect({ path: f.path, sha256: f.sha256, bytes: f.bytes }).toEqual({ path: f.path, sha256: sha(p.files.get(f.path)!), bytes: p.files.get(f.path)!.length });
    expect(p.files.get('manifest.json')!.toString('utf8')).toBe(`${JSON.stringify(p.manifest, null, 2)}\n`);
    expect(p.files.get(`${a}/calls/${callId}.ogg`)).toEqual(rec);
    expect(p.files.get(`sittings/${w.sittingId}/mark-sheet.pdf`)!.toString()).toBe('%PDF mark sheet');
    expect(p.manifest).toMatchObject({ format: 'callmark-moderation-pack', formatVersion: 1, createdAt: NOW, createdBy: { userId: w.assessor, role: 'moderator', name: 'Mo' }, scope: { sittings: [w.sittingId], attempts: [w.attempt.id] }, missing: [] });
    expect(p.manifest.packId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.json(`sittings/${w.sittingId}/sitting.json`)).toEqual(JSON.parse(JSON.stringify(w.repos.sittings.findById(w.sittingId))));
    expect(p.json<{ sitting?: { id?: string } }>(`sittings/${w.sittingId}/assurance.json`)).toBeTypeOf('object');

    // The scenario file is the one on disk, named by version in the manifest and attempt.json.
    const source = fs.readFileSync(scenarioSourceOfAttempt(w.attempt)!.sourcePath!);
    expect(p.files.get(scenarioPath)).toEqual(source);
    const version = scenarioForAttemptKey('s1')!.version;
    expect(p.manifest.scenarios).toEqual({ [`s1.v${version}`]: { path: scenarioPath, sha256: sha(source), title: scenarioForAttemptKey('s1')!.title } });
    const attemptJson = p.json<Record<string, unknown>>(`${a}/attempt.json`);
    expect(attemptJson.scenario).toEqual({ key: 's1', version, file: scenarioPath, sha256: sha(source) });
    expect(attemptJson.calls).toEqual([callId]);
    expect(attemptJson.printouts).toEqual([]);
    expect(attemptJson.crmState).toBe('crm-state.json');
    expect(attemptJson.attempt).toEqual(JSON.parse(JSON.stringify(w.repos.attempts.findById(w.attempt.id))));
    expect(attemptJson.metrics).toBeTypeOf('object');
    expect(p.json(`${a}/calls/${callId}.json`)).toEqual(JSON.parse(JSON.stringify({ call: w.repos.calls.find(callId), events: w.repos.calls.events(callId), analysis: null })));

    const verified = await verifyPackZip(p.zip);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('names the chain head of each attempt: genesis and no entries for an empty timeline', async () => {
    const w = world();
    const second = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, assessorUserId: w.assessor, scenarioKey: 'demo', sittingId: null }, T0 + 500);
    event(w, w.attempt.id, 1);
    event(w, w.attempt.id, 2);
    const p = await pack(w, { attemptIds: [w.attempt.id, second.id] });
    const events = w.repos.attemptEvents.list(w.attempt.id);
    expect(p.manifest.chains.attempts).toEqual({
      [w.attempt.id]: { entries: 2, headSeq: 2, headHash: events[1]!.hash },
      [second.id]: { entries: 0, headSeq: null, headHash: GENESIS },
    });
    // Attempts in the order they were created, whatever order they were asked for in.
    expect(p.manifest.scope.attempts).toEqual([second.id, w.attempt.id]);
    expect(p.manifest.scope.sittings).toEqual([]);
    // A practice attempt on the demo data has no scenario file, and none is missing.
    expect(p.json<Record<string, unknown>>(`attempts/${second.id}/attempt.json`).scenario).toBeNull();
    expect(p.manifest.missing).toEqual([]);
    expect(Object.keys(p.manifest.scenarios ?? {})).toEqual([`s1.v${scenarioForAttemptKey('s1')!.version}`]);
    expect((await verifyPackZip(p.zip)).ok).toBe(true);
  });

  it('orders attempts created at the same instant by id, and takes a sitting or attempt named twice once', async () => {
    const w = world();
    const ids = ['bbbbbbbb-0000-4000-8000-000000000000', 'aaaaaaaa-0000-4000-8000-000000000000'];
    for (const id of ids) w.repos.attempts.create({ id, centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 'demo' }, T0 + 100);
    const p = await pack(w, { sittingIds: [w.sittingId, w.sittingId], attemptIds: [...ids, w.attempt.id, ids[0]!] });
    expect(p.manifest.scope).toEqual({ sittings: [w.sittingId], attempts: [ids[1], ids[0], w.attempt.id] });
  });
});

describe('timeline.json and timeline.csv', () => {
  it('timeline.json is the stored chain, as JSON.stringify(…, null, 2) would write it', async () => {
    const w = world();
    event(w, w.attempt.id, 1, { source: 'browser', payload: { callerNumber: '01134960412' } });
    event(w, w.attempt.id, 2, { payload: { field: 'notes', new: 'line one\nline "two"' } });
    event(w, w.attempt.id, 3);
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    const text = p.files.get(`${A(w)}/timeline.json`)!.toString('utf8');
    const parsed = JSON.parse(text) as TimelineFile;
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    const stored = w.repos.attemptEvents.list(w.attempt.id);
    expect(parsed).toEqual({
      attemptId: w.attempt.id,
      chainVersion: 1,
      events: stored.map((e) => ({ seq: e.seq, clientId: e.clientId, at: e.at, clientAt: e.clientAt, callId: e.callId, offsetMs: e.offsetMs, type: e.type, payload: e.payload, source: e.source, sourceInChain: e.sourceInChain, prevHash: e.prevHash, hash: e.hash })),
    });
    expect(parsed.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(parsed.events[0]!.prevHash).toBe(GENESIS);
  });

  it('an empty timeline: an empty list, same formatting', async () => {
    const w = world();
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    const text = p.files.get(`${A(w)}/timeline.json`)!.toString('utf8');
    expect(text).toBe(`${JSON.stringify({ attemptId: w.attempt.id, chainVersion: 1, events: [] }, null, 2)}\n`);
    expect(p.files.get(`${A(w)}/timeline.csv`)!.toString('utf8')).toBe('seq,at,at_iso,client_at,call_id,offset_ms,type,recorded_by,client_id,payload,source,source_in_chain,prev_hash,hash\r\n');
  });

  it('timeline.csv: one quoted row per event, CRLF, who recorded it in words, formulas neutralised', async () => {
    const w = world();
    event(w, w.attempt.id, 1, { source: 'browser', type: '=HYPERLINK("x")', payload: { a: 1 } });
    event(w, w.attempt.id, 2, { payload: { quote: 'say "hi"' } });
    for (const [n, lead] of [[3, '+'], [4, '-'], [5, '@']] as const) event(w, w.attempt.id, n, { type: `${lead}cmd` });
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    const csv = p.files.get(`${A(w)}/timeline.csv`)!.toString('utf8');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = csv.slice(0, -2).split('\r\n');
    expect(rows[0]).toBe('seq,at,at_iso,client_at,call_id,offset_ms,type,recorded_by,client_id,payload,source,source_in_chain,prev_hash,hash');
    const [e1, e2, e3, e4, e5] = w.repos.attemptEvents.list(w.attempt.id);
    expect(rows[1]).toBe(
      [`"1"`, `"${e1!.at}"`, `"${new Date(e1!.at).toISOString()}"`, `"${e1!.clientAt}"`, '""', '""', `"'=HYPERLINK(""x"")"`, `"reported by the candidate's browser"`, '"client-1"', '"{""a"":1}"', '"browser"', '"true"', `"${GENESIS}"`, `"${e1!.hash}"`].join(','),
    );
    expect(rows[2]).toBe(
      [`"2"`, `"${e2!.at}"`, `"${new Date(e2!.at).toISOString()}"`, `"${e2!.clientAt}"`, '""', '""', '"field-changed"', '"the server"', '"client-2"', '"{""quote"":""say \\""hi\\""""}"', '"server"', '"true"', `"${e1!.hash}"`, `"${e2!.hash}"`].join(','),
    );
    expect(rows[3]).toContain(`"'+cmd"`);
    expect(rows[4]).toContain(`"'-cmd"`);
    expect(rows[5]).toContain(`"'@cmd"`);
    expect([e3, e4, e5].every(Boolean)).toBe(true);
    expect(rows).toHaveLength(6);
  });

  it('recordedByWords: the server, or the candidate’s browser for anything else', () => {
    expect(recordedByWords('server')).toBe('the server');
    expect(recordedByWords('browser')).toBe("reported by the candidate's browser");
    expect(recordedByWords(undefined)).toBe("reported by the candidate's browser");
  });
});

describe('what the pack cannot hold, in manifest.missing with why', () => {
  it('mark sheets: no renderer, none for the sitting, a renderer that fails', async () => {
    const w = world();
    const target = `sittings/${w.sittingId}/mark-sheet.pdf`;
    expect((await pack(w, { sittingIds: [w.sittingId] })).missing[target]).toBe('no mark-sheet renderer configured');
    expect((await pack(w, { sittingIds: [w.sittingId] }, { markSheet: () => undefined })).missing[target]).toBe('no mark sheet for this sitting');
    expect((await pack(w, { sittingIds: [w.sittingId] }, { markSheet: async () => await Promise.resolve(undefined) })).missing[target]).toBe('no mark sheet for this sitting');
    const failing = await pack(w, { sittingIds: [w.sittingId] }, { markSheet: () => { throw new Error('no fonts'); } });
    expect(failing.missing[target]).toBe('the mark sheet could not be rendered: no fonts');
    expect(failing.files.has(target)).toBe(false);
    // The rest of the evidence is still there.
    expect(failing.files.has(`sittings/${w.sittingId}/sitting.json`)).toBe(true);
    const thrownText = await pack(w, { sittingIds: [w.sittingId] }, { markSheet: () => Promise.reject('out of paper') }); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
    expect(thrownText.missing[target]).toBe('the mark sheet could not be rendered: out of paper');
  });

  it('the real mark-sheet renderer gives the sitting a PDF, and none for a sitting that is not there', async () => {
    const w = world();
    const render = markSheetRenderer(w.repos, () => NOW);
    const pdf = await render(w.sittingId);
    expect(pdf!.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await render('no-such-sitting')).toBeUndefined();
    const p = await pack(w, { sittingIds: [w.sittingId] }, { markSheet: render });
    expect(p.files.get(`sittings/${w.sittingId}/mark-sheet.pdf`)!.subarray(0, 5).toString()).toBe('%PDF-');
    expect(p.manifest.missing).toEqual([]);
  });

  it('recordings: failed, deleted under retention, still recording, changed on disk, gone from disk', async () => {
    const w = world();
    const a = A(w);
    const failed = call(w, T0 + 3000, { recording: Buffer.from('failed audio'), status: 'failed' });
    const deleted = call(w, T0 + 4000, { recording: Buffer.from('deleted audio') });
    w.repos.calls.update(deleted, { recordingPath: null });
    const noHashNoFile = call(w, T0 + 5000);
    const ongoing = call(w, T0 + 6000, { recording: Buffer.from('still going'), status: 'recording' });
    const changed = call(w, T0 + 7000, { recording: Buffer.from('original audio') });
    fs.writeFileSync(w.repos.calls.find(changed)!.recordingPath!, 'swapped audio');
    const gone = call(w, T0 + 8000, { recording: Buffer.from('gone audio'), onDisk: false });
    const failedNoHash = call(w, T0 + 9000, { recording: Buffer.from('failed, never hashed'), status: 'failed', sha256: null });
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    const rec = (id: string) => `${a}/calls/${id}.ogg`;
    expect(p.manifest.missing).toEqual([
      { path: rec(failed), reason: 'the recording failed' },
      { path: rec(deleted), reason: "the recording was deleted from the server under the retention policy (its SHA-256 is kept in the attempt's chain)" },
      { path: rec(ongoing), reason: 'the call was still being recorded' },
      { path: rec(changed), reason: `the recording on disk does not match the hash stored when it was finalised (${sha('original audio')})` },
      { path: rec(gone), reason: 'the recording file is missing on the server' },
    ]);
    // The changed one is exported anyway, as it is now on disk.
    expect(p.files.get(rec(changed))!.toString()).toBe('swapped audio');
    for (const id of [failed, deleted, noHashNoFile, ongoing, gone, failedNoHash]) expect(p.files.has(rec(id)), id).toBe(false);
    // Every call has its JSON, in the order offered.
    expect(p.json<{ calls: string[] }>(`${a}/attempt.json`).calls).toEqual([failed, deleted, noHashNoFile, ongoing, changed, gone, failedNoHash]);
    for (const id of [failed, deleted, noHashNoFile, ongoing, changed, gone, failedNoHash]) expect(p.files.has(`${a}/calls/${id}.json`)).toBe(true);
  });

  it('a recording the chain names whose call is not on the server; a chain entry naming no call id is passed over', async () => {
    const w = world();
    const lost = randomUUID();
    event(w, w.attempt.id, 1, { type: RECORDING_FINALISED, payload: { callId: lost, sha256: 'ab'.repeat(32) } });
    event(w, w.attempt.id, 2, { type: RECORDING_FINALISED, payload: { callId: 42 } });
    // Another type of entry that names a call in its payload names no recording.
    event(w, w.attempt.id, 4, { type: 'call-offered', payload: { callId: randomUUID() } });
    // A recording both failed and named by the chain is reported once, with the first reason.
    const failed = call(w, T0 + 3000, { recording: Buffer.from('failed audio'), status: 'failed' });
    event(w, w.attempt.id, 3, { type: RECORDING_FINALISED, payload: { callId: failed } });
    const kept = call(w, T0 + 4000, { recording: Buffer.from('kept audio') });
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    const rec = (id: string) => `${A(w)}/calls/${id}.ogg`;
    expect(p.manifest.missing).toEqual([
      { path: rec(failed), reason: 'the recording failed' },
      { path: rec(lost), reason: "the call this recording belongs to is not on the server (its SHA-256 is kept in the attempt's chain)" },
    ]);
    // The kept recording's own chain entry (added when it was finalised) makes no missing line.
    expect(w.repos.attemptEvents.list(w.attempt.id, { types: [RECORDING_FINALISED] }).map((e) => e.payload.callId)).toContain(kept);
    expect(p.files.has(rec(kept))).toBe(true);
  });

  it('print-outs: the file as on disk, or a missing line when it is gone', async () => {
    const w = world();
    const insert = (name: string, data: Buffer | null) => {
      const id = randomUUID();
      const rel = `${w.attempt.id}/${id}-${name}.pdf`;
      if (data) {
        fs.mkdirSync(path.join(w.dir, 'printouts', w.attempt.id), { recursive: true });
        fs.writeFileSync(path.join(w.dir, 'printouts', rel), data);
      }
      w.repos.printouts.insert({ id, attemptId: w.attempt.id, kind: 'customer', subjectId: 1, title: name, file: rel, sha256: sha(data ?? 'gone'), bytes: data?.length ?? 4, pages: 1, createdAt: T0 + 4000, createdBy: w.candidate });
      return `${A(w)}/printouts/${id}-${name}.pdf`;
    };
    const here = insert('customer', Buffer.from('%PDF-1.4 print-out'));
    const gone = insert('order', null);
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    expect(p.files.get(here)!.toString()).toBe('%PDF-1.4 print-out');
    expect(p.files.has(gone)).toBe(false);
    expect(p.manifest.missing).toEqual([{ path: gone, reason: 'the print-out file is missing on the server' }]);
    expect(p.json<{ printouts: unknown[] }>(`${A(w)}/attempt.json`).printouts).toEqual(JSON.parse(JSON.stringify(w.repos.printouts.list(w.attempt.id))));
  });

  it('a scenario the server does not hold: the scenario file is missing, with why, and attempt.json names it with no hash', async () => {
    const w = world();
    const other = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1-zz9', variant: 'zz9' }, T0 + 2000);
    const p = await pack(w, { attemptIds: [w.attempt.id, other.id] });
    expect(p.manifest.missing).toEqual([{ path: 'scenarios/s1-zz9.json', reason: 'the scenario file could not be read on the server: no such scenario is loaded' }]);
    expect([...p.files.keys()].filter((f) => f.startsWith('scenarios/'))).toEqual([`scenarios/s1.v${scenarioForAttemptKey('s1')!.version}.json`]);
    expect(p.json<Record<string, unknown>>(`attempts/${other.id}/attempt.json`).scenario).toEqual({ key: 's1-zz9', file: 'scenarios/s1-zz9.json', sha256: null });
    expect(Object.keys(p.manifest.scenarios ?? {})).toEqual([`s1.v${scenarioForAttemptKey('s1')!.version}`]);
    // The pack still verifies: the manifest says why the file is not there.
    expect((await verifyPackZip(p.zip)).problems).toEqual([]);
  });

  it('two attempts on the same scenario: its file once; the same missing scenario file: one missing line', async () => {
    const w = world();
    const again = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1', variant: 'a', scenarioVersion: scenarioForAttemptKey('s1')!.version }, T0 + 1500);
    const z1 = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1-zz9', variant: 'zz9' }, T0 + 2000);
    const z2 = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1-zz9', variant: 'zz9' }, T0 + 2500);
    const p = await pack(w, { attemptIds: [w.attempt.id, again.id, z1.id, z2.id] });
    expect(p.manifest.missing).toEqual([{ path: 'scenarios/s1-zz9.json', reason: 'the scenario file could not be read on the server: no such scenario is loaded' }]);
    const file = `scenarios/s1.v${scenarioForAttemptKey('s1')!.version}.json`;
    expect(p.manifest.files.filter((f) => f.path.startsWith('scenarios/')).map((f) => f.path)).toEqual([file]);
    // Both attempts name the file with its hash.
    for (const id of [w.attempt.id, again.id]) expect(p.json<{ scenario: { sha256: string } }>(`attempts/${id}/attempt.json`).scenario.sha256).toBe(sha(p.files.get(file)!));
  });

  it('an attempt that recorded no scenario version gets the current version’s file', async () => {
    const w = world();
    const unversioned = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1', variant: 'a', scenarioVersion: null }, T0 + 1500);
    const p = await pack(w, { attemptIds: [unversioned.id] });
    const version = scenarioForAttemptKey('s1')!.version;
    expect(p.json<Record<string, unknown>>(`attempts/${unversioned.id}/attempt.json`).scenario).toMatchObject({ key: 's1', version, file: `scenarios/s1.v${version}.json` });
    expect(Object.keys(p.manifest.scenarios ?? {})).toEqual([`s1.v${version}`]);
  });

  it('a version of a scenario held nowhere stops the export with the loader’s error, and audits nothing', async () => {
    const w = world();
    const other = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 's1', variant: 'a', scenarioVersion: 999 }, T0 + 2000);
    await expect(buildModerationPack(options(w), { attemptIds: [other.id] }, null)).rejects.toThrow(/999/);
    expect(w.repos.auditLog.forSubject('attempt', other.id)).toEqual([]);
  });
});

describe('the scope', () => {
  it('refuses a sitting or attempt that is not there, and an empty scope, in words', async () => {
    const w = world();
    await expect(buildModerationPack(options(w), { sittingIds: ['nope'] }, null)).rejects.toThrow(new PackScopeError('There is no sitting nope.'));
    await expect(buildModerationPack(options(w), { attemptIds: ['nope'] }, null)).rejects.toThrow(new PackScopeError('There is no attempt nope.'));
    await expect(buildModerationPack(options(w), {}, null)).rejects.toThrow(new PackScopeError('A pack needs at least one sitting or attempt.'));
    await expect(buildModerationPack(options(w), { sittingIds: [], attemptIds: [] }, null)).rejects.toBeInstanceOf(PackScopeError);
    // Nothing was audited for the refused exports.
    expect(w.repos.auditLog.forSubject('sitting', w.sittingId, 'moderation-pack-exported')).toEqual([]);
  });

  it('a sitting with no attempts yet is still a pack (its sitting files, no attempts)', async () => {
    const w = world();
    const empty = w.repos.sittings.create({ centreId: w.centreId, candidateUserId: w.candidate, assessorUserId: w.assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: false, createdBy: w.assessor }, T0);
    const p = await pack(w, { sittingIds: [empty.id] });
    expect(p.manifest.scope).toEqual({ sittings: [empty.id], attempts: [] });
    expect([...p.files.keys()].sort()).toEqual(['audit-log.json', 'manifest.json', `sittings/${empty.id}/assurance.json`, `sittings/${empty.id}/sitting.json`]);
  });
});

describe('audit entries, and the audit of the export', () => {
  const audit = (w: World, subjectType: string, subjectId: string, action: string, at: number) =>
    w.repos.transaction(() => w.repos.auditLog.append({ at, actor: { userId: w.assessor, role: 'assessor' }, centreId: w.centreId, action, subjectType, subjectId }));

  it('holds the entries about its sittings and attempts in chain order, names the audit head, and audits the export with the manifest’s hash', async () => {
    const w = world();
    const loose = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 'demo' }, T0 + 2000);
    const unrelated = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 'demo' }, T0 + 2000);
    const e1 = audit(w, 'attempt', w.attempt.id, 'attempt-started', T0 + 10);
    const e2 = audit(w, 'sitting', w.sittingId, 'sitting-started', T0 + 20);
    audit(w, 'attempt', unrelated.id, 'attempt-started', T0 + 30);
    const e4 = audit(w, 'attempt', loose.id, 'attempt-started', T0 + 40);
    const e5 = audit(w, 'sitting', w.sittingId, 'sitting-signed', T0 + 50);
    const head = w.repos.auditLog.verify();
    expect(head.ok).toBe(true);
    const p = await pack(w, { sittingIds: [w.sittingId], attemptIds: [loose.id, w.attempt.id] }, {}, { userId: w.assessor, role: 'moderator', name: 'Mo' });

    const entries = p.json<AuditEntry[]>('audit-log.json');
    expect(entries).toEqual(JSON.parse(JSON.stringify([e1, e2, e4, e5])));
    for (const e of entries) {
      const { hash, ...rest } = e;
      expect(auditRowHash(rest)).toBe(hash);
    }
    expect(p.manifest.chains.audit).toEqual({ entries: 4, head: { id: 5, hash: head.ok ? head.head : '' }, verifiedAtExport: true });

    // The export: one row per sitting, one per attempt outside them, each with the manifest's SHA-256.
    const manifestSha = sha(p.files.get('manifest.json')!);
    const exported = [...w.repos.auditLog.forSubject('sitting', w.sittingId, 'moderation-pack-exported'), ...w.repos.auditLog.forSubject('attempt', loose.id, 'moderation-pack-exported'), ...w.repos.auditLog.forSubject('attempt', w.attempt.id, 'moderation-pack-exported')];
    expect(exported.map((e) => ({ at: e.at, actorUserId: e.actorUserId, actorRole: e.actorRole, centreId: e.centreId, subjectType: e.subjectType, subjectId: e.subjectId, after: e.after }))).toEqual([
      { at: NOW, actorUserId: w.assessor, actorRole: 'moderator', centreId: w.centreId, subjectType: 'sitting', subjectId: w.sittingId, after: { packId: p.manifest.packId, manifestSha256: manifestSha } },
      { at: NOW, actorUserId: w.assessor, actorRole: 'moderator', centreId: w.centreId, subjectType: 'attempt', subjectId: loose.id, after: { packId: p.manifest.packId, manifestSha256: manifestSha } },
    ]);
    expect(w.repos.auditLog.verify().ok).toBe(true);
  });

  it('an attempt of a sitting that is not in the scope is audited on its own', async () => {
    const w = world();
    const p = await pack(w, { attemptIds: [w.attempt.id] });
    expect(w.repos.auditLog.forSubject('attempt', w.attempt.id, 'moderation-pack-exported').map((e) => e.after)).toEqual([{ packId: p.manifest.packId, manifestSha256: sha(p.files.get('manifest.json')!) }]);
    expect(w.repos.auditLog.forSubject('sitting', w.sittingId, 'moderation-pack-exported')).toEqual([]);
  });

  it('an export by the system (no actor) is audited with no actor; an empty audit log names no head', async () => {
    const w = world();
    const loose = w.repos.attempts.create({ centreId: w.centreId, candidateUserId: w.candidate, scenarioKey: 'demo' }, T0 + 2000);
    const p = await pack(w, { attemptIds: [loose.id] });
    expect(p.manifest.createdBy).toBeNull();
    expect(p.manifest.chains.audit).toEqual({ entries: 0, head: null, verifiedAtExport: true });
    expect(p.json('audit-log.json')).toEqual([]);
    const [row] = w.repos.auditLog.forSubject('attempt', loose.id, 'moderation-pack-exported');
    expect(row).toMatchObject({ actorUserId: null, actorRole: null, centreId: w.centreId, subjectId: loose.id, after: { packId: p.manifest.packId, manifestSha256: sha(p.files.get('manifest.json')!) } });
  });

  it('an audit log that no longer verifies: the manifest says so and names no head', async () => {
    const w = world();
    audit(w, 'sitting', w.sittingId, 'sitting-started', T0 + 20);
    audit(w, 'sitting', w.sittingId, 'sitting-signed', T0 + 30);
    // Edited behind the repository's back (the append-only trigger dropped first, as an attacker with the file would).
    w.db.exec('DROP TRIGGER audit_log_no_update');
    w.db.prepare("UPDATE audit_log SET action = 'forged' WHERE id = 1").run();
    const p = await pack(w, { sittingIds: [w.sittingId] });
    expect(p.manifest.chains.audit).toEqual({ entries: 2, head: null, verifiedAtExport: false });
  });
});

describe('the calls of an attempt (attempt-calls.ts)', () => {
  it('the candidate’s calls offered between the attempt’s start and its close, and any call its events name, in the order offered', () => {
    const w = world();
    const before = call(w, T0 + 999);
    const atStart = call(w, T0 + 1000, { id: 'b-at-start' });
    const sameInstant = call(w, T0 + 1000, { id: 'a-same-instant' });
    const during = call(w, T0 + 5000);
    const atClose = call(w, T0 + 9000);
    const after = call(w, T0 + 9001);
    const otherCandidate = w.repos.users.create({ username: 'other', displayName: 'Other', role: 'candidate', centreId: w.centreId, passwordHash: 'x' }, T0).id;
    const theirs = call(w, T0 + 5000, { candidate: otherCandidate });
    // A call the assessor made to the candidate but recorded as someone else's candidate call.
    const notAsCandidate = randomUUID();
    w.repos.calls.create({ id: notAsCandidate, centreId: w.centreId, callerUserId: w.candidate, calleeUserId: w.assessor, callerExtension: '1002', calleeExtension: '1001', candidateUserId: otherCandidate, invitedAt: T0 + 6000 });
    // Linked by an event although offered before the attempt.
    event(w, w.attempt.id, 1, { callId: before });
    w.repos.attempts.close(w.attempt.id, T0 + 9000);
    const closed = w.repos.attempts.findById(w.attempt.id)!;
    expect(attemptCalls(w.repos, closed).map((c) => c.id)).toEqual([before, sameInstant, atStart, during, atClose]);
    expect([after, theirs, notAsCandidate].some((id) => attemptCalls(w.repos, closed).some((c) => c.id === id))).toBe(false);
    // An open attempt: every later call of the candidate.
    expect(attemptCalls(w.repos, w.attempt).map((c) => c.id)).toEqual([before, sameInstant, atStart, during, atClose, after]);
  });
});

describe('the CRM state of an attempt (crm-state.ts)', () => {
  it('every customer with their records, and the attempt’s lists, as the repositories hold them', async () => {
    const w = world();
    copySeedToAttempt(w.repos, w.attempt.id, scenarioSeeds().s1!(), T0 + 1500);
    const { crm } = w.repos;
    const id = w.attempt.id;
    const state = attemptCrmState(w.repos, id) as Record<string, unknown>;
    const customers = crm.listCustomers(id);
    expect(customers.length).toBeGreaterThan(0);
    expect(state).toEqual({
      version: CRM_STATE_VERSION,
      attemptId: id,
      company: crm.company(id) ?? null,
      customers: customers.map((c) => ({ ...c, orders: crm.ordersForCustomer(id, c.id), cases: crm.casesForCustomer(id, c.id), notes: crm.notesForCustomer(id, c.id), callbacks: crm.callbacksForCustomer(id, c.id), identityChecks: crm.identityChecks(id, c.id) })),
      products: crm.listProducts(id),
      callList: crm.listCallList(id),
      wrapUps: crm.listWrapUps(id),
      messages: crm.listMessages(id),
      messageFolders: crm.listMessageFolders(id),
      autoReply: crm.autoReply(id),
    });
    expect(CRM_STATE_VERSION).toBe(1);
    // Not empty where the S1 seed has records: the comparison above is not of empty lists.
    expect((state.products as unknown[]).length).toBeGreaterThan(0);
    expect(customers.some((c) => crm.ordersForCustomer(id, c.id).length > 0)).toBe(true);
    expect(state.company).not.toBeNull();
    const p = await pack(w, { attemptIds: [id] });
    expect(p.json(`${A(w)}/crm-state.json`)).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it('an attempt with no records: empty lists, no company', () => {
    const w = world();
    expect(attemptCrmState(w.repos, w.attempt.id)).toMatchObject({ version: 1, attemptId: w.attempt.id, company: null, customers: [], products: [] });
  });
});
