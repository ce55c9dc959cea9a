// Who the client is (server/auth/client-address.ts): the key an address is counted under, which
// CALLMARK_TRUST_PROXY entries are usable, and the client address of a raw request over a real
// loopback HTTP connection, with and without a trusted proxy in front.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddressOf, isTrustedProxyEntry } from '../../../server/auth/client-address.js';

describe('addressKey', () => {
  it('keeps an IPv4 address, unwraps an IPv4-mapped IPv6 address, and groups IPv6 by /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('::/64');
  });

  it('keeps anything that is not an address as it is, and names a missing one', () => {
    expect(addressKey('not-an-address')).toBe('not-an-address');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('')).toBe('unknown');
  });
});

describe('isTrustedProxyEntry', () => {
  it('accepts addresses, CIDR ranges and proxy-addr\'s names, and nothing else', () => {
    for (const ok of ['loopback', 'linklocal', 'uniquelocal', '10.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8']) expect(isTrustedProxyEntry(ok), ok).toBe(true);
    for (const bad of ['', 'localhost', 'private', '10.0.0.0/33', '10.0.0.300', 'fd00::/129']) expect(isTrustedProxyEntry(bad), bad).toBe(false);
  });
});

/** The client address `clientAddressOf(trusted)` gives for one loopback request with these headers. */
async function clientAddressSeen(trusted: readonly string[], headers: Record<string, string>): Promise<string> {
  const addressOf = clientAddressOf(trusted);
  const server = http.createServer((req, res) => res.end(addressOf(req)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
    return await res.text();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('clientAddressOf', () => {
  it('without trusted proxies: the connection\'s peer, whatever X-Forwarded-For says', async () => {
    expect(await clientAddressSeen([], { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
  });

  it('behind a trusted proxy: the rightmost X-Forwarded-For entry that is not itself trusted', async () => {
    expect(await clientAddressSeen(['loopback'], { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' })).toBe('203.0.113.9');
    expect(await clientAddressSeen(['loopback', '203.0.113.0/24'], { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' })).toBe('198.51.100.1');
  });

  it('a peer that is not a trusted proxy is the client, X-Forwarded-For or not', async () => {
    expect(await clientAddressSeen(['10.0.0.1'], { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
  });
});
