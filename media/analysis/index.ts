// Recording analysis: decode (ffmpeg, streamed) → peaks and voice activity. The server reaches it
// through media/index.ts.
import { decodePcm, type DecodeOptions } from './decode.js';
import { DEFAULT_ANALYSER, RecordingAnalyser, type AnalyserConfig, type RecordingAnalysis } from './analyser.js';

export { ANALYSER_VERSION, DEFAULT_ANALYSER, RecordingAnalyser } from './analyser.js';
export type { AnalyserConfig, MsSegment, RecordingAnalysis } from './analyser.js';
export { DEFAULT_VAD } from './vad.js';
export type { VadConfig } from './vad.js';

/** Decodes a recording (any format ffmpeg reads) and analyses it in one streamed pass. */
export async function analyseRecording(file: string, cfg: AnalyserConfig = DEFAULT_ANALYSER, opts: Pick<DecodeOptions, 'lowPriority' | 'signal'> = {}): Promise<RecordingAnalysis> {
  const analyser = new RecordingAnalyser(cfg);
  await decodePcm(file, { sampleRate: cfg.sampleRate, channels: cfg.channels, ...opts }, (samples) => analyser.push(samples));
  return analyser.finish();
}
