import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.js';
import { computeHa1, digestResponse, DigestAuthenticator, parseDigestCredentials } from '../../../server/sip/digest.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function setup(lifetimeMs = 60_000) {
  const clock = new ManualClock();
  const auth = new DigestAuthenticator({ realm: 'callmark.local', secret: Buffer.from('test-secret'), nonceLifetimeMs: lifetimeMs, clock });
  const ha1 = computeHa1('MD5', '1002', 'callmark.local', 'pw');
  const lookup = (u: string) => (u === '1002' ? [ha1] : []);
  const nonceOf = (challenge: string) => /nonce="([^"]+)"/.exec(challenge)![1]!;
  // What a UA computes (RFC 2617, qop=auth), written independently of the server code.
  const credentials = (nonce: string, nc: string, password = 'pw', uri = 'sip:callmark.local', method = 'REGISTER') => {
    const h1 = md5(`1002:callmark.local:${password}`);
    const h2 = md5(`${method}:${uri}`);
    const response = md5(`${h1}:${nonce}:${nc}:abcd:auth:${h2}`);
    return `Digest algorithm=MD5, username="1002", realm="callmark.local", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, cnonce="abcd", nc=${nc}`;
  };
  return { clock, auth, lookup, nonceOf, credentials };
}

describe('digest authentication', () => {
  it('offers MD5 first and last (a client keeping one header can answer it) and SHA-256 between, one nonce, qop=auth', () => {
    const { auth } = setup();
    const challenges = auth.challenges();
    expect(challenges).toHaveLength(3);
    const [first, middle, last] = challenges;
    expect(first).toMatch(/^Digest realm="callmark.local", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    expect(middle).toMatch(/^Digest realm="callmark.local", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/);
    expect(last).toBe(first);
  });

  it('accepts a correct response and rejects a wrong password or unknown user', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[1]!);
    expect(auth.verify(credentials(nonce, '00000001'), 'REGISTER', lookup)).toEqual({ ok: true, username: '1002', algorithm: 'MD5' });
    expect(auth.verify(credentials(nonce, '00000002', 'wrong'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'wrong-password' });
    expect(auth.verify(credentials(nonce, '00000003').replace('username="1002"', 'username="9999"'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'unknown-user' });
  });

  it('refuses a replayed nonce-count', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[0]!);
    const header = credentials(nonce, '00000001');
    expect(auth.verify(header, 'REGISTER', lookup).ok).toBe(true);
    expect(auth.verify(header, 'REGISTER', lookup)).toEqual({ ok: false, reason: 'replay' });
    expect(auth.verify(credentials(nonce, '00000002'), 'REGISTER', lookup).ok).toBe(true);
  });

  it('says stale for an expired nonce and bad-nonce for a forged one', () => {
    const { clock, auth, lookup, nonceOf, credentials } = setup(60_000);
    const nonce = nonceOf(auth.challenges()[0]!);
    clock.advance(61_000);
    expect(auth.verify(credentials(nonce, '00000001'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'stale' });
    expect(auth.challenges(true)[0]).toContain('stale=true');
    const forged = nonce.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(auth.verify(credentials(forged, '00000001'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'bad-nonce' });
  });

  it('refuses credentials computed for another Request-URI', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[0]!);
    expect(auth.verify(credentials(nonce, '00000001', 'pw', 'sip:elsewhere.example'), 'REGISTER', lookup, 'sip:callmark.local')).toEqual({ ok: false, reason: 'wrong-uri' });
    expect(auth.verify(credentials(nonce, '00000002'), 'REGISTER', lookup, 'sip:callmark.local').ok).toBe(true);
  });

  it('binds the response to the method', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[0]!);
    expect(auth.verify(credentials(nonce, '00000001', 'pw', 'sip:callmark.local', 'INVITE'), 'REGISTER', lookup).ok).toBe(false);
  });

  it('parses quoted, unquoted and escaped auth-params and refuses malformed or repeated ones', () => {
    expect(parseDigestCredentials('Digest username="a\\"b", nc=00000001, qop=auth')).toEqual({ username: 'a"b', nc: '00000001', qop: 'auth' });
    expect(parseDigestCredentials('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(parseDigestCredentials('Digest username="a", username="b"')).toBeUndefined();
    expect(parseDigestCredentials('Digest username="unterminated')).toBeUndefined();
    const { auth, lookup } = setup();
    expect(auth.verify('Digest garbage', 'REGISTER', lookup)).toEqual({ ok: false, reason: 'malformed' });
    expect(auth.verify(undefined, 'REGISTER', lookup)).toEqual({ ok: false, reason: 'missing' });
  });
});

// The worked examples of the RFCs, digits as printed there (not computed by this code):
//   RFC 2617 §3.5  https://www.rfc-editor.org/rfc/rfc2617#section-3.5  (MD5)
//   RFC 7616 §3.9.1 https://www.rfc-editor.org/rfc/rfc7616#section-3.9.1 (SHA-256 and MD5; note the
//   password there is "Circle of Life", lower-case "of", and RFC 2617's is "Circle Of Life").
describe('digest responses: the RFC example vectors', () => {
  const RFC_2617 = { username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', nc: '00000001', cnonce: '0a4f113b' };
  const RFC_7616 = { username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  const cases = [
    { name: 'RFC 2617 §3.5, MD5', algorithm: 'MD5', v: RFC_2617, response: '6629fae49393a05397450978507c4ef1' },
    { name: 'RFC 7616 §3.9.1, MD5', algorithm: 'MD5', v: RFC_7616, response: '8ca523f5e9506fed4657c9700eebdbec' },
    { name: 'RFC 7616 §3.9.1, SHA-256', algorithm: 'SHA-256', v: RFC_7616, response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1' },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const ha1 = computeHa1(c.algorithm, c.v.username, c.v.realm, c.v.password);
      expect(digestResponse(c.algorithm, ha1, c.v)).toBe(c.response);
    });
  }

  it('the verifier accepts a SHA-256 response computed outside it, and only for the right password and algorithm', () => {
    const clock = new ManualClock();
    const auth = new DigestAuthenticator({ realm: 'callmark.local', secret: Buffer.from('test-secret'), nonceLifetimeMs: 60_000, clock });
    const lookup = (u: string, algorithm: 'MD5' | 'SHA-256') => (u === '1002' ? [computeHa1(algorithm, '1002', 'callmark.local', 'pw')] : []);
    const nonce = /nonce="([^"]+)"/.exec(auth.challenges()[0]!)![1]!;
    const header = (nc: string, password = 'pw', algorithm = 'SHA-256') => {
      const response = sha256(`${sha256(`1002:callmark.local:${password}`)}:${nonce}:${nc}:c0ffee:auth:${sha256('REGISTER:sip:callmark.local')}`);
      return `Digest username="1002", realm="callmark.local", nonce="${nonce}", uri="sip:callmark.local", response="${response}", algorithm=${algorithm}, cnonce="c0ffee", qop=auth, nc=${nc}`;
    };
    expect(auth.verify(header('00000001'), 'REGISTER', lookup)).toEqual({ ok: true, username: '1002', algorithm: 'SHA-256' });
    expect(auth.verify(header('00000002', 'wrong'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'wrong-password' });
    // The same SHA-256 digits presented as MD5 are checked with MD5, and fail.
    expect(auth.verify(header('00000003', 'pw', 'MD5'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'wrong-password' });
    expect(auth.verify(header('00000004', 'pw', 'SHA-512'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'malformed' });
  });
});

// Each of these answers a small change to digest.ts that no other test noticed (npm run mutation).
describe('digest authentication: edges', () => {
  it('names its realm, and issues nonces of time, randomness and a 22-character signature', () => {
    const { auth } = setup();
    expect(auth.realm).toBe('callmark.local');
    expect(auth.createNonce()).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{22}$/);
  });

  it('parses auth-params only after the Digest scheme word, with white space around = and before commas', () => {
    expect(parseDigestCredentials('aDigest username="a"')).toBeUndefined();
    expect(parseDigestCredentials('Digest !a=b,')).toBeUndefined();
    // Garbage before the first auth-param is refused, not skipped.
    expect(parseDigestCredentials('Digest !a=b,c=d ')).toBeUndefined();
    expect(parseDigestCredentials('Digest username = "a" , nc=00000001, ')).toEqual({ username: 'a', nc: '00000001' });
    expect(parseDigestCredentials('  digest qop=auth')).toEqual({ qop: 'auth' });
  });

  it('refuses another realm, and credentials without qop=auth, a cnonce or an 8-digit hex nonce-count', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[1]!);
    expect(auth.verify(credentials(nonce, '00000001').replace('realm="callmark.local"', 'realm="elsewhere.example"'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'wrong-realm' });
    for (const bad of [
      credentials(nonce, '00000001').replace(', qop=auth', ''),
      credentials(nonce, '00000001').replace('qop=auth', 'qop=auth-int'),
      credentials(nonce, '00000001').replace(', cnonce="abcd"', ''),
      credentials(nonce, '00000001').replace(', nc=00000001', ''),
      credentials(nonce, '0000001'),
      credentials(nonce, '100000001'),
      credentials(nonce, '000000011'),
      credentials(nonce, '0000000g'),
    ]) {
      expect(auth.verify(bad, 'REGISTER', lookup), bad).toEqual({ ok: false, reason: 'malformed' });
    }
    // The same credentials, well formed, are accepted.
    expect(auth.verify(credentials(nonce, '00000001'), 'REGISTER', lookup)).toMatchObject({ ok: true });
  });

  it('takes credentials without an algorithm as MD5 (RFC 7616 §3.4: MD5 is the default)', () => {
    const { auth, lookup, nonceOf, credentials } = setup();
    const nonce = nonceOf(auth.challenges()[1]!);
    expect(auth.verify(credentials(nonce, '00000001').replace('Digest algorithm=MD5, ', 'Digest '), 'REGISTER', lookup)).toEqual({ ok: true, username: '1002', algorithm: 'MD5' });
  });

  it('refuses nonces of the wrong shape as bad, and is stale only after the lifetime has passed', () => {
    const { clock, auth, lookup, nonceOf, credentials } = setup(60_000);
    for (const forged of ['abc', 'a.b', 'a.b.c', 'a.b.c.d']) expect(auth.verify(credentials(forged, '00000001'), 'REGISTER', lookup), forged).toEqual({ ok: false, reason: 'bad-nonce' });
    const nonce = nonceOf(auth.challenges()[1]!);
    clock.advance(60_000);
    expect(auth.verify(credentials(nonce, '00000001'), 'REGISTER', lookup)).toMatchObject({ ok: true });
    clock.advance(1);
    expect(auth.verify(credentials(nonce, '00000002'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'stale' });
  });

  it('forgets the counts of expired nonces once it holds 10,000, and keeps those of live ones', () => {
    const { clock, auth, lookup, credentials } = setup(60_000);
    const counts = (auth as unknown as { nonceCounts: Map<string, number> }).nonceCounts;
    for (let i = 0; i < 5_000; i++) expect(auth.verify(credentials(auth.createNonce(), '00000001'), 'REGISTER', lookup).ok).toBe(true);
    clock.advance(60_001); // the first 5,000 expire
    const live: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      live.push(auth.createNonce());
      expect(auth.verify(credentials(live[i]!, '00000001'), 'REGISTER', lookup).ok).toBe(true);
    }
    expect(counts.size).toBe(5_000);
    // A live nonce's count survived the pruning: its nonce-count 1 cannot be used again.
    expect(auth.verify(credentials(live[0]!, '00000001'), 'REGISTER', lookup)).toEqual({ ok: false, reason: 'replay' });
  });
});
