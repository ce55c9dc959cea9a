// The browser tests' fixtures keep their server's log when a test fails (tests/support/server-log.ts):
// a real vitest run of a file with one passing and one failing test, in a directory of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/server-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function runFixture(fail: boolean): { dir: string; status: number | null; report: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-kept-log-test-'));
  dirs.push(base);
  const dir = path.join(base, 'logs');
  const env: NodeJS.ProcessEnv = { ...process.env, CALLMARK_E2E_LOG_DIR: dir, KEPT_LOG_FAIL: fail ? '1' : '' };
  if (!fail) delete env.KEPT_LOG_FAIL;
  const run = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'tests/e2e/fixtures/kept-log.vitest.config.ts'], {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { dir, status: run.status, report: `${run.stdout}\n${run.stderr}` };
}

describe('the server log of a failed browser test', () => {
  it('is kept under a stable path, named in the failure report, holding what the server printed', { timeout: 90_000 }, () => {
    const { dir, status, report } = runFixture(true);
    expect(status, report).toBe(1);
    const kept = fs.readdirSync(dir);
    // Only the failing test's: the passing one wrote nothing.
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^kept-log\.fixture\.ts-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-\d+\.log$/);
    const file = path.join(dir, kept[0]!);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"level":40,"msg":"what the server saw during the failing test"}\n');
    // The report of the failure itself says where the log is.
    expect(report).toContain(`Server log kept: ${file}`);
    expect(report).toMatch(/fails when told to/);
  });

  it('is not written when every test passes', { timeout: 90_000 }, () => {
    const { dir, status, report } = runFixture(false);
    expect(status, report).toBe(0);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
