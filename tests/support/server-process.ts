// Starts the built production server (build/server/main.js, what README command 1 runs after
// setup) as a child process on free ports with its own data directory, and waits for its banner.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './test-app.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mainJs = path.join(projectRoot, 'build', 'server', 'main.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// 50000-59999: clear of the ranges the media tests use (41000-47999) and the benchmark (48000-49999).
let rtcBase = 50000 + (process.pid % 90) * 100;

export async function startServer(opts: {
  env?: Record<string, string>;
  args?: string[];
  dataDir?: string;
  /** Listen on this port (e.g. the port of a server this one replaces after a restart); default a free one. */
  port?: number;
  command?: { cmd: string; args: string[] };
} = {}): Promise<ServerProcess> {
  if (!opts.command && !fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: run "node scripts/setup.mjs" (npm test does) first`);
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-server-'));
  const rtcMin = rtcBase;
  rtcBase += 100;
  const env = {
    ...process.env,
    CALLMARK_HOST: '127.0.0.1',
    CALLMARK_PORT: String(port),
    CALLMARK_DATA_DIR: dataDir,
    CALLMARK_TLS: 'off',
    CALLMARK_RTC_MIN_PORT: String(rtcMin),
    CALLMARK_RTC_MAX_PORT: String(rtcMin + 99),
    CALLMARK_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const { cmd, args } = opts.command ?? { cmd: process.execPath, args: [mainJs, ...(opts.args ?? [])] };
  const child = spawn(cmd, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /Callmark is running: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    url,
    port,
    dataDir,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      try {
        process.kill(signal === 'SIGTERM' && opts.command ? -child.pid! : child.pid!, signal);
      } catch {
        /* already gone */
      }
      return exited;
    },
  };
}

type StartOptions = NonNullable<Parameters<typeof startServer>[0]>;

/**
 * The server processes of one test file: `start` starts one (with `defaults`, e.g. the env every
 * start of the file shares), `restart` starts another on the data directory and port of one the
 * test stopped (SIGTERM, as in an upgrade), and `stopAll` (the file's afterAll) kills each still
 * running and removes their data directories. (No vitest hook here: the benchmarks import this file.)
 */
export function serverProcesses(defaults: StartOptions = {}): {
  start(opts?: StartOptions): Promise<ServerProcess>;
  restart(stopped: ServerProcess, opts?: StartOptions): Promise<ServerProcess>;
  /** Every server started so far (e.g. for keepServerLogsOnFailure). */
  all(): ServerProcess[];
  stopAll(): Promise<void>;
} {
  const started: ServerProcess[] = [];
  const start = async (opts: StartOptions = {}): Promise<ServerProcess> => {
    const server = await startServer({ ...defaults, ...opts, env: { ...defaults.env, ...opts.env } });
    started.push(server);
    return server;
  };
  return {
    start,
    restart: (stopped, opts = {}) => start({ ...opts, dataDir: stopped.dataDir, port: stopped.port }),
    all: () => [...started],
    stopAll: async () => {
      for (const s of started) await s.stop('SIGKILL');
      for (const dir of new Set(started.map((s) => s.dataDir))) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logged-in API session on a started server: send `headers` (cookie, CSRF token, JSON) with each request. */
export interface ApiLogin {
  cookie: string;
  csrfToken: string;
  headers: Record<string, string>;
}

/**
 * Logs in as the administrator the server created at its first start, with the password it was
 * given (CALLMARK_ADMIN_PASSWORD) or printed in its banner, and, as that first login requires,
 * replaces it with the administrator's own, `ownPassword` (by default the given one followed by
 * "-own"), keeping this session. A later login uses `ownPassword`.
 */
export async function loginFirstStartAdmin(baseUrl: string, password: string, ownPassword = `${password}-own`): Promise<ApiLogin> {
  return loginChoosingOwnPassword(baseUrl, 'admin', password, ownPassword);
}

/**
 * Logs in as `username` and, when the account is still on a password someone else set (the
 * first-start admin, or a user an admin created), makes the change the server requires first,
 * to `ownPassword`, keeping this session.
 */
export async function loginChoosingOwnPassword(baseUrl: string, username: string, password: string, ownPassword = `${password}-own`): Promise<ApiLogin> {
  const login = await fetch(new URL('/api/auth/login', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!login.ok) throw new Error(`login as ${username}: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const session = (await login.json()) as { csrfToken: string; user: { mustChangePassword: boolean } };
  const headers = { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
  if (session.user.mustChangePassword) {
    const changed = await fetch(new URL('/api/auth/password', baseUrl), { method: 'POST', headers, body: JSON.stringify({ currentPassword: password, newPassword: ownPassword }) });
    if (!changed.ok) throw new Error(`${username}'s own password: ${changed.status} ${await changed.text()}`);
    const fresh = (await changed.json()) as { csrfToken: string };
    return { cookie, csrfToken: fresh.csrfToken, headers: { ...headers, 'x-csrf-token': fresh.csrfToken } };
  }
  return { cookie, csrfToken: session.csrfToken, headers };
}
