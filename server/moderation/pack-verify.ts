// Verifies a moderation pack without the database (scripts/verify-pack.ts, POST /api/packs/verify):
//   1. every file the manifest lists is there and has its SHA-256; no file is there unlisted; the
//      files are those a pack of the manifest's scope holds (pack-layout.ts), so a file removed or
//      added together with its manifest line is found too;
//   2. each attempt's timeline.json is an intact hash chain ending at the head the manifest names,
//      and every entry's source (server or browser) is the one its hash covers (or, for an entry
//      stored before sources were kept, the one its hashed content implies: hash-chain.ts legacySource);
//   3. each recording's hash in the chain ('recording-finalised') is the hash of the recording
//      file, and a recording the chain names is in the pack or listed as missing with a reason;
//   4. audit-log.json's entries are in id order, each matches its hash, entries with consecutive
//      ids link up, none is newer than the audit head the manifest names, and there are as many as
//      the manifest says.
// Problems are reported in that order, each naming the file (and entry) concerned; the first one is
// the headline. Whatever a pack holds, the answer is a list of problems, never an exception.
//
// The zip is read by pack-reader.ts (streaming, with limits); the server runs the whole check in a
// worker thread (pack-verify-thread.ts).
//
// Offline, a forger who rewrites the manifest to match can still change a file no chain covers
// (sitting.json, attempt.json, a call's JSON, timeline.csv, a PDF) or rewrite the chain heads and
// counts; the server's record of the manifest it issued (issuedByThisServer) catches those.
import { auditRowHash, type AuditEntry } from '../db/repositories/audit-log.js';
import { attemptEventHash, CHAIN_VERSION, legacySource, sha256Hex, verifyChain } from '../hash-chain.js';
import { AUDIT_FILE, MANIFEST, PACK_FORMAT, PACK_FORMAT_VERSION, recordingFile, timelineFile, type ManifestFile, type PackManifest, type TimelineFile, type TimelineFileEntry } from './pack-format.js';
import { packLayoutProblems } from './pack-layout.js';
import { PackRefused, readPackZip, type PackEntry, type PackFiles, type PackLimits } from './pack-reader.js';
import { RECORDING_FINALISED } from './recording-chain.js';
import type { PackProblem, PackVerification } from '../protocol/moderation.js';
import type { PackVerifyOutcome } from './pack-verify-thread.js';

export { PackRefused, readPackZip, type PackEntry, type PackFiles } from './pack-reader.js';

/** PackFiles from file contents in memory (what tests and tools that build packs by hand have). */
export function packFilesOf(contents: ReadonlyMap<string, Buffer>): PackFiles {
  return new Map([...contents].map(([path, data]): [string, PackEntry] => [path, { bytes: data.length, sha256: sha256Hex(data), data }]));
}

function parseJson<T>(files: PackFiles, path: string, problems: PackProblem[]): T | undefined {
  const data = files.get(path)?.data;
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch {
    problems.push({ file: path, message: `${path} is not valid JSON` });
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCreator = (c: unknown): c is PackManifest['createdBy'] => isObject(c) && typeof c.userId === 'number' && typeof c.role === 'string' && typeof c.name === 'string';
const isFileLine = (f: unknown): f is ManifestFile => isObject(f) && typeof f.path === 'string' && typeof f.sha256 === 'string' && typeof f.bytes === 'number';
const isTimelineEntry = (e: unknown): e is TimelineFileEntry =>
  isObject(e) && typeof e.seq === 'number' && typeof e.type === 'string' && typeof e.prevHash === 'string' && typeof e.hash === 'string' && isObject(e.payload);
const isAuditEntry = (a: unknown): a is AuditEntry => isObject(a) && typeof a.id === 'number' && typeof a.hash === 'string' && typeof a.prevHash === 'string';

export function verifyPackFiles(files: PackFiles): PackVerification {
  const problems: PackProblem[] = [];
  const checked = { files: 0, timelineEntries: 0, auditEntries: 0 };
  const done = (manifest?: PackManifest): PackVerification => ({
    ok: problems.length === 0,
    problems,
    checked,
    summary: problems.length === 0
      ? `Pack verified: ${checked.files} files, ${checked.timelineEntries} timeline entries and ${checked.auditEntries} audit entries unchanged.`
      : `Pack NOT verified: ${problems[0]!.file}${problems[0]!.entry ? ` (${problems[0]!.entry})` : ''}: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''}`,
    ...(manifest ? { manifest: { packId: manifest.packId, createdAt: manifest.createdAt, createdBy: manifest.createdBy, scope: manifest.scope } } : {}),
  });

  if (!files.has(MANIFEST)) {
    problems.push({ file: MANIFEST, message: 'the pack has no manifest.json: it is not a Callmark moderation pack, or the manifest was removed' });
    return done();
  }
  const manifest = parseJson<PackManifest>(files, MANIFEST, problems);
  if (!manifest) return done();
  if (!isObject(manifest) || manifest.format !== PACK_FORMAT || !Array.isArray(manifest.files)) {
    problems.push({ file: MANIFEST, message: `the manifest is not a ${PACK_FORMAT} manifest` });
    return done();
  }
  if (manifest.formatVersion !== PACK_FORMAT_VERSION) {
    problems.push({ file: MANIFEST, message: `the pack is of format version ${String(manifest.formatVersion)}; this verifier checks version ${PACK_FORMAT_VERSION} (use the Callmark version that made it)` });
    return done();
  }
  if (!manifest.files.every(isFileLine)) {
    problems.push({ file: MANIFEST, message: 'the manifest\'s file list holds lines that are not files (path, sha256, bytes)' });
    return done();
  }
  if (!isObject(manifest.scope) || !isStringList(manifest.scope.sittings) || !isStringList(manifest.scope.attempts)) {
    problems.push({ file: MANIFEST, message: 'the manifest\'s scope is not two lists of sitting and attempt ids' });
    return done();
  }
  // The heading is sent back as it is read (POST /api/packs/verify declares its types): one that is
  // not a pack's is a problem of the pack.
  if (typeof manifest.packId !== 'string' || typeof manifest.createdAt !== 'number' || !(manifest.createdBy === null || isCreator(manifest.createdBy))) {
    problems.push({ file: MANIFEST, message: 'the manifest\'s packId, createdAt or createdBy is malformed (they are an id, a time in milliseconds, and who exported the pack or null)' });
    return done();
  }
  const missing = new Set(Array.isArray(manifest.missing) ? manifest.missing.flatMap((m: unknown) => (isObject(m) && typeof m.path === 'string' ? [m.path] : [])) : []);

  // 1. Files against the manifest, and against the layout a pack of this scope has.
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const f of manifest.files) {
    const entry = files.get(f.path);
    if (!entry) {
      problems.push({ file: f.path, message: 'is listed in the manifest but missing from the pack' });
      continue;
    }
    checked.files++;
    if (entry.sha256 !== f.sha256) problems.push({ file: f.path, message: `was altered: its SHA-256 is not the one in the manifest (${entry.bytes} bytes now, ${f.bytes} at export)` });
  }
  for (const path of files.keys()) {
    if (path !== MANIFEST && !listed.has(path)) problems.push({ file: path, message: 'is in the pack but not in the manifest (added after export)' });
  }
  problems.push(...packLayoutProblems({ files, scope: manifest.scope, missing, listed: new Set(listed.keys()) }));

  // 2 and 3. Each attempt's timeline chain, and the recordings named in it.
  for (const attemptId of manifest.scope.attempts) {
    const path = timelineFile(attemptId);
    const timeline = parseJson<TimelineFile>(files, path, problems);
    if (!timeline) continue; // a missing timeline is reported above
    if (!isObject(timeline) || !Array.isArray(timeline.events)) {
      problems.push({ file: path, message: 'holds no list of timeline events' });
      continue;
    }
    if (timeline.chainVersion !== CHAIN_VERSION) {
      problems.push({ file: path, message: `is of chain version ${String(timeline.chainVersion)}; this verifier checks version ${CHAIN_VERSION}` });
      continue;
    }
    const events: unknown[] = timeline.events;
    const notEvent = events.findIndex((e) => !isTimelineEntry(e));
    if (notEvent >= 0) {
      problems.push({ file: path, entry: `entry ${notEvent + 1}`, message: 'is not a timeline event (seq, type, payload, prevHash, hash)' });
      continue;
    }
    const entries = events as TimelineFileEntry[];
    checked.timelineEntries += entries.length;
    const broken = verifyChain<TimelineFileEntry>(entries, (prev, e) => attemptEventHash(prev, { ...e, attemptId }), (e) => `event ${e.seq}`);
    if (broken) {
      problems.push({ file: path, entry: `event ${entries[broken.index]?.seq ?? broken.index + 1}`, message: `the hash chain is broken at ${broken.message}` });
      continue;
    }
    const mislabelled = entries.find((e) => e.sourceInChain === false && e.source !== legacySource(e));
    if (mislabelled) {
      problems.push({ file: path, entry: `event ${mislabelled.seq}`, message: `says it was recorded by ${mislabelled.source === 'server' ? 'the server' : 'the browser'}, but it was stored before sources were kept and its content shows it was not (the label was changed)` });
    }
    const head = manifest.chains?.attempts?.[attemptId];
    const last = entries[entries.length - 1];
    if (!isObject(head) || typeof head.entries !== 'number' || typeof head.headHash !== 'string') {
      problems.push({ file: path, message: 'the manifest names no chain head for this attempt, so events cut off or added at the end could not be found' });
    } else if (head.entries !== entries.length || (last?.hash ?? null) !== (head.entries > 0 ? head.headHash : null)) {
      problems.push({ file: path, message: `the chain has ${entries.length} entries ending at ${last?.hash.slice(0, 12) ?? 'nothing'}, but the manifest says ${head.entries} ending at ${head.headHash.slice(0, 12)} (entries were cut off or added at the end)` });
    }
    for (const e of entries) {
      if (e.type !== RECORDING_FINALISED || typeof e.payload.callId !== 'string') continue;
      const rec = recordingFile(attemptId, e.payload.callId);
      const recording = files.get(rec);
      if (!recording) {
        // Listed-but-absent is reported above; a recording the exporter could not include is in manifest.missing.
        if (!listed.has(rec) && !missing.has(rec)) problems.push({ file: rec, entry: `event ${e.seq}`, message: 'is missing: the attempt\'s chain names this recording and the manifest does not say why it is not in the pack' });
        continue;
      }
      if (recording.sha256 !== e.payload.sha256) problems.push({ file: rec, entry: `event ${e.seq}`, message: 'the recording is not the one whose hash the attempt\'s chain recorded when it was finalised' });
    }
  }

  // 4. Audit entries: in id order, each matches its own hash, neighbours (consecutive ids) link,
  //    and the entry the manifest names as the audit head at export still has that hash.
  const audit = parseJson<unknown>(files, AUDIT_FILE, problems);
  if (audit !== undefined) checkAudit(audit, manifest, problems, checked);
  return done(manifest);
}

function checkAudit(audit: unknown, manifest: PackManifest, problems: PackProblem[], checked: { auditEntries: number }): void {
  if (!Array.isArray(audit)) {
    problems.push({ file: AUDIT_FILE, message: 'is not a list of audit entries' });
    return;
  }
  const bad = audit.findIndex((a) => !isAuditEntry(a));
  if (bad >= 0) {
    problems.push({ file: AUDIT_FILE, entry: `entry ${bad + 1}`, message: 'is not an audit entry (id, prevHash, hash)' });
    return;
  }
  const entries = audit as AuditEntry[];
  checked.auditEntries = entries.length;
  const head = manifest.chains?.audit?.head;
  let prev: AuditEntry | undefined;
  for (const a of entries) {
    const { hash, ...rest } = a;
    if (prev && a.id <= prev.id) {
      problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: `is out of order: it comes after entry ${prev.id} (entries were re-ordered or repeated)` });
      break;
    }
    if (auditRowHash(rest) !== hash) {
      problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: 'does not match its hash: it was changed after it was written' });
      break;
    }
    if (prev && a.id === prev.id + 1 && a.prevHash !== prev.hash) {
      problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: 'does not follow the entry before it' });
      break;
    }
    if (isObject(head) && typeof head.id === 'number' && (a.id > head.id || (a.id === head.id && a.hash !== head.hash))) {
      problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: `is not the audit log as it was at export: the manifest names entry ${head.id} (${String(head.hash).slice(0, 12)}) as the head then` });
      break;
    }
    prev = a;
  }
  const count = manifest.chains?.audit?.entries;
  if (typeof count !== 'number') problems.push({ file: AUDIT_FILE, message: 'the manifest names no count of audit entries, so entries removed could not be found' });
  else if (count !== entries.length) problems.push({ file: AUDIT_FILE, message: `holds ${entries.length} entries; the manifest says ${count}` });
}

/**
 * Reads and verifies a pack (a zip in memory, or the path of one). A file that is no zip gives a
 * verification naming '(zip)'; a zip that breaks a limit (a zip bomb) throws PackRefused.
 */
export async function verifyPackZip(zip: Buffer | string, limits?: Partial<PackLimits>): Promise<PackVerification> {
  let files: PackFiles;
  try {
    files = await readPackZip(zip, limits);
  } catch (err) {
    if (err instanceof PackRefused && err.kind === 'limit') throw err;
    return {
      ok: false,
      problems: [{ file: '(zip)', message: `not a readable zip file: ${err instanceof Error ? err.message : String(err)}` }],
      summary: 'Pack NOT verified: the upload is not a readable zip file.',
      checked: { files: 0, timelineEntries: 0, auditEntries: 0 },
    };
  }
  return verifyPackFiles(files);
}

/**
 * What the verifier thread answers for one upload (pack-verify-worker.ts): the verification and the
 * SHA-256 of the manifest (by which the server knows a pack it issued), or why the upload could not
 * be checked at all. Never throws.
 */
export async function verifyUpload(zip: Buffer): Promise<PackVerifyOutcome> {
  try {
    const files = await readPackZip(zip);
    const verification = verifyPackFiles(files);
    return { kind: 'verified', verification, manifestSha256: files.get(MANIFEST)?.sha256 ?? null };
  } catch (err) {
    if (err instanceof PackRefused) return { kind: err.kind, message: err.message };
    return { kind: 'unreadable', message: err instanceof Error ? err.message : String(err) };
  }
}
