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
//      OpenSSL 3, libsrtp2, libuv, usrsctp and abseil, with Callmark's recording patch
//      (media/worker-patch/) and its per-packet patches, cached outside the work tree.
//   5. Small native programs compiled with cc: the recorder's RTP receiver (and, for benchmarks,
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
  const workerLibs = { openssl: 'libssl-dev', libuv: 'libuv1-dev', usrsctp: 'libusrsctp-dev', nlohmann_json: 'nlohmann-json3-dev', absl_flat_hash_map: 'libabsl-dev', absl_btree: 'libabsl-dev' };
  for (const module of WORKER_PKGCONFIG) wanted.push({ module, pkg: workerLibs[module], why: 'the mediasoup worker' });
  // libsrtp2 is built from Debian's source package of the installed libsrtp2-1 (see 4a).
  wanted.push({ deb: 'libsrtp2-1', pkg: 'libsrtp2-1', why: 'the version of libsrtp2 the worker is built from' });
  wanted.push({ cmd: 'dpkg-source', pkg: 'dpkg-dev', why: "unpacking Debian's libsrtp2 source" });
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
// temporary directory, patched (patchMesonForDebian; patchWorkerForRecording, patchWorkerPerPacketCost
// and patchWorkerUdpRead, Callmark's changes to the worker's C++) and built with Debian's meson and ninja.
const WORKER_RECIPE = 'debian-meson-4-per-packet'; // bump when a patch or the build flags change
const WORKER_PKGCONFIG = ['openssl', 'libuv', 'usrsctp', 'nlohmann_json', 'absl_flat_hash_map', 'absl_btree'];

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
      '',
    ].join('\n') + s.slice(to);
    s = s.replace(/\ndependencies = \[[^\]]*\]/, '\ndependencies = [absl_container_dep, openssl_dep, nlohmann_json_dep, libuv_dep, libsrtp2_dep, usrsctp_dep, libwebrtc_dep]');
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
  const prefix = path.join(cacheDir, `libsrtp2-${version}-openssl-${process.platform}-${process.arch}`);
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
    // Installed under DESTDIR first and moved into place whole, so that an interrupted build leaves
    // nothing that looks finished (libsrtp2.pc names the final prefix).
    const destdir = path.join(work, 'destdir');
    run('meson', ['setup', 'build', `--prefix=${prefix}`, '--libdir=lib', '--buildtype=release', '-Db_staticpic=true', '-Ddefault_library=static',
      '-Dcrypto-library=openssl', '-Dcrypto-library-kdf=disabled', '-Dtests=disabled', '-Ddoc=disabled'], { cwd: path.join(work, 'src'), stdio: ['ignore', 'ignore', 'inherit'] });
    run('ninja', ['-C', 'build', 'install'], { cwd: path.join(work, 'src'), env: { ...process.env, DESTDIR: destdir }, stdio: ['ignore', 'ignore', 'inherit'] });
    fs.mkdirSync(path.dirname(prefix), { recursive: true });
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.cpSync(path.join(destdir, prefix), prefix, { recursive: true });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`libsrtp2 ${version} built with OpenSSL in ${elapsed(t)}`);
  return prefix;
}

/**
 * Callmark's change to where the recording's RTP goes (media/worker-patch/CallmarkRecordingSink.hpp):
 * a PlainTransport connected to the call recorder's receiver hands it RTP in batches over a Unix
 * socket instead of one UDP datagram per packet. Every other transport sends as before.
 */
const RECORDING_SINK = path.join(root, 'media', 'worker-patch', 'CallmarkRecordingSink.hpp');
function patchWorkerForRecording(workerDir) {
  const edit = (rel, from, to) => {
    const file = path.join(workerDir, rel);
    const before = fs.readFileSync(file, 'utf8');
    if (before.split(from).length !== 2) fail(`unexpected ${rel} in mediasoup ${MEDIASOUP_VERSION}: the recording patch does not apply`);
    fs.writeFileSync(file, before.replace(from, to));
  };
  fs.copyFileSync(RECORDING_SINK, path.join(workerDir, 'include', 'RTC', 'CallmarkRecordingSink.hpp'));
  edit('include/RTC/PlainTransport.hpp', '#include "RTC/Shared.hpp"\n', '#include "RTC/CallmarkRecordingSink.hpp"\n#include "RTC/Shared.hpp"\n');
  edit('include/RTC/PlainTransport.hpp', '\t\tRTC::SrtpSession* srtpSendSession{ nullptr };\n',
    '\t\tRTC::SrtpSession* srtpSendSession{ nullptr };\n\t\tRTC::CallmarkRecordingSink* callmarkRecordingSink{ nullptr };\n');
  // On connect(): a plain (non-SRTP) transport toward a recording receiver uses its sink.
  edit('src/RTC/PlainTransport.cpp',
    '\t\t\t\t\t\t// Create the tuple.\n\t\t\t\t\t\tthis->tuple = new RTC::TransportTuple(\n\t\t\t\t\t\t  this->udpSocket, reinterpret_cast<struct sockaddr*>(&this->remoteAddrStorage));\n',
    '\t\t\t\t\t\t// Create the tuple.\n\t\t\t\t\t\tthis->tuple = new RTC::TransportTuple(\n\t\t\t\t\t\t  this->udpSocket, reinterpret_cast<struct sockaddr*>(&this->remoteAddrStorage));\n\n'
      + '\t\t\t\t\t\tif (!HasSrtp())\n\t\t\t\t\t\t\tthis->callmarkRecordingSink = RTC::CallmarkRecordingSink::For(ip, port);\n');
  // Sending RTP: into the sink's batch instead of a datagram.
  edit('src/RTC/PlainTransport.cpp',
    '\t\tconst uint8_t* data = packet->GetData();\n\t\tauto intLen         = static_cast<int>(packet->GetSize());\n\n\t\tif (HasSrtp() && !this->srtpSendSession->EncryptRtp(&data, &intLen))',
    '\t\tif (this->callmarkRecordingSink)\n\t\t{\n\t\t\tthis->callmarkRecordingSink->Append(this->udpSocket->GetLocalPort(), packet->GetData(), packet->GetSize());\n\n'
      + '\t\t\tif (cb)\n\t\t\t{\n\t\t\t\t(*cb)(true);\n\t\t\t\tdelete cb;\n\t\t\t}\n\n\t\t\tRTC::Transport::DataSent(packet->GetSize());\n\n\t\t\treturn;\n\t\t}\n\n'
      + '\t\tconst uint8_t* data = packet->GetData();\n\t\tauto intLen         = static_cast<int>(packet->GetSize());\n\n\t\tif (HasSrtp() && !this->srtpSendSession->EncryptRtp(&data, &intLen))');
}

/**
 * Callmark's changes to the worker's per-packet cost (measured in bench/README.md, "Where the
 * worker's share goes"); what they leave out only touches statistics the product does not read.
 *  - Milliseconds from the event loop's clock: `DepLibUV::GetTimeMs()` read the monotonic clock
 *    (`uv_hrtime`, a vDSO `clock_gettime`) about a dozen times per forwarded packet, for rate
 *    counters, jitter and RTCP; it now returns libuv's loop time (`uv_now`: the same monotonic clock
 *    in ms, read when the loop wakes, i.e. at most one wake's work behind).
 *  - Coarser rate windows: a `RateCalculator` kept 100 slots per window (10 ms each for the 1-s
 *    transport counters, 25 ms for the 2.5-s stream counters), so nearly every packet opened a new
 *    slot and cleared an expired one (a cache miss each, seven counters per forwarded packet); 10
 *    slots per window make that one packet in five. Bitrates in getStats() move in 100/250-ms steps;
 *    packet and byte counts are exact as before.
 */
function patchWorkerPerPacketCost(workerDir) {
  const edit = (rel, from, to) => {
    const file = path.join(workerDir, rel);
    const before = fs.readFileSync(file, 'utf8');
    if (before.split(from).length !== 2) fail(`unexpected ${rel} in mediasoup ${MEDIASOUP_VERSION}: the per-packet patch does not apply`);
    fs.writeFileSync(file, before.replace(from, to));
  };
  edit('include/DepLibUV.hpp', '\t\treturn static_cast<uint64_t>(uv_hrtime() / 1000000u);\n',
    '\t\treturn DepLibUV::loop ? uv_now(DepLibUV::loop) : static_cast<uint64_t>(uv_hrtime() / 1000000u);\n');
  edit('include/RTC/RateCalculator.hpp', 'static constexpr uint16_t DefaultWindowItems{ 100u };', 'static constexpr uint16_t DefaultWindowItems{ 10u };');
}

/**
 * One receive system call per readable wake (bench/README.md, "Where the worker's share goes"):
 * libuv's UDP read loops until the socket says EAGAIN, so a socket with one datagram waiting (a
 * party's 50 packets/s, each alone) costs two recvmmsg calls, the second one empty. The worker's
 * UDP sockets are instead watched by a uv_poll_t (level-triggered) and read by one recvmmsg of up to
 * 8 datagrams; what is left is read at the next wake. A send that would block (the socket's send
 * buffer full) is dropped as the network would drop it, instead of being queued by uv_udp_send,
 * which would register the socket a second time in the event loop.
 */
function patchWorkerUdpRead(workerDir) {
  const editFile = (rel, fn) => {
    const file = path.join(workerDir, rel);
    const before = fs.readFileSync(file, 'utf8');
    const after = fn(before);
    if (after === undefined || after === before) fail(`unexpected ${rel} in mediasoup ${MEDIASOUP_VERSION}: the UDP read patch does not apply`);
    fs.writeFileSync(file, after);
  };
  const once = (src, from, to) => (src.split(from).length === 2 ? src.replace(from, to) : undefined);
  const between = (src, from, to, text) => {
    const a = src.indexOf(from);
    const b = src.indexOf(to, a + 1);
    return a < 0 || b < 0 || src.indexOf(from, a + 1) >= 0 ? undefined : src.slice(0, a) + text + src.slice(b);
  };
  editFile('include/handles/UdpSocketHandler.hpp', (s) => {
    const t = once(s, '\tvoid OnUvSend(int status, UdpSocketHandler::onSendCallback* cb);\n',
      '\tvoid OnUvSend(int status, UdpSocketHandler::onSendCallback* cb);\n\tvoid OnUvReadable();\n');
    return t && once(t, '\tuv_udp_t* uvHandle{ nullptr };\n',
      '\tuv_udp_t* uvHandle{ nullptr };\n\tuv_poll_t* uvPoll{ nullptr };\n\tint fd{ -1 };\n\t// Set while OnUvReadable() hands datagrams up, cleared if this is deleted meanwhile.\n\tbool* alive{ nullptr };\n');
  });
  editFile('src/handles/UdpSocketHandler.cpp', (s) => {
    let t = once(s, '#include <cstring> // std::memcpy()\n', '#include "DepLibUV.hpp"\n#include <cerrno>\n#include <cstring> // std::memcpy()\n#include <sys/socket.h>\n');
    t = t && once(t, 'inline static void onCloseUdp(uv_handle_t* handle)\n',
      'inline static void onPoll(uv_poll_t* handle, int status, int events)\n{\n\tauto* socket = static_cast<UdpSocketHandler*>(handle->data);\n\n'
      + '\tif (socket && status == 0 && (events & UV_READABLE) != 0)\n\t\tsocket->OnUvReadable();\n}\n\n'
      + 'inline static void onClosePoll(uv_handle_t* handle)\n{\n\tdelete reinterpret_cast<uv_poll_t*>(handle);\n}\n\n'
      + 'inline static void onCloseUdp(uv_handle_t* handle)\n');
    t = t && between(t, '\terr = uv_udp_recv_start(\n', '\t// Set local address.\n', '');
    t = t && once(t, '\t\tMS_THROW_ERROR("error setting local IP and port");\n\t}\n}\n', '\t\tMS_THROW_ERROR("error setting local IP and port");\n\t}\n\n'
      + '\t// Callmark: read through a poll handle, one recvmmsg per wake (OnUvReadable()).\n'
      + '\terr = uv_fileno(reinterpret_cast<uv_handle_t*>(this->uvHandle), &this->fd);\n\n'
      + '\tif (err == 0)\n\t{\n\t\tthis->uvPoll = new uv_poll_t;\n\t\terr          = uv_poll_init(DepLibUV::GetLoop(), this->uvPoll, this->fd);\n\n'
      + '\t\tif (err == 0)\n\t\t{\n\t\t\tthis->uvPoll->data = static_cast<void*>(this);\n\t\t\terr = uv_poll_start(this->uvPoll, UV_READABLE, static_cast<uv_poll_cb>(onPoll));\n\n'
      + '\t\t\tif (err != 0)\n\t\t\t\tuv_close(reinterpret_cast<uv_handle_t*>(this->uvPoll), static_cast<uv_close_cb>(onClosePoll));\n\t\t}\n'
      + '\t\telse\n\t\t{\n\t\t\tdelete this->uvPoll;\n\t\t}\n\t}\n\n'
      + '\tif (err != 0)\n\t{\n\t\tuv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), static_cast<uv_close_cb>(onCloseUdp));\n\n'
      + '\t\tMS_THROW_ERROR("uv_poll_start() failed: %s", uv_strerror(err));\n\t}\n}\n');
    t = t && once(t, '\tif (!this->closed)\n\t\tClose();\n}\n',
      '\tif (this->alive)\n\t\t*this->alive = false;\n\n\tif (!this->closed)\n\t\tClose();\n}\n');
    t = t && between(t, '\t// Don\'t read more.\n\tconst int err = uv_udp_recv_stop(this->uvHandle);\n', '\tuv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), static_cast<uv_close_cb>(onCloseUdp));\n}\n',
      '\t// Don\'t read more.\n\tconst int err = uv_poll_stop(this->uvPoll);\n\n\tif (err != 0)\n\t\tMS_ABORT("uv_poll_stop() failed: %s", uv_strerror(err));\n\n'
      + '\tthis->uvPoll->data = nullptr;\n\tuv_close(reinterpret_cast<uv_handle_t*>(this->uvPoll), static_cast<uv_close_cb>(onClosePoll));\n\n');
    t = t && between(t, '\tauto* sendData = new UvSendData(len);\n', 'bool UdpSocketHandler::SetLocalAddress()\n',
      '\t// Callmark: the send buffer is full (or the send failed): drop the datagram, as the network\n'
      + '\t// would. uv_udp_send() would queue it and watch the socket for writing, a second registration\n'
      + '\t// of this socket beside the poll handle that reads it.\n'
      + '\tMS_WARN_DEV("uv_udp_try_send() failed, datagram dropped: %s", uv_strerror(sent));\n\n'
      + '\tif (cb)\n\t{\n\t\t(*cb)(false);\n\t\tdelete cb;\n\t}\n}\n\n'
      + 'void UdpSocketHandler::OnUvReadable()\n{\n\tMS_TRACE();\n\n'
      + '\tstatic constexpr size_t Slots{ 8 };\n\tstatic constexpr size_t SlotSize{ ReadBufferSize / Slots };\n\n'
      + '\tstruct mmsghdr msgs[Slots];\n\tstruct iovec iovs[Slots];\n\tstruct sockaddr_storage addrs[Slots];\n\n'
      + '\tfor (size_t i = 0; i < Slots; ++i)\n\t{\n\t\tiovs[i].iov_base = ReadBuffer + (i * SlotSize);\n\t\tiovs[i].iov_len  = SlotSize;\n'
      + '\t\tstd::memset(&msgs[i], 0, sizeof(msgs[i]));\n\t\tmsgs[i].msg_hdr.msg_name    = &addrs[i];\n\t\tmsgs[i].msg_hdr.msg_namelen = sizeof(addrs[i]);\n'
      + '\t\tmsgs[i].msg_hdr.msg_iov     = &iovs[i];\n\t\tmsgs[i].msg_hdr.msg_iovlen  = 1;\n\t}\n\n'
      + '\tint count;\n\n\tdo\n\t{\n\t\tcount = recvmmsg(this->fd, msgs, Slots, MSG_DONTWAIT, nullptr);\n\t} while (count < 0 && errno == EINTR);\n\n'
      + '\tif (count <= 0)\n\t\treturn;\n\n'
      + '\tbool isAlive = true;\n\n\tthis->alive = &isAlive;\n\n'
      + '\tfor (int i = 0; i < count && isAlive && !this->closed; ++i)\n\t{\n'
      + '\t\tif ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0)\n\t\t{\n\t\t\tMS_ERROR("received datagram was truncated due to insufficient buffer, ignoring it");\n\n\t\t\tcontinue;\n\t\t}\n\n'
      + '\t\tif (msgs[i].msg_len == 0)\n\t\t\tcontinue;\n\n'
      + '\t\tthis->recvBytes += msgs[i].msg_len;\n\n'
      + '\t\tUserOnUdpDatagramReceived(\n\t\t  static_cast<const uint8_t*>(iovs[i].iov_base), msgs[i].msg_len, reinterpret_cast<const struct sockaddr*>(&addrs[i]));\n\t}\n\n'
      + '\tif (isAlive)\n\t\tthis->alive = nullptr;\n}\n\n');
    return t;
  });
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
  // The patches' own text is part of the name, so that changing one rebuilds the worker.
  const patchHash = createHash('sha256').update(fs.readFileSync(RECORDING_SINK))
    .update([patchWorkerForRecording, patchWorkerPerPacketCost, patchWorkerUdpRead].map(String).join('\n')).digest('hex').slice(0, 8);
  const cacheName = `mediasoup-worker-${version}-${WORKER_RECIPE}-${patchHash}-libsrtp2_${srtpVersion}-${process.platform}-${process.arch}-glibc${glibc}`;
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
    patchWorkerForRecording(src);
    patchWorkerPerPacketCost(src);
    patchWorkerUdpRead(src);
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
// Each is one C file compiled in about a second, rebuilt when its source or flags change.
const NATIVE_BIN_DIR = path.join(root, 'node_modules', '.callmark', 'bin');

function nativePrograms() {
  const programs = [
    // Takes the RTP the call recorder receives off Node's per-packet path (media/recording/).
    { name: 'callmark-rtp-receiver', source: 'media/recording/native/rtp-receiver.c', libs: [] },
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
    const want = createHash('sha256').update(fs.readFileSync(path.join(root, p.source))).update(flags.join(' ') + p.libs.join(' ')).digest('hex');
    const stamp = `${target}.sha256`;
    if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) continue;
    run('cc', [...flags, '-o', target, path.join(root, p.source), ...p.libs]);
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
