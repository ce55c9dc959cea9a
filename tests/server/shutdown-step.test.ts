// The steps of the SIGTERM shutdown (server/shutdown-step.ts): each bounded, each logged by name,
// and one that hangs or fails never stops the next; their bounds fit in the grace, and the grace
// is what README and docker-compose.yml promise.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS, shutdownStep, worstCaseShutdownMs, type ShutdownLog } from '../../server/shutdown-step.js';
import { projectRoot } from '../support/server-process.js';

function recordingLog(): ShutdownLog & { lines: Array<{ level: 'info' | 'error'; msg: string; step?: string }> } {
  const lines: Array<{ level: 'info' | 'error'; msg: string; step?: string }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', msg, step: (obj as { step?: string }).step }),
    error: (obj, msg) => lines.push({ level: 'error', msg, step: (obj as { step?: string }).step }),
  };
}

describe('shutdownStep', () => {
  it('logs a finished step by name with its duration', async () => {
    const log = recordingLog();
    expect(await shutdownStep(log, 'media workers closed', 1000, async () => {})).toBe('done');
    expect(log.lines).toEqual([{ level: 'info', step: 'media workers closed', msg: expect.stringMatching(/^shutdown: media workers closed in \d+ ms$/) as string }]);
  });

  it('a step that hangs is named in an error and the next step still runs', async () => {
    const log = recordingLog();
    const ran: string[] = [];
    const outcomes = [
      await shutdownStep(log, 'calls ended', 50, () => new Promise(() => ran.push('calls'))),
      await shutdownStep(log, 'database closed', 1000, () => void ran.push('database')),
    ];
    expect(outcomes).toEqual(['timed out', 'done']);
    expect(ran).toEqual(['calls', 'database']);
    expect(log.lines[0]).toMatchObject({ level: 'error', step: 'calls ended', msg: 'shutdown: calls ended did not happen within 50 ms; going on without it' });
  });

  it('a step that throws (or rejects) is logged as failed and never rejects', async () => {
    const log = recordingLog();
    expect(
      await shutdownStep(log, 'retention stopped', 1000, () => {
        throw new Error('boom');
      }),
    ).toBe('failed');
    expect(await shutdownStep(log, 'HTTP server closed', 1000, () => Promise.reject(new Error('boom')))).toBe('failed');
    expect(log.lines.map((l) => l.level)).toEqual(['error', 'error']);
    expect(log.lines[1]!.msg).toMatch(/^shutdown: HTTP server closed failed after \d+ ms; going on$/);
  });
});

describe('the shutdown grace', () => {
  it('every step at its bound still ends within the grace', () => {
    expect(worstCaseShutdownMs()).toBeLessThan(SHUTDOWN_GRACE_MS);
  });

  it('is what README and docker-compose.yml say: 20 s before the SIGKILL, the server giving up 2 s earlier', () => {
    const compose = fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8');
    const killAfterS = Number(/stop_grace_period:\s*(\d+)s/.exec(compose)?.[1]);
    expect(killAfterS * 1000 - SHUTDOWN_GRACE_MS).toBe(2000);
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`(${killAfterS} s grace: \`stop_grace_period\` in the compose file; the server itself gives up after ${SHUTDOWN_GRACE_MS / 1000} s`);
  });
});
