// The receiver's control lines (media/recording/native/control.h) are Node's, but a bug in Node must
// not make the C allocate gigabytes of silence, write into a cut path or crash: every number is parsed
// strictly (digits only where a whole number is meant, finite times in range, nothing left over), and
// a line that fails is refused whole with a "refused" event, changing nothing. Through the real binary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monoMs, opus20ms, receiverBinary as binary, startReceiverProcess } from '../../support/rtp-receiver-process.js';
import { until } from '../../support/until.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-control-guard-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function replay(lines: (file: string) => string[]): { events: string[]; file: Buffer; ms: number } {
  const file = path.join(dir, `case-${runs++}.ogg`);
  const started = Date.now();
  const r = spawnSync(binary, ['--replay'], { input: lines(file).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20, timeout: 10_000 });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return { events: r.stdout.split('\n').filter((l) => l.length > 0), file: fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0), ms: Date.now() - started };
}

const payload = opus20ms(40).toString('hex');
/** A valid recording: two legs, 50 packets each, one leg ended and closed, then the stop. */
const valid = (f: string): string[] => [
  `open 1 1000 305419896 0 1000 ${f}`,
  'leg 1 1 0 40000 1001 1000',
  'leg 1 2 1 40002 1002 1000',
  ...Array.from({ length: 50 }, (_, i) => [`pkt 1 1 ${1010 + 20 * i} 1001 ${960 * i} ${payload}`, `pkt 1 2 ${1010 + 20 * i} 1002 ${5000 + 960 * i} ${payload}`, i % 5 === 4 ? 'drain 1' : `tick 1 ${1020 + 20 * i}`]).flat(),
  'end 1 2 2000',
  'close-leg 1 2',
  'tick 1 2100',
  'stop 1 2200',
];

// Each of these lines, put anywhere into `valid`, must change nothing but add one "refused" event.
const hostile: Array<[string, string]> = [
  ['a stop 31,000 years on (gigabytes of silence)', 'stop 1 1e15'],
  ['a stop at NaN', 'stop 1 nan'],
  ['a stop at infinity', 'stop 1 inf'],
  ['a stop with a word after it', 'stop 1 2000 now'],
  ['an end before the epoch', 'end 1 1 -5e14'],
  ['a tick at infinity', 'tick 1 inf'],
  ['a leg on side 7', 'leg 1 3 7 40004 1003 1500'],
  ['a leg on port 70000 (cut to 4464)', 'leg 1 3 1 70000 1003 1500'],
  ['a leg on port 0 (the events\' port)', 'leg 1 3 1 0 1003 1500'],
  ['an SSRC of -1 (read as 4294967295)', 'leg 1 3 1 40004 -1 1500'],
  ['an SSRC over 32 bits', 'leg 1 3 1 40004 4294967296 1500'],
  ['a leg starting at a hex float', 'leg 1 3 1 40004 1003 0x1p40'],
  ['a leg id with a fraction', 'close-leg 1 1.5'],
  ['a second open of a running id with an absurd start', 'open 1 nan 1 0 0 /nonexistent'],
  ['a packet whose payload is not hex', 'pkt 1 1 1500 1001 48000 zz'],
  ['a packet whose payload has an odd number of digits', 'pkt 1 1 1500 1001 48000 f8a'],
  ['a packet at minus infinity', `pkt 1 1 -inf 1001 48000 ${payload}`],
  ['a drain with no id', 'drain'],
  ['an unknown command', 'rewind 1 0'],
];

describe('control lines of the receiver', () => {
  it.skipIf(!fs.existsSync(binary))('is built (node scripts/setup.mjs)', () => expect(fs.existsSync(binary)).toBe(true));

  const reference = () => replay(valid);

  it.each(hostile)('refuses %s whole, with a "refused" event, and changes nothing', (_, bad) => {
    const want = reference();
    expect(want.events.at(-1)).toMatch(/^closed 1 57600 /); // 1.2 s
    // The bad line after the legs are set up (before the packets' end), and once more just before the stop.
    const lines = (f: string) => {
      const v = valid(f);
      return [...v.slice(0, 40), bad, ...v.slice(40, -1), bad, v.at(-1)!];
    };
    const got = replay(lines);
    expect(got.ms).toBeLessThan(5000);
    expect(got.events.filter((e) => e.startsWith('refused '))).toHaveLength(2);
    expect(got.events.filter((e) => !e.startsWith('refused '))).toEqual(want.events);
    expect(got.file.equals(want.file)).toBe(true);
  });

  it('refuses an open whose start time is not finite, so that no recording exists for its later lines', () => {
    const got = replay((f) => [`open 1 nan 305419896 0 1000 ${f}`, 'leg 1 1 0 40000 1001 1000', 'stop 1 2000']);
    expect(got.events).toHaveLength(1);
    expect(got.events[0]).toMatch(/^refused 1 /);
    expect(got.file.length).toBe(0);
  });

  it('refuses a line longer than 8,192 bytes whole in the live process, and runs the next one', async () => {
    const receiver = await startReceiverProcess();
    try {
      const file = path.join(dir, 'after-long-line.ogg');
      // A path the length of a line limit: the old receiver cut it and ran the cut line.
      receiver.line(`open 1 0 305419896 0 0 ${path.join(dir, 'x'.repeat(200), 'y'.repeat(9000))}`);
      const t0 = monoMs();
      receiver.line(`open 2 ${t0} 305419896 0 ${t0} ${file}`);
      receiver.line(`stop 2 ${t0 + 100}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 2 ')), 5000, 'the second recording to close');
      const texts = receiver.events.map((e) => e.text);
      expect(texts.filter((t) => t.startsWith('refused 0 '))).toHaveLength(1);
      expect(texts.find((t) => t.startsWith('refused'))).toMatch(/longer than 8192 bytes/);
      expect(texts.filter((t) => t.startsWith('error '))).toEqual([]);
      expect(fs.statSync(file).size).toBeGreaterThan(0);
    } finally {
      expect(await receiver.end()).toBe(0);
    }
  });

  it('refuses the replay-only commands (pkt, drain, tick) in the live process', async () => {
    const receiver = await startReceiverProcess();
    try {
      const file = path.join(dir, 'live-replay-commands.ogg');
      const t0 = monoMs();
      receiver.line(`open 1 ${t0} 305419896 0 ${t0} ${file}`);
      receiver.line(`leg 1 1 0 40000 1001 ${t0}`);
      receiver.line(`pkt 1 1 ${t0 + 10} 1001 0 ${payload}`);
      receiver.line(`tick 1 ${t0 + 1e8}`);
      receiver.line('drain 1');
      receiver.line(`stop 1 ${t0 + 3000}`);
      await until(() => receiver.events.some((e) => e.text.startsWith('closed 1 ')), 8000, 'the recording to close');
      const texts = receiver.events.map((e) => e.text);
      expect(texts.filter((t) => t.startsWith('refused 1 '))).toHaveLength(3);
      expect(texts.find((t) => t.startsWith('stats 1 1 '))!.split(' ')[3]).toBe('0'); // received: nothing
      expect(texts.find((t) => t.startsWith('closed 1 '))).toMatch(/^closed 1 144000 /); // 3 s, not a day
    } finally {
      expect(await receiver.end()).toBe(0);
    }
  });
});
