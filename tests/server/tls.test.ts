import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTls } from '../../server/tls.js';

describe('loadTls', () => {
  it('is off when asked', () => {
    expect(loadTls({ mode: 'off' }, '127.0.0.1')).toBeUndefined();
  });

  it('generates a self-signed certificate for localhost and the public IP, then reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-tls-'));
    try {
      const first = loadTls({ mode: 'self-signed', dir }, '203.0.113.9')!;
      expect(first.selfSigned).toBe(true);
      const x509 = new crypto.X509Certificate(first.cert);
      expect(x509.subjectAltName).toContain('DNS:localhost');
      expect(x509.subjectAltName).toContain('IP Address:203.0.113.9');
      expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(x509.checkPrivateKey(crypto.createPrivateKey(first.key))).toBe(true);
      expect((fs.statSync(path.join(dir, 'self-signed.key')).mode & 0o777).toString(8)).toBe('600');
      const second = loadTls({ mode: 'self-signed', dir }, '203.0.113.9')!;
      expect(second.cert).toBe(first.cert);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
