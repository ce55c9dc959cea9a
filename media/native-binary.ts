// Where this checkout's compiled helpers are: scripts/setup.mjs compiles the C programs of media/
// (the recorder's RTP receiver, the workers' scheduler-slice setter) into node_modules/.callmark/bin.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** node_modules/.callmark/bin/<name> of the checkout this file is in, looked for upwards (the file may run from a build output). */
export function nativeBinary(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'node_modules', '.callmark', 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${name} is missing: run node scripts/setup.mjs`);
}
