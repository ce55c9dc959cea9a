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
//   the CRM state attempt.json names     crm-state.json
//   the scenario attempt.json names      scenarios/<attempt key>.json, unless the manifest lists it
//                                        missing; its SHA-256 must be the one attempt.json gives
// (packs made before the CRM state and scenario files were kept name neither, and need neither)
//
// A pack format that adds a file adds it here (and to pack-format.ts's layout comment).
import path from 'node:path';
import type { PackProblem } from '../protocol/moderation.js';
import { attemptDir, AUDIT_FILE, CRM_STATE_FILE, MANIFEST, recordingFile, scenarioFile } from './pack-format.js';
import type { PackFiles } from './pack-reader.js';

export interface PackLayoutInput {
  files: PackFiles;
  scope: { sittings: readonly string[]; attempts: readonly string[] };
  /** manifest.missing: files the exporter could not include, with why. */
  missing: ReadonlySet<string>;
  /** The paths the manifest lists (their absence, or their presence unlisted, is reported by the manifest check). */
  listed: ReadonlySet<string>;
}

interface AttemptContents {
  calls: string[];
  printouts: string[];
  /** The CRM state file's name, when attempt.json names one. */
  crmState: string | undefined;
  /** The scenario file's attempt key and SHA-256 (null when the exporter could not read it), when named. */
  scenario: { key: string; sha256: string | null; version: number | undefined } | undefined;
}

/** The scenario attempt.json names: an attempt key as the loader spells it, and a hex SHA-256 or null. */
function scenarioOf(v: unknown): AttemptContents['scenario'] {
  if (typeof v !== 'object' || v === null) return undefined;
  const { key, sha256, version } = v as { key?: unknown; sha256?: unknown; version?: unknown };
  if (typeof key !== 'string' || !/^s[1-6](?:-[A-Za-z0-9][A-Za-z0-9_-]{0,63})?$/.test(key)) return undefined;
  if (sha256 !== null && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))) return undefined;
  // A pack made before versions were kept names no version (its file is scenarios/<key>.json).
  if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) return undefined;
  return { key, sha256, version };
}

/** What attempt.json says the attempt's calls, print-outs, CRM state and scenario are (undefined when unreadable). */
function attemptContents(data: Buffer | undefined): AttemptContents | undefined {
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { calls?: unknown; printouts?: unknown; crmState?: unknown; scenario?: unknown };
    const calls = Array.isArray(parsed.calls) ? parsed.calls.filter((c): c is string => typeof c === 'string') : [];
    const printouts = Array.isArray(parsed.printouts)
      ? parsed.printouts.flatMap((p: unknown) => (typeof p === 'object' && p !== null && typeof (p as { file?: unknown }).file === 'string' ? [path.posix.basename((p as { file: string }).file)] : []))
      : [];
    return { calls, printouts, crmState: parsed.crmState === CRM_STATE_FILE ? CRM_STATE_FILE : undefined, scenario: scenarioOf(parsed.scenario) };
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
    if (contents?.crmState) need(`${dir}/${contents.crmState}`);
    const scenario = contents?.scenario;
    if (scenario) {
      const file = scenarioFile(scenario.key, scenario.version);
      need(file, true);
      const held = files.get(file);
      if (held && held.sha256 !== scenario.sha256 && !problems.some((p) => p.file === file)) {
        problems.push({ file, message: `is not the scenario file the attempt was exported with: ${dir}/attempt.json gives its SHA-256 as ${scenario.sha256 ?? 'unreadable'}` });
      }
    }
  }

  for (const p of required) if (!files.has(p) && !listed.has(p)) problems.push({ file: p, message: 'is missing: a pack of this scope always holds it, and the manifest does not say why it is not there' });
  for (const p of files.keys()) {
    if (!allowed.has(p) && listed.has(p)) problems.push({ file: p, message: 'is not part of a moderation pack of this scope (added after export)' });
  }
  return problems;
}
