// The key a client address is counted under by per-address limits (logins, SIP connections,
// socket.io handshakes). An IPv4 address counts as itself (an IPv4-mapped IPv6 address too); an
// IPv6 address counts as its /64, since one client (one home or office network, RFC 6177) is
// normally handed a whole /64 and could otherwise rotate through 2^64 addresses.
import ipaddr from 'ipaddr.js';

export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
