// The mediasoup worker must use maintained crypto: Debian's OpenSSL 3 (DTLS, and the AES/HMAC of
// SRTP), a shared library updated with the system, and libsrtp2 built by scripts/setup.mjs from
// Debian's source package of the installed libsrtp2 version, never a copy of OpenSSL 1.1 built into
// the binary (mediasoup 3.8.4's worker carried OpenSSL 1.1.1k of 2021, end of life).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
// The binary mediasoup runs: MEDIASOUP_WORKER_BIN if set, else the one scripts/setup.mjs built.
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../media/index.js';

const systemLib = (name: string) => new RegExp(`${name.replace(/\./g, '\\.')} => /(usr/)?lib/[^ ]+/${name.replace(/\./g, '\\.')}`);
/** Upstream part of the installed Debian libsrtp2 (e.g. 2.5.0 of 2.5.0-3). */
const debianLibsrtp = () => spawnSync('dpkg-query', ['-W', '-f=${Version}', 'libsrtp2-1'], { encoding: 'utf8' }).stdout.trim().replace(/-[^-]+$/, '');

describe('the mediasoup worker binary', () => {
  it('contains no OpenSSL 1.x version string', () => {
    const text = fs.readFileSync(workerBin).toString('latin1');
    expect(text.match(/OpenSSL 1\.[01]\.\d+[a-z]*[^\0]*/g) ?? []).toEqual([]);
  });

  it('links the system libssl.so.3 and libcrypto.so.3 (ldd), nothing missing, and libsrtp2 of the installed Debian version', () => {
    const ldd = spawnSync('ldd', [workerBin], { encoding: 'utf8' });
    expect(ldd.status).toBe(0);
    expect(ldd.stdout).not.toContain('not found');
    expect(ldd.stdout).toMatch(systemLib('libssl.so.3'));
    expect(ldd.stdout).toMatch(systemLib('libcrypto.so.3'));
    // Not Debian's binary libsrtp2 (NSS crypto, 5× slower per packet): built from its source with OpenSSL.
    expect(ldd.stdout).not.toMatch(/libsrtp2\.so|libnss3\.so/);
    expect(debianLibsrtp()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.readFileSync(workerBin).toString('latin1')).toContain(`libsrtp2 ${debianLibsrtp()}`);
  });

  it("carries Callmark's recording patch (media/worker-patch/): the recorder's batch socket name", () => {
    expect(fs.readFileSync(workerBin).toString('latin1')).toContain('callmark-rtp-');
  });

  it("carries Callmark's io_uring send patch, with liburing linked in (no liburing.so needed at run time)", () => {
    expect(fs.readFileSync(workerBin).toString('latin1')).toContain('callmark: io_uring not used for UDP sends');
    const ldd = spawnSync('ldd', [workerBin], { encoding: 'utf8' });
    expect(ldd.stdout).not.toMatch(/liburing\.so/);
  });

  it('is what a running worker executes, with the system libssl and libcrypto mapped', async () => {
    const pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 41200, rtcMaxPort: 41299 });
    try {
      const pid = pool.health().workers[0]!.pid;
      expect(fs.realpathSync(`/proc/${pid}/exe`)).toBe(fs.realpathSync(workerBin));
      const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
      expect(maps).toMatch(/\/libssl\.so\.3\n/);
      expect(maps).toMatch(/\/libcrypto\.so\.3\n/);
    } finally {
      await pool.close();
    }
  });
});
