// Who the client is, for per-address limits (logins, the API, SIP connections, socket.io handshakes).
//
// The client address: the connection's peer, or, when that peer is a trusted reverse proxy
// (CALLMARK_TRUST_PROXY: addresses, CIDR ranges, or proxy-addr's names loopback / linklocal /
// uniquelocal), the rightmost X-Forwarded-For entry not itself a trusted proxy. Fastify applies the
// same rule to request.ip and request.protocol (trustProxy); `clientAddressOf` gives it for raw
// requests (the socket.io handshake).
//
// The key an address is counted under: an IPv4 address as itself (an IPv4-mapped IPv6 address
// too); an IPv6 address as its /64, since one client (one home or office network, RFC 6177) is
// normally handed a whole /64 and could otherwise rotate through 2^64 addresses.
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import ipaddr from 'ipaddr.js';

/** The client address of a raw request, trusting X-Forwarded-For only from `trustedProxies`. */
export function clientAddressOf(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? 'unknown';
  const trust = proxyAddr.compile([...trustedProxies]);
  return (req) => proxyAddr(req, trust);
}

/** Whether a CALLMARK_TRUST_PROXY entry is usable: an address, a CIDR range or one of proxy-addr's names. */
export function isTrustedProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  if (ipaddr.isValid(entry)) return true;
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
