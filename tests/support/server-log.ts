// The evidence of a failed browser test: what its server process printed (pino JSON lines and the
// banner), kept in a stable place when a test fails, since the server's data directory and its
// output (held in memory by server-process.ts) are gone once the file's afterAll has run. A CI
// failure then names the file that says what the server saw. A passing test writes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ServerProcess } from './server-process.js';

/** Where kept server logs go; overridable so a test of this module can use a directory of its own. */
export const KEPT_LOG_DIR = process.env.CALLMARK_E2E_LOG_DIR ?? '/tmp/callmark-e2e-logs';

/**
 * Writes the server's output so far to `<dir>/<test file>-<UTC time>-<pid>.log` and returns that
 * path (the pid: two test processes failing in the same millisecond must not share a file).
 */
export function keepServerLog(server: Pick<ServerProcess, 'output'>, testFile: string, dir = KEPT_LOG_DIR, now = new Date()): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${path.basename(testFile).replace(/\.test\.ts$/, '')}-${stamp}-${process.pid}.log`);
  fs.writeFileSync(file, server.output());
  return file;
}

/**
 * Registers an afterEach (at a test file's top level, as the fixtures do) that, when the test has
 * failed, keeps the log of every server `servers()` returns and adds its path to the test's
 * errors, so the failure report itself says where to look. Runs before the fixture's afterAll
 * stops the server, so the log ends where the test gave up.
 */
export function keepServerLogsOnFailure(servers: () => Array<Pick<ServerProcess, 'output'> | undefined>): void {
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return;
    const kept: string[] = [];
    for (const server of servers()) {
      if (server) kept.push(keepServerLog(server, task.file.name));
    }
    if (kept.length === 0) return;
    const note = `\nServer log kept: ${kept.join(', ')}`;
    // The reporter prints each error's message (and its stack, which repeats the message).
    for (const error of task.result.errors ?? []) {
      error.message += note;
      if (error.stack) error.stack = error.stack.replace(/\n/, `${note}\n`);
    }
    console.error(note.trim());
  });
}
