// One step of a graceful shutdown (SIGTERM/SIGINT), bounded and logged: it gets `timeoutMs`, and
// whatever it does (finishes, throws, or hangs past its time) the shutdown goes on with the next
// step, so one hung step never stops the others. Each step leaves one log line with its name and
// duration ("shutdown: media workers closed in 12 ms"), so an operator sees which step was slow.

/**
 * How long SIGTERM/SIGINT may take (calls ended with a BYE, recordings finalised) before the process
 * exits anyway (server/main.ts). README ("20 s grace") and docker-compose.yml (stop_grace_period:
 * 20s) give 20 s before a SIGKILL; the server gives up 2 s earlier so that it still exits by itself.
 */
export const SHUTDOWN_GRACE_MS = 18_000;

/**
 * The bound of each step. In order: retention stopped (quick); app.close(): calls ended (BYE,
 * recordings finalised), SIP WebSockets closed (quick), the requests still being answered once the
 * server stopped accepting new ones (drain); recording analysis stopped (quick); media workers
 * closed (media, then killed, plus quick); database closed (quick). `worstCaseShutdownMs` adds them up.
 */
export const SHUTDOWN_BOUNDS = {
  callsEndMs: 8_000,
  quickStepMs: 1_000,
  drainMs: 3_000,
  mediaCloseMs: 1_500,
} as const;

/** app.close(): the calls, the SIP WebSockets, the drain. */
export const APP_CLOSE_BOUND_MS = SHUTDOWN_BOUNDS.callsEndMs + SHUTDOWN_BOUNDS.quickStepMs + SHUTDOWN_BOUNDS.drainMs;

/** Every step at its bound, one after the other (server/main.ts runs them in this order). */
export function worstCaseShutdownMs(): number {
  const { quickStepMs, mediaCloseMs } = SHUTDOWN_BOUNDS;
  return quickStepMs + APP_CLOSE_BOUND_MS + quickStepMs + (mediaCloseMs + quickStepMs) + quickStepMs;
}

export type ShutdownStepOutcome = 'done' | 'failed' | 'timed out';

/** The two pino methods a step logs with. */
export interface ShutdownLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Runs `run`, waiting at most `timeoutMs`. Never rejects. `name` says what is done when the step
 * finishes ("calls ended"): the log line reads "shutdown: <name> in <n> ms".
 */
export async function shutdownStep(log: ShutdownLog, name: string, timeoutMs: number, run: () => unknown): Promise<ShutdownStepOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(run).then(() => 'done' as const), timedOut]);
    if (outcome === 'timed out') log.error({ step: name, ms: elapsed(), timeoutMs }, `shutdown: ${name} did not happen within ${timeoutMs} ms; going on without it`);
    else log.info({ step: name, ms: elapsed() }, `shutdown: ${name} in ${elapsed()} ms`);
    return outcome;
  } catch (err) {
    log.error({ step: name, ms: elapsed(), err }, `shutdown: ${name} failed after ${elapsed()} ms; going on`);
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
