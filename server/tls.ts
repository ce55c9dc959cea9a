// HTTPS material. Browsers give a page the microphone only on a secure origin, so anything but
// localhost must be served over HTTPS/WSS. With no certificate configured, a self-signed one is
// made on first start (kept in the data directory and reused) for localhost, this host's name
// and the announced IP. Production centres should configure a real one (see README).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import selfsigned from 'selfsigned';
import type { Config } from './config.js';

/**
 * What the HTTPS server offers: TLS 1.2 and 1.3 only; in TLS 1.2 only forward-secret key exchange
 * (ECDHE) with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), the server's order first: Mozilla's
 * "intermediate" configuration (https://wiki.mozilla.org/Security/Server_Side_TLS). Every TLS 1.3
 * suite is ECDHE + AEAD by design (RFC 8446 §9.1). Browsers that could run Callmark's WebRTC all
 * support these.
 */
export const TLS_SERVER_OPTIONS = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;

export interface TlsMaterial {
  cert: string;
  key: string;
  selfSigned: boolean;
  certFile: string;
}

export function loadTls(tls: Config['tls'], publicIp: string): TlsMaterial | undefined {
  if (tls.mode === 'off') return undefined;
  if (tls.mode === 'files') {
    return { cert: fs.readFileSync(tls.certFile, 'utf8'), key: fs.readFileSync(tls.keyFile, 'utf8'), selfSigned: false, certFile: tls.certFile };
  }
  const certFile = path.join(tls.dir, 'self-signed.crt');
  const keyFile = path.join(tls.dir, 'self-signed.key');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8'), selfSigned: true, certFile };
  }
  const ips = [...new Set(['127.0.0.1', publicIp])];
  const names = [...new Set(['localhost', os.hostname()])];
  const pems = selfsigned.generate([{ name: 'commonName', value: os.hostname() || 'callmark' }], {
    days: 825,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
      },
    ],
  });
  fs.mkdirSync(tls.dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, selfSigned: true, certFile };
}
