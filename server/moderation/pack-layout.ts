// Which files a moderation pack of a given scope must hold, and which it may: the layout of
// pack-format.ts turned into a check, so that a file removed together with its manifest line, or a
// file added together with one, is still found. Pure (no database, no zip): the verifier runs it
// over the files it read.
//
//   always                               audit-log.json
//   per sitting in the scope             sitting.json; mark-sheet.pdf unless the manifest lists it missing
//   per attempt in the scope             attempt.json, timeline.json, timeline.csv
//   per call attempt.json names          calls/<call id>.json; calls/<call id>.ogg may be there
//   per print-out attempt.json names     printouts/<file name>, unless the manifest lists it missing
//
// A pack format that adds a file adds it here (and to pack-format.ts's layout comment).
import path from 'node:path';
import type { PackProblem } from '../protocol/moderation.js';
import { attemptDir, AUDIT_FILE, MANIFEST, recordingFile } from './pack-format.js';
import type { PackFiles } from './pack-reader.js';

export interface PackLayoutInput {
  files: PackFiles;
  scope: { sittings: readonly string[]; attempts: readonly string[] };
  /** manifest.missing: files the exporter could not include, with why. */
  missing: ReadonlySet<string>;
  /** The paths the manifest lists (their absence, or their presence unlisted, is reported by the manifest check). */
  listed: ReadonlySet<string>;
}

/** What attempt.json says the attempt's calls and print-outs are (undefined when unreadable). */
function attemptContents(data: Buffer | undefined): { calls: string[]; printouts: string[] } | undefined {
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { calls?: unknown; printouts?: unknown };
    const calls = Array.isArray(parsed.calls) ? parsed.calls.filter((c): c is string => typeof c === 'string') : [];
    const printouts = Array.isArray(parsed.printouts)
      ? parsed.printouts.flatMap((p: unknown) => (typeof p === 'object' && p !== null && typeof (p as { file?: unknown }).file === 'string' ? [path.posix.basename((p as { file: string }).file)] : []))
      : [];
    return { calls, printouts };
  } catch {
    return undefined;
  }
}

/** Files the scope requires that are absent, and files present that the scope has no place for. */
export function packLayoutProblems({ files, scope, missing, listed }: PackLayoutInput): PackProblem[] {
  const problems: PackProblem[] = [];
  const required = new Set<string>([AUDIT_FILE]);
  const allowed = new Set<string>([MANIFEST, AUDIT_FILE]);
  const need = (p: string, unlessMissing = false) => {
    allowed.add(p);
    if (!(unlessMissing && missing.has(p))) required.add(p);
  };

  for (const sittingId of scope.sittings) {
    need(`sittings/${sittingId}/sitting.json`);
    need(`sittings/${sittingId}/mark-sheet.pdf`, true);
    // What an awarding body needs of the sitting (server/assurance): in every pack made since it
    // was kept; a pack made before has none, so it is allowed, not required.
    allowed.add(`sittings/${sittingId}/assurance.json`);
  }
  for (const attemptId of scope.attempts) {
    const dir = attemptDir(attemptId);
    for (const name of ['attempt.json', 'timeline.json', 'timeline.csv']) need(`${dir}/${name}`);
    const contents = attemptContents(files.get(`${dir}/attempt.json`)?.data);
    if (files.has(`${dir}/attempt.json`) && !contents) problems.push({ file: `${dir}/attempt.json`, message: 'is not valid JSON' });
    for (const callId of contents?.calls ?? []) {
      need(`${dir}/calls/${callId}.json`);
      allowed.add(recordingFile(attemptId, callId));
    }
    for (const name of contents?.printouts ?? []) need(`${dir}/printouts/${name}`, true);
  }

  for (const p of required) if (!files.has(p) && !listed.has(p)) problems.push({ file: p, message: 'is missing: a pack of this scope always holds it, and the manifest does not say why it is not there' });
  for (const p of files.keys()) {
    if (!allowed.has(p) && listed.has(p)) problems.push({ file: p, message: 'is not part of a moderation pack of this scope (added after export)' });
  }
  return problems;
}
