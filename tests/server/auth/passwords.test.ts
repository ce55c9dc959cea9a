import { describe, expect, it } from 'vitest';
import { generatePassword, hashingStats, hashPassword, MAX_CONCURRENT_HASHES, MAX_QUEUED_HASHES, PasswordHashingBusy, verifyPassword } from '../../../server/auth/passwords.js';

describe('passwords', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
    expect(await verifyPassword('a long enough passwore', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('rejects stored hashes of the wrong shape, cost or length, checking nothing', async () => {
    const good = await hashPassword('a long enough password');
    const [, n, r, p, salt, key] = good.split('$') as [string, string, string, string, string, string];
    const bad = [
      ['scrypt', n, r, p, salt, key, 'extra'].join('$'),
      ['scrypt', n, r, p, salt].join('$'),
      ['bcrypt', n, r, p, salt, key].join('$'),
      ['scrypt', `x${n}`, r, p, salt, key].join('$'),
      ['scrypt', `${n}x`, r, p, salt, key].join('$'),
      ['scrypt', '0', r, p, salt, key].join('$'),
      ['scrypt', n, '', p, salt, key].join('$'),
      ['scrypt', n, r, '123456789', salt, key].join('$'),
      ['scrypt', n, r, p, salt, ''].join('$'),
    ];
    for (const stored of bad) expect(await verifyPassword('a long enough password', stored), stored).toBe(false);
    // A key of another length (here the first 16 bytes) is checked at that length and does not match.
    const short = ['scrypt', n, r, p, salt, Buffer.from(key, 'base64').subarray(0, 16).toString('base64')].join('$');
    expect(await verifyPassword('a long enough password', short)).toBe(true);
    expect(await verifyPassword('another password', short)).toBe(false);
  });

  it('a cost beyond scrypt\'s memory limit fails the check with scrypt\'s error, and is not counted as running', async () => {
    const good = await hashPassword('a long enough password');
    const [, , r, p, salt, key] = good.split('$') as [string, string, string, string, string, string];
    await expect(verifyPassword('a long enough password', ['scrypt', '16777216', r, p, salt, key].join('$'))).rejects.toThrow(/memory|N/i);
    expect(hashingStats.running).toBe(0);
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
  });

  it('generates readable passwords long enough for the policy', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(new Set(Array.from({ length: 20 }, generatePassword)).size).toBe(20);
  });
});

describe('password hashing under load', () => {
  it('runs at most MAX_CONCURRENT_HASHES scrypt computations at once, and refuses checks beyond the queue instead of piling them up', async () => {
    const hash = await hashPassword('a long enough password');
    hashingStats.peakRunning = 0;
    const refusedBefore = hashingStats.refused;
    const results = await Promise.allSettled(Array.from({ length: MAX_QUEUED_HASHES + 10 }, () => verifyPassword('a long enough password', hash)));
    expect(hashingStats.peakRunning).toBe(MAX_CONCURRENT_HASHES);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PasswordHashingBusy);
    const busy = (refused[0] as PromiseRejectedResult).reason as Error;
    expect([busy.name, busy.message]).toEqual(['PasswordHashingBusy', 'too many password checks are waiting']);
    expect(hashingStats.refused).toBe(refusedBefore + refused.length);
    // Checks started in one go all wait in the queue before the first runs: exactly MAX_QUEUED_HASHES are taken.
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true).length).toBe(MAX_QUEUED_HASHES);
    expect(refused).toHaveLength(10);
    // Once the queue has drained, checks run again.
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
  });

  it('rejects a stored hash with non-numeric cost parameters instead of throwing', async () => {
    expect(await verifyPassword('x', 'scrypt$a$8$1$c2FsdA==$aGFzaA==')).toBe(false);
  });
});
