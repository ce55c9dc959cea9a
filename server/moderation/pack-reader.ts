// Reads an uploaded moderation pack (a zip) for the verifier, entry by entry, streaming, with
// limits a hostile upload cannot get past (yauzl: https://github.com/thejoshwolfe/yauzl):
//   - the number of entries (read from the end-of-central-directory record before any entry);
//   - each entry's declared uncompressed size, and the total of them;
//   - each entry's declared size against its compressed size (ratio), for entries over 1 MiB;
//   - the actual inflated bytes: yauzl's validateEntrySizes stops an entry that inflates to more
//     than it declares, so the declared limits bound the real work.
// Nothing is inflated into a buffer of the declared size: each entry streams through SHA-256 and
// only JSON files (what the verifier parses) are kept, up to their own limit. Names that occur
// twice are refused (which copy would be "the" file?). Run it off the event loop
// (pack-verify-thread.ts): it hashes every byte of the pack.
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';

export interface PackEntry {
  /** Uncompressed size. */
  bytes: number;
  sha256: string;
  /** The content of a JSON file (what the verifier parses); other files are only hashed. */
  data?: Buffer;
}

/** The files of a pack, by path, in archive order. */
export type PackFiles = ReadonlyMap<string, PackEntry>;

export interface PackLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest declared-to-compressed size ratio of an entry over RATIO_FLOOR_BYTES. */
  maxRatio: number;
  /** Largest JSON file kept in memory, and all of them together. */
  maxJsonBytes: number;
  maxJsonTotalBytes: number;
}

export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxEntries: 50_000,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 200,
  maxJsonBytes: 32 * 1024 * 1024,
  maxJsonTotalBytes: 256 * 1024 * 1024,
};
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** The upload is refused as a whole: it is no zip (`not-a-zip`) or it breaks a limit (`limit`). */
export class PackRefused extends Error {
  constructor(
    readonly kind: 'not-a-zip' | 'limit',
    message: string,
  ) {
    super(message);
    this.name = 'PackRefused';
  }
}

const limit = (message: string) => new PackRefused('limit', message);

function open(source: Buffer | string): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, autoClose: true };
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip: yauzl.ZipFile) => (err ? reject(new PackRefused('not-a-zip', `not a readable zip file: ${err.message}`)) : resolve(zip));
    if (typeof source === 'string') yauzl.open(source, options, done);
    else yauzl.fromBuffer(source, options, done);
  });
}

/** Checks an entry's header against the limits before a byte of it is inflated. */
function checkDeclared(entry: yauzl.Entry, limits: PackLimits, totals: { declared: number; json: number }): void {
  const name = entry.fileName;
  const size = entry.uncompressedSize;
  if (size > limits.maxEntryBytes) throw limit(`${name} declares ${size} bytes, over the limit of ${limits.maxEntryBytes} bytes per file.`);
  if (size > RATIO_FLOOR_BYTES && size / Math.max(1, entry.compressedSize) > limits.maxRatio) {
    throw limit(`${name} declares ${size} bytes from ${entry.compressedSize} compressed bytes (${Math.round(size / Math.max(1, entry.compressedSize))}:1), over the limit of ${limits.maxRatio}:1: a zip bomb, not a moderation pack.`);
  }
  totals.declared += size;
  if (totals.declared > limits.maxTotalBytes) throw limit(`The pack's files add up to more than ${limits.maxTotalBytes} bytes, the limit.`);
  if (isJson(name)) {
    if (size > limits.maxJsonBytes) throw limit(`${name} declares ${size} bytes, over the limit of ${limits.maxJsonBytes} bytes for a JSON file.`);
    totals.json += size;
    if (totals.json > limits.maxJsonTotalBytes) throw limit(`The pack's JSON files add up to more than ${limits.maxJsonTotalBytes} bytes, the limit.`);
  }
  if (entry.isEncrypted()) throw limit(`${name} is encrypted; a moderation pack never is.`);
}

const isJson = (name: string): boolean => name.endsWith('.json');

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<PackEntry> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) {
        reject(limit(`${entry.fileName} cannot be read: ${err.message}`));
        return;
      }
      const hash = createHash('sha256');
      const keep: Buffer[] | undefined = isJson(entry.fileName) ? [] : undefined;
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        keep?.push(chunk);
      });
      stream.on('error', (e: Error) =>
        reject(limit(/too many bytes/i.test(e.message) ? `${entry.fileName} inflates to more than the ${entry.uncompressedSize} bytes it declares.` : `${entry.fileName} cannot be read: ${e.message}`)),
      );
      stream.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), ...(keep ? { data: Buffer.concat(keep) } : {}) }));
    });
  });
}

/** Every file of the pack (a zip in memory, or the path of one) with its size and SHA-256; PackRefused when it breaks a limit. */
export async function readPackZip(source: Buffer | string, limits: Partial<PackLimits> = {}): Promise<PackFiles> {
  const l: PackLimits = { ...DEFAULT_PACK_LIMITS, ...limits };
  const zip = await open(source);
  if (zip.entryCount > l.maxEntries) {
    zip.close();
    throw limit(`The pack holds ${zip.entryCount} files; at most ${l.maxEntries} are accepted.`);
  }
  const files = new Map<string, PackEntry>();
  const totals = { declared: 0, json: 0 };
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (e: Error) => reject(e instanceof PackRefused ? e : new PackRefused('not-a-zip', `not a readable zip file: ${e.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (entry.fileName.endsWith('/')) return; // a directory
          if (files.has(entry.fileName)) throw limit(`${entry.fileName} occurs twice in the pack.`);
          checkDeclared(entry, l, totals);
          files.set(entry.fileName, await readEntry(zip, entry));
        })().then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    if (zip.isOpen) zip.close();
  }
  return files;
}
