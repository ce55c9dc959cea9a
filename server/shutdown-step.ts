// One step of a graceful shutdown (SIGTERM/SIGINT), bounded and logged: it gets `timeoutMs`, and
// whatever it does (finishes, throws, or hangs past its time) the shutdown goes on with the next
// step, so one hung step never stops the others. Each step leaves one log line with its name and
// duration ("shutdown: media workers closed in 12 ms"), so an operator sees which step was slow.

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
