import { describe, expect, it } from 'vitest';
import type { SipConnection } from '../../../server/sip/connection.js';
import { Registrar } from '../../../server/sip/registrar.js';

const conn = (open = true) => ({ isOpen: open }) as unknown as SipConnection;

describe('Registrar', () => {
  it('rings the most recent registration even when the clock has not moved', () => {
    const r = new Registrar(() => 1000);
    const first = conn();
    const second = conn();
    r.register('1001', 'sip:a@x.invalid', first, 300);
    r.register('1001', 'sip:b@y.invalid', second, 300);
    expect(r.lookup('1001')?.conn).toBe(second);
  });

  it('forgets expired bindings, closed connections and expires=0', () => {
    let now = 0;
    const r = new Registrar(() => now);
    const c = conn();
    r.register('1001', 'sip:a@x.invalid', c, 60);
    now = 61_000;
    expect(r.lookup('1001')).toBeUndefined();
    r.register('1002', 'sip:a@x.invalid', conn(false), 60);
    expect(r.isRegistered('1002')).toBe(false);
    r.register('1003', 'sip:a@x.invalid', c, 60);
    r.register('1003', 'sip:a@x.invalid', c, 0);
    expect(r.isRegistered('1003')).toBe(false);
  });
});
