// The recording as the recorder writes it during a call (two uncoupled mono Opus streams, mapping
// family 1) must play in the moderators' browser: Chromium decodes it with both channels in place,
// and its <audio> element loads and plays it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRecorder, MediaWorkerPool } from '../../media/index.js';
import { launchBrowser } from '../support/browser.js';
import { startToneProducer } from '../support/rtp-tone.js';

let pool: MediaWorkerPool;
let browser: Browser;
let server: http.Server;
let base: string;
let dir: string;
let recordingSeconds: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-playback-'));
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 46100, rtcMaxPort: 46199 });
  const slot = pool.acquire();
  const router = await slot.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }] });
  const left = await startToneProducer(router, 500);
  const right = await startToneProducer(router, 1130);
  const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file: path.join(dir, 'call.ogg') });
  await new Promise((r) => setTimeout(r, 3000));
  recordingSeconds = (await rec.stop()).durationMs / 1000;
  await Promise.all([left.stop(), right.stop()]);
  router.close();
  pool.release(slot);

  // Byte ranges, as the server's recording download (@fastify/send) answers them: Chromium reads an
  // Ogg file's length from its last page.
  server = http.createServer((req, res) => {
    if (req.url === '/call.ogg') {
      const file = path.join(dir, 'call.ogg');
      const size = fs.statSync(file).size;
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = range[1] ? Number(range[1]) : size - Number(range[2]);
        const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        res.writeHead(206, { 'content-type': 'audio/ogg', 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
        fs.createReadStream(file, { start, end }).pipe(res);
      } else {
        res.writeHead(200, { 'content-type': 'audio/ogg', 'accept-ranges': 'bytes', 'content-length': size });
        fs.createReadStream(file).pipe(res);
      }
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>playback</title>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await pool?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a recording in Chromium', () => {
  it('decodes with the candidate alone on the left and the caller alone on the right', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const result = await page.evaluate(async () => {
      const data = await (await fetch('/call.ogg')).arrayBuffer();
      const ctx = new OfflineAudioContext(2, 48000, 48000);
      const audio = await ctx.decodeAudioData(data);
      // Goertzel level of one frequency over [from, to) seconds of a channel (as tests/support/audio.ts tonePower).
      const power = (ch: number, hz: number, from: number, to: number) => {
        const x = audio.getChannelData(ch);
        const a = Math.floor(from * audio.sampleRate);
        const n = Math.floor(to * audio.sampleRate) - a;
        const coeff = 2 * Math.cos((2 * Math.PI * Math.round((n * hz) / audio.sampleRate)) / n);
        let s1 = 0;
        let s2 = 0;
        for (let i = a; i < a + n; i++) {
          const s0 = x[i]! + coeff * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        return Math.sqrt(s1 * s1 + s2 * s2 - coeff * s1 * s2) / n;
      };
      const windows = Math.floor((audio.duration - 0.4) / 0.05);
      const at = (ch: number, hz: number) => Array.from({ length: windows }, (_, i) => power(ch, hz, 0.2 + i * 0.05, 0.25 + i * 0.05));
      return {
        channels: audio.numberOfChannels,
        duration: audio.duration,
        left500: at(0, 500),
        left1130: at(0, 1130),
        right1130: at(1, 1130),
        right500: at(1, 500),
      };
    });
    expect(result.channels).toBe(2);
    expect(Math.abs(result.duration - recordingSeconds)).toBeLessThan(0.05);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const levelL = median(result.left500);
    const levelR = median(result.right1130);
    expect(levelL).toBeGreaterThan(0.01);
    expect(levelR).toBeGreaterThan(0.01);
    // Each party alone on its channel at every instant.
    expect(Math.max(...result.left1130)).toBeLessThan(levelR * 0.02);
    expect(Math.max(...result.right500)).toBeLessThan(levelL * 0.02);
  });

  it('loads and plays in an <audio> element', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const played = await page.evaluate(async () => {
      const el = document.createElement('audio');
      document.body.append(el);
      el.src = '/call.ogg';
      await new Promise((resolve, reject) => {
        el.onloadedmetadata = resolve;
        el.onerror = () => reject(new Error(`audio error ${el.error?.code}`));
      });
      await el.play();
      // Playing, not how soon: a loaded machine may take longer than 0.5 s to start the audio sink.
      const until = performance.now() + 10_000;
      while (el.currentTime <= 0.2 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
      return { canPlay: el.canPlayType('audio/ogg; codecs=opus'), duration: el.duration, currentTime: el.currentTime, paused: el.paused };
    });
    expect(played.canPlay).not.toBe('');
    expect(Math.abs(played.duration - recordingSeconds)).toBeLessThan(0.05);
    expect(played.paused).toBe(false);
    expect(played.currentTime).toBeGreaterThan(0.2);
  });
});
