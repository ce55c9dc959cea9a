// Test recordings with a known talk schedule: a stereo Ogg/Opus file encoded the way the call
// recorder encodes (libopus 32 kb/s, voip, 20 ms frames), left = candidate, right = the other party,
// each channel a tone during its scheduled spans and digital silence otherwise.
import { spawnSync } from 'node:child_process';

/** [fromSeconds, toSeconds) spans of tone per channel. */
export interface ToneSchedule {
  left: Array<[number, number]>;
  right: Array<[number, number]>;
  seconds: number;
}

/** The issue's schedule: left 0–3 s, right 2–5 s, silence 5–7 s, both 7–8 s. */
export const ISSUE_SCHEDULE: ToneSchedule = { left: [[0, 3], [7, 8]], right: [[2, 5], [7, 8]], seconds: 8 };

const gate = (spans: Array<[number, number]>) => spans.map(([a, b]) => `(gte(t,${a})*lt(t,${b}))`).join('+') || '0';

export function writeScheduledOgg(file: string, schedule: ToneSchedule, amplitude = 0.3): void {
  const left = `${amplitude}*sin(2*PI*440*t)*(${gate(schedule.left)})`;
  const right = `${amplitude}*sin(2*PI*660*t)*(${gate(schedule.right)})`;
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `aevalsrc=exprs='${left}|${right}':s=48000:d=${schedule.seconds}:c=stereo`,
      '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20', '-f', 'ogg', '-y', file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not write ${file}: ${r.stderr}`);
}
