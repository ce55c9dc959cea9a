// The production entry point (README command 1 ends here): configuration from the environment,
// database migrated, first-start accounts, one mediasoup worker per core, HTTP(S) on one port,
// and a clean shutdown on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishLegFiles, MediaWorkerPool, probeDurationMs, setMixConcurrency, sha256File } from '../media/index.js';
import { buildApp } from './app.js';
import { bootstrapAccounts } from './bootstrap.js';
import { systemClock } from './clock.js';
import { ConfigError, isLoopbackHost, loadConfig, type Config } from './config.js';
import { closeDatabase, openDatabase } from './db/connection.js';
import { migrate } from './db/migrations.js';
import { createRepositories } from './db/repositories/index.js';
import { finaliseEndedRecordings, finaliseInterruptedRecordings, listUnmixedRecordings, markInterruptedCalls } from './sip/recovery.js';
import { startRetention } from './retention/index.js';
import { AnalysisJob } from './analysis/job.js';
import { APP_CLOSE_BOUND_MS, SHUTDOWN_BOUNDS, SHUTDOWN_GRACE_MS, shutdownStep } from './shutdown-step.js';
import { loadTls } from './tls.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A random secret kept in the data directory, so SIP passwords and nonces survive a restart. */
function loadOrCreateSecret(file: string): Buffer {
  if (fs.existsSync(file)) return fs.readFileSync(file);
  const secret = randomBytes(32);
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function printBanner(url: string, lines: string[]): void {
  const bar = '='.repeat(72);
  console.log(`\n${bar}\n  Callmark is running: ${url}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n`);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.mkdirSync(config.recordingsDir, { recursive: true });

  const db = openDatabase(config.databaseFile);
  const migration = migrate(db);
  const repos = createRepositories(db);
  const accounts = await bootstrapAccounts(repos, config);
  // Calls cut off by a crash or kill: marked interrupted now; their partial recordings are hashed
  // in the background once the orphaned recorder has finished writing them.
  const interruptedCalls = markInterruptedCalls(repos, Date.now());
  const interrupted = interruptedCalls.length;
  const tls = loadTls(config.tls, config.publicIp);

  setMixConcurrency(config.mixConcurrency);
  const media = await MediaWorkerPool.start({
    workers: config.mediaWorkers,
    fillRouters: config.mediaPackCalls,
    workerSliceUs: config.mediaWorkerSliceUs,
    rtcMinPort: config.rtcMinPort,
    rtcMaxPort: config.rtcMaxPort,
    onWorkerDied: ({ index, pid, error }) => console.error(JSON.stringify({ level: 50, msg: 'mediasoup worker died; replacing it', index, pid, err: error.message })),
    onWorkerReplaced: ({ index, pid }) => console.error(JSON.stringify({ level: 40, msg: 'mediasoup worker replaced', index, pid })),
    onWorkerSliceFailed: ({ index, pid, error }) => console.error(JSON.stringify({ level: 40, msg: "mediasoup worker runs with the kernel's scheduler slice", index, pid, err: error.message })),
  });

  const app = await buildApp({
    repos,
    clock: systemClock,
    sessionIdleMs: config.sessionIdleMs,
    sessionMaxMs: config.sessionMaxMs,
    loginRateLimitPerMinute: config.loginRateLimitPerMinute,
    apiRateLimitPerMinute: config.apiRateLimitPerMinute,
    browserEventQuota: config.browserEventQuota,
    bodyLimitBytes: config.bodyLimitBytes,
    secureCookies: Boolean(tls),
    trustProxy: config.trustProxy,
    media,
    clientDir: path.join(projectRoot, 'build', 'client'),
    printoutsDir: path.join(config.dataDir, 'printouts'),
    metrics: { token: config.metricsToken, processMetrics: true },
    logger: { level: config.logLevel },
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    telephony: {
      domain: config.sipDomain,
      noAnswerTimeoutMs: config.noAnswerTimeoutMs,
      iceServers: config.iceServers,
      recordingsDir: config.recordingsDir,
      listenIp: config.mediaListenIp,
      announcedIp: config.mediaListenIp === '0.0.0.0' || config.mediaListenIp === '::' ? config.publicIp : undefined,
      pool: media,
      maxConnectionsPerIp: config.sipMaxConnectionsPerIp,
      maxPendingConnectionsPerIp: config.sipMaxPendingPerIp,
      authDeadlineMs: config.sipRegisterDeadlineMs,
      idleMs: config.sipIdleMs,
      sipRate: config.sipRate,
      sipSecret: loadOrCreateSecret(path.join(config.dataDir, 'sip-secret')),
    },
  });
  // Waveform peaks and talk/silence of every finalised recording, computed once in the background:
  // what a crash left unanalysed now, and each new recording as soon as its hash is stored.
  const analysis = new AnalysisJob({ repos, clock: systemClock, logger: app.log.child({ module: 'analysis' }) });
  repos.calls.onRecordingHashed(() => analysis.notify());
  analysis.start();
  if (interrupted > 0) {
    app.log.warn({ calls: interrupted }, 'calls interrupted by the last stop were marked interrupted');
    void finaliseInterruptedRecordings(repos, interruptedCalls, {
      facts: async (file) => {
        const bytes = fs.statSync(file).size;
        if (bytes === 0) return undefined;
        return { sha256: await sha256File(file), durationMs: await probeDurationMs(file), bytes };
      },
      finishLegs: (file) => finishLegFiles(file),
    }).then(
      (n) => app.log.info({ recordings: n }, 'partial recordings of interrupted calls hashed'),
      (err: unknown) => app.log.error({ err }, 'partial recordings of interrupted calls could not be finalised'),
    );
  }
  // Calls that had ended but whose recording was not mixed when the process stopped: mix them now.
  const unmixed = listUnmixedRecordings(repos);
  if (unmixed.length > 0) {
    app.log.warn({ recordings: unmixed.length }, 'recordings of ended calls were not mixed before the last stop; mixing them now');
    void finaliseEndedRecordings(repos, unmixed, { finishLegs: (file) => finishLegFiles(file) }).then(
      (n) => app.log.info({ recordings: n }, 'recordings of ended calls mixed after the restart'),
      (err: unknown) => app.log.error({ err }, 'recordings of ended calls could not be mixed after the restart'),
    );
  }
  app.log.info(
    { database: config.databaseFile, schemaVersion: migration.currentVersion, applied: migration.applied, mediaWorkers: media.size },
    'database ready, media workers started',
  );

  // Retention (off unless CALLMARK_RETENTION_*_DAYS is set): now, then daily.
  const stopRetention = startRetention(
    repos,
    { recordingsDays: config.retentionRecordingsDays, personalDays: config.retentionPersonalDays, recordingsDir: config.recordingsDir },
    () => Date.now(),
    app.log.child({ module: 'retention' }),
  );

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error(`shutdown took longer than ${SHUTDOWN_GRACE_MS / 1000} s; exiting anyway (recordings not finalised are finalised at the next start)`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Each step bounded and on its own (server/shutdown-step.ts): one that hangs or fails is logged
    // by name and the next still runs, so the media workers and the database are always closed.
    // At their bounds the steps take worstCaseShutdownMs() (16.5 s), within the grace.
    const { quickStepMs, mediaCloseMs } = SHUTDOWN_BOUNDS;
    // app.close() ends the calls (BYE, recordings finalised), tells the phones and desktops to go
    // and closes the HTTP server; its own steps are bounded too (server/app.ts).
    const outcomes = [
      await shutdownStep(app.log, 'retention stopped', quickStepMs, stopRetention),
      await shutdownStep(app.log, 'HTTP server closed', APP_CLOSE_BOUND_MS, () => app.close()),
      await shutdownStep(app.log, 'recording analysis stopped', quickStepMs, () => analysis.stop()),
      await shutdownStep(app.log, 'media workers closed', mediaCloseMs + quickStepMs, () => media.close(mediaCloseMs)),
      await shutdownStep(app.log, 'database closed', quickStepMs, () => closeDatabase(db)),
    ];
    clearTimeout(force);
    const clean = outcomes.every((o) => o === 'done');
    const ms = Math.round(performance.now() - started);
    if (clean) app.log.info({ ms }, `shutdown: done in ${ms} ms`);
    else app.log.error({ ms }, `shutdown: done in ${ms} ms, with a step that failed or timed out (see above; what it left is finished at the next start)`);
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ host: config.host, port: config.port });
  const actualPort = Number(new URL(address).port);
  const scheme = tls ? 'https' : 'http';
  const shownHost = ['0.0.0.0', '::'].includes(config.host) ? (tls ? config.publicIp : 'localhost') : config.host;
  const url = `${scheme}://${shownHost}:${actualPort}/`;
  const lines: string[] = [];
  if (tls && ['0.0.0.0', '::'].includes(config.host)) lines.push(`On this machine: ${scheme}://localhost:${actualPort}/`);
  if (!tls && !isLoopbackHost(config.host) && config.trustProxy.length === 0) {
    lines.push('Plain HTTP on a network address, and no CALLMARK_TRUST_PROXY: behind a TLS proxy, set it to the proxy\'s address (Secure cookies, HSTS, real client addresses).');
  }
  if (tls?.selfSigned) lines.push(`Self-signed certificate (${tls.certFile}): browsers will ask you to accept it once.`);
  if (accounts.adminCreated) {
    const a = accounts.adminCreated;
    lines.push(
      a.passwordWasGenerated
        ? `Admin account created: ${a.username} / ${a.password}   (shown once; you choose your own at the first login)`
        : `Admin account created: ${a.username} (password from CALLMARK_ADMIN_PASSWORD, for the first login: you choose your own then)`,
    );
  }
  if (accounts.demoUsers) {
    lines.push(`Demo users (password "${config.demoPassword}"): ${accounts.demoUsers.map((u) => u.username).join(', ')}`);
    lines.push(isLoopbackHost(config.host) ? 'Demo mode: listening on this machine only.' : `Demo mode ON THE NETWORK (${config.host}): anyone who can reach it can log in as demo-admin.`);
  }
  if (accounts.demoUsersDisabled) {
    lines.push(`Demo accounts disabled (demo mode is off): ${accounts.demoUsersDisabled.join(', ')}`);
  }
  lines.push(`Data: ${config.dataDir}   Media workers: ${media.size}   Logs: pino JSON on stdout`);
  printBanner(url, lines);
}

main().catch((err: unknown) => {
  console.error('Callmark failed to start:', err);
  process.exit(1);
});
