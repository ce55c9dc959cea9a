// A pool of mediasoup workers, one per core by default. Calls are packed onto one worker until it
// carries fillRouters of them (DEFAULT_FILL_ROUTERS unless set) and only then spread by load, fewest
// routers first (see acquire()). A worker that dies is replaced at once; whoever owns routers
// on it hears about it through onWorkerDied so that the calls on it can be ended with a reason.
//
// Only API that mediasoup 3.8 and current 3.x share is used here (createWorker, worker.on('died'),
// worker.pid, worker.close, worker.getResourceUsage), so a deployment can move to a newer release.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { nativeBinary } from './native-binary.js';

/**
 * Calls packed onto one worker before the next is used. At 100 calls on 2 cores packing cut the
 * workers' CPU per call by a quarter; at 300 calls it did not pay and raised latency, and 150 + 150
 * is where a spread of 300 calls sits anyway (bench/README.md, "The worker's cost at low load").
 */
export const DEFAULT_FILL_ROUTERS = 150;

/**
 * The scheduler slice each worker asks the kernel for, in µs (native/sched-slice.c). With Linux's
 * EEVDF scheduler (6.12 and later) a waking task whose slice is shorter than the running task's
 * preempts it, so a worker woken by a packet forwards it at once instead of waiting behind whatever
 * holds the core (the other worker, the recorder's receiver, Node, another process); the worker runs
 * ~10 µs per packet, far below even the shortest slice (100 µs, the kernel's minimum), and gets no
 * more CPU than before, only sooner. Measured in bench/README.md, "Forwarding p99 at 300 calls".
 */
export const DEFAULT_WORKER_SLICE_US = 100;

const execFileAsync = promisify(execFile);


export interface WorkerPoolOptions {
  workers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel?: 'debug' | 'warn' | 'error' | 'none';
  /**
   * Pack calls: a new router goes to the busiest live worker that has fewer than this many routers
   * (the lowest index among equals); only when every live worker has this many, to the least loaded.
   * At low load one worker then wakes once for the packets that two would each wake for, and the
   * other stays idle (bench/README.md, "The worker's cost at low load"). The price: a worker's death
   * ends all the calls on it, up to this many, instead of its share of a spread. Unset:
   * DEFAULT_FILL_ROUTERS; 0: spread (fewest routers first) from the first call.
   */
  fillRouters?: number;
  /**
   * Each worker's scheduler slice in µs (100-100000; see DEFAULT_WORKER_SLICE_US, the default when
   * unset); 0 leaves the kernel's default slice. A worker whose slice cannot be set (a seccomp
   * profile that refuses sched_setattr, say) runs on with the kernel's and onWorkerSliceFailed says
   * so: lower latency is not worth a media plane that does not start.
   */
  workerSliceUs?: number;
  onWorkerSliceFailed?: (info: { index: number; pid: number; error: Error }) => void;
  onWorkerDied?: (info: { index: number; pid: number; error: Error }) => void;
  onWorkerReplaced?: (info: { index: number; pid: number }) => void;
}

export interface WorkerSlot {
  index: number;
  worker: ms.Worker;
  routers: number;
}

export interface WorkerPoolHealth {
  workers: Array<{ index: number; pid: number; routers: number; alive: boolean }>;
  replacements: number;
}

export class MediaWorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private closed = false;
  private replacements = 0;

  private constructor(private readonly opts: WorkerPoolOptions) {}

  static async start(opts: WorkerPoolOptions): Promise<MediaWorkerPool> {
    const pool = new MediaWorkerPool(opts);
    const portsPerWorker = Math.floor((opts.rtcMaxPort - opts.rtcMinPort + 1) / opts.workers);
    if (portsPerWorker < 2) throw new Error(`RTP port range ${opts.rtcMinPort}-${opts.rtcMaxPort} is too small for ${opts.workers} workers`);
    try {
      for (let i = 0; i < opts.workers; i++) pool.slots.push({ index: i, worker: await pool.createWorker(i), routers: 0 });
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Each worker gets its own slice of the RTP port range so they never compete for a port. */
  private portRange(index: number): { rtcMinPort: number; rtcMaxPort: number } {
    const size = Math.floor((this.opts.rtcMaxPort - this.opts.rtcMinPort + 1) / this.opts.workers);
    const rtcMinPort = this.opts.rtcMinPort + index * size;
    return { rtcMinPort, rtcMaxPort: rtcMinPort + size - 1 };
  }

  private async createWorker(index: number): Promise<ms.Worker> {
    const worker = await mediasoup.createWorker({
      logLevel: this.opts.logLevel ?? 'warn',
      ...this.portRange(index),
    });
    worker.on('died', (error: Error) => this.handleDeath(index, worker, error));
    const sliceUs = this.opts.workerSliceUs ?? DEFAULT_WORKER_SLICE_US;
    if (sliceUs > 0) {
      try {
        await execFileAsync(nativeBinary('callmark-sched-slice'), [String(sliceUs), String(worker.pid)]);
      } catch (err) {
        const why = err instanceof Error ? ((err as { stderr?: string }).stderr?.trim() || err.message) : String(err);
        this.opts.onWorkerSliceFailed?.({ index, pid: worker.pid, error: new Error(`could not give mediasoup worker ${worker.pid} a ${sliceUs}-µs scheduler slice: ${why}`) });
      }
    }
    return worker;
  }

  private handleDeath(index: number, worker: ms.Worker, error: Error): void {
    const slot = this.slots[index];
    if (!slot || slot.worker !== worker) return;
    this.opts.onWorkerDied?.({ index, pid: worker.pid, error });
    slot.routers = 0;
    if (this.closed) return;
    void this.createWorker(index).then(
      (replacement) => {
        if (this.closed) {
          replacement.close();
          return;
        }
        slot.worker = replacement;
        this.replacements++;
        this.opts.onWorkerReplaced?.({ index, pid: replacement.pid });
      },
      (err: unknown) => this.opts.onWorkerDied?.({ index, pid: -1, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  /**
   * The live worker for a new router: the least loaded, or with fillRouters the busiest one still
   * below that mark. The caller creates its router there and must call release() when done.
   */
  acquire(): WorkerSlot {
    const live = this.slots.filter((s) => !s.worker.closed);
    if (live.length === 0) throw new Error('no mediasoup worker is running');
    const fill = this.opts.fillRouters ?? DEFAULT_FILL_ROUTERS;
    const belowMark = live.filter((s) => s.routers < fill);
    const slot =
      belowMark.length > 0
        ? belowMark.reduce((best, s) => (s.routers > best.routers ? s : best))
        : live.reduce((best, s) => (s.routers < best.routers ? s : best));
    slot.routers++;
    return slot;
  }

  release(slot: WorkerSlot): void {
    if (slot.routers > 0) slot.routers--;
  }

  get size(): number {
    return this.slots.length;
  }

  health(): WorkerPoolHealth {
    return {
      workers: this.slots.map((s) => ({ index: s.index, pid: s.worker.pid, routers: s.routers, alive: !s.worker.closed })),
      replacements: this.replacements,
    };
  }

  /** CPU time of each live worker process (mediasoup's getrusage, in ms), for /metrics. */
  async resourceUsage(): Promise<Array<{ index: number; pid: number; userMs: number; systemMs: number }>> {
    const live = this.slots.filter((s) => !s.worker.closed);
    const usage = await Promise.all(live.map((s) => s.worker.getResourceUsage().catch(() => undefined)));
    return live.flatMap((s, i) => {
      const u = usage[i];
      return u ? [{ index: s.index, pid: s.worker.pid, userMs: u.ru_utime, systemMs: u.ru_stime }] : [];
    });
  }

  /** Closes every worker and waits (up to timeoutMs) until their processes have exited. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    const pids = this.slots.map((s) => s.worker.pid);
    for (const s of this.slots) if (!s.worker.closed) s.worker.close();
    const deadline = Date.now() + timeoutMs;
    while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const pid of pids.filter(isRunning)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* exited meanwhile */
      }
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
