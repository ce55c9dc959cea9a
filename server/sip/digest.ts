// SIP digest authentication (RFC 3261 §22, https://www.rfc-editor.org/rfc/rfc3261#section-22 with RFC 2617 qop=auth, algorithms MD5 and SHA-256 per
// RFC 8760). Nonces are self-validating (timestamp + random, signed with a server secret), expire
// after a configurable time (the client is told stale=true and retries silently), and each nonce's
// nonce-count must increase, so a captured Authorization header cannot be replayed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

export type DigestAlgorithm = 'MD5' | 'SHA-256';
const HASH: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

export const hashHex = (algorithm: DigestAlgorithm, value: string): string => createHash(HASH[algorithm]).update(value).digest('hex');

/** HA1 = H(username:realm:password): what the server stores instead of the password. */
export const computeHa1 = (algorithm: DigestAlgorithm, username: string, realm: string, password: string): string =>
  hashHex(algorithm, `${username}:${realm}:${password}`);

/**
 * The request-digest with qop=auth, RFC 7616 §3.4.1, https://www.rfc-editor.org/rfc/rfc7616#section-3.4.1 (the same as RFC 2617 §3.2.2.1):
 *   response = <"> < KD ( H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2) ) <">
 *   KD(secret, data) = H(concat(secret, ":", data)),  A2 = Method ":" request-uri
 * https://www.rfc-editor.org/rfc/rfc7616#section-3.4.1
 */
export function digestResponse(algorithm: DigestAlgorithm, ha1: string, p: { nonce: string; nc: string; cnonce: string; method: string; uri: string }): string {
  const ha2 = hashHex(algorithm, `${p.method}:${p.uri}`);
  return hashHex(algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

/**
 * Parses the auth-param list of an Authorization / Proxy-Authorization value
 * (`Digest username="a", uri="sip:x", nc=00000001, ...`; RFC 7235 §2.1, https://www.rfc-editor.org/rfc/rfc7235#section-2.1 syntax).
 * Returns undefined for anything that is not a well-formed Digest credential.
 */
export function parseDigestCredentials(value: string): Record<string, string> | undefined {
  const m = /^\s*Digest\s+/i.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  let rest = value.slice(m[0].length);
  const pair = /^\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*(,|$)/;
  while (rest.trim().length > 0) {
    const p = pair.exec(rest);
    if (!p) return undefined;
    const name = p[1]!.toLowerCase();
    if (name in params) return undefined; // a repeated parameter is ambiguous: refuse it
    params[name] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    rest = rest.slice(p[0].length);
  }
  return params;
}

export interface DigestOptions {
  realm: string;
  secret: Buffer;
  nonceLifetimeMs: number;
  clock: Clock;
}

export type DigestResult =
  | { ok: true; username: string; algorithm: DigestAlgorithm }
  | { ok: false; reason: 'missing' | 'malformed' | 'wrong-realm' | 'bad-nonce' | 'stale' | 'replay' | 'unknown-user' | 'wrong-password' | 'wrong-uri' };

export class DigestAuthenticator {
  /** Highest nonce-count seen for each live nonce. */
  private readonly nonceCounts = new Map<string, number>();

  constructor(private readonly opts: DigestOptions) {}

  get realm(): string {
    return this.opts.realm;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.opts.secret).update(payload).digest('base64url').slice(0, 22);
  }

  createNonce(): string {
    const payload = `${this.opts.clock.now().toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /**
   * Challenge header values, one per algorithm (RFC 8760 §2.4,
   * https://www.rfc-editor.org/rfc/rfc8760#section-2.4, lets a UAS send a WWW-Authenticate header
   * field for each algorithm it supports). Clients that keep a single header differ: sip.js and
   * JsSIP keep the last one, simple desk phones the first, and many of both know only MD5. So MD5
   * is both the first and the last challenge, and SHA-256 stands between them for clients that
   * choose among all the headers: whichever one a client keeps, it can answer.
   */
  challenges(stale = false): string[] {
    const nonce = this.createNonce();
    return (['MD5', 'SHA-256', 'MD5'] as const).map(
      (algorithm) => `Digest realm="${this.opts.realm}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"${stale ? ', stale=true' : ''}`,
    );
  }

  private checkNonce(nonce: string): 'ok' | 'bad-nonce' | 'stale' {
    const parts = nonce.split('.');
    if (parts.length !== 3) return 'bad-nonce';
    const payload = `${parts[0]}.${parts[1]}`;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(parts[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-nonce';
    const issued = parseInt(parts[0]!, 36);
    if (!Number.isFinite(issued) || this.opts.clock.now() - issued > this.opts.nonceLifetimeMs) return 'stale';
    return 'ok';
  }

  /**
   * Verifies credentials for a request. `ha1For(username, algorithm)` returns every HA1 the user
   * may currently authenticate with (one per live login session) and [] for an unknown user.
   */
  verify(
    header: string | undefined,
    method: string,
    ha1For: (username: string, algorithm: DigestAlgorithm) => string[],
    requestUri?: string,
  ): DigestResult {
    if (!header) return { ok: false, reason: 'missing' };
    const c = parseDigestCredentials(header);
    if (!c || !c.username || !c.nonce || !c.uri || !c.response) return { ok: false, reason: 'malformed' };
    if (c.realm !== this.opts.realm) return { ok: false, reason: 'wrong-realm' };
    // The response covers the digest-uri, which must be this request's Request-URI (RFC 2617 §3.2.2.5, https://www.rfc-editor.org/rfc/rfc2617#section-3.2.2.5).
    if (requestUri !== undefined && c.uri !== requestUri) return { ok: false, reason: 'wrong-uri' };
    const algorithm = (c.algorithm ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : (c.algorithm ?? 'MD5').toUpperCase() === 'MD5' ? 'MD5' : undefined;
    if (!algorithm) return { ok: false, reason: 'malformed' };
    const nonceState = this.checkNonce(c.nonce);
    if (nonceState !== 'ok') return { ok: false, reason: nonceState };
    if (c.qop !== 'auth' || !c.cnonce || !c.nc || !/^[0-9a-fA-F]{8}$/.test(c.nc)) return { ok: false, reason: 'malformed' };
    const nc = parseInt(c.nc, 16);
    const candidates = ha1For(c.username, algorithm);
    if (candidates.length === 0) return { ok: false, reason: 'unknown-user' };
    const request = { nonce: c.nonce, nc: c.nc, cnonce: c.cnonce, method, uri: c.uri };
    const match = candidates.some((ha1) => {
      const expected = digestResponse(algorithm, ha1, request);
      return expected.length === c.response!.length && timingSafeEqual(Buffer.from(expected), Buffer.from(c.response!.toLowerCase()));
    });
    if (!match) return { ok: false, reason: 'wrong-password' };
    // Only now, with a valid response, does the nonce-count advance (a forger cannot burn counts).
    const last = this.nonceCounts.get(c.nonce) ?? 0;
    if (nc <= last) return { ok: false, reason: 'replay' };
    this.nonceCounts.set(c.nonce, nc);
    this.pruneNonceCounts();
    return { ok: true, username: c.username, algorithm };
  }

  private pruneNonceCounts(): void {
    if (this.nonceCounts.size < 10_000) return;
    for (const nonce of this.nonceCounts.keys()) if (this.checkNonce(nonce) !== 'ok') this.nonceCounts.delete(nonce);
  }
}
