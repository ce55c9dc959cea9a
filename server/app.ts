// Builds the Fastify application from its parts. main.ts gives it the real database, clock and
// media plane; tests give it the same with a temporary database (and use app.inject()).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAccessControl, SESSION_COOKIE } from './auth/access.js';
import { SessionService } from './auth/sessions.js';
import type { Clock } from './clock.js';
import type { Repositories } from './db/repositories/index.js';
import { registerAdminRoutes } from './api/admin-routes.js';
import { registerAuthRoutes } from './api/auth-routes.js';
import { registerCrmRoutes } from './api/crm-routes.js';
import { registerInboxRoutes } from './api/inbox-routes.js';
import { registerScenarioRoutes } from './api/scenario-routes.js';
import { registerScenarioEditRoutes } from './api/scenario-edit-routes.js';
import { registerAssessmentRoutes } from './api/assessment-routes.js';
import { registerMarkingRoutes } from './api/marking-routes.js';
import { registerSittingDocumentRoutes } from './api/sitting-document-routes.js';
import { registerSittingRoutes } from './api/sitting-routes.js';
import { registerHealthRoutes, type MediaHealthSource } from './api/health-routes.js';
import { registerPrintoutRoutes } from './api/printout-routes.js';
import { registerModerationRoutes } from './api/moderation-routes.js';
import { registerReplayRoutes } from './api/replay-routes.js';
import { markSheetRenderer } from './moderation/mark-sheets.js';
import { chainRecordingsOnFinalise } from './moderation/recording-chain.js';
import { registerErrorHandling } from './http/errors.js';
import { registerTelephonyRoutes } from './api/telephony-routes.js';
import { registerRealtime, type RealtimeControl } from './realtime/index.js';
import { OperationsRepository } from './db/repositories/operations.js';
import { AppMetrics, registerHttpTiming, registerMetricsRoute } from './metrics/index.js';
import type { MediaWorkerPool } from '../media/index.js';
import type { IceServer } from './protocol/telephony.js';
import type { B2bua } from './sip/b2bua.js';
import { callPolicy } from './sip/call-policy.js';
import { SipServer } from './sip/sip-server.js';
import { registerSipTransport } from './sip/transport.js';

export interface TelephonyOptions {
  domain: string;
  noAnswerTimeoutMs: number;
  iceServers: IceServer[];
  recordingsDir: string;
  listenIp: string;
  announcedIp?: string;
  /** Without a media pool the SIP server still registers users but refuses calls (503). */
  pool?: MediaWorkerPool;
  sipRate?: { burst: number; perSecond: number };
  nonceLifetimeMs?: number;
  maxConnectionsPerIp?: number;
  /** Secret for SIP passwords and digest nonces; random (per process) when not given. */
  sipSecret?: Buffer;
}

declare module 'fastify' {
  interface FastifyInstance {
    telephony: { sip: SipServer; b2bua: B2bua | undefined } | undefined;
    metrics: AppMetrics;
  }
}

export interface AppOptions {
  repos: Repositories;
  clock: Clock;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginRateLimitPerMinute: number;
  /** Requests per minute to /api per login session (or address before login); undefined: no limit. */
  apiRateLimitPerMinute?: number;
  bodyLimitBytes: number;
  secureCookies: boolean;
  media?: MediaHealthSource;
  /** Folder of the built client (index.html and assets); omitted in API-only tests. */
  clientDir?: string;
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string; key: string };
  telephony?: TelephonyOptions;
  /** Where print-outs (PDF evidence) are stored; by default 'printouts' beside the database file. */
  printoutsDir?: string;
  /**
   * Where centres' customised scenarios are stored (<data dir>/scenarios); by default 'scenarios'
   * beside the database file, none for an in-memory database.
   */
  centreScenariosDir?: string;
  /** GET /metrics: bearer token for scrapers (admins may always read it), Node process metrics. */
  metrics?: { token?: string; processMetrics?: boolean };
}

/** 'scenarios' beside the database file (the data directory); none for an in-memory database. */
function defaultCentreScenariosDir(dbFile: string): string | undefined {
  if (!dbFile || dbFile === ':memory:') return undefined;
  return path.join(path.dirname(path.resolve(dbFile)), 'scenarios');
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimitBytes,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    ...(opts.https ? { https: opts.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;

  // Set once the realtime server is registered; the auth and admin routes use it at request time.
  let realtime: RealtimeControl | undefined;
  const sessions = new SessionService(opts.repos, { idleMs: opts.sessionIdleMs, maxMs: opts.sessionMaxMs }, opts.clock);
  registerErrorHandling(app, opts.bodyLimitBytes);
  // Metrics first, so the HTTP timing hook covers every route; live objects are attached below.
  const metrics = new AppMetrics({ operations: new OperationsRepository(opts.repos.db), processMetrics: opts.metrics?.processMetrics });
  app.decorate('metrics', metrics);
  registerHttpTiming(app, metrics);
  await app.register(fastifyCookie);
  // Security headers on every response. The SPA loads only its own scripts; the softphone and the
  // timeline talk to this origin over WebSockets; recordings and print-outs are same-origin media;
  // React's style attributes need inline styles.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The print-outs open in a new tab and the recordings play in <audio>: same origin, so the
    // cross-origin isolation headers are not needed.
    crossOriginEmbedderPolicy: false,
    hsts: opts.https ? { maxAge: 15552000 } : false,
  });
  // Every /api request counts against its login session (or, before login, its address): a limit
  // per minute when configured. Routes with their own limit (login, print-outs) keep theirs.
  const apiLimit = opts.apiRateLimitPerMinute;
  await app.register(fastifyRateLimit, {
    global: apiLimit !== undefined,
    max: apiLimit ?? 1,
    timeWindow: '1 minute',
    allowList: (request) => !request.url.startsWith('/api/'),
    keyGenerator: (request) => {
      const token = request.cookies?.[SESSION_COOKIE];
      return token ? `session:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
    },
  });
  registerAccessControl(app, sessions);

  registerHealthRoutes(app, { repos: opts.repos, media: opts.media });
  registerAuthRoutes(app, {
    repos: opts.repos,
    sessions,
    secureCookies: opts.secureCookies,
    loginRateLimitPerMinute: opts.loginRateLimitPerMinute,
    onLogout: (userId, tokenHash) => {
      realtime?.disconnectSession(tokenHash);
      const user = opts.repos.users.findById(userId);
      if (user && app.telephony) app.telephony.sip.disconnectIfNoSession(user.extension);
    },
  });
  registerAdminRoutes(app, {
    repos: opts.repos,
    sessions,
    onLockout: (userId, reason) => {
      realtime?.disconnectUser(userId);
      const user = opts.repos.users.findById(userId);
      if (user && app.telephony) app.telephony.sip.disconnectExtension(user.extension, reason);
    },
  });
  registerCrmRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerInboxRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerScenarioRoutes(app);
  registerScenarioEditRoutes(app, { repos: opts.repos, clock: opts.clock, dir: opts.centreScenariosDir ?? defaultCentreScenariosDir(opts.repos.db.name) });
  registerAssessmentRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerSittingRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerMarkingRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerSittingDocumentRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerPrintoutRoutes(app, { repos: opts.repos, clock: opts.clock, printoutsDir: opts.printoutsDir ?? path.join(path.dirname(path.resolve(opts.repos.db.name)), 'printouts') });
  // Moderation: peaks, metrics, packs; and every recording hash stored from now on enters its attempt's chain.
  registerModerationRoutes(app, {
    repos: opts.repos,
    clock: opts.clock,
    printoutsDir: opts.printoutsDir ?? path.join(path.dirname(path.resolve(opts.repos.db.name)), 'printouts'),
    markSheet: markSheetRenderer(opts.repos, () => opts.clock.now()),
  });
  chainRecordingsOnFinalise(opts.repos, () => opts.clock.now());
  // Moderation replay, moderated marks, the audit log and the sample.
  registerReplayRoutes(app, { repos: opts.repos, clock: opts.clock });

  app.decorate('telephony', undefined);
  if (opts.telephony) {
    const t = opts.telephony;
    const sipSecret = t.sipSecret ?? randomBytes(32);
    const sip = new SipServer({ repos: opts.repos, clock: opts.clock, logger: app.log.child({ module: 'sip' }), realm: t.domain, nonceLifetimeMs: t.nonceLifetimeMs, digestSecret: sipSecret });
    // The B2BUA (and with it the media plane) is loaded only when there is a media pool to use.
    const b2bua = t.pool
      ? new (await import('./sip/b2bua.js')).B2bua({
          sip,
          repos: opts.repos,
          clock: opts.clock,
          logger: app.log.child({ module: 'b2bua' }),
          pool: t.pool,
          listenIp: t.listenIp,
          announcedIp: t.announcedIp,
          recordingsDir: t.recordingsDir,
          noAnswerTimeoutMs: t.noAnswerTimeoutMs,
          callPolicy: callPolicy(opts.repos),
        })
      : undefined;
    app.telephony = { sip, b2bua };
    metrics.attach({ sip, b2bua, workers: t.pool, mixes: t.pool ? (await import('../media/index.js')).mixQueueStats : undefined });
    await registerSipTransport(app, sip, {
      rate: t.sipRate,
      maxConnectionsPerIp: t.maxConnectionsPerIp,
      // On shutdown, end calls (BYE, recordings finalised) before the WebSockets close.
      beforeClose: async () => {
        await b2bua?.close();
        sip.close();
      },
    });
    registerTelephonyRoutes(app, {
      repos: opts.repos,
      registrar: sip.registrar,
      domain: t.domain,
      iceServers: t.iceServers,
      recordingsDir: t.recordingsDir,
      noAnswerTimeoutMs: t.noAnswerTimeoutMs,
      sipSecret,
    });
  }

  realtime = registerRealtime(app, { repos: opts.repos, clock: opts.clock, sessions });
  metrics.attach({ realtime: realtime.io });
  registerMetricsRoute(app, { metrics, sessions, token: opts.metrics?.token });

  const indexHtml = opts.clientDir && path.join(opts.clientDir, 'index.html');
  if (opts.clientDir && indexHtml && fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, { root: opts.clientDir, index: false, wildcard: false, prefix: '/' });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && !path.extname(request.url.split('?')[0] ?? '');
    if (isPage && indexHtml && fs.existsSync(indexHtml)) {
      // The SPA routes on the client; every page URL gets index.html.
      return reply.type('text/html').header('cache-control', 'no-cache').send(fs.createReadStream(indexHtml));
    }
    return reply.status(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });

  const purge = setInterval(() => sessions.purgeExpired(), 10 * 60_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return app;
}
