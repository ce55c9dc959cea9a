// Who a SIP request comes from: the digest challenge (407 for requests, 401 for REGISTER) answered
// against each login session's SIP credentials (session-digest.ts), a connection marked
// authenticated once (and bound to that login session), and an initial INVITE from a registered
// connection checked against its From and its session. In-dialog requests are checked against
// their dialog by the B2BUA.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { SipConnection } from './connection.js';
import type { SipConnectionLimits } from './connection-limits.js';
import type { DigestAuthenticator, DigestResult } from './digest.js';
import { userOf, type buildResponse, type SipRequest } from './message.js';
import { verifyAgainstSessions } from './session-digest.js';

export interface RequestAuthDeps {
  repos: Repositories;
  clock: Clock;
  log: FastifyBaseLogger;
  digest: DigestAuthenticator;
  limits: SipConnectionLimits;
  respond(conn: SipConnection, request: SipRequest, status: number, opts?: Parameters<typeof buildResponse>[2]): void;
}

export class RequestAuth {
  constructor(private readonly deps: RequestAuthDeps) {}

  /** Whether the login session a connection authenticated with is still live. */
  boundSessionIsLive(conn: SipConnection): boolean {
    return conn.sessionTokenHash !== undefined && this.deps.repos.sessions.isLive(conn.sessionTokenHash, this.deps.clock.now());
  }


  /** Digest verification against each live session's credentials (session-digest.ts). */
  verifyDigest(request: SipRequest, header: string | undefined) {
    return verifyAgainstSessions(this.deps.digest, this.deps, { header, method: request.method, requestUri: rawRequestUri(request) });
  }

  challenge(conn: SipConnection, request: SipRequest, result: DigestResult, proxy: boolean): void {
    const stale = !result.ok && result.reason === 'stale';
    const header = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    if (!result.ok && result.reason !== 'missing' && result.reason !== 'stale') {
      this.deps.log.info({ conn: conn.id, method: request.method, reason: result.reason, from: userOf(request.from) }, 'SIP authentication failed');
    }
    // A replayed nonce-count gets a fresh challenge, not a refusal: sip.js re-sends its previous
    // Authorization as it is when it refreshes a registration, and a replayer cannot answer a new nonce.
    if (!result.ok && (result.reason === 'malformed' || result.reason === 'wrong-realm' || result.reason === 'wrong-uri')) {
      return this.deps.respond(conn, request, 403, { reason: `Forbidden (${result.reason})` });
    }
    this.deps.respond(conn, request, proxy ? 407 : 401, {
      toTag: randomBytes(6).toString('hex'),
      headers: this.deps.digest.challenges(stale).map((v) => [header, v] as [string, string]),
    });
  }

  /** Requests other than REGISTER: allowed on a connection that registered, else challenged (407). */
  authenticateRequest(conn: SipConnection, request: SipRequest): boolean {
    const fromUser = userOf(request.from);
    if (request.method === 'INVITE' && !request.toTag) {
      if (conn.authenticatedExtension) {
        // The connection's authentication lasts only as long as the login session it authenticated with.
        if (!this.boundSessionIsLive(conn)) {
          this.deps.respond(conn, request, 403, { reason: 'Forbidden (your login session has ended)' });
          conn.close(1008, 'login session ended');
          return false;
        }
        if (fromUser !== conn.authenticatedExtension) {
          this.deps.respond(conn, request, 403, { reason: 'Forbidden (From does not match the registered user)' });
          return false;
        }
        return true;
      }
      const result = this.verifyDigest(request, request.getHeader('proxy-authorization'));
      if (!result.ok) {
        this.challenge(conn, request, result, true);
        return false;
      }
      if (result.username !== fromUser) {
        this.deps.respond(conn, request, 403, { reason: 'Forbidden (credentials do not match From)' });
        return false;
      }
      return this.authenticated(conn, request, result.username, result.sessionTokenHash);
    }
    // In-dialog requests are checked against the dialog by the B2BUA.
    return true;
  }

  /**
   * Marks a connection authenticated as `extension`; on its first authentication it leaves the
   * count of connections waiting to register, unless its address already has as many
   * authenticated connections as allowed: then 503 and the connection is closed.
   */
  authenticated(conn: SipConnection, request: SipRequest, extension: string, sessionTokenHash: string): boolean {
    if (!this.deps.limits.promote(conn)) {
      this.deps.log.warn({ conn: conn.id, ip: conn.remoteAddress, extension }, 'SIP connection refused: too many phones from one address');
      this.deps.respond(conn, request, 503, { reason: 'Too Many Phones From This Address', headers: [['Retry-After', '60']] });
      conn.close(1013, 'too many phones from this address');
      return false;
    }
    conn.authenticatedExtension = extension;
    // Bound to the session whose credentials it used last (a tab that logged in again re-registers with the new ones).
    conn.sessionTokenHash = sessionTokenHash;
    return true;
  }
}

/** The Request-URI exactly as written in the request line (what the digest response covers). */
function rawRequestUri(request: SipRequest): string {
  return request.data.slice(0, request.data.indexOf('\r\n')).split(' ')[1] ?? '';
}
