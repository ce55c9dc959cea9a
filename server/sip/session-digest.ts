// Digest authentication against the SIP credentials of each live login session, saying WHICH
// session's credentials the client used, so that a SIP connection can be bound to that session:
// its logout closes the connection, and once it has ended the connection may not place calls,
// whatever other session of the same user is live (POST /api/sip/credentials derives one password
// per login session). The DigestAuthenticator (digest.ts) is asked about one session's HA1 at a
// time; a wrong password costs nothing (the nonce-count advances only on a match, RFC 2617 §3.2.2, https://www.rfc-editor.org/rfc/rfc2617#section-3.2.2).
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { DigestAuthenticator, DigestResult } from './digest.js';

export type SessionDigestResult = (DigestResult & { ok: false }) | (DigestResult & { ok: true; sessionTokenHash: string });

export function verifyAgainstSessions(
  digest: DigestAuthenticator,
  deps: { repos: Repositories; clock: Clock },
  request: { header: string | undefined; method: string; requestUri: string },
): SessionDigestResult {
  let sessions: Array<{ tokenHash: string; ha1: string }> = [];
  const first = digest.verify(
    request.header,
    request.method,
    (username, algorithm) => {
      sessions = deps.repos.sessions.sipSessionsForExtension(username, algorithm, deps.clock.now());
      return sessions.slice(0, 1).map((s) => s.ha1);
    },
    request.requestUri,
  );
  if (first.ok) return { ...first, sessionTokenHash: sessions[0]!.tokenHash };
  if (first.reason !== 'wrong-password') return first;
  for (const session of sessions.slice(1)) {
    const result = digest.verify(request.header, request.method, () => [session.ha1], request.requestUri);
    if (result.ok) return { ...result, sessionTokenHash: session.tokenHash };
    if (result.reason !== 'wrong-password') return result;
  }
  return first;
}
