// Waveform peaks for the two lanes (left = candidate, right = the other party). The server's
// analysis (GET /api/calls/:id/peaks?format=json) is the normal source; when it is not there (not
// analysed yet, failed, or a server without the route) the recording is decoded ONCE here with
// WebAudio and reduced to the same shape, so the page still draws both lanes.
import type { PeaksJson } from '../../../server/protocol/moderation.js';
import { ApiFailure, api } from '../api.js';

export interface Peaks {
  left: number[];
  right: number[];
  /** 0..255 per entry, `perSecond` entries per second. */
  perSecond: number;
  durationMs: number;
  source: 'server' | 'decoded';
}

const PER_SECOND = 50;

async function decode(recordingUrl: string): Promise<Peaks> {
  const res = await fetch(recordingUrl, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`the recording could not be fetched (${res.status})`);
  const data = await res.arrayBuffer();
  // An OfflineAudioContext needs no user gesture and plays nothing.
  const ctx = new OfflineAudioContext(2, 1, 48_000);
  const audio = await ctx.decodeAudioData(data);
  const frame = Math.max(1, Math.floor(audio.sampleRate / PER_SECOND));
  const lane = (ch: number): number[] => {
    const samples = audio.getChannelData(Math.min(ch, audio.numberOfChannels - 1));
    const out: number[] = [];
    for (let i = 0; i < samples.length; i += frame) {
      let peak = 0;
      const end = Math.min(samples.length, i + frame);
      for (let j = i; j < end; j++) peak = Math.max(peak, Math.abs(samples[j]!));
      out.push(Math.min(255, Math.round(peak * 255)));
    }
    return out;
  };
  return { left: lane(0), right: lane(1), perSecond: audio.sampleRate / frame, durationMs: audio.duration * 1000, source: 'decoded' };
}

export async function loadPeaks(peaksUrl: string, recordingUrl: string): Promise<Peaks> {
  try {
    const r = await api<PeaksJson>('GET', `${peaksUrl}?format=json`);
    return { left: r.left, right: r.right, perSecond: r.peaksPerSecond, durationMs: r.durationMs, source: 'server' };
  } catch (err) {
    // 409 not analysed / analysis failed, 404 no such route: draw from the audio itself.
    if (!(err instanceof ApiFailure) || err.status >= 500) throw err;
    return decode(recordingUrl);
  }
}
