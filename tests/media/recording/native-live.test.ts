// The receiver process (media/recording/native/rtp-receiver.c) live, with real UDP and real files:
// a recording whose disk stalls must not stall the others or the process's reads, and a leg's
// counters reach Node while the call runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggPage, opusHead, opusTags, readOggPackets } from '../../../media/recording/ogg.js';
import { monoMs, opus20ms, receiverBinary, rtpSender, startReceiverProcess, talk } from '../../support/rtp-receiver-process.js';
import { sleep, until } from '../../support/until.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-native-live-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every page of `file` whole and checksummed (readOggPackets checks both). */
const packetsOf = (file: string) => readOggPackets(fs.readFileSync(file));

/**
 * An open(2) that blocks: a read lease (fcntl F_SETLEASE, F_RDLCK) held by a process that ignores
 * the kernel's SIGIO. Another process's open of the file for writing waits for the lease to go, up to
 * /proc/sys/fs/lease-break-time (45 s by default): a stalled filesystem, as an NFS server that is gone.
 */
async function holdLease(file: string): Promise<ChildProcess> {
  const script = [
    'import fcntl, os, signal, sys, time',
    'signal.signal(signal.SIGIO, signal.SIG_IGN)',
    'fd = os.open(sys.argv[1], os.O_RDONLY)',
    'fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)',
    "print('leased', flush=True)",
    'time.sleep(120)',
  ].join('\n');
  const holder = spawn('python3', ['-c', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`the lease holder exited (${code})`)));
  });
  return holder;
}

/** The Ogg pages of `buf`: their flags and granule positions (RFC 3533 §6). */
function pageHeaders(buf: Buffer): Array<{ flags: number; granule: bigint }> {
  const pages: Array<{ flags: number; granule: bigint }> = [];
  for (let off = 0; off + 27 <= buf.length && buf.toString('latin1', off, off + 4) === 'OggS'; ) {
    const segments = buf[off + 26]!;
    let size = 27 + segments;
    for (let i = 0; i < segments; i++) size += buf[off + 27 + i]!;
    pages.push({ flags: buf[off + 5]!, granule: buf.readBigInt64LE(off + 6) });
    off += size;
  }
  return pages;
}

describe.skipIf(!fs.existsSync(receiverBinary))('the receiver process, live', () => {
  // A FIFO nobody reads is a disk that stalls: once its 64 KiB pipe buffer is full, write(2) blocks.
  it('keeps reading and recording everything else while one recording\'s file blocks its writes, and fails that one visibly', async () => {
    const stalled = path.join(dir, 'stalled.ogg');
    expect(spawnSync('mkfifo', [stalled]).status).toBe(0);
    const healthy = path.join(dir, 'healthy.ogg');
    const receiver = await startReceiverProcess();
    const big = await rtpSender(receiver.port, 0x1111);
    const small = await rtpSender(receiver.port, 0x2222);
    let drainer: fs.ReadStream | undefined;
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${stalled}`);
      receiver.line(`leg 1 1 0 ${big.port} ${big.ssrc} ${t0}`);
      receiver.line(`open 2 ${t0} 2 0 ${t0} ${healthy}`);
      receiver.line(`leg 2 1 1 ${small.port} ${small.ssrc} ${t0}`);
      // 64 kB/s into the stalled file (1275-byte frames, the largest Opus allows), a normal call into the other.
      const roundTrips: number[] = [];
      let failedAt: number | undefined;
      for (let i = 0; i < 400 && failedAt === undefined; i++) {
        big.send(opus20ms(1274, i & 0xff));
        small.send(opus20ms(60, i & 0xff));
        if (i % 10 === 0) roundTrips.push(await receiver.markRoundTrip(3000));
        else await sleep(20);
        if (receiver.events.some((e) => e.text.startsWith('error 1 '))) failedAt = i;
      }
      // The process answered every read mark: its reads never waited for the stalled write (which
      // never ends: nobody reads the FIFO, so a loop that waited would answer no mark at all and
      // markRoundTrip would throw). The bound is loose because the round trip includes this test
      // process's own event loop, which a full suite run on 2 cores delays: 251 ms was seen there.
      expect(Math.max(...roundTrips)).toBeLessThan(1000);
      // The stalled recording failed, through the failed-write event, once its queue was full: not
      // at once (some seconds of audio are held), and not never.
      expect(failedAt).toBeGreaterThan(100);
      const error = receiver.events.find((e) => e.text.startsWith('error 1 '))!.text;
      expect(error).toMatch(/^error 1 recording stalled\.ogg: writing stalled\.ogg failed \(ENOBUFS: .*\)$/);
      await talk(small, 50, 60, 0xee);
      await receiver.markRoundTrip(); // everything sent is read before the stop (Node's readUpTo)
      const stopAt = monoMs();
      receiver.line(`stop 2 ${stopAt}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 2 ')), 5000, 'the healthy recording to close');
      // Every packet of the healthy recording was placed and is in its file.
      const stats = receiver.events.findLast((e) => e.text.startsWith('stats 2 1 '))!.text.split(' ').map(Number);
      expect({ received: stats[3], forwarded: stats[4], dropped: stats[6] }).toEqual({ received: small.sent, forwarded: small.sent, dropped: 0 });
      const withAudio = packetsOf(healthy).filter((p) => p.data.length > 60);
      expect(withAudio).toHaveLength(small.sent);
      // The stalled one: a failed recording closes at once; its file is what was written, whole pages.
      receiver.line(`stop 1 ${stopAt}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the failed recording to close');
      const chunks: Buffer[] = [];
      drainer = fs.createReadStream(stalled);
      drainer.on('data', (c) => chunks.push(c as Buffer));
      await new Promise<void>((resolve) => drainer!.once('end', () => resolve()));
      const written = Buffer.concat(chunks);
      expect(written.length).toBeGreaterThan(64 << 10);
      expect(readOggPackets(written).length).toBeGreaterThan(10);
    } finally {
      big.close();
      small.close();
      // The stalled file's reader lets a writer stuck in it go, so that the process can end.
      drainer ??= fs.createReadStream(stalled).on('data', () => {});
      expect(await receiver.end()).toBe(0);
      drainer.destroy();
    }
  }, 30_000);

  it("sends a leg's counters while the call runs, about once a second and only when they changed", async () => {
    const file = path.join(dir, 'counters.ogg');
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x3333);
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${file}`);
      receiver.line(`leg 1 7 0 ${party.port} ${party.ssrc} ${t0}`);
      await talk(party, 125, 60, 0x5a);
      const sentMidCall = party.sent;
      const live = () => receiver.events.filter((e) => e.text.startsWith('stats 1 7 '));
      await until(() => live().some((e) => Number(e.text.split(' ')[3]) === sentMidCall), 2500, 'counters of every packet sent so far');
      const during = live();
      expect(during.length).toBeGreaterThanOrEqual(2); // the first ~1 s in, the next ~1 s later
      expect(during.length).toBeLessThanOrEqual(5);
      // Told to end (not yet closed), the leg's counters stop changing: nothing more is sent.
      receiver.line(`end 1 7 ${monoMs()}`);
      await sleep(1200);
      const quiet = live().length;
      await sleep(2500);
      expect(live().length).toBe(quiet);
      receiver.line('close-leg 1 7');
      receiver.line(`stop 1 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the recording to close');
      const last = live().at(-1)!.text.split(' ').map(Number);
      expect(last[3]).toBe(party.sent);
    } finally {
      party.close();
      expect(await receiver.end()).toBe(0);
    }
  }, 20_000);

  // A cohort starting writes many recordings' lines at once, and a loaded machine may not run the
  // receiver for a while: when it runs again its first read of stdin (4 KiB) can hold only part of
  // them while the parties' first packets are already in the socket. Each packet must still find the
  // leg whose line Node wrote before it was sent; before, it went to Node as an unknown packet and was lost.
  it('records a leg\'s first packets when its lines wait behind more than one read of other lines', async () => {
    const file = path.join(dir, 'behind-lines.ogg');
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x5555);
    try {
      receiver.child.kill('SIGSTOP');
      const t0 = monoMs();
      // One write, so that all of it is in the pipe (a socket pair: each small write costs
      // about 1 KiB of its buffer, and writes beyond it wait in this process) before the first packet is sent.
      receiver.line([...Array<string>(2100).fill('m'), `open 1 ${t0} 1 0 ${t0} ${file}`, `leg 1 1 0 ${party.port} ${party.ssrc} ${t0}`].join('\n'));
      await sleep(50);
      await talk(party, 5, 60);
      receiver.child.kill('SIGCONT');
      await talk(party, 20, 60);
      await receiver.markRoundTrip();
      receiver.line(`stop 1 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the recording to close');
      const stats = receiver.events.findLast((e) => e.text.startsWith('stats 1 1 '))!.text.split(' ').map(Number);
      expect({ received: stats[3], forwarded: stats[4] }).toEqual({ received: party.sent, forwarded: party.sent });
      expect(packetsOf(file).filter((p) => p.data.length > 60)).toHaveLength(party.sent);
    } finally {
      party.close();
      receiver.child.kill('SIGCONT');
      expect(await receiver.end()).toBe(0);
    }
  }, 20_000);

  it('never writes over a file already at a new recording\'s path: that recording fails and the file is unchanged', async () => {
    const file = path.join(dir, 'evidence.ogg');
    fs.writeFileSync(file, 'an earlier recording');
    const receiver = await startReceiverProcess();
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${file}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('error 1 ')), 5000, 'the failure');
      expect(receiver.events.find((e) => e.text.startsWith('error 1 '))!.text).toMatch(/^error 1 recording evidence\.ogg: opening evidence\.ogg failed \(EEXIST/);
      receiver.line(`stop 1 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the failed recording to close');
      expect(fs.readFileSync(file, 'utf8')).toBe('an earlier recording');
    } finally {
      expect(await receiver.end()).toBe(0);
    }
  });

  it('keeps recording everything else while one recording\'s open(2) blocks, says so within seconds and fails it after a bound', async () => {
    const healthy = path.join(dir, 'open-healthy.ogg');
    const leased = path.join(dir, 'leased.ogg');
    fs.writeFileSync(leased, '');
    const holder = await holdLease(leased);
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x4444);
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${healthy}`);
      receiver.line(`leg 1 1 1 ${party.port} ${party.ssrc} ${t0}`);
      await talk(party, 25, 60);
      // The second recording's file (one resumed after a receiver restart: a new one is created, and an
      // existing file is never opened for it) cannot be opened for now: its open must not stop the first one.
      const openedAt = monoMs();
      receiver.line(`open 2 ${openedAt} 2 1 ${openedAt} ${leased}`);
      receiver.line(`leg 2 1 0 40000 5 ${openedAt}`);
      const roundTrips: number[] = [];
      for (let i = 0; monoMs() - openedAt < 11_000; i++) {
        party.send(opus20ms(60, i & 0xff));
        if (i % 10 === 0) roundTrips.push(await receiver.markRoundTrip(3000));
        else await sleep(20);
      }
      // Every read mark answered promptly (a loop stuck in open(2) answers none: markRoundTrip throws).
      expect(Math.max(...roundTrips)).toBeLessThan(1000);
      // Told within seconds, naming the recording; failed with a clear reason after the bound.
      const slow = receiver.events.find((e) => e.text.startsWith('slow 2 '));
      expect(slow?.text).toMatch(/^slow 2 recording leased\.ogg: opening leased\.ogg has not finished after 2 s/);
      expect(slow!.readAtMs - openedAt).toBeLessThan(3500);
      const error = receiver.events.find((e) => e.text.startsWith('error 2 '));
      expect(error?.text).toMatch(/^error 2 recording leased\.ogg: reopening leased\.ogg failed \(open\(2\) had not returned after 10 s: the disk or filesystem is stalled\)$/);
      expect(error!.readAtMs - openedAt).toBeLessThan(11_000);
      expect(receiver.events.filter((e) => e.text.startsWith('error 1 ') || e.text.startsWith('slow 1 '))).toEqual([]);
      // The healthy recording got and wrote every packet.
      await receiver.markRoundTrip();
      receiver.line(`stop 1 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the healthy recording to close');
      const stats = receiver.events.findLast((e) => e.text.startsWith('stats 1 1 '))!.text.split(' ').map(Number);
      expect({ received: stats[3], forwarded: stats[4], dropped: stats[6] }).toEqual({ received: party.sent, forwarded: party.sent, dropped: 0 });
      expect(packetsOf(healthy).filter((p) => p.data.length > 60)).toHaveLength(party.sent);
      receiver.line(`stop 2 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 2 ')), 5000, 'the failed recording to close');
    } finally {
      party.close();
      holder.kill('SIGKILL'); // the lease goes: the blocked open returns, and the process can end
      expect(await receiver.end()).toBe(0);
    }
  }, 30_000);

  it('tells Node within seconds that a stopped recording\'s last writes are stalled, then its end once they are done', async () => {
    const stalled = path.join(dir, 'stop-stalled.ogg');
    expect(spawnSync('mkfifo', [stalled]).status).toBe(0);
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x5555);
    let drainer: fs.ReadStream | undefined;
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${stalled}`);
      receiver.line(`leg 1 1 0 ${party.port} ${party.ssrc} ${t0}`);
      // 64 kB/s: the FIFO's 64 KiB are full after about a second, and its writer blocks.
      await talk(party, 75, 1274);
      await receiver.markRoundTrip();
      const stopAt = monoMs();
      receiver.line(`stop 1 ${stopAt}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('slow 1 ')), 4000, 'a "slow" event for the stopped recording');
      const slow = receiver.events.find((e) => e.text.startsWith('slow 1 '))!;
      expect(slow.text).toMatch(/^slow 1 recording stop-stalled\.ogg: writing the last pages of stop-stalled\.ogg and its fsync have not finished after 2 s/);
      expect(slow.readAtMs - stopAt).toBeLessThan(3000);
      expect(receiver.events.some((e) => e.text.startsWith('closed 1 ') || e.text.startsWith('error 1 '))).toBe(false);
      // The disk comes back: the file is written to its end-of-stream page, and "closed" follows.
      const chunks: Buffer[] = [];
      drainer = fs.createReadStream(stalled);
      drainer.on('data', (c) => chunks.push(c as Buffer));
      const drained = new Promise<void>((resolve) => drainer!.once('end', () => resolve()));
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 5000, 'the recording to close once its file is written');
      await drained;
      const written = Buffer.concat(chunks);
      expect(readOggPackets(written).filter((p) => p.data.length > 1000)).toHaveLength(party.sent);
      expect(pageHeaders(written).at(-1)!.flags & 4).toBe(4);
      expect(receiver.events.some((e) => e.text.startsWith('error 1 '))).toBe(false);
    } finally {
      party.close();
      drainer ??= fs.createReadStream(stalled).on('data', () => {});
      expect(await receiver.end()).toBe(0);
      drainer.destroy();
    }
  }, 20_000);

  /**
   * A receiver that ends within `exitMs`, with recording 1 on a stalled file (a FIFO nobody reads:
   * 64 kB/s of the largest Opus frames fill it) and recording 2 on a healthy one, after 2 s of both.
   */
  async function stalledAndHealthy(name: string, exitMs: number) {
    const stalled = path.join(dir, `${name}-stalled.ogg`);
    expect(spawnSync('mkfifo', [stalled]).status).toBe(0);
    const healthy = path.join(dir, `${name}-healthy.ogg`);
    const receiver = await startReceiverProcess(10, exitMs);
    const big = await rtpSender(receiver.port, 0x6666);
    const small = await rtpSender(receiver.port, 0x7777);
    const t0 = monoMs();
    receiver.line(`open 1 ${t0} 1 0 ${t0} ${stalled}`);
    receiver.line(`leg 1 1 0 ${big.port} ${big.ssrc} ${t0}`);
    receiver.line(`open 2 ${t0} 2 0 ${t0} ${healthy}`);
    receiver.line(`leg 2 1 1 ${small.port} ${small.ssrc} ${t0}`);
    for (let i = 0; i < 100; i++) {
      big.send(opus20ms(1274, i & 0xff));
      small.send(opus20ms(60, i & 0xff));
      await sleep(20);
    }
    await receiver.markRoundTrip();
    expect(receiver.events.filter((e) => e.text.startsWith('error '))).toEqual([]); // stalled, not yet failed
    /** Closes the senders and lets a writer stuck in the FIFO go (after the process has ended). */
    const release = async () => {
      big.close();
      small.close();
      const drainer = fs.createReadStream(stalled).on('data', () => {});
      await sleep(100);
      drainer.destroy();
    };
    return { receiver, small, healthy, release };
  }

  /** The healthy recording is final (end-of-stream page) and complete (every packet sent), every page whole and checksummed. */
  function expectFinalAndComplete(file: string, sent: number) {
    const written = fs.readFileSync(file);
    expect(readOggPackets(written).filter((p) => p.data.length > 60)).toHaveLength(sent);
    expect(pageHeaders(written).at(-1)!.flags & 4).toBe(4);
  }

  it('ends within its bound when stdin closes while a file is stalled: the other recording is final and complete, the stalled one named', async () => {
    const exitMs = 2000;
    const { receiver, small, healthy, release } = await stalledAndHealthy('exit', exitMs);
    try {
      // The healthy recording is stopped and Node goes away at once: its last pages and fsync are
      // done while the process ends, the stalled file's writer never returns.
      receiver.line(`stop 2 ${monoMs()}`);
      const endedAt = monoMs();
      const code = await receiver.end();
      const tookMs = monoMs() - endedAt;
      expect(tookMs).toBeLessThan(exitMs + 1500);
      expect(code).toBe(1);
      expect(receiver.stderr()).toMatch(/recording 1 \(exit-stalled\.ogg\) not finished: not stopped; its last writes or fsync did not return/);
      expect(receiver.stderr()).not.toMatch(/exit-healthy\.ogg/);
      expectFinalAndComplete(healthy, small.sent);
    } finally {
      await release();
    }
  }, 20_000);

  // The server's shutdown: SIGTERM first, while Node still holds stdin open and stops its recordings.
  it('goes on recording after SIGTERM until it is told to stop, and ends within its bound from the signal though stdin stays open', async () => {
    const exitMs = 2000;
    const { receiver, small, healthy, release } = await stalledAndHealthy('sigterm', exitMs);
    try {
      const signalledAt = monoMs();
      receiver.child.kill('SIGTERM');
      await talk(small, 25, 60); // half a second more of the call after the signal: still recorded
      await receiver.markRoundTrip();
      receiver.line(`stop 2 ${monoMs()}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 2 ')), 3000, 'the healthy recording to close');
      const code = await new Promise<number | null>((resolve) => receiver.child.once('exit', (c) => resolve(c)));
      const tookMs = monoMs() - signalledAt;
      expect(tookMs).toBeGreaterThan(exitMs - 100); // stdin stays open: the bound, not an early exit
      expect(tookMs).toBeLessThan(exitMs + 1500);
      expect(code).toBe(1);
      expect(receiver.stderr()).toMatch(/SIGTERM: recording goes on until stdin closes, for at most 2000 ms/);
      expect(receiver.stderr()).toMatch(/recording 1 \(sigterm-stalled\.ogg\) not finished/);
      expect(receiver.stderr()).toMatch(/SIGTERM, and stdin still open; exiting with 1 recording not written through/);
      expect(receiver.stderr()).not.toMatch(/sigterm-healthy\.ogg/);
      expectFinalAndComplete(healthy, small.sent);
    } finally {
      await release();
    }
  }, 20_000);

  it('takes the lines of a recording that has lasted more than a day (here resumed after 25 hours)', async () => {
    // A file as the receiver leaves it after 25 hours less 4 s of recording: its header pages and a last page there.
    const file = path.join(dir, 'day-long.ogg');
    const lastGranule = (25 * 3600 - 4) * 48000;
    const silent = Buffer.from([0xf8, 0xff, 0xfe]);
    fs.writeFileSync(
      file,
      Buffer.concat([
        oggPage({ packets: [opusHead({ channels: 2 })], granule: 0n, serial: 9, sequence: 0, flags: 2 }),
        oggPage({ packets: [opusTags()], granule: 0n, serial: 9, sequence: 1, flags: 0 }),
        oggPage({ packets: [silent], granule: BigInt(lastGranule), serial: 9, sequence: 2, flags: 0 }),
      ]),
    );
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x8888);
    try {
      const now = monoMs();
      const t0 = now - 25 * 3600 * 1000;
      receiver.line(`open 1 ${t0} 9 1 ${now} ${file}`);
      receiver.line(`leg 1 1 0 ${party.port} ${party.ssrc} ${now}`);
      await talk(party, 50, 60);
      await receiver.markRoundTrip();
      const stopAt = monoMs();
      receiver.line(`stop 1 ${stopAt}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ') || e.text.startsWith('error 1 ')), 5000, 'the recording to close');
      expect(receiver.events.filter((e) => e.text.startsWith('refused') || e.text.startsWith('error'))).toEqual([]);
      const closed = receiver.events.find((e) => e.text.startsWith('closed 1 '))!.text.split(' ').map(Number);
      expect(closed[2]! / 48000).toBeCloseTo((stopAt - t0) / 1000, 0);
      const stats = receiver.events.findLast((e) => e.text.startsWith('stats 1 1 '))!.text.split(' ').map(Number);
      expect(stats[4]).toBe(party.sent);
      const pages = pageHeaders(fs.readFileSync(file));
      expect(pages.at(-1)!.flags & 4).toBe(4);
      expect(Number(pages.at(-1)!.granule) / 48000).toBeCloseTo((stopAt - t0) / 1000, 0);
    } finally {
      party.close();
      expect(await receiver.end()).toBe(0);
    }
  }, 20_000);
});
