// The background job that analyses finalised recordings (waveform peaks, talk/silence/overtalk)
// once, so the moderation player opens a 30-minute call at once and metrics are a lookup.
//
// - Runs at start-up and whenever notified (a recording was hashed), one recording at a time, with
//   ffmpeg at the lowest CPU priority, yielding to the event loop between recordings.
// - Crash-safe: a result is stored in one INSERT after the whole file was analysed; a crash midway
//   leaves no row, and "no row" is exactly what the job looks for at the next start.
// - A file that cannot be analysed gets a 'failed' row with the error, so it is not decoded again
//   at every start; a newer ANALYSER_VERSION or a different recording hash redoes a row.
import { ANALYSER_VERSION, analyseRecording, type RecordingAnalysis } from '../../media/index.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';

export interface AnalysisJobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AnalysisJobOptions {
  repos: Pick<Repositories, 'recordingAnalysis'>;
  clock: Clock;
  logger?: AnalysisJobLogger;
  /** The analysis itself; tests may replace it. */
  analyse?: (file: string, signal: AbortSignal) => Promise<RecordingAnalysis>;
  /** Pause between two recordings, so a backlog never keeps a core busy for long (default 200 ms). */
  pauseMs?: number;
}

export class AnalysisJob {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();
  /** Recordings analysed (done or failed) since start: for logs and tests. */
  processed = 0;

  constructor(private readonly opts: AnalysisJobOptions) {}

  /** Starts a pass over every recording still to analyse (also what notify() does). */
  start(): void {
    this.notify();
  }

  /** A recording was finalised: make sure a pass runs (coalesced with one already running). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.notify();
      }
    });
  }

  /** Resolves when nothing is left to do (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after killing the ffmpeg of the recording being analysed (it has no row: redone next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.idle();
  }

  private async loop(): Promise<void> {
    const { repos, clock, logger } = this.opts;
    const analyse = this.opts.analyse ?? ((file, signal) => analyseRecording(file, undefined, { signal }));
    const tried = new Set<string>();
    while (!this.stopped) {
      // setImmediate first: let the request or call that notified us finish before ffmpeg starts.
      await new Promise((r) => setImmediate(r));
      const next = repos.recordingAnalysis.pending(ANALYSER_VERSION, 50).find((p) => !tried.has(`${p.callId}:${p.recordingSha256}`));
      if (!next) return;
      tried.add(`${next.callId}:${next.recordingSha256}`);
      const started = Date.now();
      try {
        const a = await analyse(next.recordingPath, this.abort.signal);
        if (this.stopped) return;
        repos.recordingAnalysis.saveDone({ callId: next.callId, recordingSha256: next.recordingSha256, analysedAt: clock.now(), ...a });
        logger?.info({ callId: next.callId, durationMs: a.durationMs, tookMs: Date.now() - started }, 'recording analysed');
      } catch (err) {
        if (this.stopped) return;
        const message = err instanceof Error ? err.message : String(err);
        repos.recordingAnalysis.saveFailed(next.callId, next.recordingSha256, ANALYSER_VERSION, clock.now(), message);
        logger?.warn({ callId: next.callId, err: message }, 'recording could not be analysed');
      }
      this.processed++;
      await new Promise((r) => setTimeout(r, this.opts.pauseMs ?? 200));
    }
  }
}
