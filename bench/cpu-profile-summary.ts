// npx tsx bench/cpu-profile-summary.ts FILE.cpuprofile [--top N]
//
// Where a V8 CPU profile (e.g. from `bench/media-side-by-side.ts --cpu-prof DIR`) spent its time:
// self time by function and by source (Callmark's own modules, mediasoup's Node side, Node's
// internals, GC, idle), and total (inclusive) time of the recorder's entry points. Prints figures.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => a.endsWith('.cpuprofile'));
if (!file) throw new Error('usage: cpu-profile-summary.ts FILE.cpuprofile [--top N]');
const top = Number(args[args.indexOf('--top') + 1] ?? 30) || 30;
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const wallUs = profile.endTime - profile.startTime;

const where = (n: ProfileNode): string => {
  const { url, functionName } = n.callFrame;
  if (!url) return functionName === '(idle)' ? 'idle' : functionName === '(garbage collector)' ? 'GC' : functionName === '(program)' ? 'V8/native (program)' : `native: ${functionName}`;
  if (url.includes('/node_modules/mediasoup/')) return 'mediasoup (Node side)';
  if (url.includes('/node_modules/')) return `npm: ${url.split('/node_modules/').pop()!.split('/')[0]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const rel = url.replace(/^file:\/\//, '');
  const m = rel.match(/\/(media|bench|server|tests)\/(.*)$/);
  return m ? `${m[1]}/${m[2]}` : path.basename(rel);
};
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}:${n.callFrame.lineNumber + 1}`;

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const selfByFn = new Map<string, number>();
const selfBySource = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  add(selfByFn, label(n), us);
  add(selfBySource, where(n), us);
}
// Inclusive time: each sample counts once for every distinct function on its stack.
const inclusive = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (!seen.has(l)) add(inclusive, l, profile.timeDeltas[i] ?? 0);
    seen.add(l);
  }
});

const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
const share = (us: number) => `${((100 * us) / wallUs).toFixed(1)} %`;
const busy = [...selfBySource].filter(([k]) => k !== 'idle').reduce((s, [, v]) => s + v, 0);
console.log(`${path.basename(file)}: ${(wallUs / 1e6).toFixed(1)} s of wall time, ${ms(busy)} busy (${share(busy)} of a core)\n`);
console.log('| self time by source | ms | % of a core |\n| --- | ---: | ---: |');
for (const [k, v] of [...selfBySource].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${k} | ${(v / 1000).toFixed(0)} | ${share(v)} |`);
console.log('\n| self time by function | ms | % of a core |\n| --- | ---: | ---: |');
for (const [k, v] of [...selfByFn].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith('(idle)')).slice(0, top)) console.log(`| ${k} | ${(v / 1000).toFixed(0)} | ${share(v)} |`);
console.log('\n| inclusive time by function | ms | % of a core |\n| --- | ---: | ---: |');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).filter(([k]) => !/^\((idle|root|program|garbage collector)\)/.test(k)).slice(0, top)) console.log(`| ${k} | ${(v / 1000).toFixed(0)} | ${share(v)} |`);
