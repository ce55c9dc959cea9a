// Test audio: tone WAV files for Chromium's fake microphone, decoding recordings with ffmpeg, and a
// Goertzel detector to tell which tone is on which channel.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'vitest';

/** Writes a 48 kHz, 16-bit mono WAV with a sine tone (amplitude 0..1). */
export function writeToneWav(file: string, frequencyHz: number, seconds: number, amplitude = 0.3, sampleRate = 48000): void {
  const samples = Math.round(seconds * sampleRate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate)), 44 + i * 2);
  }
  fs.writeFileSync(file, buf);
}

export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Decodes any audio file ffmpeg reads into float samples per channel (s16le at sampleRate). */
export function decodeAudio(file: string, sampleRate = 48000): Promise<DecodedAudio> {
  return new Promise((resolve, reject) => {
    const probe = spawn('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=channels', '-of', 'csv=p=0', file]);
    let out = '';
    probe.stdout.on('data', (d) => (out += d));
    probe.on('close', (code) => {
      const channelCount = Number(out.trim().split('\n')[0]);
      if (code !== 0 || !channelCount) return reject(new Error(`ffprobe could not read ${file}`));
      const ff = spawn('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-acodec', 'pcm_s16le', '-ar', String(sampleRate), '-ac', String(channelCount), '-']);
      const chunks: Buffer[] = [];
      let err = '';
      ff.stdout.on('data', (d: Buffer) => chunks.push(d));
      ff.stderr.on('data', (d) => (err += d));
      ff.on('close', () => {
        const pcm = Buffer.concat(chunks);
        const frames = Math.floor(pcm.length / (2 * channelCount));
        const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
        for (let i = 0; i < frames; i++) {
          for (let c = 0; c < channelCount; c++) channels[c]![i] = pcm.readInt16LE((i * channelCount + c) * 2) / 32768;
        }
        if (frames === 0) return reject(new Error(`no audio decoded from ${file}: ${err}`));
        resolve({ sampleRate, channels });
      });
    });
  });
}

/** The tone envelope's window: 25 ms at 48 kHz, whole Goertzel bins for 440, 880 and 1320 Hz. */
const ENVELOPE_WINDOW = 1200;
/** The tone envelope's step: 5 ms at 48 kHz. */
const ENVELOPE_HOP = 240;

/** Tone level per 5 ms step of a channel: level[i] is the 25 ms window centred at i * 5 ms. */
export function toneEnvelope(audio: DecodedAudio, channel: number, hz: number): number[] {
  const x = audio.channels[channel]!;
  const out: number[] = [];
  for (let centre = 0; centre < x.length; centre += ENVELOPE_HOP) {
    const start = centre - ENVELOPE_WINDOW / 2;
    out.push(start < 0 || start + ENVELOPE_WINDOW > x.length ? 0 : tonePower(x, audio.sampleRate, hz, start, start + ENVELOPE_WINDOW));
  }
  return out;
}
/** The envelope step at `s` seconds (48 kHz). */
export const envelopeIndex = (s: number): number => Math.round((s * 48000) / ENVELOPE_HOP);
/** The time in seconds of envelope step `i` (48 kHz). */
export const envelopeTime = (i: number): number => (i * ENVELOPE_HOP) / 48000;

/** Goertzel power of one frequency over samples [start, end), normalised to RMS-like amplitude. */
export function tonePower(samples: Float32Array, sampleRate: number, frequencyHz: number, start = 0, end = samples.length): number {
  const n = Math.max(0, end - start);
  if (n === 0) return 0;
  const k = Math.round((n * frequencyHz) / sampleRate);
  const w = (2 * Math.PI * k) / n;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.sqrt(power) / n;
}

/** RMS level of samples [start, end). */
export function rms(samples: Float32Array, start = 0, end = samples.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, end - start));
}

/**
 * How much more strongly each channel of a stereo recording carries its own party's tone than the
 * other party's, over `seconds` from `fromS`: `left` is leftHz against rightHz on channel 0,
 * `right` the reverse on channel 1.
 */
export function channelToneRatios(audio: DecodedAudio, fromS: number, seconds: number, leftHz: number, rightHz: number): { left: number; right: number } {
  const range = [Math.round(fromS * audio.sampleRate), Math.round((fromS + seconds) * audio.sampleRate)] as const;
  const [left, right] = [audio.channels[0]!, audio.channels[1]!];
  return {
    left: tonePower(left, audio.sampleRate, leftHz, ...range) / tonePower(left, audio.sampleRate, rightHz, ...range),
    right: tonePower(right, audio.sampleRate, rightHz, ...range) / tonePower(right, audio.sampleRate, leftHz, ...range),
  };
}

/**
 * Which of the given tones a channel clearly holds between two times (s from the recording's start):
 * those with at least a tenth of the strongest one's power (20 dB above it; the rest is leakage).
 * Fails when the recording is shorter than half a second over that span.
 */
export function tonesIn(audio: DecodedAudio, channel: 0 | 1, from: number, to: number, tonesHz: readonly number[]): number[] {
  const x = audio.channels[channel]!;
  const start = Math.round(from * audio.sampleRate);
  const end = Math.min(x.length, Math.round(to * audio.sampleRate));
  expect(end - start, `the recording is shorter than ${to} s`).toBeGreaterThan(audio.sampleRate / 2);
  const power = tonesHz.map((hz) => ({ hz, p: tonePower(x, audio.sampleRate, hz, start, end) }));
  const strongest = Math.max(...power.map((q) => q.p));
  return power.filter((q) => strongest > 1e-6 && q.p > strongest / 10).map((q) => q.hz);
}
