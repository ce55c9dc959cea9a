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
    const results = await Promise.allSettled(Array.from({ length: MAX_QUEUED_HASHES + 10 }, () => verifyPassword('a long enough password', hash)));
    expect(hashingStats.peakRunning).toBe(MAX_CONCURRENT_HASHES);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PasswordHashingBusy);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true).length).toBeGreaterThanOrEqual(MAX_QUEUED_HASHES);
    // Once the queue has drained, checks run again.
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
  });

  it('rejects a stored hash with non-numeric cost parameters instead of throwing', async () => {
    expect(await verifyPassword('x', 'scrypt$a$8$1$c2FsdA==$aGFzaA==')).toBe(false);
  });
});
