// Password hashing with scrypt from node:crypto. Stored format:
//   scrypt$N$r$p$<salt base64>$<hash base64>
// so the cost can be raised later without breaking existing hashes.
//
// scrypt runs on libuv's thread pool (never on the event loop), and at most
// MAX_CONCURRENT_HASHES at once, so a login flood cannot take every pool thread (file I/O and DNS
// share them) or 16 MiB of memory per request; at most MAX_QUEUED_HASHES more wait, and beyond that
// a login is refused with PasswordHashingBusy (the API answers 503 with Retry-After).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';

export const MAX_CONCURRENT_HASHES = 2;
export const MAX_QUEUED_HASHES = 32;
const hashing = pLimit(MAX_CONCURRENT_HASHES);
/** The most scrypt computations seen running at once (for tests and /metrics). */
export const hashingStats = { running: 0, peakRunning: 0, refused: 0 };

export class PasswordHashingBusy extends Error {
  constructor() {
    super('too many password checks are waiting');
    this.name = 'PasswordHashingBusy';
  }
}

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> => {
  if (hashing.pendingCount >= MAX_QUEUED_HASHES) {
    hashingStats.refused++;
    return Promise.reject(new PasswordHashingBusy());
  }
  return hashing(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        hashingStats.running++;
        hashingStats.peakRunning = Math.max(hashingStats.peakRunning, hashingStats.running);
        try {
          scryptCb(password, salt, keylen, opts, (err, key) => {
            hashingStats.running--;
            if (err) reject(err);
            else resolve(key);
          });
        } catch (err) {
          // Cost parameters scrypt refuses (e.g. beyond maxmem) throw here, before any callback.
          hashingStats.running--;
          throw err;
        }
      }),
  );
};

const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...COST, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  // Cost parameters are checked as digits before they become numbers (Number('') is 0, Number('1e9') is a billion).
  if (![n, r, p].every((v) => /^[1-9][0-9]{0,7}$/.test(v))) return false;
  const expected = Buffer.from(keyB64, 'base64');
  if (expected.length === 0) return false;
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of a random password, checked against when a username is unknown so that timing does not tell. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** A random password that is easy to read out and type: 4 groups of 4 characters, no look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += alphabet[bytes[i]! % alphabet.length];
  }
  return out;
}
