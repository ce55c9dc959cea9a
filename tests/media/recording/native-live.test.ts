// The receiver process (media/recording/native/rtp-receiver.c) live, with real UDP and real files:
// a recording whose disk stalls must not stall the others or the process's reads, and a leg's
// counters reach Node while the call runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOggPackets } from '../../../media/recording/ogg.js';
import { monoMs, opus20ms, receiverBinary, rtpSender, startReceiverProcess } from '../../support/rtp-receiver-process.js';
import { sleep, until } from '../../support/until.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-native-live-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every page of `file` whole and checksummed (readOggPackets checks both). */
const packetsOf = (file: string) => readOggPackets(fs.readFileSync(file));

describe.skipIf(!fs.existsSync(receiverBinary))('the receiver process, live', () => {
  // A FIFO nobody reads is a disk that stalls: once its 64 KiB pipe buffer is full, write(2) blocks.
  it('keeps reading and recording everything else while one recording\'s file blocks its writes, and fails that one visibly', async () => {
    const stalled = path.join(dir, 'stalled.ogg');
    expect(spawnSync('mkfifo', [stalled]).status).toBe(0);
    const healthy = path.join(dir, 'healthy.ogg');
    fs.writeFileSync(healthy, '');
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
      for (let i = 0; i < 50; i++) {
        small.send(opus20ms(60, 0xee));
        await sleep(20);
      }
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
    fs.writeFileSync(file, '');
    const receiver = await startReceiverProcess();
    const party = await rtpSender(receiver.port, 0x3333);
    try {
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 1 0 ${t0} ${file}`);
      receiver.line(`leg 1 7 0 ${party.port} ${party.ssrc} ${t0}`);
      for (let i = 0; i < 125; i++) {
        party.send(opus20ms(60));
        await sleep(20);
      }
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
});
