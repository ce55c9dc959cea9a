// Stored analyses of finalised recordings (migration 7): waveform peaks and talk/silence/overtalk,
// computed once by the analysis job (server/analysis/). No row = not analysed yet.
import type { Db } from '../connection.js';

export interface StoredAnalysis {
  callId: string;
  recordingSha256: string | null;
  analyserVersion: number;
  status: 'done' | 'failed';
  error: string | null;
  analysedAt: number;
  durationMs: number | null;
  channels: number | null;
  peaksPerSecond: number | null;
  /** Talk per channel: left = the candidate, right = the other party. */
  leftTalkMs: number | null;
  rightTalkMs: number | null;
  silenceMs: number | null;
  overtalkMs: number | null;
  segments: { left: Array<[number, number]>; right: Array<[number, number]> } | null;
}

export interface AnalysisPeaks {
  channels: number;
  peaksPerSecond: number;
  durationMs: number;
  /** uint8, interleaved per channel. */
  peaks: Buffer;
}

/** A finalised recording the job still has to analyse. */
export interface PendingRecording {
  callId: string;
  recordingPath: string;
  recordingSha256: string;
}

const SELECT = `SELECT call_id AS callId, recording_sha256 AS recordingSha256, analyser_version AS analyserVersion, status, error,
  analysed_at AS analysedAt, duration_ms AS durationMs, channels, peaks_per_second AS peaksPerSecond, left_talk_ms AS leftTalkMs,
  right_talk_ms AS rightTalkMs, silence_ms AS silenceMs, overtalk_ms AS overtalkMs, segments FROM recording_analysis`;

export class RecordingAnalysisRepository {
  constructor(private readonly db: Db) {}

  find(callId: string): StoredAnalysis | undefined {
    const row = this.db.prepare(`${SELECT} WHERE call_id = ?`).get(callId) as (Omit<StoredAnalysis, 'segments'> & { segments: string | null }) | undefined;
    return row && { ...row, segments: row.segments ? (JSON.parse(row.segments) as StoredAnalysis['segments']) : null };
  }

  peaks(callId: string): AnalysisPeaks | undefined {
    const row = this.db
      .prepare("SELECT channels, peaks_per_second AS peaksPerSecond, duration_ms AS durationMs, peaks FROM recording_analysis WHERE call_id = ? AND status = 'done'")
      .get(callId) as AnalysisPeaks | undefined;
    return row;
  }

  /**
   * Finalised recordings (complete or partial, hashed) with no analysis, or one by an older analyser
   * or of a different file hash; oldest call first.
   */
  pending(analyserVersion: number, limit = 20): PendingRecording[] {
    return this.db
      .prepare(
        `SELECT c.id AS callId, c.recording_path AS recordingPath, c.recording_sha256 AS recordingSha256
         FROM calls c LEFT JOIN recording_analysis a ON a.call_id = c.id
         WHERE c.recording_status IN ('complete', 'partial') AND c.recording_sha256 IS NOT NULL AND c.recording_path IS NOT NULL
           AND (a.call_id IS NULL OR a.analyser_version < @v OR a.recording_sha256 IS NOT c.recording_sha256)
         ORDER BY c.invited_at, c.id LIMIT @limit`,
      )
      .all({ v: analyserVersion, limit }) as PendingRecording[];
  }

  saveDone(a: {
    callId: string;
    recordingSha256: string;
    analyserVersion: number;
    analysedAt: number;
    durationMs: number;
    channels: number;
    peaksPerSecond: number;
    peaks: Uint8Array;
    talkMs: number[];
    silenceMs: number;
    overtalkMs: number;
    segments: Array<Array<[number, number]>>;
  }): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO recording_analysis (call_id, recording_sha256, analyser_version, status, error, analysed_at, duration_ms, channels,
           peaks_per_second, peaks, left_talk_ms, right_talk_ms, silence_ms, overtalk_ms, segments)
         VALUES (@callId, @recordingSha256, @analyserVersion, 'done', NULL, @analysedAt, @durationMs, @channels, @peaksPerSecond, @peaks,
           @left, @right, @silenceMs, @overtalkMs, @segments)`,
      )
      .run({
        callId: a.callId,
        recordingSha256: a.recordingSha256,
        analyserVersion: a.analyserVersion,
        analysedAt: a.analysedAt,
        durationMs: a.durationMs,
        channels: a.channels,
        peaksPerSecond: a.peaksPerSecond,
        peaks: Buffer.from(a.peaks.buffer, a.peaks.byteOffset, a.peaks.byteLength),
        left: a.talkMs[0] ?? 0,
        right: a.talkMs[1] ?? 0,
        silenceMs: a.silenceMs,
        overtalkMs: a.overtalkMs,
        segments: JSON.stringify({ left: a.segments[0] ?? [], right: a.segments[1] ?? [] }),
      });
  }

  saveFailed(callId: string, recordingSha256: string, analyserVersion: number, analysedAt: number, error: string): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO recording_analysis (call_id, recording_sha256, analyser_version, status, error, analysed_at)
         VALUES (?, ?, ?, 'failed', ?, ?)`,
      )
      .run(callId, recordingSha256, analyserVersion, error.slice(0, 2000), analysedAt);
  }
}
