// Builds the Fastify application from its parts. main.ts gives it the real database, clock and
// media plane; tests give it the same with a temporary database (and use app.inject()).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAccessControl } from './auth/access.js';
import { addressKey, clientAddressOf } from './auth/client-address.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { SessionService } from './auth/sessions.js';
import { repeatEvery, type Clock } from './clock.js';
import type { Repositories } from './db/repositories/index.js';
import { registerAdminRoutes } from './api/admin-routes.js';
import { registerAuthRoutes } from './api/auth-routes.js';
import { registerLoginLockRoutes } from './api/login-lock-routes.js';
import { registerAttemptReadRoute, registerAttemptRoutes } from './api/attempt-routes.js';
import { registerCustomerFormRoutes } from './api/customer-form-routes.js';
import { registerCustomerRoutes } from './api/customer-routes.js';
import { registerMessageRoutes } from './api/message-routes.js';
import { registerReferenceRoutes } from './api/reference-routes.js';
import { registerWrapUpRoutes } from './api/wrap-up-routes.js';
import { registerInboxRoutes } from './api/inbox-routes.js';
import { registerScenarioRoutes } from './api/scenario-routes.js';
import { registerScenarioEditRoutes } from './api/scenario-edit-routes.js';
import { previousScenarios } from './assessment/scenario-loader.js';
import { registerAssessmentRoutes } from './api/assessment-routes.js';
import { registerMarkingRoutes } from './api/marking-routes.js';
import { registerSittingDocumentRoutes } from './api/sitting-document-routes.js';
import { registerSittingAttemptRoutes } from './api/sitting-attempt-routes.js';
import { registerSittingRoutes } from './api/sitting-routes.js';
import { registerHealthRoutes, type MediaHealthSource } from './api/health-routes.js';
import { registerPrintoutRoutes } from './api/printout-routes.js';
import { registerModerationAttemptRoutes, registerModerationRoutes } from './api/moderation-routes.js';
import { registerReplayRoutes } from './api/replay-routes.js';
import { registerTimelineRoutes } from './api/timeline-routes.js';
import { registerSampleRoutes } from './api/sample-routes.js';
import { registerAssuranceRoutes } from './api/assurance-routes.js';
import { registerCentreAdminRoutes } from './api/centre-admin-routes.js';
import { registerStandardisationRoutes } from './api/standardisation-routes.js';
import { sweepOverruns } from './sittings/closing.js';
import { markSheetRenderer } from './moderation/mark-sheets.js';
import { chainRecordingsOnFinalise } from './moderation/recording-chain.js';
import { registerErrorHandling } from './http/errors.js';
import { jsonDepth, MAX_JSON_DEPTH, tooDeep } from './http/json-depth.js';
import { closeConnectionsOnShutdown } from './http/close-connections.js';
import { SHUTDOWN_BOUNDS, shutdownStep } from './shutdown-step.js';
import { registerTelephonyRoutes } from './api/telephony-routes.js';
import { registerRealtime, type RealtimeControl } from './realtime/index.js';
import { Evidence } from './realtime/evidence.js';
import { recordCallEvidence } from './realtime/call-evidence.js';
import { agentReadiness } from './realtime/agent-state.js';
import type { BrowserEventQuota } from './realtime/timeline.js';
import { registerAgentStateRoutes } from './api/agent-state-routes.js';
import { registerAttemptScope } from './api/attempt-scope.js';
import { requireResponseDeclarations } from './api/response-declarations.js';
import { OperationsRepository } from './db/repositories/operations.js';
import { AppMetrics, registerHttpTiming, registerMetricsRoute } from './metrics/index.js';
import type { MediaWorkerPool } from '../media/index.js';
import type { IceServer } from './protocol/telephony.js';
import type { B2bua } from './sip/b2bua.js';
import { callPolicy } from './sip/call-policy.js';
import { SipServer } from './sip/sip-server.js';
import { TLS_SERVER_OPTIONS } from './tls.js';
import { registerSipTransport } from './sip/transport.js';

export interface TelephonyOptions {
  domain: string;
  noAnswerTimeoutMs: number;
  iceServers: IceServer[];
  recordingsDir: string;
  listenIp: string;
  announcedIp?: string;
  /** How long a request to the media worker may go unanswered before the call's step fails (default 5 s, media's MEDIA_REQUEST_TIMEOUT_MS). */
  mediaRequestTimeoutMs?: number;
  /** Without a media pool the SIP server still registers users but refuses calls (503). */
  pool?: MediaWorkerPool;
  sipRate?: { burst: number; perSecond: number };
  nonceLifetimeMs?: number;
  /** Authenticated SIP connections (phones) allowed from one address (a centre may share one NAT address). */
  maxConnectionsPerIp?: number;
  /** SIP connections still waiting to register allowed from one address; beyond it the oldest is closed. */
  maxPendingConnectionsPerIp?: number;
  /** A SIP connection must authenticate within this long (default 10 s). */
  authDeadlineMs?: number;
  /** An authenticated SIP connection with no registration and no call is closed after this long without a message (default 15 min). */
  idleMs?: number;
  /** How often SIP connections are checked against the login session they authenticated with (default 60 s). */
  sessionCheckMs?: number;
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
  /** Failed logins one client address may make per minute (auth/login-throttle.ts). */
  loginRateLimitPerMinute: number;
  /** Requests per minute to /api per login session (or address before login); undefined: no limit. */
  apiRateLimitPerMinute?: number;
  bodyLimitBytes: number;
  /** Cookies always Secure (the server itself speaks HTTPS); otherwise Secure when a trusted proxy says the request came over HTTPS. */
  secureCookies: boolean;
  /** Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses, CIDR ranges; CALLMARK_TRUST_PROXY). */
  trustProxy?: readonly string[];
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
  /** Per-attempt limits on browser-reported timeline events (server/realtime/timeline.ts default). */
  browserEventQuota?: BrowserEventQuota;
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
    trustProxy: opts.trustProxy && opts.trustProxy.length > 0 ? [...opts.trustProxy] : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    ...(opts.https ? { https: { ...TLS_SERVER_OPTIONS, ...opts.https } } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  // Before any route: every route, in every scope, declares a response schema or the file it sends.
  requireResponseDeclarations(app);

  // Set once the realtime server is registered; the auth and admin routes use it at request time.
  let realtime: RealtimeControl | undefined;
  const sessions = new SessionService(opts.repos, { idleMs: opts.sessionIdleMs, maxMs: opts.sessionMaxMs }, opts.clock);
  const loginThrottle = new LoginThrottle({ clock: opts.clock, perAddressPerMinute: opts.loginRateLimitPerMinute });
  registerErrorHandling(app, opts.bodyLimitBytes);
  // JSON bodies: Fastify's own parser (prototype-poisoning checks), then a nesting limit, so no
  // recursive walk of a body can overflow the stack (http/json-depth.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Fastify's default parser is the callback form: it calls back and returns nothing (its declared
    // type also allows a promise, for async parsers), so there is no promise here to wait for.
    void parseJson(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      if (jsonDepth(value) > MAX_JSON_DEPTH) return done(tooDeep(), undefined);
      done(null, value);
    });
  });
  // Metrics first, so the HTTP timing hook covers every route; live objects are attached below.
  const metrics = new AppMetrics({ operations: new OperationsRepository(opts.repos.db), processMetrics: opts.metrics?.processMetrics });
  app.decorate('metrics', metrics);
  registerHttpTiming(app, metrics);
  await app.register(fastifyCookie);
  // The WebSocket sources of the page's own host (the Host header, when it is a host name with an
  // optional port; otherwise none: a malformed Host must not add anything to the policy).
  const hostOf = (req: IncomingMessage): string | undefined => {
    const host = req.headers.host;
    return host && /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host) ? host : undefined;
  };
  const connectSources = (req: IncomingMessage): string => {
    const host = hostOf(req);
    return host ? `'self' wss://${host} ws://${host}` : "'self'";
  };
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
        // Fetch and WebSockets to this host only ('self' alone does not cover ws:/wss: in every browser).
        connectSrc: [connectSources],
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
    // HSTS below, per request: also when a trusted proxy terminated TLS.
    hsts: false,
  });
  // Strict-Transport-Security on every response to a request that came over HTTPS: our own TLS, or a
  // trusted reverse proxy's (X-Forwarded-Proto from a CALLMARK_TRUST_PROXY address; Fastify ignores
  // it from anyone else). Never over plain HTTP (RFC 6797 §7.2).
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') void reply.header('strict-transport-security', 'max-age=15552000; includeSubDomains');
  });
  // Every /api request counts against its login session (or, before login, its address): a limit
  // per minute when configured. Routes with their own limit (login, print-outs) keep theirs.
  const apiLimit = opts.apiRateLimitPerMinute;
  await app.register(fastifyRateLimit, {
    global: apiLimit !== undefined,
    max: apiLimit ?? 1,
    timeWindow: '1 minute',
    allowList: (request) => !request.url.startsWith('/api/'),
    // A live session has its own bucket; anything else (no cookie, or a made-up one) counts against the
    // client address, so sending a fresh random cookie with each request buys no fresh bucket.
    // (The session was resolved by the access control's onRequest hook, which runs before this one.)
    keyGenerator: (request) => (request.session ? `session:${request.session.tokenHash.slice(0, 32)}` : `ip:${addressKey(request.ip)}`),
  });
  registerAccessControl(app, sessions);

  registerHealthRoutes(app, { repos: opts.repos, media: opts.media, metricsToken: opts.metrics?.token });
  registerAuthRoutes(app, {
    repos: opts.repos,
    sessions,
    secureCookies: opts.secureCookies,
    throttle: loginThrottle,
    clock: opts.clock,
    onLogout: (_userId, tokenHash) => {
      realtime?.disconnectSession(tokenHash);
      // The phone connections that authenticated with this session's SIP credentials end with it.
      app.telephony?.sip.disconnectSession(tokenHash, 'logged out');
    },
    onSessionEnded: (_userId, tokenHash) => {
      realtime?.disconnectSession(tokenHash);
      app.telephony?.sip.disconnectSession(tokenHash, 'password changed');
    },
  });
  registerLoginLockRoutes(app, { repos: opts.repos, throttle: loginThrottle });
  registerAdminRoutes(app, {
    repos: opts.repos,
    sessions,
    onLockout: (userId, reason) => {
      realtime?.disconnectUser(userId);
      const user = opts.repos.users.findById(userId);
      if (user && app.telephony) app.telephony.sip.disconnectExtension(user.extension, reason);
    },
  });
  // Marking evidence is recorded by the server, from each action, in the action's transaction:
  // the CRM and print-out routes, the agent state, and every call event of an attempt's call.
  const evidence = new Evidence(opts.repos, opts.clock);
  recordCallEvidence(opts.repos, evidence);
  registerAttemptRoutes(app, { repos: opts.repos, clock: opts.clock });
  // The routes of one attempt (the desktop's records, messages, print-outs, agent state; its brief and closing; marking, replay, moderated marks, metrics and pack), under /api/attempts/:id.
  const printoutsDir = opts.printoutsDir ?? path.join(path.dirname(path.resolve(opts.repos.db.name)), 'printouts');
  const moderation = { repos: opts.repos, clock: opts.clock, printoutsDir, markSheet: markSheetRenderer(opts.repos, () => opts.clock.now()) };
  registerAttemptScope(app, { repos: opts.repos, clock: opts.clock }, (scope) => {
    const desk = { repos: opts.repos, clock: opts.clock, evidence };
    registerAttemptReadRoute(scope, desk);
    registerCustomerRoutes(scope, desk);
    registerCustomerFormRoutes(scope, desk);
    registerWrapUpRoutes(scope, desk);
    registerMessageRoutes(scope, desk);
    registerInboxRoutes(scope, desk);
    registerReferenceRoutes(scope, desk);
    registerPrintoutRoutes(scope, { ...desk, printoutsDir });
    registerAgentStateRoutes(scope, desk);
    registerAssessmentRoutes(scope, desk);
    // Sitting, marking and moderation routes of the attempt: staff, and the candidate's own brief.
    registerSittingAttemptRoutes(scope, desk);
    registerMarkingRoutes(scope, desk);
    registerReplayRoutes(scope, desk);
    registerTimelineRoutes(scope, desk);
    registerModerationAttemptRoutes(scope, moderation);
  });
  registerScenarioRoutes(app);
  // The shipped scenarios and the versions kept in scenarios/previous/ for attempts sat on them:
  // read now, so an invalid file stops the server at start, naming the file, path and reason.
  previousScenarios();
  registerScenarioEditRoutes(app, { repos: opts.repos, clock: opts.clock, dir: opts.centreScenariosDir ?? defaultCentreScenariosDir(opts.repos.db.name) });
  registerSittingRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerSittingDocumentRoutes(app, { repos: opts.repos, clock: opts.clock });
  // Moderation: peaks, metrics, packs; and every recording hash stored from now on enters its attempt's chain.
  registerModerationRoutes(app, moderation);
  chainRecordingsOnFinalise(opts.repos, () => opts.clock.now());
  // The moderation sample and the audit log (the replay and moderated marks are routes of the attempt).
  registerSampleRoutes(app, { repos: opts.repos, clock: opts.clock });
  // Quality assurance of sittings: identity, declarations, signatures, IQA, moderation outcome; centre settings and records; standardisation.
  registerAssuranceRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerCentreAdminRoutes(app, { repos: opts.repos, clock: opts.clock });
  registerStandardisationRoutes(app, { repos: opts.repos, clock: opts.clock });

  app.decorate('telephony', undefined);
  if (opts.telephony) {
    const t = opts.telephony;
    const sipSecret = t.sipSecret ?? randomBytes(32);
    const sip = new SipServer({
      repos: opts.repos,
      clock: opts.clock,
      logger: app.log.child({ module: 'sip' }),
      realm: t.domain,
      nonceLifetimeMs: t.nonceLifetimeMs,
      digestSecret: sipSecret,
      sessionCheckMs: t.sessionCheckMs,
      limits: {
        ...(t.maxConnectionsPerIp !== undefined ? { maxRegisteredPerIp: t.maxConnectionsPerIp } : {}),
        ...(t.maxPendingConnectionsPerIp !== undefined ? { maxPendingPerIp: t.maxPendingConnectionsPerIp } : {}),
        ...(t.authDeadlineMs !== undefined ? { authDeadlineMs: t.authDeadlineMs } : {}),
        ...(t.idleMs !== undefined ? { idleMs: t.idleMs } : {}),
      },
    });
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
          ...(t.mediaRequestTimeoutMs !== undefined ? { mediaRequestTimeoutMs: t.mediaRequestTimeoutMs } : {}),
          recordingsDir: t.recordingsDir,
          noAnswerTimeoutMs: t.noAnswerTimeoutMs,
          callPolicy: callPolicy(opts.repos),
          // A candidate's phone rings only while their desktop is Ready; until then the call waits.
          offerGate: agentReadiness(opts.repos, evidence),
        })
      : undefined;
    app.telephony = { sip, b2bua };
    metrics.attach({ sip, b2bua, workers: t.pool, mixes: t.pool ? (await import('../media/index.js')).mixQueueStats : undefined });
    await registerSipTransport(app, sip, {
      rate: t.sipRate,
      // On shutdown, end calls (BYE, recordings finalised) before the WebSockets close; bounded, so
      // a call that cannot end (a hung media worker) does not keep the phones and desktops open.
      beforeClose: async () => {
        if (b2bua) await shutdownStep(app.log, `calls ended (${b2bua.activeCalls} in progress)`, SHUTDOWN_BOUNDS.callsEndMs, () => b2bua.close());
        await shutdownStep(app.log, `SIP WebSockets closed (${sip.connectionCount})`, SHUTDOWN_BOUNDS.quickStepMs, () => sip.close());
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

  realtime = registerRealtime(app, { repos: opts.repos, clock: opts.clock, sessions, evidence, browserEventQuota: opts.browserEventQuota, clientAddress: clientAddressOf(opts.trustProxy ?? []) });
  metrics.attach({ realtime: realtime.io });
  // Presence is pushed: a phone registering or unregistering tells its centre's open pages.
  const presence = realtime;
  app.telephony?.sip.registrar.onChange((extension) => {
    const centreId = opts.repos.users.findByExtension(extension)?.centreId;
    if (typeof centreId === 'number') presence.presenceChanged(centreId);
  });
  registerMetricsRoute(app, { metrics, sessions, token: opts.metrics?.token });

  const indexHtml = opts.clientDir && path.join(opts.clientDir, 'index.html');
  if (opts.clientDir && indexHtml && fs.existsSync(indexHtml)) {
    const clientDir = opts.clientDir;
    await app.register(async (files) => {
      // Each of the client's files is a route of its own (wildcard: false), and sends that file.
      files.addHook('onRoute', (route) => {
        route.config = { ...route.config, sendsFile: '*/*' };
      });
      await files.register(fastifyStatic, { root: clientDir, index: false, wildcard: false, prefix: '/' });
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !request.url.startsWith('/api/') && !path.extname(request.url.split('?')[0] ?? '');
    if (isPage && indexHtml && fs.existsSync(indexHtml)) {
      // The SPA routes on the client; every page URL gets index.html.
      return reply.type('text/html').header('cache-control', 'no-cache').send(fs.createReadStream(indexHtml));
    }
    return reply.status(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });

  const purge = setInterval(() => {
    sessions.purgeExpired();
    loginThrottle.prune();
  }, 10 * 60_000);
  purge.unref();
  // Under the 'stop' overrun policy a sitting ends at its deadline even if nobody touches it. The
  // sweep runs on the app's clock (not real time), so moving a test's clock is what ends a sitting.
  const stopOverrunSweep = repeatEvery(opts.clock, 5_000, () => {
    try {
      sweepOverruns(opts.repos, opts.clock.now());
    } catch (err) {
      app.log.error({ err }, 'ending sittings at time up failed; tried again shortly');
    }
  });
  app.addHook('onClose', async () => {
    clearInterval(purge);
    stopOverrunSweep();
  });
  // Last, so that its preClose hook runs after the others.
  closeConnectionsOnShutdown(app, { drainMs: SHUTDOWN_BOUNDS.drainMs });
  return app;
}
