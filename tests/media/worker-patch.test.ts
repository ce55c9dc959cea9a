// media/worker-patch/: Callmark's patches to the mediasoup worker's C++, applied here as
// scripts/setup.mjs applies them (Debian's patch, in setup's order, no fuzz) to a copy of the
// installed mediasoup's worker sources, so a patch that no longer applies fails here in a second
// instead of in a worker build of minutes. That the built worker carries them: worker-binary.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const patchDir = path.join(root, 'media', 'worker-patch');
const workerSources = path.join(root, 'node_modules', 'mediasoup', 'worker');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-worker-patch-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The patch files in the order setup applies them (its WORKER_PATCHES list). */
function setupOrder(): string[] {
  const setup = fs.readFileSync(path.join(root, 'scripts', 'setup.mjs'), 'utf8');
  const list = /const WORKER_PATCHES = \[([^\]]*)\]/.exec(setup);
  if (!list) throw new Error('scripts/setup.mjs no longer has a WORKER_PATCHES list');
  return [...list[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

const applyPatch = (dir: string, name: string) => spawnSync('patch',
  ['-p1', '--forward', '--batch', '--fuzz=0', '--no-backup-if-mismatch', '-d', dir, '-i', path.join(patchDir, name)], { encoding: 'utf8' });

describe('the mediasoup worker patches', () => {
  it('setup applies every .patch of media/worker-patch/, each headed by its explanation', () => {
    const order = setupOrder();
    expect([...order].sort()).toEqual(fs.readdirSync(patchDir).filter((f) => f.endsWith('.patch')).sort());
    for (const name of order) {
      const text = fs.readFileSync(path.join(patchDir, name), 'utf8');
      const firstDiff = text.indexOf('\n--- a/');
      expect(firstDiff, name).toBeGreaterThan(0);
      expect(text.slice(0, firstDiff).trim().split('\n').length, `${name}: explanation before the diff`).toBeGreaterThan(3);
    }
  });

  it("apply in setup's order, without fuzz, to the installed mediasoup's worker sources, and only once", () => {
    const src = path.join(work, 'worker');
    fs.cpSync(workerSources, src, { recursive: true, filter: (p) => !p.startsWith(path.join(workerSources, 'out')) });
    fs.copyFileSync(path.join(patchDir, 'CallmarkRecordingSink.hpp'), path.join(src, 'include', 'RTC', 'CallmarkRecordingSink.hpp'));
    for (const name of setupOrder()) {
      const res = applyPatch(src, name);
      expect(res.status, `${name}: ${res.stdout}${res.stderr}`).toBe(0);
    }
    const read = (rel: string) => fs.readFileSync(path.join(src, rel), 'utf8');
    expect(read('src/RTC/PlainTransport.cpp')).toContain('this->callmarkRecordingSink = RTC::CallmarkRecordingSink::For(ip, port);');
    expect(read('include/DepLibUV.hpp')).toContain('return DepLibUV::loop ? uv_now(DepLibUV::loop)');
    expect(read('include/RTC/RateCalculator.hpp')).toContain('DefaultWindowItems{ 10u }');
    expect(read('src/handles/UdpSocketHandler.cpp')).toContain('count = recvmmsg(this->fd, msgs, Slots, MSG_DONTWAIT, nullptr);');
    expect(read('src/handles/UdpSocketHandler.cpp')).not.toContain('uv_udp_recv_start(');
    expect(read('src/handles/UdpSocketHandler.cpp')).toContain('io_uring_prep_sendmsg(sqe, fd, &slot->msg, MSG_DONTWAIT);');
    expect(read('src/handles/UdpSocketHandler.cpp')).toContain('if (CallmarkUringSend::Queue(this, this->fd, data, len, addr, cb))');
    // A second application is refused (--forward), as setup refuses a patch that does not apply.
    expect(applyPatch(src, 'recording-sink.patch').status).not.toBe(0);
  });
});
