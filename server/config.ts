// Server configuration, read once from the environment. Every setting has a documented default
// (see README.md, "Configuration"), so `npm start` works with no environment at all.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_FILL_ROUTERS, DEFAULT_WORKER_SLICE_US } from '../media/index.js';
import { isTrustedProxyEntry } from './auth/client-address.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const port = z.coerce.number().int().min(0).max(65535);

const iceServersSchema = z.array(
  z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() }).strict(),
);

const envSchema = z
  .object({
    // Default: 0.0.0.0 (the centre's browsers must reach a real server), loopback in demo mode.
    CALLMARK_HOST: z.string().min(1).optional(),
    CALLMARK_PORT: port.default(8443),
    CALLMARK_DATA_DIR: z.string().min(1).default('data'),
    CALLMARK_RECORDINGS_DIR: z.string().min(1).optional(),
    CALLMARK_PUBLIC_IP: z.string().ip().optional(),
    CALLMARK_RTC_MIN_PORT: port.default(40000),
    CALLMARK_RTC_MAX_PORT: port.default(49999),
    CALLMARK_MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    CALLMARK_MEDIA_PACK_CALLS: z.coerce.number().int().min(0).max(100_000).optional(),
    // 0 (the kernel's default slice) or 100-100000 µs: the kernel takes nothing below 0.1 ms.
    CALLMARK_MEDIA_WORKER_SLICE_US: z.coerce
      .number()
      .int()
      .refine((v) => v === 0 || (v >= 100 && v <= 100_000), 'must be 0 or 100-100000')
      .optional(),
    CALLMARK_MIX_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    CALLMARK_TLS: z.enum(['auto', 'off']).default('auto'),
    CALLMARK_TLS_CERT: z.string().min(1).optional(),
    CALLMARK_TLS_KEY: z.string().min(1).optional(),
    CALLMARK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CALLMARK_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(120),
    CALLMARK_SESSION_MAX_HOURS: z.coerce.number().int().min(1).default(12),
    CALLMARK_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    CALLMARK_API_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
    CALLMARK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    CALLMARK_SIP_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a host name').default('callmark.local'),
    CALLMARK_SIP_NO_ANSWER_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
    CALLMARK_SIP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(200),
    CALLMARK_SIP_MAX_PENDING_PER_IP: z.coerce.number().int().min(1).default(500),
    CALLMARK_SIP_REGISTER_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
    CALLMARK_SIP_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    CALLMARK_SIP_RATE_PER_SECOND: z.coerce.number().int().min(1).default(10),
    CALLMARK_SIP_RATE_BURST: z.coerce.number().int().min(1).default(60),
    CALLMARK_MEDIA_LISTEN_IP: z.string().ip().default('0.0.0.0'),
    CALLMARK_ICE_SERVERS: z
      .string()
      .default('[]')
      .transform((v, ctx) => {
        try {
          return iceServersSchema.parse(JSON.parse(v));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array like [{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}]' });
          return z.NEVER;
        }
      }),
    CALLMARK_ADMIN_USER: z.string().min(1).default('admin'),
    CALLMARK_ADMIN_PASSWORD: z.string().min(10).optional(),
    CALLMARK_DEMO: bool.default('0'),
    CALLMARK_DEMO_ON_NETWORK: bool.default('0'),
    CALLMARK_DEMO_PASSWORD: z.string().min(10).default('demo-password'),
    // Operations (README "Operations"): a scraper's bearer token for /metrics, and retention.
    CALLMARK_TRUST_PROXY: z
      .string()
      .default('')
      .transform((v, ctx) => {
        const entries = v.split(',').map((x) => x.trim()).filter(Boolean);
        const bad = entries.filter((x) => !isTrustedProxyEntry(x));
        if (bad.length > 0) {
          ctx.addIssue({ code: 'custom', message: `not an address or CIDR range: ${bad.join(', ')} (list the reverse proxies' addresses, e.g. 10.0.0.5,192.168.1.0/24)` });
          return z.NEVER;
        }
        return entries;
      }),
    CALLMARK_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    CALLMARK_RETENTION_RECORDINGS_DAYS: z.coerce.number().int().min(1).max(36500).optional(),
    CALLMARK_RETENTION_PERSONAL_DAYS: z.coerce.number().int().min(1).max(36500).optional(),
    // What a candidate's browser may add to one attempt's timeline (server/realtime/timeline.ts).
    CALLMARK_BROWSER_EVENTS_PER_ATTEMPT: z.coerce.number().int().min(10).max(1_000_000).default(2000),
    CALLMARK_BROWSER_EVENT_BYTES_PER_ATTEMPT: z.coerce.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(2 * 1024 * 1024),
  })
  .refine((e) => e.CALLMARK_RTC_MIN_PORT <= e.CALLMARK_RTC_MAX_PORT, {
    message: 'CALLMARK_RTC_MIN_PORT must not exceed CALLMARK_RTC_MAX_PORT',
    path: ['CALLMARK_RTC_MIN_PORT'],
  })
  .refine((e) => Boolean(e.CALLMARK_TLS_CERT) === Boolean(e.CALLMARK_TLS_KEY), {
    message: 'set both CALLMARK_TLS_CERT and CALLMARK_TLS_KEY, or neither',
    path: ['CALLMARK_TLS_CERT'],
  });

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseFile: string;
  recordingsDir: string;
  publicIp: string;
  rtcMinPort: number;
  rtcMaxPort: number;
  mediaWorkers: number;
  /** Calls packed onto one media worker before the next is used (0: spread from the first call). */
  mediaPackCalls: number;
  /** Each media worker's scheduler slice in µs (0: the kernel's default). */
  mediaWorkerSliceUs: number;
  /** End-of-call recording mixes (ffmpeg) run at once; the others wait their turn. */
  mixConcurrency: number;
  tls: { mode: 'off' } | { mode: 'files'; certFile: string; keyFile: string } | { mode: 'self-signed'; dir: string };
  logLevel: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginRateLimitPerMinute: number;
  /** /api requests per minute per login session (or address). */
  apiRateLimitPerMinute: number;
  /** Browser-reported timeline events one attempt may hold: how many, and their payload bytes. */
  browserEventQuota: { events: number; bytes: number };
  bodyLimitBytes: number;
  sipDomain: string;
  noAnswerTimeoutMs: number;
  /** Authenticated SIP connections (phones) per client address. */
  sipMaxConnectionsPerIp: number;
  /** SIP connections still waiting to register per client address (beyond: the oldest is closed). */
  sipMaxPendingPerIp: number;
  /** A SIP connection must register within this long. */
  sipRegisterDeadlineMs: number;
  /** An authenticated SIP connection with no registration and no call is closed after this long without a message. */
  sipIdleMs: number;
  /** SIP messages one WebSocket may send: a burst, refilled at perSecond (503 + Retry-After beyond). */
  sipRate: { burst: number; perSecond: number };
  mediaListenIp: string;
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  adminUser: string;
  adminPassword: string | undefined;
  demo: boolean;
  demoPassword: string;
  metricsToken: string | undefined;
  /** Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed. */
  trustProxy: string[];
  /** Recordings older than this many days are deleted (undefined: kept for ever). */
  retentionRecordingsDays: number | undefined;
  /** Candidates' personal data and attempts' CRM copies older than this are anonymised (undefined: kept). */
  retentionPersonalDays: number | undefined;
}

export class ConfigError extends Error {}

/** Whether a listen address reaches this machine only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** First non-internal IPv4 address of this host, or loopback when there is none. */
export function detectPublicIp(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): Config {
  // An empty variable (e.g. `CALLMARK_ADMIN_PASSWORD=` from a compose file) means "not set".
  const nonEmpty = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(nonEmpty);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const demo = e.CALLMARK_DEMO || argv.includes('--demo');
  // Demo accounts have a published password: on any address but loopback only when asked for twice.
  const host = e.CALLMARK_HOST ?? (demo ? '127.0.0.1' : '0.0.0.0');
  if (demo && !isLoopbackHost(host) && !(e.CALLMARK_DEMO_ON_NETWORK || argv.includes('--demo-on-network'))) {
    throw new ConfigError(
      `Invalid configuration:\n  CALLMARK_DEMO_ON_NETWORK: demo mode creates accounts whose password is published (demo-admin / ${e.CALLMARK_DEMO_PASSWORD === 'demo-password' ? 'demo-password' : 'CALLMARK_DEMO_PASSWORD'}), ` +
        `and CALLMARK_HOST=${host} would offer them to the network. Leave CALLMARK_HOST unset (demo mode then listens on 127.0.0.1 only), ` +
        'or confirm with CALLMARK_DEMO_ON_NETWORK=1 (or --demo-on-network) for a practice server nobody relies on.',
    );
  }
  const dataDir = path.resolve(e.CALLMARK_DATA_DIR);
  let tls: Config['tls'] = { mode: 'off' };
  if (e.CALLMARK_TLS_CERT && e.CALLMARK_TLS_KEY) {
    tls = { mode: 'files', certFile: path.resolve(e.CALLMARK_TLS_CERT), keyFile: path.resolve(e.CALLMARK_TLS_KEY) };
  } else if (e.CALLMARK_TLS === 'auto') {
    tls = { mode: 'self-signed', dir: path.join(dataDir, 'tls') };
  }
  return {
    host,
    port: e.CALLMARK_PORT,
    dataDir,
    databaseFile: path.join(dataDir, 'callmark.sqlite'),
    recordingsDir: path.resolve(e.CALLMARK_RECORDINGS_DIR ?? path.join(dataDir, 'recordings')),
    publicIp: e.CALLMARK_PUBLIC_IP ?? detectPublicIp(),
    rtcMinPort: e.CALLMARK_RTC_MIN_PORT,
    rtcMaxPort: e.CALLMARK_RTC_MAX_PORT,
    mediaWorkers: e.CALLMARK_MEDIA_WORKERS ?? Math.max(1, os.cpus().length),
    mediaPackCalls: e.CALLMARK_MEDIA_PACK_CALLS ?? DEFAULT_FILL_ROUTERS,
    mediaWorkerSliceUs: e.CALLMARK_MEDIA_WORKER_SLICE_US ?? DEFAULT_WORKER_SLICE_US,
    mixConcurrency: e.CALLMARK_MIX_CONCURRENCY ?? Math.max(1, os.cpus().length),
    tls,
    logLevel: e.CALLMARK_LOG_LEVEL,
    sessionIdleMs: e.CALLMARK_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.CALLMARK_SESSION_MAX_HOURS * 3_600_000,
    loginRateLimitPerMinute: e.CALLMARK_LOGIN_RATE_LIMIT,
    apiRateLimitPerMinute: e.CALLMARK_API_RATE_LIMIT,
    browserEventQuota: { events: e.CALLMARK_BROWSER_EVENTS_PER_ATTEMPT, bytes: e.CALLMARK_BROWSER_EVENT_BYTES_PER_ATTEMPT },
    bodyLimitBytes: e.CALLMARK_BODY_LIMIT_BYTES,
    sipDomain: e.CALLMARK_SIP_DOMAIN,
    noAnswerTimeoutMs: e.CALLMARK_SIP_NO_ANSWER_SECONDS * 1000,
    sipMaxConnectionsPerIp: e.CALLMARK_SIP_MAX_CONNECTIONS_PER_IP,
    sipMaxPendingPerIp: e.CALLMARK_SIP_MAX_PENDING_PER_IP,
    sipRegisterDeadlineMs: e.CALLMARK_SIP_REGISTER_SECONDS * 1000,
    sipIdleMs: e.CALLMARK_SIP_IDLE_MINUTES * 60_000,
    sipRate: { burst: e.CALLMARK_SIP_RATE_BURST, perSecond: e.CALLMARK_SIP_RATE_PER_SECOND },
    mediaListenIp: e.CALLMARK_MEDIA_LISTEN_IP,
    iceServers: e.CALLMARK_ICE_SERVERS,
    adminUser: e.CALLMARK_ADMIN_USER,
    adminPassword: e.CALLMARK_ADMIN_PASSWORD,
    demo,
    demoPassword: e.CALLMARK_DEMO_PASSWORD,
    metricsToken: e.CALLMARK_METRICS_TOKEN,
    trustProxy: e.CALLMARK_TRUST_PROXY,
    retentionRecordingsDays: e.CALLMARK_RETENTION_RECORDINGS_DAYS,
    retentionPersonalDays: e.CALLMARK_RETENTION_PERSONAL_DAYS,
  };
}
