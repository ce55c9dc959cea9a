// Real SIP clients for tests: sip.js UserAgents running in Node (WebSocket from `ws`) and a raw
// WebSocket client for sending hand-made (including malformed) SIP messages.
import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';
import type { SessionDescriptionHandler, SessionDescriptionHandlerFactory, SessionDescriptionHandlerModifier, SessionDescriptionHandlerOptions } from 'sip.js';
import { messageText } from './ws-text.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
const sipjs = await import('sip.js');
export const { UserAgent, Registerer, RegistererState, Inviter, Invitation, SessionState } = sipjs;
export type { Session } from 'sip.js';

/** A WebRTC-shaped SDP (what Chromium offers) for signalling-only tests that never exchange media. */
export function cannedSdp(role: 'offer' | 'answer', ssrc = 1000 + Math.floor(Math.random() * 1e6), direction = 'sendrecv'): string {
  return [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 110',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:AbCd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF',
    `a=setup:${role === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    `a=${direction}`,
    'a=msid:stream track',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:110 telephone-event/48000',
    `a=ssrc:${ssrc} cname:testcname`,
    `a=ssrc:${ssrc} msid:stream track`,
    '',
  ].join('\r\n');
}

/** A SessionDescriptionHandler that offers/answers canned SDP: enough for signalling tests. */
export const cannedSdhFactory: SessionDescriptionHandlerFactory = () => {
  // The offer/answer state of RTCPeerConnection: an SDP set in "have-local-offer" is an answer.
  let signalling: 'stable' | 'have-local-offer' | 'have-remote-offer' = 'stable';
  let remote = '';
  const ssrc = 1000 + Math.floor(Math.random() * 1e6);
  const sdh: SessionDescriptionHandler = {
    close: () => {},
    getDescription: async (options?: SessionDescriptionHandlerOptions & { hold?: boolean }, modifiers?: SessionDescriptionHandlerModifier[]) => {
      let type: 'offer' | 'answer';
      let body: string;
      if (signalling === 'have-remote-offer') {
        signalling = 'stable';
        type = 'answer';
        body = cannedSdp('answer', ssrc, /a=(sendonly|inactive)/.test(remote) ? 'recvonly' : 'sendrecv');
      } else {
        signalling = 'have-local-offer';
        type = 'offer';
        body = cannedSdp('offer', ssrc, options?.hold ? 'sendonly' : 'sendrecv');
      }
      // Modifiers work as with the stock handler, so a test can send a broken SDP on purpose.
      for (const m of modifiers ?? []) body = (await m({ type, sdp: body })).sdp ?? body;
      return { body, contentType: 'application/sdp' };
    },
    hasDescription: (contentType: string) => contentType === 'application/sdp',
    setDescription: async (sdp: string) => {
      signalling = signalling === 'have-local-offer' ? 'stable' : 'have-remote-offer';
      remote = sdp;
    },
    sendDtmf: () => true,
  };
  return sdh;
};

export interface TestUa {
  ua: InstanceType<typeof UserAgent>;
  registerer: InstanceType<typeof Registerer>;
  incoming: Array<InstanceType<typeof Invitation>>;
  register(): Promise<void>;
  stop(): Promise<void>;
}

export async function startUa(opts: {
  wsUrl: string;
  extension: string;
  password: string;
  domain?: string;
  onInvite?: (inv: InstanceType<typeof Invitation>) => void;
}): Promise<TestUa> {
  const domain = opts.domain ?? 'callmark.local';
  const incoming: Array<InstanceType<typeof Invitation>> = [];
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${opts.extension}@${domain}`)!,
    authorizationUsername: opts.extension,
    authorizationPassword: opts.password,
    transportOptions: { server: opts.wsUrl },
    sessionDescriptionHandlerFactory: cannedSdhFactory,
    logLevel: 'error',
    logBuiltinEnabled: false,
    delegate: {
      onInvite: (inv) => {
        incoming.push(inv);
        // Ring (180) like a real phone, then let the test decide.
        void inv.progress().catch(() => {});
        opts.onInvite?.(inv);
      },
    },
  });
  await ua.start();
  const registerer = new Registerer(ua, { expires: 300 });
  return {
    ua,
    registerer,
    incoming,
    register: () =>
      new Promise<void>((resolve, reject) => {
        const done = (s: unknown) => {
          if (s === RegistererState.Registered) resolve();
        };
        registerer.stateChange.addListener(done);
        void registerer
          .register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER rejected ${r.message.statusCode}`)) } })
          .catch(reject);
      }),
    stop: async () => {
      await ua.stop().catch(() => {});
    },
  };
}

type PhoneApp = { wsUrl: string; sipCredentials(who: string): Promise<{ extension: string; password: string }> };

/**
 * The registered phone of `who` (a role or username of the test app), kept in `uas` for the file to
 * stop; `onInvite` handles a call it is offered (none: it leaves calls ringing).
 */
export async function registeredPhone(
  t: PhoneApp,
  who: string,
  uas: TestUa[],
  onInvite?: Parameters<typeof startUa>[0]['onInvite'],
): Promise<TestUa & { extension: string }> {
  const creds = await t.sipCredentials(who);
  const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password, onInvite });
  uas.push(u);
  await u.register();
  return Object.assign(u, { extension: creds.extension });
}

/** The registered phone of `who` that answers every call at once, kept in `uas` for the file to stop. */
export function answeringPhone(t: PhoneApp, who: string, uas: TestUa[]): Promise<TestUa & { extension: string }> {
  return registeredPhone(t, who, uas, (inv) => void inv.accept());
}

/** A raw SIP-over-WebSocket client: send text, read the replies. */
export class RawSipClient {
  private readonly inbox: string[] = [];
  private waiters: Array<(m: string) => void> = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const text = messageText(d);
      const w = this.waiters.shift();
      if (w) w(text);
      else this.inbox.push(text);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static connect(url: string, protocol: string | null = 'sip'): Promise<RawSipClient> {
    const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
    const client = new RawSipClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  waitClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the server did not close the WebSocket')), timeoutMs);
      this.ws.once('close', (code, reason) => {
        clearTimeout(t);
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  next(timeoutMs = 3000): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      // The waiter itself is removed at the timeout, so a message arriving later is not swallowed by it.
      const waiter = (m: string) => {
        clearTimeout(t);
        resolve(m);
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('no SIP message within the timeout'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for a response whose status line matches. */
  async expectResponse(status: number, timeoutMs = 3000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, end - Date.now()));
      if (m.startsWith(`SIP/2.0 ${status} `)) return m;
      if (!m.startsWith('SIP/2.0 1')) throw new Error(`expected ${status}, got: ${m.split('\r\n')[0]}`);
    }
  }

  close(): void {
    this.ws.close();
  }
}

let seq = 0;
/** A hand-made request with every mandatory header; override or drop headers via `headers`. */
export function rawRequest(method: string, opts: { uri?: string; from?: string; to?: string; callId?: string; cseq?: number; branch?: string; headers?: Record<string, string | null>; body?: string } = {}): string {
  seq++;
  const base: Record<string, string | null> = {
    Via: `SIP/2.0/WSS raw.invalid;branch=${opts.branch ?? `z9hG4bKraw${seq}${Date.now()}`}`,
    'Max-Forwards': '70',
    From: `<sip:${opts.from ?? '9999'}@callmark.local>;tag=raw${seq}`,
    To: `<sip:${opts.to ?? '9999'}@callmark.local>`,
    'Call-ID': opts.callId ?? `raw-${seq}-${Date.now()}`,
    CSeq: `${opts.cseq ?? 1} ${method}`,
    ...opts.headers,
  };
  const body = opts.body ?? '';
  const lines = [`${method} ${opts.uri ?? 'sip:callmark.local'} SIP/2.0`];
  for (const [k, v] of Object.entries(base)) if (v !== null) lines.push(`${k}: ${v}`);
  if (!('Content-Length' in (opts.headers ?? {}))) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Next message on this client matching `pred`, skipping others (e.g. responses to fuzz input). */
export async function nextMatching(c: RawSipClient, pred: (m: string) => boolean, timeoutMs = 5000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = await c.next(Math.max(1, end - Date.now()));
    if (pred(m)) return m;
  }
}

const digestHash = (algorithm: 'MD5' | 'SHA-256', s: string): string => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');

/**
 * Sends a request that the server challenges (401 or 407), then again with digest credentials
 * (qop=auth, MD5 unless told), as a softphone does; computed here, not by the server's code.
 * Resolves with the final response to the authenticated request.
 */
export async function sendWithDigest(
  c: RawSipClient,
  method: string,
  opts: { extension: string; password: string; domain?: string; algorithm?: 'MD5' | 'SHA-256'; callId?: string; uri?: string; to?: string; headers?: Record<string, string | null>; body?: string; pick?: 'first' | 'last'; md5Only?: boolean },
): Promise<string> {
  const domain = opts.domain ?? 'callmark.local';
  const callId = opts.callId ?? `${method.toLowerCase()}-${opts.extension}-${Date.now()}-${Math.random()}`;
  const uri = opts.uri ?? `sip:${domain}`;
  const base = { from: opts.extension, to: opts.to ?? opts.extension, callId, uri, headers: opts.headers ?? {}, body: opts.body };
  c.send(rawRequest(method, { ...base, cseq: 1 }));
  const challenge = await nextMatching(c, (m) => m.includes(callId) && /^SIP\/2\.0 40[17] /.test(m));
  const proxy = /^SIP\/2\.0 407 /.test(challenge);
  const offered = challenge.split('\r\n').filter((l) => /^(WWW|Proxy)-Authenticate:/i.test(l));
  // A client that keeps one challenge header: the first, or the last, or the one of the algorithm asked for.
  const line = opts.algorithm ? offered.find((l) => l.includes(`algorithm=${opts.algorithm}`)) : opts.pick === 'first' ? offered[0] : offered.at(-1);
  const nonce = /nonce="([^"]+)"/.exec(line ?? '')?.[1];
  const algorithm = (/algorithm=([A-Za-z0-9-]+)/.exec(line ?? '')?.[1] ?? 'MD5') as 'MD5' | 'SHA-256';
  if (!nonce) throw new Error(`no usable challenge in ${challenge}`);
  if (opts.md5Only && algorithm !== 'MD5') throw new Error(`an MD5-only client cannot answer the ${opts.pick ?? 'last'} challenge (${algorithm})`);
  const h = (s: string) => digestHash(algorithm, s);
  const ha1 = h(`${opts.extension}:${domain}:${opts.password}`);
  const ha2 = h(`${method}:${uri}`);
  const cnonce = 'rawcnonce';
  const response = h(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  const auth = `Digest username="${opts.extension}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, cnonce="${cnonce}", qop=auth, nc=00000001`;
  c.send(rawRequest(method, { ...base, cseq: 2, headers: { ...base.headers, [proxy ? 'Proxy-Authorization' : 'Authorization']: auth } }));
  return nextMatching(c, (m) => m.includes(callId) && /^SIP\/2\.0 [2-6]\d\d /.test(m));
}

/** REGISTER with digest (qop=auth, MD5 unless told) on a raw connection, as a softphone does; computed here, not by the server's code. */
export async function registerRaw(c: RawSipClient, extension: string, password: string, domain = 'callmark.local', algorithm: 'MD5' | 'SHA-256' = 'MD5'): Promise<void> {
  const answer = await sendWithDigest(c, 'REGISTER', { extension, password, domain, algorithm, headers: { Contact: `<sip:${extension}@fuzz.invalid;transport=ws>;expires=600` } });
  if (!/^SIP\/2\.0 200 /.test(answer)) throw new Error(`REGISTER refused: ${answer.split('\r\n')[0]}`);
}
