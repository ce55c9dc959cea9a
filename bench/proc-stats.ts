// CPU and memory of processes from /proc (Linux), for the benchmarks.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

export interface ProcSample {
  pid: number;
  comm: string;
  ppid: number;
  cpuSeconds: number;
  rssBytes: number;
}

export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { pid, comm, ppid: Number(rest[1]), cpuSeconds: (Number(rest[11]) + Number(rest[12])) / CLK_TCK, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** Children of a process with the given command name (e.g. every ffmpeg the server started). */
export function childrenNamed(parentPid: number, comm: string): ProcSample[] {
  const out: ProcSample[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = sampleProcess(Number(entry));
    if (s && s.ppid === parentPid && s.comm === comm) out.push(s);
  }
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
