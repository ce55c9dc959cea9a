// The files of the centres' customised scenarios in the data folder: read one as text, write one
// atomically (a temporary file in the same folder, flushed, then renamed over the old one, so a
// crash leaves the old file or the new one, never half of one), delete one. Names come from
// attempt keys that parseAttemptKey accepted, so they cannot leave the folder.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const centreScenarioPath = (dir: string, attemptKeyValue: string): string => path.join(dir, `${attemptKeyValue}.json`);

/** The stored text, or undefined when there is no such file. */
export function readCentreScenarioText(dir: string, attemptKeyValue: string): string | undefined {
  try {
    return fs.readFileSync(centreScenarioPath(dir, attemptKeyValue), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // A leading dot: the loader ignores the temporary file should the process stop before the rename.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeCentreScenarioText(dir: string, attemptKeyValue: string, text: string): void {
  writeFileAtomic(centreScenarioPath(dir, attemptKeyValue), text);
}

/** True if a file was removed. */
export function deleteCentreScenarioFile(dir: string, attemptKeyValue: string): boolean {
  try {
    fs.unlinkSync(centreScenarioPath(dir, attemptKeyValue));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** How every scenario file is written: two-space JSON and a final newline, like the shipped ones. */
export const scenarioFileText = (raw: unknown): string => `${JSON.stringify(raw, null, 2)}\n`;
