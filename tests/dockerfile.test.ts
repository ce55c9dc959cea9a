// The container image (Dockerfile; SECURITY.md, info finding: it ran as root): the server runs as
// an unprivileged user who owns only the data and recordings volumes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = fs
  .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('runs the server as a non-root user', () => {
    const cmd = lines.findIndex((l) => /^CMD\b/.test(l));
    expect(cmd).toBeGreaterThan(0);
    const user = lines.slice(0, cmd).filter((l) => /^USER\b/.test(l)).pop();
    expect(user, 'no USER before CMD').toBeDefined();
    const name = user!.split(/\s+/)[1]!;
    expect(['root', '0', '0:0']).not.toContain(name);
  });

  it('gives that user the data and recordings folders, and nothing it could rewrite in the application', () => {
    const text = lines.join('\n');
    expect(text).toMatch(/chown[^\n]*\/data/);
    expect(text).toMatch(/chown[^\n]*\/recordings/);
    expect(text).not.toMatch(/chown[^\n]*\/app\b/);
  });
});
