#!/usr/bin/env node
// Idempotent install of everything Callmark needs, from the npm registry and Debian packages only.
//
//   node scripts/setup.mjs              what `npm start` runs before starting the server
//   node scripts/setup.mjs --for-tests  also installs what the test suite needs (Chromium)
//
// Steps, each skipped when already done:
//   1. Debian packages (ffmpeg; chromium for tests), via apt-get when running as root.
//   2. npm dependencies (`npm ci`; .npmrc sets ignore-scripts=true so npm 10 and 11 behave alike).
//   3. better-sqlite3's native addon, built with node-gyp against the local Node headers.
//   4. The mediasoup 3.8.4 worker, built from the npm tarball's vendored sources with two fixes
//      (gyp on Python >= 3.10, abseil on glibc >= 2.34), cached outside the work tree.
//   5. The server (tsc) and the client (vite build), when their sources changed.
// Plain Node with no dependencies: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');
const cacheDir = process.env.CALLMARK_CACHE_DIR
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'callmark');
const MEDIASOUP_VERSION = '3.8.4';

const started = Date.now();
const log = (msg) => console.log(`[setup] ${msg}`);
const fail = (msg) => {
  console.error(`[setup] ERROR: ${msg}`);
  process.exit(1);
};
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js >= 20.19 is required, this is ${process.version}`);
}

// ---------------------------------------------------------------- 1. Debian packages
function debianPackages() {
  const wanted = [{ cmd: 'ffmpeg', pkg: 'ffmpeg', why: 'call recording' }];
  if (forTests) {
    wanted.push({ cmd: 'chromium', pkg: 'chromium', why: 'browser tests' });
    wanted.push({ cmd: 'pdftotext', pkg: 'poppler-utils', why: 'checking print-out PDFs in tests' });
  }
  for (const tool of ['python3', 'make', 'g++']) {
    if (!has(tool)) wanted.push({ cmd: tool, pkg: tool === 'g++' ? 'g++' : tool, why: 'building native modules' });
  }
  const missing = wanted.filter((w) => !has(w.cmd));
  if (missing.length === 0) return log('Debian packages: all present');
  const pkgs = missing.map((m) => m.pkg);
  const list = missing.map((m) => `${m.pkg} (${m.why})`).join(', ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    fail(`missing ${list}. Install them first, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`installing Debian packages: ${list}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env });
  const still = missing.filter((m) => !has(m.cmd));
  if (still.length) fail(`apt-get finished but ${still.map((m) => m.cmd).join(', ')} is still missing`);
}

// ---------------------------------------------------------------- 2. npm dependencies
function fileHash(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function npmDependencies() {
  const lock = path.join(root, 'package-lock.json');
  if (!fs.existsSync(lock)) fail('package-lock.json is missing: the install must be reproducible');
  const stamp = path.join(root, 'node_modules', '.callmark-lock.sha256');
  const want = fileHash(lock);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return log('npm dependencies: up to date');
  const t = Date.now();
  log('installing npm dependencies from package-lock.json (install scripts off; native parts are built below)');
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund']);
  fs.writeFileSync(stamp, want);
  log(`npm dependencies installed in ${elapsed(t)}`);
}

// ---------------------------------------------------------------- shared: cached native artefacts
function restoreFromCache(cacheName, target) {
  const cached = path.join(cacheDir, cacheName);
  if (!fs.existsSync(cached)) return false;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(cached, target);
  fs.chmodSync(target, 0o755);
  return true;
}

function saveToCache(cacheName, source) {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = path.join(cacheDir, `.${cacheName}.${process.pid}`);
    fs.copyFileSync(source, tmp);
    fs.renameSync(tmp, path.join(cacheDir, cacheName));
  } catch (err) {
    log(`note: could not cache ${cacheName} (${err.message}); it will be rebuilt next time`);
  }
}

function nodeGypBin() {
  // npm ships node-gyp; use that one so nothing extra is downloaded.
  const npmCli = process.env.npm_execpath
    || fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
  let dir = path.dirname(npmCli);
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  fail('node-gyp (bundled with npm) was not found');
}

// ---------------------------------------------------------------- 3. better-sqlite3
function betterSqlite3() {
  const pkgDir = path.join(root, 'node_modules', 'better-sqlite3');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const target = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  const cacheName = `better_sqlite3-${version}-node-abi${process.versions.modules}-${process.platform}-${process.arch}.node`;
  if (fs.existsSync(target)) return log(`better-sqlite3 ${version}: native addon present`);
  if (restoreFromCache(cacheName, target)) return log(`better-sqlite3 ${version}: native addon restored from ${cacheDir}`);
  const t = Date.now();
  log(`better-sqlite3 ${version}: building the native addon with node-gyp (about a minute)`);
  const args = [nodeGypBin(), 'rebuild', '--release', '-j', String(os.cpus().length)];
  // Debian's Node ships its headers in /usr/include/node; never download them.
  if (fs.existsSync('/usr/include/node/node.h')) args.push('--nodedir=/usr');
  run(process.execPath, args, { cwd: pkgDir });
  if (!fs.existsSync(target)) fail('better-sqlite3 build finished without producing better_sqlite3.node');
  saveToCache(cacheName, target);
  log(`better-sqlite3 built in ${elapsed(t)}`);
}

// ---------------------------------------------------------------- 4. mediasoup worker
function patchAbseilSigstksz(workerDir) {
  // glibc >= 2.34 makes SIGSTKSZ a runtime value (long), so std::max(SIGSTKSZ, 65536) no longer deduces.
  const file = path.join(workerDir, 'deps/libwebrtc/deps/abseil-cpp/abseil-cpp/absl/debugging/failure_signal_handler.cc');
  const src = fs.readFileSync(file, 'utf8');
  if (src.includes('std::max<size_t>(SIGSTKSZ, 65536)')) return;
  if (!src.includes('std::max(SIGSTKSZ, 65536)')) fail(`unexpected abseil source in ${file}: cannot apply the SIGSTKSZ fix`);
  fs.writeFileSync(file, src.replace('std::max(SIGSTKSZ, 65536)', 'std::max<size_t>(SIGSTKSZ, 65536)'));
  log('mediasoup worker: applied the abseil SIGSTKSZ fix (glibc >= 2.34)');
}

function buildWithProgress(cmd, args, opts, label, total) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const t = Date.now();
    let compiled = 0;
    let lastReport = 0;
    const tail = [];
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 60) tail.shift();
      if (/^\s*(CXX|CC)\(target\)/.test(line)) {
        compiled++;
        const now = Date.now();
        if (now - lastReport > 10_000) {
          lastReport = now;
          const pct = total ? ` of ~${total} (${Math.min(99, Math.round((100 * compiled) / total))} %)` : '';
          log(`${label}: ${compiled} files compiled${pct}, ${elapsed(t)} elapsed`);
        }
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    }
    child.on('close', (code) => {
      if (code === 0) return resolve(compiled);
      console.error(tail.join('\n'));
      reject(new Error(`${label} failed (exit ${code}); the last lines of its output are above`));
    });
  });
}

async function mediasoupWorker() {
  const pkgDir = path.join(root, 'node_modules', 'mediasoup');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== MEDIASOUP_VERSION) fail(`mediasoup ${MEDIASOUP_VERSION} is pinned but ${version} is installed`);
  const workerDir = path.join(pkgDir, 'worker');
  const target = path.join(workerDir, 'out', 'Release', 'mediasoup-worker');
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime ?? 'unknown';
  const cacheName = `mediasoup-worker-${version}-${process.platform}-${process.arch}-glibc${glibc}`;
  if (fs.existsSync(target)) return log(`mediasoup ${version}: worker present`);
  if (restoreFromCache(cacheName, target)) return log(`mediasoup ${version}: worker restored from ${cacheDir}`);

  const t = Date.now();
  const cores = os.cpus().length;
  log(`mediasoup ${version}: building the worker from source on ${cores} cores (several minutes; progress below)`);
  patchAbseilSigstksz(workerDir);
  const env = {
    ...process.env,
    PYTHON: 'python3',
    PYTHONPATH: [path.join(root, 'scripts', 'python'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    CORES: String(cores),
  };
  run('python3', ['./scripts/configure.py', '-R', 'mediasoup-worker'], { cwd: workerDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const dry = spawnSync('make', ['-n', 'BUILDTYPE=Release', '-C', 'out'], { cwd: workerDir, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const total = new Set(dry.stdout.match(/ -o \S+\.o\b/g) || []).size;
  try {
    await buildWithProgress('make', [`-j${cores}`, 'BUILDTYPE=Release', '-C', 'out'], { cwd: workerDir, env }, 'mediasoup worker', total);
  } catch (err) {
    fail(err.message);
  }
  if (!fs.existsSync(target)) fail('mediasoup worker build finished without producing out/Release/mediasoup-worker');
  saveToCache(cacheName, target);
  // The object files are only needed to build; drop them to save about 300 MB.
  fs.rmSync(path.join(workerDir, 'out', 'Release', 'obj.target'), { recursive: true, force: true });
  log(`mediasoup worker built in ${elapsed(t)}`);
}

// ---------------------------------------------------------------- 5. build server and client
function sourcesHash(dirs, files) {
  const hash = createHash('sha256');
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(p);
      } else {
        hash.update(path.relative(root, p));
        hash.update(fs.readFileSync(p));
      }
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  for (const f of files) if (fs.existsSync(path.join(root, f))) hash.update(fs.readFileSync(path.join(root, f)));
  return hash.digest('hex');
}

/** A build that failed or was interrupted leaves build.next-<pid> (or build.old-<pid>): remove those of processes that are gone. */
function removeStaleBuilds(buildDir) {
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return err.code === 'EPERM';
    }
  };
  for (const name of fs.readdirSync(path.dirname(buildDir))) {
    const m = /^build\.(?:next|old)-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) fs.rmSync(path.join(path.dirname(buildDir), name), { recursive: true, force: true });
  }
}

function buildApp() {
  const buildDir = path.join(root, 'build');
  const stamp = path.join(buildDir, '.sources.sha256');
  const want = sourcesHash(['server', 'media', 'client', 'scenarios'], ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json']);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return log('server and client: build up to date');
  const t = Date.now();
  log('building the server (tsc) and the client (vite)');
  // Build beside the current build and swap it in at the end, so a server already running from
  // build/ (or a failed build) never finds its files gone.
  const next = `${buildDir}.next-${process.pid}`;
  removeStaleBuilds(buildDir);
  fs.rmSync(next, { recursive: true, force: true });
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', next]);
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn', '--outDir', path.join(next, 'client')]);
  fs.writeFileSync(path.join(next, '.sources.sha256'), want);
  const old = `${buildDir}.old-${process.pid}`;
  if (fs.existsSync(buildDir)) fs.renameSync(buildDir, old);
  fs.renameSync(next, buildDir);
  fs.rmSync(old, { recursive: true, force: true });
  log(`server and client built in ${elapsed(t)}`);
}

// ----------------------------------------------------------------
checkNode();
debianPackages();
npmDependencies();
betterSqlite3();
await mediasoupWorker();
if (!process.argv.includes('--no-build')) buildApp();
log(`ready (${elapsed(started)})`);
