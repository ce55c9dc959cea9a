import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_ROUTERS, DEFAULT_WORKER_SLICE_US } from '../../media/index.js';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('loadConfig', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8443);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseFile).toBe(path.resolve('data', 'callmark.sqlite'));
    expect(c.recordingsDir).toBe(path.resolve('data', 'recordings'));
    expect(c.mediaWorkers).toBe(os.cpus().length);
    expect(c.mixConcurrency).toBe(os.cpus().length);
    expect(c.tls).toEqual({ mode: 'self-signed', dir: path.resolve('data', 'tls') });
    expect(c.rtcMinPort).toBe(40000);
    expect(c.rtcMaxPort).toBe(49999);
    expect(c.mediaPackCalls).toBe(DEFAULT_FILL_ROUTERS);
    expect(c.mediaWorkerSliceUs).toBe(DEFAULT_WORKER_SLICE_US);
    expect(c.demo).toBe(false);
  });

  it('reads settings from the environment and --demo from the arguments', () => {
    const c = loadConfig(
      { CALLMARK_PORT: '9000', CALLMARK_DATA_DIR: '/srv/cm', CALLMARK_TLS: 'off', CALLMARK_PUBLIC_IP: '203.0.113.7', CALLMARK_MEDIA_WORKERS: '3', CALLMARK_MEDIA_PACK_CALLS: '0', CALLMARK_MIX_CONCURRENCY: '1' },
      ['--demo'],
    );
    expect(c).toMatchObject({ port: 9000, dataDir: '/srv/cm', tls: { mode: 'off' }, publicIp: '203.0.113.7', mediaWorkers: 3, mediaPackCalls: 0, mixConcurrency: 1, demo: true });
    expect(loadConfig({ CALLMARK_DEMO: '1' }).demo).toBe(true);
  });

  it('takes a media worker slice of 0 (the kernel default) or 100-100000 µs, and refuses one the kernel would not take', () => {
    expect(loadConfig({ CALLMARK_MEDIA_WORKER_SLICE_US: '0' }).mediaWorkerSliceUs).toBe(0);
    expect(loadConfig({ CALLMARK_MEDIA_WORKER_SLICE_US: '300' }).mediaWorkerSliceUs).toBe(300);
    for (const bad of ['50', '100001', '-1', 'fast']) expect(() => loadConfig({ CALLMARK_MEDIA_WORKER_SLICE_US: bad })).toThrow(/CALLMARK_MEDIA_WORKER_SLICE_US/);
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig({ CALLMARK_ADMIN_PASSWORD: '', CALLMARK_PORT: '' })).toMatchObject({ adminPassword: undefined, port: 8443 });
  });

  it('uses a configured certificate when both files are given', () => {
    const c = loadConfig({ CALLMARK_TLS_CERT: '/etc/cm/cert.pem', CALLMARK_TLS_KEY: '/etc/cm/key.pem' });
    expect(c.tls).toEqual({ mode: 'files', certFile: '/etc/cm/cert.pem', keyFile: '/etc/cm/key.pem' });
  });

  it('names every bad setting', () => {
    let message = '';
    try {
      loadConfig({ CALLMARK_PORT: 'eighty', CALLMARK_TLS: 'maybe', CALLMARK_PUBLIC_IP: 'not-an-ip', CALLMARK_TLS_CERT: '/x' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('CALLMARK_PORT');
    expect(message).toContain('CALLMARK_TLS');
    expect(message).toContain('CALLMARK_PUBLIC_IP');
  });

  it('refuses an inverted RTP port range and a certificate without its key', () => {
    expect(() => loadConfig({ CALLMARK_RTC_MIN_PORT: '50000', CALLMARK_RTC_MAX_PORT: '40000' })).toThrow(/CALLMARK_RTC_MIN_PORT/);
    expect(() => loadConfig({ CALLMARK_TLS_CERT: '/x.pem' })).toThrow(/CALLMARK_TLS_KEY/);
  });

  it('demo mode listens on loopback unless told otherwise, and on any other address only with an explicit confirmation', () => {
    expect(loadConfig({ CALLMARK_DEMO: '1' }).host).toBe('127.0.0.1');
    expect(loadConfig({}, ['--demo']).host).toBe('127.0.0.1');
    expect(loadConfig({ CALLMARK_DEMO: '1', CALLMARK_HOST: '::1' }).host).toBe('::1');
    expect(() => loadConfig({ CALLMARK_DEMO: '1', CALLMARK_HOST: '0.0.0.0' })).toThrow(/CALLMARK_DEMO_ON_NETWORK/);
    expect(() => loadConfig({ CALLMARK_HOST: '192.0.2.10' }, ['--demo'])).toThrow(/CALLMARK_DEMO_ON_NETWORK/);
    expect(loadConfig({ CALLMARK_DEMO: '1', CALLMARK_HOST: '0.0.0.0', CALLMARK_DEMO_ON_NETWORK: '1' })).toMatchObject({ host: '0.0.0.0', demo: true });
    expect(loadConfig({ CALLMARK_HOST: '0.0.0.0' }, ['--demo', '--demo-on-network'])).toMatchObject({ host: '0.0.0.0', demo: true });
    // Without demo mode the confirmation changes nothing.
    expect(loadConfig({ CALLMARK_DEMO_ON_NETWORK: '1' })).toMatchObject({ host: '0.0.0.0', demo: false });
  });

  it('reads the trusted reverse proxies (addresses and CIDR ranges) and names a bad entry', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ CALLMARK_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1,loopback' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16', '::1', 'loopback']);
    expect(() => loadConfig({ CALLMARK_TRUST_PROXY: '10.0.0.1,proxy.example.org' })).toThrow(/CALLMARK_TRUST_PROXY.*proxy\.example\.org/);
  });
});

