// The moderation pack's layout and manifest (shared by the exporter, the verifier and the script).
//
//   manifest.json                          this file: SHA-256 of every other file, the chain heads
//   audit-log.json                         audit_log entries about the pack's sittings and attempts
//   sittings/<id>/sitting.json             the sitting record (with its result state and outcome)
//   sittings/<id>/assurance.json           its quality assurance: result state, every step, every
//                                          signature with the record it signed and that record's
//                                          SHA-256, identity check, declarations, IQA verdicts,
//                                          conflicts of interest, special consideration, malpractice, enquiries
//   sittings/<id>/mark-sheet.pdf           when a mark-sheet renderer is available
//   attempts/<id>/attempt.json             attempt, its calls, print-outs and metrics, the scenario it
//                                          was run from (attempt key, file, SHA-256) and its CRM state file
//   attempts/<id>/crm-state.json           the attempt's CRM records as the candidate left them
//   scenarios/<attempt key>.v<version>.json the scenario file each attempt was run from, of the
//                                          version it was sat on (one per key and version; its
//                                          SHA-256 also in the manifest's `scenarios`). Packs made
//                                          before versions were kept: scenarios/<attempt key>.json
//   attempts/<id>/timeline.json            the attempt_events hash chain, every entry with its hashes
//                                          and who recorded it (source: server | browser)
//   attempts/<id>/timeline.csv             the same, for a spreadsheet (not verified beyond its hash)
//   attempts/<id>/calls/<call id>.json     call record and call events
//   attempts/<id>/calls/<call id>.ogg      the recording (stereo Ogg/Opus, left = candidate)
//   attempts/<id>/printouts/<file>.pdf     the candidate's print-outs
import type { EventSource, TimelineEvent } from '../protocol/timeline.js';

export const PACK_FORMAT = 'callmark-moderation-pack';
export const PACK_FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const AUDIT_FILE = 'audit-log.json';

export const attemptDir = (attemptId: string): string => `attempts/${attemptId}`;
export const timelineFile = (attemptId: string): string => `${attemptDir(attemptId)}/timeline.json`;
export const recordingFile = (attemptId: string, callId: string): string => `${attemptDir(attemptId)}/calls/${callId}.ogg`;
export const CRM_STATE_FILE = 'crm-state.json';
export const crmStateFile = (attemptId: string): string => `${attemptDir(attemptId)}/${CRM_STATE_FILE}`;
/**
 * The scenario file of an attempt key ("s1", "s1-b", "s1-c3-acme") at the version the attempt was
 * sat on; without a version, the name packs used before versions were kept.
 */
export const scenarioFile = (attemptKey: string, version?: number): string => (version === undefined ? `scenarios/${attemptKey}.json` : `scenarios/${attemptKey}.v${version}.json`);
/** The manifest's `scenarios` key of an attempt key at a version: "s1.v2". */
export const scenarioManifestKey = (attemptKey: string, version: number): string => `${attemptKey}.v${version}`;

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  formatVersion: number;
  packId: string;
  createdAt: number;
  createdBy: { userId: number; role: string; name: string } | null;
  scope: { sittings: string[]; attempts: string[] };
  files: ManifestFile[];
  chains: {
    /** Per attempt: the number of timeline entries and the newest one's hash at export. */
    attempts: Record<string, { entries: number; headSeq: number | null; headHash: string }>;
    audit: {
      /** Entries in audit-log.json. */
      entries: number;
      /** The whole audit chain's head at export, and whether the whole chain verified then. */
      head: { id: number; hash: string } | null;
      verifiedAtExport: boolean;
    };
  };
  /**
   * Per attempt key and version ("s1.v2"; the bare attempt key in packs made before versions were
   * kept): the scenario file the pack holds, its SHA-256 and title. Absent in packs made before
   * scenario files were included.
   */
  scenarios?: Record<string, { path: string; sha256: string; title: string }>;
  /** Files that could not be included, with why (e.g. a recording missing on disk). */
  missing: Array<{ path: string; reason: string }>;
}

/** timeline.json */
export interface TimelineFile {
  attemptId: string;
  chainVersion: number;
  events: TimelineFileEntry[];
}

/** A stored timeline event as the pack holds it (its attempt is the file's), with its hashes. */
export interface TimelineFileEntry extends Omit<TimelineEvent, 'attemptId' | 'payload' | 'source'> {
  payload: Record<string, unknown>;
  /**
   * Who recorded it: 'server' or 'browser' (reported by the candidate's browser). Absent in packs
   * exported before sources were kept. Inside the entry's hash unless sourceInChain is false.
   */
  source?: EventSource;
  /** false: an entry stored before sources were kept; its source must be the one hash-chain.ts legacySource gives. */
  sourceInChain?: boolean;
  prevHash: string;
  hash: string;
}
