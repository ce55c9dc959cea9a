// How many end-of-call mixes to run at once (only calls with added parties are mixed): N calls'
// legs mixed with the queue at each concurrency, wall time until all are done.
// `tsx bench/mix-concurrency.ts [N] [c ...]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runMix, setMixConcurrency } from '../media/recording/mix.js';

const n = Number(process.argv[2] ?? 60);
const levels = process.argv.slice(3).map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-mixbench-'));
const leg = (name: string, hz: number) => {
  const file = path.join(dir, name);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=13`, '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-y', file]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return file;
};
const left = leg('left.ogg', 440);
const right = leg('right.ogg', 880);
console.log(`${n} mixes of 13 s calls, ${os.availableParallelism()} cores`);
console.log('concurrency | all mixed | per mix (wall / slots)');
for (const c of levels.length ? levels : [2, 4, 8, 16, n]) {
  setMixConcurrency(c);
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => runMix({ left: [left], right: [right], outFiles: { left: path.join(dir, `out-${i}-l.ogg`), right: path.join(dir, `out-${i}-r.ogg`) }, durationMs: 13_000 })));
  const s = (performance.now() - t) / 1000;
  console.log(`${String(c).padStart(11)} | ${s.toFixed(1).padStart(7)} s | ${((s * Math.min(c, n)) / n).toFixed(2)} s`);
}
fs.rmSync(dir, { recursive: true, force: true });
