// Re-INVITE glare (RFC 3261 §14.1, https://www.rfc-editor.org/rfc/rfc3261#section-14.1): when our
// re-INVITE crosses the other side's, both get 491 and each tries again after a back-off that
// depends on who generated the dialog's Call-ID.
import type { Clock } from '../clock.js';
import type { SipResponse } from './message.js';
import type { DialogLeg } from './dialog-leg.js';

/** Sends of one server re-INVITE refused for glare (491, or 500 with Retry-After) before giving up. */
export const REINVITE_ATTEMPTS = 4;
/** The longest Retry-After of a 500 we wait for before sending a re-INVITE again. */
const RETRY_AFTER_CAP_MS = 5_000;

/**
 * A final response that asks us to send our re-INVITE again later: 491 (the other side's own
 * re-INVITE crossed ours, RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2), or 500 with Retry-After (its INVITE server transaction
 * was still incomplete; sip.js answers so).
 */
export function refusedForGlare(r: SipResponse): boolean {
  return r.statusCode === 491 || (r.statusCode === 500 && r.getHeader('retry-after') !== undefined);
}

/**
 * How long to wait before the next attempt (RFC 3261 §14.1, https://www.rfc-editor.org/rfc/rfc3261#section-14.1): the Retry-After of a 500 (capped);
 * after a 491, 2.1–4 s when we generated the dialog's Call-ID and 0–2 s when the other side did,
 * so that the two sides do not collide again.
 */
export function glareBackoffMs(leg: DialogLeg, r: SipResponse): number {
  const retryAfter = /^\s*(\d+)/.exec(r.getHeader('retry-after') ?? '')?.[1];
  if (r.statusCode === 500 && retryAfter !== undefined) return Math.min(Number(retryAfter) * 1000, RETRY_AFTER_CAP_MS);
  return leg.ownsCallId ? 2100 + Math.random() * 1900 : Math.random() * 2000;
}

/** A pause on the injected clock that does not keep the process alive (shutdown does not wait for a glare retry). */
export function pause(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void clock.setTimer(ms, resolve));
}
