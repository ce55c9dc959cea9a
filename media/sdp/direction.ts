// SDP media directions (RFC 3264 §6.1) and the little algebra the B2BUA needs for hold: what an
// answerer may say back to an offered direction, and whether a direction puts the other side on hold.
import { parseSdpText } from './text.js';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export function sends(d: Direction): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function receives(d: Direction): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

function fromFlags(send: boolean, recv: boolean): Direction {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** The peer's direction seen from our side: their sendonly is our recvonly. */
export function reverse(d: Direction): Direction {
  return fromFlags(receives(d), sends(d));
}

/** Only what both allow: an answer may narrow an offered direction, never widen it. */
export function intersect(a: Direction, b: Direction): Direction {
  return fromFlags(sends(a) && sends(b), receives(a) && receives(b));
}

/** A party that offers sendonly or inactive has put the other party on hold (RFC 6337 §5.3). */
export function isHold(offered: Direction): boolean {
  return offered === 'sendonly' || offered === 'inactive';
}

export function asDirection(value: string | undefined): Direction | undefined {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : undefined;
}

/**
 * The direction of the first audio section of an SDP body (media level, else session level, else
 * sendrecv), so the B2BUA can tell a hold re-INVITE without parsing SDP itself.
 */
export function sdpAudioDirection(sdp: string): Direction {
  const session = parseSdpText(sdp);
  const audio = session.media.find((m) => m.type === 'audio' && m.port !== 0);
  return asDirection(audio?.direction) ?? asDirection(session.direction) ?? 'sendrecv';
}
