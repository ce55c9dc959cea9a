// The Prometheus metrics of one app instance. Each app has its own registry (tests build many apps
// in one process, and a global registry would mix them up or refuse duplicate names). Nothing here
// changes how calls, SIP or realtime work: values are read from those objects when /metrics is
// scraped (collect callbacks), and call outcomes and desktop event lag are read from the
// append-only timelines in the database, so no event hook in the B2BUA or the realtime code is needed.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationsRepository } from '../db/repositories/operations.js';

/** What /metrics reads from the SIP server (server/sip/sip-server.ts). */
export interface SipMetricsSource {
  connectionCount: number;
  registrar: { registeredCount: number };
  stats: { messagesIn: number; malformed: number; rateLimited: number };
}

/** What /metrics reads from the media worker pool (media/worker-pool.ts). */
export interface WorkerMetricsSource {
  health(): { workers: Array<{ index: number; alive: boolean }>; replacements: number };
  resourceUsage(): Promise<Array<{ index: number; pid: number; userMs: number; systemMs: number }>>;
}

export interface MetricsSources {
  sip?: SipMetricsSource;
  b2bua?: { activeCalls: number };
  workers?: WorkerMetricsSource;
  /** The end-of-call recording mix queue (media mixQueueStats). */
  mixes?: () => { running: number; waiting: number };
  /** socket.io server: connected clients. */
  realtime?: { engine?: { clientsCount: number } };
}

export interface AppMetricsOptions {
  operations: OperationsRepository;
  /** Node process metrics (CPU, memory, event-loop lag, GC): on in production, off in most tests. */
  processMetrics?: boolean;
}

/** Outcomes the B2BUA writes (server/sip/b2bua.ts finish()); anything else is 'other', so labels stay bounded. */
const OUTCOMES = new Set(['completed', 'ended-by-server', 'cancelled', 'no-answer', 'busy', 'declined', 'unavailable', 'failed', 'setup-failed', 'interrupted']);
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Desktop events read per scrape at most; the rest are read by the next scrape. */
const LAG_ROWS_PER_SCRAPE = 50_000;

export class AppMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources = {};
  private readonly ops: OperationsRepository;
  /** Running totals read from call_events, and the last event id they include. */
  private readonly outcomes = new Map<string, number>();
  private recordingFailures = 0;
  private callEventsRead = 0;
  private lagRead: number;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(opts: AppMetricsOptions) {
    this.ops = opts.operations;
    // Desktop lag is a distribution of what happens from now on; older events are not replayed.
    this.lagRead = this.ops.lastAttemptEventId();
    const registers = [this.registry];
    // prom-client calls collect() with the metric as `this`; `self` is this AppMetrics.
    const self = this;
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'callmark_' });

    new Gauge({
      name: 'callmark_calls_in_progress',
      help: 'Calls being set up, ringing or answered in the B2BUA.',
      registers,
      collect() {
        self.setIf(this, self.sources.b2bua?.activeCalls);
      },
    });
    new Gauge({
      name: 'callmark_sip_registrations',
      help: 'Extensions with at least one SIP registration.',
      registers,
      collect() {
        self.setIf(this, self.sources.sip?.registrar.registeredCount);
      },
    });
    new Gauge({
      name: 'callmark_sip_connections',
      help: 'Open SIP-over-WebSocket connections.',
      registers,
      collect() {
        self.setIf(this, self.sources.sip?.connectionCount);
      },
    });
    const sipCounter = (name: string, help: string, pick: (s: SipMetricsSource['stats']) => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          const stats = self.sources.sip?.stats;
          if (!stats) return;
          this.reset();
          this.inc(pick(stats));
        },
      });
    };
    sipCounter('callmark_sip_messages_received_total', 'SIP messages received over WebSocket.', (s) => s.messagesIn);
    sipCounter('callmark_sip_malformed_messages_total', 'SIP messages refused as malformed or oversized.', (s) => s.malformed);
    sipCounter('callmark_sip_rate_limited_messages_total', 'SIP messages refused by the per-connection rate limit.', (s) => s.rateLimited);

    new Counter({
      name: 'callmark_calls_ended_total',
      help: 'Calls ended, by outcome (from the call timeline, so it counts every call the database holds).',
      labelNames: ['outcome'],
      registers,
      collect() {
        self.readCallEvents();
        this.reset();
        for (const [outcome, n] of self.outcomes) this.inc({ outcome }, n);
      },
    });
    new Counter({
      name: 'callmark_recording_failures_total',
      help: 'Recordings that failed to start, failed during the call or could not be finalised.',
      registers,
      collect() {
        self.readCallEvents();
        this.reset();
        this.inc(self.recordingFailures);
      },
    });

    new Counter({
      name: 'callmark_media_worker_cpu_seconds_total',
      help: 'CPU time of each mediasoup worker process (getrusage); restarts from 0 when a worker is replaced.',
      labelNames: ['worker', 'mode'],
      registers,
      async collect() {
        const workers = self.sources.workers;
        if (!workers) return;
        const usage = await workers.resourceUsage();
        this.reset();
        for (const u of usage) {
          this.inc({ worker: String(u.index), mode: 'user' }, u.userMs / 1000);
          this.inc({ worker: String(u.index), mode: 'system' }, u.systemMs / 1000);
        }
      },
    });
    new Gauge({
      name: 'callmark_media_workers_alive',
      help: 'mediasoup workers running.',
      registers,
      collect() {
        self.setIf(this, self.sources.workers?.health().workers.filter((w) => w.alive).length);
      },
    });
    new Counter({
      name: 'callmark_media_worker_replacements_total',
      help: 'mediasoup workers that died and were replaced.',
      registers,
      collect() {
        const h = self.sources.workers?.health();
        if (!h) return;
        this.reset();
        this.inc(h.replacements);
      },
    });

    new Gauge({
      name: 'callmark_recording_mixes_running',
      help: 'End-of-call recording mixes (ffmpeg) running now.',
      registers,
      collect() {
        self.setIf(this, self.sources.mixes?.().running);
      },
    });
    new Gauge({
      name: 'callmark_recording_mixes_waiting',
      help: 'End-of-call recording mixes waiting for a turn (CALLMARK_MIX_CONCURRENCY run at once).',
      registers,
      collect() {
        self.setIf(this, self.sources.mixes?.().waiting);
      },
    });

    new Gauge({
      name: 'callmark_realtime_connections',
      help: 'Connected socket.io clients (agent desktops and assessor consoles).',
      registers,
      collect() {
        self.setIf(this, self.sources.realtime?.engine?.clientsCount);
      },
    });
    new Histogram({
      name: 'callmark_desktop_event_lag_seconds',
      help: 'Server receive time minus the client time of each desktop event (queued offline events show as long lags; client clock skew shifts it).',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
      collect() {
        for (;;) {
          const rows = self.ops.desktopEventLags(self.lagRead, LAG_ROWS_PER_SCRAPE);
          for (const r of rows) this.observe(Math.max(0, r.lagMs) / 1000);
          if (rows.length > 0) self.lagRead = rows[rows.length - 1]!.id;
          if (rows.length < LAG_ROWS_PER_SCRAPE) break;
        }
      },
    });

    this.httpDuration = new Histogram({
      name: 'callmark_http_request_duration_seconds',
      help: 'HTTP request durations by route pattern (never the raw URL, so ids do not become labels).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Adds (or replaces) the live objects to read; parts that do not exist (no telephony) stay absent. */
  attach(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  observeHttp(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method: HTTP_METHODS.has(method) ? method : 'other', route: route ?? 'unmatched', status_code: String(statusCode) }, seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private setIf(g: Gauge, value: number | undefined): void {
    if (value !== undefined) g.set(value);
  }

  /** Adds the call events written since the last read to the running totals. */
  private readCallEvents(): void {
    const upto = this.ops.lastCallEventId();
    if (upto <= this.callEventsRead) return;
    for (const row of this.ops.callOutcomes(this.callEventsRead, upto)) {
      if (row.type === 'recording-failed') this.recordingFailures += row.n;
      else {
        const outcome = row.type === 'interrupted' ? 'interrupted' : row.outcome && OUTCOMES.has(row.outcome) ? row.outcome : 'other';
        this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + row.n);
      }
    }
    this.callEventsRead = upto;
  }
}
