import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { loadTls } from '../../server/tls.js';
import { createTestApp } from '../support/test-app.js';

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

  // SECURITY.md, info finding: TLS 1.2 offered non-forward-secret CBC suites (AES128-SHA, AES256-SHA256).
  it('the HTTPS server offers TLS 1.2 only with ECDHE key exchange and AEAD ciphers, and no TLS below 1.2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-tls-'));
    const material = loadTls({ mode: 'self-signed', dir }, '127.0.0.1')!;
    const t = await createTestApp({ https: { cert: material.cert, key: material.key } });
    try {
      const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const port = Number(new URL(address).port);
      const handshake = (options: tls.ConnectionOptions) =>
        new Promise<string | undefined>((resolve) => {
          const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
            const name = socket.getCipher().standardName;
            socket.end();
            resolve(name);
          });
          socket.on('error', () => resolve(undefined));
        });
      const accepted: string[] = [];
      for (const cipher of tls.getCiphers().map((c) => c.toUpperCase())) {
        if (cipher.startsWith('TLS_')) continue; // TLS 1.3 suites, all AEAD
        const name = await handshake({ maxVersion: 'TLSv1.2', ciphers: cipher });
        if (name) accepted.push(name);
      }
      expect(accepted.length).toBeGreaterThan(0);
      for (const name of accepted) expect(name, accepted.join(', ')).toMatch(/^TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
      expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' })).toBeUndefined();
      expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES256-SHA256' })).toBeUndefined();
      expect(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).toBeUndefined();
      expect(await handshake({})).toMatch(/^TLS_(AES|CHACHA20)/);
    } finally {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

