// engine.io handshakes without a live login session, limited per client address: each one gets
// an engine.io session (a connection, buffers, timers) before socket.io's middleware can refuse
// the namespace, so an unlimited number of them was an easy way to hold server resources. A few a
// minute pass (a browser whose session just ended must still hear "unauthenticated" and show
// "log in again"); beyond that the handshake itself is refused (engine.io answers 403). Handshakes
// with a live session cookie are not counted here (their events are rate-limited per user).
import type { IncomingMessage } from 'node:http';
import { addressKey } from '../auth/client-address.js';

export const UNAUTHENTICATED_HANDSHAKES_PER_MINUTE = 20;
const MAX_TRACKED = 100_000;

export interface HandshakeGateOptions {
  /** Whether the request carries a live session cookie. */
  hasLiveSession: (req: IncomingMessage) => boolean;
  /** The client address (proxy-aware). */
  clientAddress: (req: IncomingMessage) => string;
  perMinute?: number;
}

/** engine.io's allowRequest: (req, callback(error, allowed)). */
export function handshakeGate(opts: HandshakeGateOptions): (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void {
  const perMinute = opts.perMinute ?? UNAUTHENTICATED_HANDSHAKES_PER_MINUTE;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, callback) => {
    if (opts.hasLiveSession(req)) return callback(null, true);
    const now = Date.now();
    const key = addressKey(opts.clientAddress(req));
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * perMinute);
    bucket.at = now;
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > MAX_TRACKED) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens < 1) return callback('too many connections without a login from this address', false);
    bucket.tokens -= 1;
    callback(null, true);
  };
}
