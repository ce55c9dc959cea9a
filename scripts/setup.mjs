#!/usr/bin/env node
// Idempotent install of everything Callmark needs, from the npm registry and Debian packages only.
//
//   node scripts/setup.mjs              what `npm start` runs before starting the server
//   node scripts/setup.mjs --for-tests  also installs what the test suite needs (Chromium)
//   node scripts/setup.mjs --for-bench  also installs what `npm run bench` needs (rtpengine, cc)
//
// Steps, each skipped when already done:
//   1. Debian packages (ffmpeg, the worker's build tools and libraries; chromium for tests;
//      rtpengine for benchmarks), via apt-get when running as root.
//   2. npm dependencies (`npm ci`; .npmrc sets ignore-scripts=true so npm 10 and 11 behave alike).
//   3. better-sqlite3's native addon, built with node-gyp against the local Node headers.
//   4. The mediasoup worker, built from the npm tarball's sources with meson/ninja against Debian's
//      OpenSSL 3, libsrtp2, libuv, usrsctp, abseil and liburing, with Callmark's patches to its C++
//      (media/worker-patch/: the recording sink, per-packet cost, UDP read, io_uring sends; applied with Debian's
//      patch), cached outside the work tree. libsrtp2 is built from Debian's source with OpenSSL
//      and Callmark's patch (media/libsrtp-patch/: HMAC and AES-CM keyed once, not per packet),
//      and checked by libsrtp's own known-answer tests before the worker links it.
//   5. Small native programs compiled with cc: the recorder's RTP receiver, the workers' scheduler slice (and, for benchmarks,
//      the load generator), in node_modules/.callmark/bin.
//   6. The server (tsc) and the client (vite build), when their sources changed.
// Plain Node with no dependencies: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');
const forBench = process.argv.includes('--for-bench');
const cacheDir = process.env.CALLMARK_CACHE_DIR
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'callmark');
const MEDIASOUP_VERSION = '3.12.16';

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
const pkgConfigHas = (module) => has('pkg-config') && spawnSync('pkg-config', ['--exists', module], { stdio: 'ignore' }).status === 0;

function debianPackages() {
  // Each entry: the package, why, and how to tell it is there (a command on PATH, or a pkg-config module).
  const wanted = [{ cmd: 'ffmpeg', pkg: 'ffmpeg', why: 'call recording' }];
  if (forTests) {
    wanted.push({ cmd: 'chromium', pkg: 'chromium', why: 'browser tests' });
    wanted.push({ cmd: 'pdftotext', pkg: 'poppler-utils', why: 'checking print-out PDFs in tests' });
  }
  for (const tool of ['python3', 'make', 'g++']) wanted.push({ cmd: tool, pkg: tool, why: 'building native modules' });
  wanted.push({ cmd: 'cc', pkg: 'gcc', why: "the call recorder's RTP receiver" });
  for (const [cmd, pkg] of [['meson', 'meson'], ['ninja', 'ninja-build'], ['pkg-config', 'pkg-config']]) wanted.push({ cmd, pkg, why: 'building the mediasoup worker' });
  const workerLibs = { openssl: 'libssl-dev', libuv: 'libuv1-dev', usrsctp: 'libusrsctp-dev', nlohmann_json: 'nlohmann-json3-dev', absl_flat_hash_map: 'libabsl-dev', absl_btree: 'libabsl-dev', liburing: 'liburing-dev' };
  for (const module of WORKER_PKGCONFIG) wanted.push({ module, pkg: workerLibs[module], why: 'the mediasoup worker' });
  // libsrtp2 is built from Debian's source package of the installed libsrtp2-1 (see 4a).
  wanted.push({ deb: 'libsrtp2-1', pkg: 'libsrtp2-1', why: 'the version of libsrtp2 the worker is built from' });
  wanted.push({ cmd: 'dpkg-source', pkg: 'dpkg-dev', why: "unpacking Debian's libsrtp2 source" });
  // A dependency of dpkg-dev, named on its own because setup runs it directly.
  wanted.push({ cmd: 'patch', pkg: 'patch', why: "applying Callmark's patches (media/worker-patch/) to the mediasoup worker" });
  if (forBench) {
    wanted.push({ cmd: 'rtpengine', pkg: 'rtpengine-daemon', why: 'the side-by-side media benchmark' });
  }
  const debInstalled = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout.includes('install ok installed');
  const present = (w) => (w.cmd ? has(w.cmd) : w.deb ? debInstalled(w.deb) : pkgConfigHas(w.module));
  const missing = wanted.filter((w) => !present(w));
  if (missing.length === 0) return log('Debian packages: all present');
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const list = [...new Set(missing.map((m) => `${m.pkg} (${m.why})`))].join(', ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    fail(`missing ${list}. Install them first, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`installing Debian packages: ${list}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env });
  const still = missing.filter((m) => !present(m));
  if (still.length) fail(`apt-get finished but ${still.map((m) => m.cmd ?? m.deb ?? `pkg-config ${m.module}`).join(', ')} is still missing`);
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
/** Copies a file into place by rename, so that a running copy of the old one (ETXTBSY) is no obstacle. */
function installFile(source, target) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.new-${process.pid}`;
  fs.copyFileSync(source, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, target);
}

function restoreFromCache(cacheName, target) {
  const cached = path.join(cacheDir, cacheName);
  if (!fs.existsSync(cached)) return false;
  installFile(cached, target);
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
// mediasoup 3.12 and later no longer vendor their native dependencies: the npm tarball's meson.build
// pulls each one through subproject(), i.e. a download from GitHub/wrapdb, which is not reachable
// here. Every one of them is a Debian package, so the worker is built against those instead:
// OpenSSL 3 then comes from the system and is updated with it, libsrtp2 from Debian's source (4a)
// (the 3.8.4 worker carried its own OpenSSL 1.1.1k of 2021). The npm sources are copied to a
// temporary directory, patched (patchMesonForDebian, the build files; patchWorkerSources, Callmark's
// changes to the worker's C++ from media/worker-patch/) and built with Debian's meson and ninja.
const WORKER_RECIPE = 'debian-meson-5-uring'; // bump when patchMesonForDebian or the build flags change (the patches are hashed into the name)
const WORKER_PKGCONFIG = ['openssl', 'libuv', 'usrsctp', 'nlohmann_json', 'absl_flat_hash_map', 'absl_btree', 'liburing'];

/** Rewrites the worker's meson.build files to take every dependency from pkg-config (Debian). */
function patchMesonForDebian(workerDir) {
  const edit = (rel, fn) => {
    const file = path.join(workerDir, rel);
    const before = fs.readFileSync(file, 'utf8');
    const after = fn(before);
    if (after === before) fail(`unexpected ${rel} in mediasoup ${MEDIASOUP_VERSION}: the Debian patch does not apply`);
    fs.writeFileSync(file, after);
  };
  edit('meson.build', (src) => {
    // Declared '>= 1.1.0' but nothing newer than 1.0 is used: Debian 12 has meson 1.0.1.
    let s = src.replace("meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'");
    const from = s.indexOf('openssl_proj = subproject(');
    const to = s.indexOf('libwebrtc_include_directories');
    if (from < 0 || to < from) return src;
    s = s.slice(0, from) + [
      "openssl_dep = dependency('openssl', version: '>= 3.0.0')",
      "nlohmann_json_dep = dependency('nlohmann_json')",
      "libuv_dep = dependency('libuv')",
      // libsrtp2 built from Debian's source with OpenSSL (libsrtpFromDebianSource), found through
      // PKG_CONFIG_PATH, linked statically; its headers sit in <includedir>/srtp2.
      "libsrtp2_pc = dependency('libsrtp2', static: true)",
      "libsrtp2_dep = declare_dependency(dependencies: libsrtp2_pc, compile_args: ['-I' + (libsrtp2_pc.get_variable(pkgconfig: 'includedir') / 'srtp2')])",
      "usrsctp_dep = dependency('usrsctp')",
      "absl_container_dep = [dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'), dependency('absl_btree'), dependency('absl_inlined_vector')]",
      "absl_strings_dep = dependency('absl_strings')",
      "absl_types_dep = [dependency('absl_optional'), dependency('absl_memory')]",
      // io_uring for the batched UDP sends (media/worker-patch/uring-send.patch); linked statically,
      // so the built worker needs no liburing2 at run time.
      "liburing_dep = dependency('liburing', static: true)",
      '',
    ].join('\n') + s.slice(to);
    s = s.replace(/\ndependencies = \[[^\]]*\]/, '\ndependencies = [absl_container_dep, openssl_dep, nlohmann_json_dep, libuv_dep, libsrtp2_dep, usrsctp_dep, liburing_dep, libwebrtc_dep]');
    s = s.replace(/\nlink_whole = \[[^\]]*\]/, '\nlink_whole = [libwebrtc]');
    // catch2 is only for mediasoup's own test binary, which is not built.
    return s.replace(/catch2_proj\.get_variable\('catch2_dep'\)/g, "dependency('catch2', required: false)");
  });
  edit('deps/libwebrtc/meson.build', (src) => src
    .replace(/abseil_cpp_proj = subproject\([^)]*\)\n/, '')
    .replace(/openssl_proj\.get_variable\('openssl_dep'\)/g, 'openssl_dep')
    .replace(/abseil_cpp_proj\.get_variable\('absl_strings_dep'\)/g, 'absl_strings_dep')
    .replace(/abseil_cpp_proj\.get_variable\('absl_types_dep'\)/g, 'absl_types_dep')
    .replace(/nlohmann_json_proj\.get_variable\('nlohmann_json_dep'\)/g, 'nlohmann_json_dep')
    .replace(/libuv_proj\.get_variable\('libuv_dep'\)/g, 'libuv_dep'));
  fs.rmSync(path.join(workerDir, 'subprojects'), { recursive: true, force: true });
}

/** Why a worker binary must not be used (it embeds OpenSSL 1.x, or a shared library is missing), or undefined. */
function workerProblem(bin) {
  const embedded = /OpenSSL 1\.[01]\.\d+[a-z]*/.exec(fs.readFileSync(bin).toString('latin1'));
  if (embedded) return `it embeds ${embedded[0]}`;
  const ldd = spawnSync('ldd', [bin], { encoding: 'utf8' });
  if (ldd.status !== 0) return `ldd failed: ${ldd.stderr.trim()}`;
  const missing = ldd.stdout.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(' ')[0]);
  if (missing.length) return `shared libraries not found: ${missing.join(', ')}`;
  if (!/libssl\.so\.3 => \//.test(ldd.stdout) || !/libcrypto\.so\.3 => \//.test(ldd.stdout)) return 'it does not link the system libssl.so.3 and libcrypto.so.3';
  if (/libsrtp2\.so/.test(ldd.stdout)) return "it links Debian's NSS-based libsrtp2.so instead of libsrtp2 built with OpenSSL";
  return undefined;
}

function buildWithProgress(cmd, args, opts, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const t = Date.now();
    let lastReport = 0;
    const tail = [];
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 60) tail.shift();
      const m = /^\[(\d+)\/(\d+)\]/.exec(line);
      if (m && Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(`${label}: ${m[1]} of ${m[2]} steps (${Math.round((100 * Number(m[1])) / Number(m[2]))} %), ${elapsed(t)} elapsed`);
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
      if (code === 0) return resolve();
      console.error(tail.join('\n'));
      reject(new Error(`${label} failed (exit ${code}); the last lines of its output are above`));
    });
  });
}

// ---------------------------------------------------------------- 4a. libsrtp2 with OpenSSL
// Debian's libsrtp2 binary package does its AES and HMAC through NSS, creating an NSS context for
// every packet: 7.5 µs per AES_CM_128_HMAC_SHA1_80 packet (the suite Chromium negotiates), against
// 1.35 µs with OpenSSL (measured here). So the worker links libsrtp2 built from Debian's own source
// package of the installed version (with Debian's patches, fetched by apt from the system's Debian
// mirrors through a private list of deb-src entries: the system's apt configuration is not
// touched), configured with OpenSSL crypto: the system's shared OpenSSL 3 does the cryptography.
// A Debian update of libsrtp2 changes the installed version, hence the cache name: it is rebuilt.
// Callmark's patch (media/libsrtp-patch/, its README says why) is applied to Debian's source before
// the build: with OpenSSL 3, libsrtp2 2.5.0 re-initialises its HMAC-SHA1 and its AES counter mode
// through OpenSSL's provider layer for every packet; the patch keys them once. The patch's hash is
// part of the cache name (and so of the worker's, which links libsrtp2 statically). After the
// build, libsrtp's own known-answer tests (RFC 3711 and RFC 2104 vectors, every cipher's and
// authenticator's self-test) run against the library just built; one that fails stops the install
// with its output. They add about 10 s to a cold install (building them and running them).
const LIBSRTP_PATCH = path.join(root, 'media', 'libsrtp-patch', 'openssl-per-packet.patch');
// libsrtp's test programs that check the crypto (each with -v prints what it checked); built and run
// after the library. replay_driver, roc_driver, rdbx_driver and rtpw are not crypto (or take 30 s).
const LIBSRTP_TESTS = [
  { program: 'crypto/test/cipher_driver', args: ['-v'] }, // each cipher's known answers, and keystream across calls
  { program: 'crypto/test/kernel_driver', args: ['-v'] }, // the crypto kernel's self-tests: every cipher and HMAC-SHA1
  { program: 'test/srtp_driver', args: ['-v'] }, // srtp_protect/unprotect against RFC 3711 B.3's key and libsrtp's reference packets
  { program: 'test/test_srtp', args: [] }, // unit tests of the srtp API
];

/** The first 8 hex digits of the sha-256 of libsrtp2's patch (part of the cache names). */
function libsrtpPatchHash() {
  return createHash('sha256').update(fs.readFileSync(LIBSRTP_PATCH)).digest('hex').slice(0, 8);
}

/** The system's Debian "deb" sources as "deb-src" entries, in a private apt directory. */
function privateDebSrcApt(dir) {
  fs.mkdirSync(path.join(dir, 'sources.list.d'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'lists', 'partial'), { recursive: true });
  const lines = [];
  const oneLine = ['/etc/apt/sources.list', ...listFiles('/etc/apt/sources.list.d', '.list')].filter((f) => fs.existsSync(f));
  for (const f of oneLine) {
    for (const l of fs.readFileSync(f, 'utf8').split('\n')) if (/^\s*deb\s/.test(l)) lines.push(l.replace(/^\s*deb\s/, 'deb-src '));
  }
  fs.writeFileSync(path.join(dir, 'sources.list'), lines.join('\n') + '\n');
  for (const f of listFiles('/etc/apt/sources.list.d', '.sources')) {
    const text = fs.readFileSync(f, 'utf8').replace(/^Types:\s*deb\s*$/gm, 'Types: deb-src');
    fs.writeFileSync(path.join(dir, 'sources.list.d', path.basename(f)), text);
  }
  return [
    '-o', `Dir::Etc::sourcelist=${path.join(dir, 'sources.list')}`,
    '-o', `Dir::Etc::sourceparts=${path.join(dir, 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${path.join(dir, 'lists')}`,
    '-o', `Dir::Cache=${path.join(dir, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
    '-q',
  ];
}

function listFiles(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
}

/** The installed version of a Debian binary package, e.g. '2.5.0-3'. */
function debianVersion(pkg) {
  const q = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  if (q.status !== 0 || !q.stdout.trim()) fail(`Debian package ${pkg} is not installed`);
  return q.stdout.trim();
}

/** Builds (or restores) libsrtp2 with OpenSSL from Debian's source; returns its install prefix. */
function libsrtpFromDebianSource() {
  const version = debianVersion('libsrtp2-1');
  const prefix = path.join(cacheDir, `libsrtp2-${version}-openssl-${libsrtpPatchHash()}-${process.platform}-${process.arch}`);
  const lib = path.join(prefix, 'lib', 'libsrtp2.a');
  if (fs.existsSync(lib) && fs.existsSync(path.join(prefix, 'include', 'srtp2', 'srtp.h'))) return prefix;
  const t = Date.now();
  log(`libsrtp2 ${version}: fetching Debian's source package and building it with OpenSSL`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-libsrtp2-'));
  try {
    const apt = privateDebSrcApt(path.join(work, 'apt'));
    run('apt-get', [...apt, 'update'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    run('apt-get', [...apt, 'source', '--download-only', `libsrtp2=${version}`], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    const dsc = fs.readdirSync(work).find((f) => f.endsWith('.dsc'));
    if (!dsc) fail(`apt-get source libsrtp2=${version} gave no .dsc`);
    // Applies Debian's patches. (dpkg-source cannot check the uploader's signature without the
    // debian-keyring package and says so; apt has already checked every file against the archive's
    // signed index.)
    const unpack = spawnSync('dpkg-source', ['-x', dsc, 'src'], { cwd: work, encoding: 'utf8' });
    if (unpack.status !== 0) fail(`dpkg-source -x ${dsc} failed: ${unpack.stderr}`);
    // No fuzz, as for the worker's patches: a hunk whose context differs fails the install.
    const patched = spawnSync('patch', ['-p1', '--forward', '--batch', '--fuzz=0', '--no-backup-if-mismatch', '-d', path.join(work, 'src'), '-i', LIBSRTP_PATCH], { encoding: 'utf8' });
    if (patched.error) fail(`could not run patch to apply ${path.relative(root, LIBSRTP_PATCH)}: ${patched.error.message}`);
    if (patched.status !== 0) fail(`${path.relative(root, LIBSRTP_PATCH)} does not apply to Debian's libsrtp2 ${version} (patch exited with ${patched.status ?? patched.signal}):\n${`${patched.stdout}${patched.stderr}`.trim()}`);
    // Installed under DESTDIR first and moved into place whole, so that an interrupted build leaves
    // nothing that looks finished (libsrtp2.pc names the final prefix).
    const destdir = path.join(work, 'destdir');
    run('meson', ['setup', 'build', `--prefix=${prefix}`, '--libdir=lib', '--buildtype=release', '-Db_staticpic=true', '-Ddefault_library=static',
      '-Dcrypto-library=openssl', '-Dcrypto-library-kdf=disabled', '-Dtests=enabled', '-Dpcap-tests=disabled', '-Ddoc=disabled'], { cwd: path.join(work, 'src'), stdio: ['ignore', 'ignore', 'inherit'] });
    // The library and only the test programs that are run (the tests link this very libsrtp2.a).
    run('ninja', ['-C', 'build', 'libsrtp2.a', ...LIBSRTP_TESTS.map((t) => t.program)], { cwd: path.join(work, 'src'), stdio: ['ignore', 'ignore', 'inherit'] });
    for (const { program, args } of LIBSRTP_TESTS) {
      const res = spawnSync(path.join(work, 'src', 'build', program), args, { cwd: path.join(work, 'src', 'build'), encoding: 'utf8', timeout: 120_000 });
      if (res.status !== 0) fail(`libsrtp2's test ${program} ${args.join(' ')} failed (exit ${res.status ?? res.signal ?? res.error?.message}) on the library built with ${path.relative(root, LIBSRTP_PATCH)}; nothing was installed. Its output:\n${`${res.stdout ?? ''}${res.stderr ?? ''}`.trim()}`);
    }
    log(`libsrtp2 ${version}: its known-answer tests passed (${LIBSRTP_TESTS.map((t) => path.basename(t.program)).join(', ')})`);
    run('meson', ['install', '-C', 'build', '--no-rebuild', '--destdir', destdir], { cwd: path.join(work, 'src'), stdio: ['ignore', 'ignore', 'inherit'] });
    fs.mkdirSync(path.dirname(prefix), { recursive: true });
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.cpSync(path.join(destdir, prefix), prefix, { recursive: true });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`libsrtp2 ${version} built with OpenSSL in ${elapsed(t)}`);
  return prefix;
}

// Callmark's changes to the worker's C++ live in media/worker-patch/ (its README says what each one
// does and why): CallmarkRecordingSink.hpp, copied into the sources, and unified diffs applied in
// order with Debian's patch. No fuzz (--fuzz=0): a hunk whose context is not exactly as in the
// pinned mediasoup fails the install instead of landing somewhere else.
const WORKER_PATCH_DIR = path.join(root, 'media', 'worker-patch');
const RECORDING_SINK = path.join(WORKER_PATCH_DIR, 'CallmarkRecordingSink.hpp');
const WORKER_PATCHES = ['recording-sink.patch', 'per-packet-cost.patch', 'udp-read.patch', 'uring-send.patch'].map((f) => path.join(WORKER_PATCH_DIR, f));

function patchWorkerSources(workerDir) {
  fs.copyFileSync(RECORDING_SINK, path.join(workerDir, 'include', 'RTC', 'CallmarkRecordingSink.hpp'));
  for (const file of WORKER_PATCHES) {
    const name = path.relative(root, file);
    const res = spawnSync('patch', ['-p1', '--forward', '--batch', '--fuzz=0', '--no-backup-if-mismatch', '-d', workerDir, '-i', file], { encoding: 'utf8' });
    if (res.error) fail(`could not run patch to apply ${name}: ${res.error.message}`);
    if (res.status !== 0) fail(`${name} does not apply to mediasoup ${MEDIASOUP_VERSION}'s worker sources (patch exited with ${res.status ?? res.signal}):\n${`${res.stdout}${res.stderr}`.trim()}`);
  }
}

async function mediasoupWorker() {
  const pkgDir = path.join(root, 'node_modules', 'mediasoup');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== MEDIASOUP_VERSION) fail(`mediasoup ${MEDIASOUP_VERSION} is pinned but ${version} is installed`);
  // Where mediasoup looks for its worker unless MEDIASOUP_WORKER_BIN names another one.
  const target = path.join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  const stamp = `${target}.recipe`;
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime ?? 'unknown';
  const srtpVersion = debianVersion('libsrtp2-1');
  // liburing is linked in statically as well (uring-send.patch): a Debian update of it rebuilds the worker.
  const uringVersion = debianVersion('liburing-dev');
  // The patches' own text (and their order) is part of the name, so that changing one rebuilds the worker.
  const patchHash = createHash('sha256').update(fs.readFileSync(RECORDING_SINK));
  for (const file of WORKER_PATCHES) patchHash.update(path.basename(file)).update(fs.readFileSync(file));
  // libsrtp2 is linked in statically: its version and its patch's hash are part of the name too.
  const cacheName = `mediasoup-worker-${version}-${WORKER_RECIPE}-${patchHash.digest('hex').slice(0, 8)}-libsrtp2_${srtpVersion}-${libsrtpPatchHash()}-liburing_${uringVersion}-${process.platform}-${process.arch}-glibc${glibc}`;
  const usable = () => fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === cacheName && !workerProblem(target);
  if (usable()) return log(`mediasoup ${version}: worker present`);
  if (restoreFromCache(cacheName, target)) {
    fs.writeFileSync(stamp, cacheName);
    if (usable()) return log(`mediasoup ${version}: worker restored from ${cacheDir}`);
    log(`mediasoup ${version}: the cached worker cannot be used (${workerProblem(target)}); building it again`);
  }

  const t = Date.now();
  const cores = os.cpus().length;
  const srtp = libsrtpFromDebianSource();
  log(`mediasoup ${version}: building the worker against Debian's OpenSSL 3, libuv, usrsctp and abseil, and libsrtp2 ${srtpVersion} on ${cores} cores (a few minutes; progress below)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-mediasoup-worker-'));
  const env = { ...process.env, PKG_CONFIG_PATH: [path.join(srtp, 'lib', 'pkgconfig'), process.env.PKG_CONFIG_PATH].filter(Boolean).join(path.delimiter) };
  try {
    const src = path.join(work, 'worker');
    fs.cpSync(path.join(pkgDir, 'worker'), src, { recursive: true, filter: (p) => !p.startsWith(path.join(pkgDir, 'worker', 'out')) });
    patchMesonForDebian(src);
    patchWorkerSources(src);
    const out = path.join(work, 'out');
    run('meson', ['setup', '--buildtype', 'release', '-Db_ndebug=true', '-Db_pie=true', '-Db_staticpic=true', out], { cwd: src, env, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      await buildWithProgress('ninja', ['-C', out, `-j${cores}`, 'mediasoup-worker'], { cwd: src, env }, 'mediasoup worker');
    } catch (err) {
      fail(err.message);
    }
    const built = path.join(out, 'mediasoup-worker');
    const problem = workerProblem(built);
    if (problem) fail(`the mediasoup worker that was built cannot be used: ${problem}`);
    saveToCache(cacheName, built);
    installFile(built, target);
    fs.writeFileSync(stamp, cacheName);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`mediasoup worker built in ${elapsed(t)}`);
}

// ---------------------------------------------------------------- 5. small native programs (cc)
// Each is a C file or a few, compiled in about a second, rebuilt when a source, a header next to them or
// the flags change.
const NATIVE_BIN_DIR = path.join(root, 'node_modules', '.callmark', 'bin');

function nativePrograms() {
  const programs = [
    // Takes the RTP the call recorder receives off Node's per-packet path (media/recording/), and
    // writes the live stereo recordings itself (placing, pairing, Ogg pages; the writes on threads).
    {
      name: 'callmark-rtp-receiver',
      source: 'media/recording/native/rtp-receiver.c',
      extra: ['control.c', 'recording.c', 'relay.c', 'mux.c', 'opus.c', 'ogg-writer.c', 'write-queue.c'].map((f) => `media/recording/native/${f}`),
      headers: ['control.h', 'recording.h', 'relay.h', 'mux.h', 'opus.h', 'ogg-writer.h', 'write-queue.h'].map((f) => `media/recording/native/${f}`),
      libs: ['-lm', '-pthread'],
    },
    // Gives the mediasoup workers a short scheduler slice (media/worker-pool.ts): sched_setattr, which
    // Node has no API for.
    { name: 'callmark-sched-slice', source: 'media/native/sched-slice.c', libs: [] },
  ];
  // The benchmark's load generator: plain RTP and SRTP (libsrtp2) parties for rtpengine and Callmark.
  // Linked with the same libsrtp2 as the worker (OpenSSL crypto), so that its SRTP costs it little.
  if (forBench) {
    const srtp = libsrtpFromDebianSource();
    programs.push({ name: 'rtp-loadgen', source: 'bench/native/rtp-loadgen.c', libs: [`-I${path.join(srtp, 'include')}`, path.join(srtp, 'lib', 'libsrtp2.a'), '-lcrypto'] });
  }
  fs.mkdirSync(NATIVE_BIN_DIR, { recursive: true });
  for (const p of programs) {
    const target = path.join(NATIVE_BIN_DIR, p.name);
    const flags = ['-O2', '-Wall', '-Wextra', '-Werror'];
    const sources = [p.source, ...(p.extra ?? [])];
    const hash = createHash('sha256');
    for (const f of [...sources, ...(p.headers ?? [])]) hash.update(f).update(fs.readFileSync(path.join(root, f)));
    const want = hash.update(flags.join(' ') + p.libs.join(' ')).digest('hex');
    const stamp = `${target}.sha256`;
    if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) continue;
    run('cc', [...flags, '-o', target, ...sources.map((f) => path.join(root, f)), ...p.libs]);
    fs.writeFileSync(stamp, want);
    log(`${p.name}: compiled from ${p.source}`);
  }
}

// ---------------------------------------------------------------- 6. build server and client
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
nativePrograms();
if (!process.argv.includes('--no-build')) buildApp();
log(`ready (${elapsed(started)})`);
