// Hash chains: each entry carries the hash of the one before it, so changing, removing or
// re-ordering any stored entry changes every hash after it. Used for the per-attempt desktop
// timeline (attempt_events) and checked again by the moderation pack verifier, which has no
// database: this module is pure (node:crypto only) so scripts/verify-pack.ts can use it alone.
//
// FROZEN FORMAT (chain v1). Migration 7 backfills existing rows with these functions and packs
// already handed to moderators are verified with them: never change what is hashed; add a v2.
//
// The event's source (who recorded it: 'server' or 'browser', migration 10) is part of what is
// hashed from migration 10 on, and ONLY for entries that carry it: the content object gets a
// `source` key when, and only when, the entry's source is in the chain. canonicalJson leaves out
// keys whose value is undefined, so an entry without a source (every entry stored before
// migration 10, and every entry of a pack exported before it) hashes to exactly the bytes it did
// before: same prefix, same keys, same text. Adding a source to such an entry, or taking it off an
// entry stored with one, changes its hash. Entries stored before migration 10 have their source
// worked out from their hashed content instead (legacySource), so that label needs no trust either.
import { createHash } from 'node:crypto';
import type { EventSource, TimelineEvent } from './protocol/timeline.js';

export const CHAIN_VERSION = 1;
/** prev_hash of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so the same value always gives the same text
 * (whatever order the keys were written in, e.g. after a JSON round trip through another tool).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: numbers must be finite');
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The hash of one chain entry: its predecessor's hash and its own content, under a domain tag. */
export function chainHash(domain: string, prevHash: string, content: unknown): string {
  return sha256Hex(`callmark-chain-v${CHAIN_VERSION}:${domain}\n${prevHash}\n${canonicalJson(content)}`);
}

/** Who recorded a timeline entry (server/protocol/timeline.ts EventSource). */
export type ChainedEventSource = EventSource;

/** What of an attempt_events row is covered by its hash: the timeline event (everything but the row id and the hashes). */
export interface AttemptEventContent extends Omit<TimelineEvent, 'payload' | 'source'> {
  payload: unknown;
  /** Hashed when given, unless sourceInChain is false (see the top of this file). */
  source?: ChainedEventSource;
  /** false: an entry stored before sources were kept; its source is not hashed (legacySource says it). */
  sourceInChain?: boolean;
}

export function attemptEventHash(prevHash: string, e: AttemptEventContent): string {
  return chainHash('attempt_events', prevHash, {
    attemptId: e.attemptId,
    seq: e.seq,
    clientId: e.clientId,
    at: e.at,
    clientAt: e.clientAt,
    callId: e.callId,
    offsetMs: e.offsetMs,
    type: e.type,
    payload: e.payload,
    // undefined → the key is left out of the canonical JSON: the v1 bytes exactly.
    source: e.sourceInChain === false ? undefined : e.source,
  });
}

/** The client id of the server's own 'recording-finalised' entry of a call (recording-chain.ts). */
export const RECORDING_CLIENT_ID_PREFIX = 'recording:';

/**
 * The source of an entry stored before sources were kept, from its hashed content alone: the
 * server wrote only the recordings' 'recording-finalised' entries (client id 'recording:<call>',
 * which 'desktop:event' can never use: it takes UUIDs); everything else came from the browser.
 */
export function legacySource(e: Pick<AttemptEventContent, 'clientId' | 'type'>): ChainedEventSource {
  return e.type === 'recording-finalised' && e.clientId.startsWith(RECORDING_CLIENT_ID_PREFIX) ? 'server' : 'browser';
}

export interface ChainedEntry {
  prevHash: string | null;
  hash: string | null;
}

export interface ChainProblem {
  /** Index in the list checked. */
  index: number;
  message: string;
}

/**
 * Checks a whole chain from its genesis: every entry's prev hash is the hash before it and its hash
 * matches its content. Returns the first problem, or undefined when the chain is intact.
 */
export function verifyChain<T extends ChainedEntry>(entries: readonly T[], hashOf: (prevHash: string, entry: T) => string, label: (e: T) => string, genesis: string = GENESIS_HASH): ChainProblem | undefined {
  let prev = genesis;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.prevHash !== prev) return { index: i, message: `${label(e)}: its previous-hash does not match the entry before it (an entry was removed, inserted or re-ordered)` };
    if (!e.hash || hashOf(prev, e) !== e.hash) return { index: i, message: `${label(e)}: its content does not match its hash (the entry was changed)` };
    prev = e.hash;
  }
  return undefined;
}
