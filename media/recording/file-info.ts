// Facts about a finished recording that the call record stores: its hash (evidence that the file was
// not changed later) and its duration as a player will see it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Container duration from ffprobe, in ms. */
export function probeDurationMs(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = spawn('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    probe.stdout.on('data', (d) => (out += d));
    probe.stderr.on('data', (d) => (err += d));
    probe.once('error', reject);
    probe.once('close', (code) => {
      const seconds = Number.parseFloat(out.trim());
      if (code !== 0 || !Number.isFinite(seconds)) reject(new Error(`ffprobe could not read the duration of ${file}: ${err.trim() || out.trim()}`));
      else resolve(Math.round(seconds * 1000));
    });
  });
}
