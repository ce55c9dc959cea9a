// Builds the moderation pack of one or more sittings and attempts: a zip with the recordings,
// print-outs, timelines (JSON with their hash chain, and CSV), the final CRM state of each attempt,
// the scenario file each attempt was run from, mark sheets when a renderer is given, the audit
// entries about them, and manifest.json with the SHA-256 of every file (the scenario files also by
// attempt key) and the chain heads (layout: pack-format.ts). The export itself is audited with the manifest's hash, so
// the server can later say whether a pack is one it issued.
//
// The zip is built in memory (adm-zip): a pack of a sitting is a few recordings of ~0.25 MB a
// minute, tens of MB at most.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { type AuditEntry, auditSubject } from '../db/repositories/audit-log.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { attemptMetrics, METRICS_TIMELINE } from '../analysis/metrics.js';
import { RECORDING_FINALISED } from './recording-chain.js';
import type { AttemptEvent } from '../db/repositories/attempt-events.js';
import type { EventSource } from '../protocol/timeline.js';
import { toWire } from '../realtime/evidence.js';
import { assuranceRecord } from '../assurance/views.js';
import { parseAttemptKey, scenarioSourceOfAttempt } from '../assessment/scenario-loader.js';
import { attemptCalls } from './attempt-calls.js';
import { attemptCrmState } from './crm-state.js';
import { CHAIN_VERSION, GENESIS_HASH, sha256Hex } from '../hash-chain.js';
import {
  attemptDir,
  AUDIT_FILE,
  CRM_STATE_FILE,
  crmStateFile,
  scenarioFile,
  scenarioManifestKey,
  MANIFEST,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  recordingFile,
  timelineFile,
  type PackManifest,
  type TimelineFileEntry,
} from './pack-format.js';

/** Renders a sitting's mark sheet (PDF), or undefined when there is none to give. */
export type MarkSheetRenderer = (sittingId: string) => Buffer | undefined | Promise<Buffer | undefined>;

export interface PackOptions {
  repos: Repositories;
  printoutsDir: string;
  now: () => number;
  markSheet?: MarkSheetRenderer;
}

export interface PackScope {
  sittingIds?: readonly string[];
  attemptIds?: readonly string[];
}

export interface PackActor {
  userId: number;
  role: string;
  name: string;
}

export class PackScopeError extends Error {}

const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Quote always; neutralise a leading formula character so a spreadsheet shows text, not a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
};

/** Who recorded an event, in the words the moderator reads. */
export const recordedByWords = (source: EventSource | undefined): string => (source === 'server' ? 'the server' : "reported by the candidate's browser");

const TIMELINE_CSV_HEAD = ['seq', 'at', 'at_iso', 'client_at', 'call_id', 'offset_ms', 'type', 'recorded_by', 'client_id', 'payload', 'source', 'source_in_chain', 'prev_hash', 'hash'];
const timelineCsvRow = (e: TimelineFileEntry): string =>
  [e.seq, e.at, new Date(e.at).toISOString(), e.clientAt, e.callId, e.offsetMs, e.type, recordedByWords(e.source), e.clientId, e.payload, e.source, e.sourceInChain, e.prevHash, e.hash].map(csvCell).join(',');

/** A stored event as timeline.json lists it: the wire form without the attempt id, and its chain. */
function fileEntry(e: AttemptEvent): TimelineFileEntry {
  const { attemptId: _inTheFileHeader, ...wire } = toWire(e);
  return { ...wire, sourceInChain: e.sourceInChain, prevHash: e.prevHash, hash: e.hash };
}

/**
 * timeline.json and timeline.csv of an attempt, read from the database a page at a time and
 * written as text page by page (the same JSON as JSON.stringify(file, null, 2)).
 */
function timelineFiles(repos: Repositories, attemptId: string): { json: Buffer; csv: Buffer; entries: number; head: TimelineFileEntry | undefined } {
  const indent = (text: string, by: string) => text.split('\n').join(`\n${by}`);
  const jsonParts: string[] = [`{\n  "attemptId": ${JSON.stringify(attemptId)},\n  "chainVersion": ${CHAIN_VERSION},\n  "events": [`];
  const csvParts: string[] = [TIMELINE_CSV_HEAD.join(',')];
  let entries = 0;
  let head: TimelineFileEntry | undefined;
  for (const page of repos.attemptEvents.pages(attemptId)) {
    for (const e of page) {
      const entry = fileEntry(e);
      jsonParts.push(`${entries === 0 ? '' : ','}\n    ${indent(JSON.stringify(entry, null, 2), '    ')}`);
      csvParts.push(timelineCsvRow(entry));
      entries++;
      head = entry;
    }
  }
  jsonParts.push(entries === 0 ? ']\n}\n' : '\n  ]\n}\n');
  return { json: Buffer.from(jsonParts.join(''), 'utf8'), csv: Buffer.from(`${csvParts.join('\r\n')}\r\n`, 'utf8'), entries, head };
}

/** The attempts of the scope: each listed attempt, and every attempt of each listed sitting. */
function resolveScope(repos: Repositories, scope: PackScope): { sittings: string[]; attempts: Attempt[] } {
  const attempts = new Map<string, Attempt>();
  const sittings = [...new Set(scope.sittingIds ?? [])];
  for (const id of sittings) {
    if (!repos.sittings.findById(id)) throw new PackScopeError(`There is no sitting ${id}.`);
    for (const a of repos.attempts.forSitting(id)) attempts.set(a.id, a);
  }
  for (const id of scope.attemptIds ?? []) {
    const a = repos.attempts.findById(id);
    if (!a) throw new PackScopeError(`There is no attempt ${id}.`);
    attempts.set(a.id, a);
  }
  if (attempts.size === 0 && sittings.length === 0) throw new PackScopeError('A pack needs at least one sitting or attempt.');
  return { sittings, attempts: [...attempts.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)) };
}

export async function buildModerationPack(o: PackOptions, scope: PackScope, actor: PackActor | null): Promise<{ zip: Buffer; manifest: PackManifest }> {
  const { repos } = o;
  const { sittings, attempts } = resolveScope(repos, scope);
  const files = new Map<string, Buffer>();
  const missing: PackManifest['missing'] = [];
  const chains: PackManifest['chains']['attempts'] = {};
  const scenarios: NonNullable<PackManifest['scenarios']> = {};
  const now = o.now();

  for (const sittingId of sittings) {
    const sitting = repos.sittings.findById(sittingId)!;
    files.set(`sittings/${sittingId}/sitting.json`, json(sitting));
    // The result state, every step and signature (with what each signed), identity check, declarations, IQA verdicts, centre records.
    files.set(`sittings/${sittingId}/assurance.json`, json(assuranceRecord(repos, sitting)));
    const target = `sittings/${sittingId}/mark-sheet.pdf`;
    let pdf: Buffer | undefined;
    let reason = o.markSheet ? 'no mark sheet for this sitting' : 'no mark-sheet renderer configured';
    try {
      pdf = o.markSheet ? await o.markSheet(sittingId) : undefined;
    } catch (err) {
      // The rest of the evidence is still worth having; the manifest says what is missing and why.
      reason = `the mark sheet could not be rendered: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (pdf) files.set(target, pdf);
    else missing.push({ path: target, reason });
  }

  for (const attempt of attempts) {
    const dir = attemptDir(attempt.id);
    const timeline = timelineFiles(repos, attempt.id);
    files.set(timelineFile(attempt.id), timeline.json);
    files.set(`${dir}/timeline.csv`, timeline.csv);
    chains[attempt.id] = { entries: timeline.entries, headSeq: timeline.head?.seq ?? null, headHash: timeline.head?.hash ?? GENESIS_HASH };

    const calls = attemptCalls(repos, attempt);
    const callInputs = calls.map((call) => ({ call, events: repos.calls.events(call.id), analysis: repos.recordingAnalysis.find(call.id), candidateLeg: repos.calls.candidateLeg(call) }));
    for (const { call, events: callEvents, analysis } of callInputs) {
      files.set(`${dir}/calls/${call.id}.json`, json({ call, events: callEvents, analysis: analysis ?? null }));
      const rec = recordingFile(attempt.id, call.id);
      if (!call.recordingPath || call.recordingStatus === 'failed') {
        // A recording whose hash was stored is named by the attempt's chain: say why it is not here.
        if (call.recordingSha256) missing.push({ path: rec, reason: call.recordingPath ? 'the recording failed' : 'the recording was deleted from the server under the retention policy (its SHA-256 is kept in the attempt\'s chain)' });
        continue;
      }
      if (call.recordingStatus === 'recording') {
        missing.push({ path: rec, reason: 'the call was still being recorded' });
        continue;
      }
      try {
        const data = await fs.promises.readFile(call.recordingPath);
        if (call.recordingSha256 && sha256Hex(data) !== call.recordingSha256) {
          // Exported anyway (the moderator should hear it), but said loudly: it is not the file recorded.
          missing.push({ path: rec, reason: `the recording on disk does not match the hash stored when it was finalised (${call.recordingSha256})` });
        }
        files.set(rec, data);
      } catch {
        missing.push({ path: rec, reason: 'the recording file is missing on the server' });
      }
    }

    // A recording the chain names whose call is not on the server (the call row was lost): say so, as for any other absence.
    for (const e of repos.attemptEvents.list(attempt.id, { types: [RECORDING_FINALISED] })) {
      const callId = e.payload.callId;
      if (typeof callId !== 'string') continue;
      const rec = recordingFile(attempt.id, callId);
      if (!files.has(rec) && !missing.some((m) => m.path === rec)) missing.push({ path: rec, reason: 'the call this recording belongs to is not on the server (its SHA-256 is kept in the attempt\'s chain)' });
    }

    const printouts = repos.printouts.list(attempt.id);
    for (const p of printouts) {
      const target = `${dir}/printouts/${path.basename(p.file)}`;
      try {
        files.set(target, await fs.promises.readFile(path.join(o.printoutsDir, p.file)));
      } catch {
        missing.push({ path: target, reason: 'the print-out file is missing on the server' });
      }
    }

    // The records as the candidate left them, and the scenario file the attempt was run from.
    files.set(crmStateFile(attempt.id), json(attemptCrmState(repos, attempt.id)));
    // A practice attempt on the demo data set has no scenario file. The file is the one of the
    // version the attempt was sat on (scenarios/previous/ keeps superseded ones); a version held
    // nowhere stops the export with the loader's clear error rather than pack another version.
    const source = parseAttemptKey(attempt.scenarioKey) ? scenarioSourceOfAttempt(attempt) : undefined;
    const version = source?.scenario.version ?? attempt.scenarioVersion ?? undefined;
    const scenarioPath = parseAttemptKey(attempt.scenarioKey) ? scenarioFile(attempt.scenarioKey, version) : null;
    const manifestKey = version === undefined ? attempt.scenarioKey : scenarioManifestKey(attempt.scenarioKey, version);
    if (scenarioPath && !files.has(scenarioPath) && !missing.some((m) => m.path === scenarioPath)) {
      try {
        if (!source?.sourcePath) throw new Error('no such scenario is loaded');
        const data = await fs.promises.readFile(source.sourcePath);
        files.set(scenarioPath, data);
        scenarios[manifestKey] = { path: scenarioPath, sha256: sha256Hex(data), title: source.scenario.title };
      } catch (err) {
        missing.push({ path: scenarioPath, reason: `the scenario file could not be read on the server: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    const scenario = scenarioPath && { key: attempt.scenarioKey, version, file: scenarioPath, sha256: scenarios[manifestKey]?.sha256 ?? null };

    const metrics = attemptMetrics(attempt.id, callInputs, repos.attemptEvents.list(attempt.id, METRICS_TIMELINE), now);
    files.set(`${dir}/attempt.json`, json({ attempt, calls: calls.map((c) => c.id), printouts, metrics, scenario, crmState: CRM_STATE_FILE }));
  }

  // Audit entries about the pack's sittings and attempts, in chain order.
  const audit = new Map<number, AuditEntry>();
  for (const id of sittings) for (const e of repos.auditLog.forSubject('sitting', id)) audit.set(e.id, e);
  for (const a of attempts) for (const e of repos.auditLog.forSubject('attempt', a.id)) audit.set(e.id, e);
  const auditEntries = [...audit.values()].sort((a, b) => a.id - b.id);
  files.set(AUDIT_FILE, json(auditEntries));
  const auditCheck = repos.auditLog.verify();
  // AuditLogRepository.append numbers rows 1, 2, 3…, so the head's id is the number of rows.
  const auditHead = auditCheck.ok && auditCheck.rows > 0 ? { id: auditCheck.rows, hash: auditCheck.head } : null;

  const manifest: PackManifest = {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
    packId: randomUUID(),
    createdAt: now,
    createdBy: actor,
    scope: { sittings, attempts: attempts.map((a) => a.id) },
    files: [...files.entries()].map(([p, data]) => ({ path: p, sha256: sha256Hex(data), bytes: data.length })),
    chains: { attempts: chains, audit: { entries: auditEntries.length, head: auditHead, verifiedAtExport: auditCheck.ok } },
    scenarios,
    missing,
  };
  const manifestBytes = json(manifest);
  const zip = new AdmZip();
  zip.addFile(MANIFEST, manifestBytes);
  for (const [p, data] of files) zip.addFile(p, data);
  // Audited with the manifest's hash: the server's own record of what it handed out.
  repos.transaction(() => {
    for (const sittingId of sittings) {
      repos.auditLog.append({ at: now, actor: actor && { userId: actor.userId, role: actor.role }, centreId: repos.sittings.findById(sittingId)?.centreId ?? null, action: 'moderation-pack-exported', subjectType: 'sitting', subjectId: sittingId, after: { packId: manifest.packId, manifestSha256: sha256Hex(manifestBytes) } });
    }
    for (const a of attempts) {
      if (a.sittingId && sittings.includes(a.sittingId)) continue;
      repos.auditLog.append({ at: now, actor: actor && { userId: actor.userId, role: actor.role }, ...auditSubject('attempt', a), action: 'moderation-pack-exported', after: { packId: manifest.packId, manifestSha256: sha256Hex(manifestBytes) } });
    }
  });
  return { zip: zip.toBuffer(), manifest };
}
