// Stores a rendered print-out as evidence: the PDF is written crash-safely (a temporary file,
// fsync, rename, fsync of the folder) to '<print-outs dir>/<attempt id>/<id>-<kind>.pdf', and only
// then is its row (with the file's SHA-256) recorded. A crash leaves either nothing or a complete
// file; a row never points at a missing or half-written file.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Printout, PrintoutKind } from '../db/repositories/printouts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { RenderedPdf } from './render.js';

export interface StorePrintoutInput {
  attemptId: string;
  kind: PrintoutKind;
  subjectId: number;
  rendered: RenderedPdf;
  createdAt: number;
  createdBy: number;
  /**
   * Checked again in the transaction that stores the row, after the file is written: throws when
   * the print-out may no longer be kept (e.g. the attempt was closed while it was rendered).
   */
  stillAllowed?: () => void;
  /** Runs in the transaction that stores the row (e.g. the attempt's timeline entry for it). */
  recorded?: (printout: Printout) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function syncFolder(dir: string): Promise<void> {
  // Makes the new directory entry durable. Not every platform can open a folder for this; where
  // it cannot, the rename is still atomic, only its durability is up to the file system.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes bytes to file so that the file is either absent or complete, even after a crash. */
export async function writeFileDurably(file: string, bytes: Buffer): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o640);
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncFolder(dir);
}

/** Writes the PDF and records it; returns the stored row. */
export async function storePrintout(repos: Repositories, printoutsDir: string, input: StorePrintoutInput): Promise<Printout> {
  // The attempt id becomes a folder name: only ever a lower-case UUID.
  if (!UUID.test(input.attemptId)) throw new Error(`not an attempt id: ${JSON.stringify(input.attemptId)}`);
  const id = randomUUID();
  const root = path.resolve(printoutsDir);
  const dir = path.join(root, input.attemptId);
  const name = `${id}-${input.kind}.pdf`;
  const file = path.join(dir, name);
  const pdf = input.rendered.pdf;

  const created = await fs.mkdir(dir, { recursive: true });
  await writeFileDurably(file, pdf);
  if (created !== undefined) await syncFolder(path.dirname(dir));

  try {
    return repos.transaction(() => {
      input.stillAllowed?.();
      const stored = repos.printouts.insert({
        id,
        attemptId: input.attemptId,
        kind: input.kind,
        subjectId: input.subjectId,
        title: input.rendered.title,
        file: `${input.attemptId}/${name}`,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        bytes: pdf.length,
        pages: input.rendered.pages,
        createdAt: input.createdAt,
        createdBy: input.createdBy,
      });
      input.recorded?.(stored);
      return stored;
    });
  } catch (err) {
    await fs.rm(file, { force: true });
    throw err;
  }
}

/**
 * The absolute path of a stored print-out's file, or undefined if the stored name would lead
 * outside the print-outs directory (it never should: the table refuses such names too).
 */
export function printoutFile(printoutsDir: string, printout: Pick<Printout, 'file'>): { root: string; relative: string } | undefined {
  const root = path.resolve(printoutsDir);
  const absolute = path.resolve(root, printout.file);
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return { root, relative };
}
