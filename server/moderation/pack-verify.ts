// Verifies a moderation pack without the database (scripts/verify-pack.ts, POST /api/packs/verify):
//   1. every file the manifest lists is there and has its SHA-256; no file is there unlisted;
//   2. each attempt's timeline.json is an intact hash chain ending at the head the manifest names;
//   3. each recording's hash in the chain ('recording-finalised') is the hash of the recording file;
//   4. each audit-log entry matches its hash, and entries with consecutive ids link up.
// Problems are reported in that order, each naming the file (and entry) concerned; the first one is
// the headline. The zip is read by pack-reader.ts (streaming, with limits); the server runs the
// whole check in a worker thread (pack-verify-thread.ts).
import { auditRowHash, type AuditEntry } from '../db/repositories/audit-log.js';
import { attemptEventHash, sha256Hex, verifyChain } from './chain.js';
import { AUDIT_FILE, MANIFEST, PACK_FORMAT, recordingFile, timelineFile, type PackManifest, type TimelineFile, type TimelineFileEntry } from './pack-format.js';
import { PackRefused, readPackZip, type PackEntry, type PackFiles, type PackLimits } from './pack-reader.js';
import { RECORDING_FINALISED } from './recording-chain.js';
import type { PackProblem, PackVerification } from '../protocol/moderation.js';

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
  if (manifest.format !== PACK_FORMAT || !Array.isArray(manifest.files)) {
    problems.push({ file: MANIFEST, message: `the manifest is not a ${PACK_FORMAT} manifest` });
    return done();
  }

  // 1. Files against the manifest.
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

  // 2 and 3. Each attempt's timeline chain, and the recordings named in it.
  for (const attemptId of manifest.scope?.attempts ?? []) {
    const path = timelineFile(attemptId);
    const timeline = parseJson<TimelineFile>(files, path, problems);
    if (!timeline) {
      if (!files.has(path)) problems.push({ file: path, message: 'the attempt\'s timeline is missing' });
      continue;
    }
    const events = Array.isArray(timeline.events) ? timeline.events : [];
    checked.timelineEntries += events.length;
    const broken = verifyChain<TimelineFileEntry>(events, (prev, e) => attemptEventHash(prev, { ...e, attemptId }), (e) => `event ${e.seq}`);
    if (broken) {
      problems.push({ file: path, entry: `event ${events[broken.index]?.seq ?? broken.index + 1}`, message: `the hash chain is broken at ${broken.message}` });
      continue;
    }
    const head = manifest.chains?.attempts?.[attemptId];
    const last = events[events.length - 1];
    if (head && (head.entries !== events.length || (last?.hash ?? null) !== (head.entries > 0 ? head.headHash : null))) {
      problems.push({ file: path, message: `the chain has ${events.length} entries ending at ${last?.hash.slice(0, 12) ?? 'nothing'}, but the manifest says ${head.entries} ending at ${head.headHash.slice(0, 12)} (entries were cut off or added at the end)` });
    }
    for (const e of events) {
      if (e.type !== RECORDING_FINALISED || typeof e.payload.callId !== 'string') continue;
      const rec = recordingFile(attemptId, e.payload.callId);
      const recording = files.get(rec);
      if (!recording) continue; // listed-but-missing is reported above; a recording not exported is in manifest.missing
      if (recording.sha256 !== e.payload.sha256) problems.push({ file: rec, entry: `event ${e.seq}`, message: 'the recording is not the one whose hash the attempt\'s chain recorded when it was finalised' });
    }
  }

  // 4. Audit entries: each matches its own hash; neighbours (consecutive ids) link.
  const audit = parseJson<AuditEntry[]>(files, AUDIT_FILE, problems);
  if (audit) {
    checked.auditEntries = audit.length;
    let prev: AuditEntry | undefined;
    for (const a of audit) {
      const { hash, ...rest } = a;
      if (auditRowHash(rest) !== hash) {
        problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: 'does not match its hash: it was changed after it was written' });
        break;
      }
      if (prev && a.id === prev.id + 1 && a.prevHash !== prev.hash) {
        problems.push({ file: AUDIT_FILE, entry: `audit entry ${a.id}`, message: 'does not follow the entry before it' });
        break;
      }
      prev = a;
    }
    if (manifest.chains?.audit && manifest.chains.audit.entries !== audit.length) {
      problems.push({ file: AUDIT_FILE, message: `holds ${audit.length} entries; the manifest says ${manifest.chains.audit.entries}` });
    }
  }
  return done(manifest);
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
      problems: [{ file: '(zip)', message: err instanceof Error ? err.message : String(err) }],
      summary: 'Pack NOT verified: the upload is not a readable zip file.',
      checked: { files: 0, timelineEntries: 0, auditEntries: 0 },
    };
  }
  return verifyPackFiles(files);
}
