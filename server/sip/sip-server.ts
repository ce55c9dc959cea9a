// The SIP server: receives every message from the WebSocket connections, absorbs retransmissions,
// answers REGISTER (registrar with digest auth) and OPTIONS itself, authenticates every other
// request (request-auth.ts), and hands dialog traffic to the B2BUA. Bad input gets the right SIP error and a log
// line; it never throws out of here.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { repeatEvery, type Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { SipConnection } from './connection.js';
import { SipConnectionLimits, type SipConnectionLimitOptions } from './connection-limits.js';
import { DigestAuthenticator } from './digest.js';
import { buildRequest, buildResponse, fallbackBadRequest, isRequest, MAX_SIP_MESSAGE_BYTES, parseSipMessage, SipParseError, userOf, type HeaderList, type OutgoingRequest, type SipRequest, type SipResponse } from './message.js';
import { DEFAULT_EXPIRES_S, MAX_EXPIRES_S, MIN_EXPIRES_S, Registrar } from './registrar.js';
import { RequestAuth } from './request-auth.js';
import { ALLOW, CAPABILITY_HEADERS, KNOWN_UNSUPPORTED_METHODS, unsupportedRequirements } from './capabilities.js';
import { ClientTransactions, ServerTransactions, type ClientTransaction } from './transactions.js';


export interface SipServerOptions {
  repos: Repositories;
  clock: Clock;
  logger: FastifyBaseLogger;
  realm: string;
  nonceLifetimeMs?: number;
  digestSecret?: Buffer;
  /** Registration deadline, caps on waiting and authenticated connections, idle time (connection-limits.ts). */
  limits?: Partial<SipConnectionLimitOptions>;
  /** How often authenticated connections are checked against their login session (default 60 s). */
  sessionCheckMs?: number;
}

/** What the B2BUA implements; the SIP server calls it for dialog traffic. */
export interface DialogHandler {
  onInvite(conn: SipConnection, request: SipRequest): void;
  onAck(conn: SipConnection, request: SipRequest): void;
  onCancel(conn: SipConnection, request: SipRequest): void;
  onBye(conn: SipConnection, request: SipRequest): void;
  onInfo(conn: SipConnection, request: SipRequest): void;
  /** UPDATE (RFC 3311) in an early or confirmed dialog: a session refresh, or an offer. */
  onUpdate(conn: SipConnection, request: SipRequest): void;
  /** PRACK (RFC 3262) for a reliable provisional response. */
  onPrack(conn: SipConnection, request: SipRequest): void;
  /** REFER in a call's dialog: blind transfer, or bringing a party into a conference. */
  onRefer(conn: SipConnection, request: SipRequest): void;
  onConnectionClosed(conn: SipConnection): void;
  /** Whether a call (or a call being set up) uses this connection: it is not idle then. */
  hasDialogsOn(conn: SipConnection): boolean;
}

export class SipServer {
  readonly registrar: Registrar;
  readonly digest: DigestAuthenticator;
  readonly limits: SipConnectionLimits;
  private readonly serverTx: ServerTransactions;
  private readonly clientTx: ClientTransactions;
  private readonly connections = new Set<SipConnection>();
  private dialogs: DialogHandler | undefined;
  /** Stop the sweeps (both on the injected clock). */
  private readonly stopSweeper: () => void;
  private readonly stopSessionCheck: () => void;
  readonly stats = { messagesIn: 0, malformed: 0, rateLimited: 0 };
  private readonly auth: RequestAuth;

  constructor(private readonly opts: SipServerOptions) {
    this.serverTx = new ServerTransactions(opts.clock);
    this.clientTx = new ClientTransactions(opts.clock);
    this.registrar = new Registrar(() => opts.clock.now());
    this.digest = new DigestAuthenticator({
      realm: opts.realm,
      secret: opts.digestSecret ?? randomBytes(32),
      nonceLifetimeMs: opts.nonceLifetimeMs ?? 5 * 60_000,
      clock: opts.clock,
    });
    this.limits = new SipConnectionLimits(opts.limits ?? {}, opts.clock, (conn) => this.registrar.hasBindingOn(conn) || (this.dialogs?.hasDialogsOn(conn) ?? false));
    this.auth = new RequestAuth({
      repos: opts.repos,
      clock: opts.clock,
      log: opts.logger,
      digest: this.digest,
      limits: this.limits,
      respond: (conn, request, status, responseOpts) => this.respond(conn, request, status, responseOpts),
    });
    this.stopSweeper = repeatEvery(opts.clock, 5_000, () => {
      this.serverTx.sweep();
      this.registrar.sweep();
    });
    // A login session that ends without a logout (idle or maximum age, deleted) takes its connections with it.
    this.stopSessionCheck = repeatEvery(opts.clock, opts.sessionCheckMs ?? 60_000, () => this.closeConnectionsOfEndedSessions());
  }

  private closeConnectionsOfEndedSessions(): void {
    for (const c of this.connections) {
      if (c.sessionTokenHash === undefined || this.auth.boundSessionIsLive(c)) continue;
      this.registrar.dropConnection(c);
      c.close(1008, 'login session ended');
    }
  }

  /** The server's one source of time (connections take their rate limit and idle time from it). */
  get clock(): Clock {
    return this.opts.clock;
  }

  get realm(): string {
    return this.opts.realm;
  }

  get log(): FastifyBaseLogger {
    return this.opts.logger;
  }

  setDialogHandler(handler: DialogHandler): void {
    this.dialogs = handler;
  }

  /** A new WebSocket: it must authenticate within the deadline (connection-limits.ts). */
  attach(conn: SipConnection): void {
    this.connections.add(conn);
    this.limits.admit(conn);
    conn.onClose(() => {
      this.connections.delete(conn);
      this.limits.closed(conn);
      this.registrar.dropConnection(conn);
      this.dialogs?.onConnectionClosed(conn);
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Locks a user out of SIP at once (disabled, password reset): bindings dropped, connections closed. */
  disconnectExtension(extension: string, reason: string): number {
    let closed = 0;
    this.registrar.dropExtension(extension);
    for (const c of this.connections) {
      if (c.authenticatedExtension !== extension) continue;
      c.close(1008, reason);
      closed++;
    }
    return closed;
  }

  // ---------------------------------------------------------------- sending

  respond(conn: SipConnection, request: SipRequest, status: number, opts: Parameters<typeof buildResponse>[2] = {}): void {
    const text = buildResponse(request, status, opts);
    if (request.method !== 'ACK') this.serverTx.recordResponse(request, text);
    conn.send(text);
  }

  /** Sends a request in a new client transaction; `onResponse` sees provisional and final responses (or a local 408). */
  sendRequest(conn: SipConnection, req: OutgoingRequest, branch: string, onResponse?: ClientTransaction['onResponse']): void {
    if (req.method !== 'ACK' && onResponse) this.clientTx.start(branch, req.method, conn, onResponse);
    conn.send(buildRequest(req));
  }

  newBranch(): string {
    return `z9hG4bK${randomBytes(10).toString('hex')}`;
  }

  // ---------------------------------------------------------------- receiving

  handleMessage(conn: SipConnection, data: string): void {
    this.stats.messagesIn++;
    if (!conn.takeToken()) {
      this.stats.rateLimited++;
      this.tryReject(conn, data, 503, 'rate limit exceeded', [['Retry-After', '10']]);
      return;
    }
    if (Buffer.byteLength(data, 'utf8') > MAX_SIP_MESSAGE_BYTES) {
      // Answer from the headers alone when they can be read (RFC 3261 §21.5.14, https://www.rfc-editor.org/rfc/rfc3261#section-21.5.14: 513).
      this.stats.malformed++;
      const head = data.slice(0, Math.min(data.indexOf('\r\n\r\n') >= 0 ? data.indexOf('\r\n\r\n') : 8192, 8192));
      this.tryReject(conn, `${head.replace(/\r\nContent-Length:[^\r]*/i, '')}\r\nContent-Length: 0\r\n\r\n`, 513, `message larger than ${MAX_SIP_MESSAGE_BYTES} bytes`, []);
      this.log.warn({ conn: conn.id, bytes: Buffer.byteLength(data, 'utf8') }, 'oversized SIP message refused');
      return;
    }
    let message: SipRequest | SipResponse;
    try {
      message = parseSipMessage(data);
    } catch (err) {
      this.stats.malformed++;
      const e = err as SipParseError;
      this.log.warn({ conn: conn.id, reason: e.message }, 'malformed SIP message');
      const warning: [string, string] = ['Warning', `399 callmark "${e.message.replace(/"/g, "'")}"`];
      if (e.request && e.status && e.request.method !== 'ACK') conn.send(buildResponse(e.request, e.status, { headers: [warning] }));
      else {
        const fallback = fallbackBadRequest(data, e.message);
        if (fallback) conn.send(fallback);
      }
      return;
    }
    try {
      if (isRequest(message)) this.handleRequest(conn, message);
      else if (!this.clientTx.dispatch(message, conn)) this.log.debug({ callId: message.callId }, 'stray SIP response dropped');
    } catch (err) {
      this.log.error({ err, conn: conn.id }, 'error while handling a SIP message');
      if (isRequest(message) && message.method !== 'ACK') this.respond(conn, message, 500);
    }
  }

  /** A rate-limited message is still answered when its request line and headers can be read. */
  private tryReject(conn: SipConnection, data: string, status: number, reason: string, headers: HeaderList): void {
    try {
      const m = parseSipMessage(data);
      if (isRequest(m) && m.method !== 'ACK') conn.send(buildResponse(m, status, { headers: [...headers, ['Warning', `399 callmark "${reason}"`]] }));
    } catch {
      /* unreadable: nothing to answer */
    }
  }

  private handleRequest(conn: SipConnection, request: SipRequest): void {
    if (this.serverTx.absorbRetransmission(request, conn)) return;
    if (request.method === 'ACK') {
      // The ACK of a non-2xx final response ends that INVITE transaction here (hop by hop).
      if (this.serverTx.hasNon2xxFinal(request)) return;
      this.dialogs?.onAck(conn, request);
      return;
    }
    this.serverTx.begin(request);
    const maxForwards = Number(request.getHeader('max-forwards'));
    if (!Number.isInteger(maxForwards) || maxForwards < 0) return this.respond(conn, request, 400, { reason: 'Bad Max-Forwards' });
    if (maxForwards === 0 && request.method !== 'OPTIONS') return this.respond(conn, request, 483);
    // RFC 3261 §8.2.2.3, https://www.rfc-editor.org/rfc/rfc3261#section-8.2.2.3: an option tag
    // not understood in Require gets 420 with those tags in Unsupported (never for CANCEL, §9.2 and §8.2.2.3).
    const unsupported = request.method === 'CANCEL' ? [] : unsupportedRequirements(request.getHeaders('require').join(','));
    if (unsupported.length > 0) {
      return this.respond(conn, request, 420, { headers: [['Unsupported', unsupported.join(', ')]] });
    }
    switch (request.method) {
      case 'REGISTER':
        return this.handleRegister(conn, request);
      case 'OPTIONS':
        return this.respond(conn, request, 200, {
          toTag: randomBytes(6).toString('hex'),
          headers: [...CAPABILITY_HEADERS, ['Accept', 'application/sdp']],
        });
      case 'CANCEL':
        return this.dialogs ? this.dialogs.onCancel(conn, request) : this.respond(conn, request, 481);
      case 'INVITE':
      case 'BYE':
      case 'REFER':
      case 'UPDATE':
      case 'PRACK':
      case 'INFO': {
        if (!this.auth.authenticateRequest(conn, request)) return;
        if (!this.dialogs) return this.respond(conn, request, 503, { reason: 'Calls Not Available' });
        if (request.method === 'INVITE') return this.dialogs.onInvite(conn, request);
        if (request.method === 'BYE') return this.dialogs.onBye(conn, request);
        if (request.method === 'REFER') return this.dialogs.onRefer(conn, request);
        if (request.method === 'UPDATE') return this.dialogs.onUpdate(conn, request);
        if (request.method === 'PRACK') return this.dialogs.onPrack(conn, request);
        return this.dialogs.onInfo(conn, request);
      }
      default:
        if (KNOWN_UNSUPPORTED_METHODS.has(request.method)) return this.respond(conn, request, 405, { headers: [['Allow', ALLOW]] });
        return this.respond(conn, request, 501, { headers: [['Allow', ALLOW]] });
    }
  }

  disconnectSession(sessionTokenHash: string, reason: string): number {
    let closed = 0;
    for (const c of this.connections) {
      if (c.sessionTokenHash !== sessionTokenHash) continue;
      this.registrar.dropConnection(c);
      c.close(1008, reason);
      closed++;
    }
    return closed;
  }

  private handleRegister(conn: SipConnection, request: SipRequest): void {
    const result = this.auth.verifyDigest(request, request.getHeader('authorization'));
    if (!result.ok) return this.auth.challenge(conn, request, result, false);
    const aor = userOf(request.to);
    if (aor !== result.username) {
      return this.respond(conn, request, 403, { reason: 'Forbidden (credentials do not match the address of record)' });
    }
    if (conn.authenticatedExtension && conn.authenticatedExtension !== aor) {
      return this.respond(conn, request, 403, { reason: 'Forbidden (connection registered as another user)' });
    }
    const contactCount = request.getHeaders('contact').length;
    const toTag = randomBytes(6).toString('hex');
    if (contactCount === 0) {
      // RFC 3261 §10.2.3, https://www.rfc-editor.org/rfc/rfc3261#section-10.2.3: "A success
      // response to any REGISTER request contains the complete list of existing bindings,
      // regardless of whether the request contained a Contact header field."
      return this.respond(conn, request, 200, { toTag, headers: this.bindingHeaders(aor) });
    }
    const headerExpires = request.getHeader('expires');
    const wildcard = request.getHeaders('contact').some((v) => v.trim() === '*');
    if (wildcard) {
      // RFC 3261 §10.3 step 6 (https://www.rfc-editor.org/rfc/rfc3261#section-10.3): "If the
      // Contact header field contains '*' ... If the request has additional Contact fields or a
      // registration duration other than zero, the request is invalid, and the server MUST
      // respond with 400 (Invalid Request) and skip the remaining steps. If not, the registrar
      // checks whether the Call-ID agrees with the value stored for each binding ... it MUST
      // remove the binding ..." (Call-ID/CSeq ordering is not kept: each REGISTER here is authenticated afresh.)
      if (contactCount !== 1) return this.respond(conn, request, 400, { reason: 'Invalid Request (Contact * beside other Contacts)' });
      if (headerExpires === undefined || Number(headerExpires.trim()) !== 0 || !/^\s*\d+\s*$/.test(headerExpires)) {
        return this.respond(conn, request, 400, { reason: 'Invalid Request (Contact * requires Expires: 0)' });
      }
      const removed = this.registrar.dropExtension(aor);
      this.log.info({ extension: aor, conn: conn.id, removed: removed.length }, 'SIP unregistered (every binding)');
      return this.respond(conn, request, 200, { toTag });
    }
    // RFC 3261 §10.3 step 7 (https://www.rfc-editor.org/rfc/rfc3261#section-10.3): "The
    // registrar now processes each contact address in the Contact header field in turn. For each
    // address, it determines the expiration interval as follows: If the field value has an
    // 'expires' parameter, that value MUST be taken as the requested expiration. If there is no
    // such parameter, but the request has an Expires header field, that value MUST be taken as
    // the requested expiration. If there is neither, the registrar SHOULD take a locally-configured
    // default value as the requested expiration."
    const requested: Array<{ contact: string; expires: number }> = [];
    for (let i = 0; i < contactCount; i++) {
      const parsed = request.parseHeader('contact', i) as { uri?: { toString(): string }; getParam?: (n: string) => string | undefined } | undefined;
      if (!parsed?.uri) return this.respond(conn, request, 400, { reason: 'Bad Contact' });
      const expires = Number(parsed.getParam?.('expires') ?? headerExpires ?? DEFAULT_EXPIRES_S);
      if (!Number.isFinite(expires) || expires < 0) return this.respond(conn, request, 400, { reason: 'Bad Expires' });
      // "If and only if the requested expiration interval is greater than zero AND smaller than
      // one hour AND less than a registrar-configured minimum, the registrar MAY reject the
      // registration with a response of 423 (Interval Too Brief)."
      if (expires > 0 && expires < MIN_EXPIRES_S) {
        return this.respond(conn, request, 423, { headers: [['Min-Expires', String(MIN_EXPIRES_S)]] });
      }
      requested.push({ contact: parsed.uri.toString(), expires: Math.min(expires, MAX_EXPIRES_S) });
    }
    if (!this.auth.authenticated(conn, request, aor, result.sessionTokenHash)) return;
    // "The binding updates MUST be committed (that is, made visible to the proxy or redirect
    // server) if and only if all binding updates and additions succeed."
    for (const r of requested) this.registrar.register(aor, r.contact, conn, r.expires);
    this.log.info({ extension: aor, conn: conn.id, contacts: requested.map((r) => r.expires) }, requested.every((r) => r.expires === 0) ? 'SIP unregistered' : 'SIP registered');
    // Step 8: "The response SHOULD include a Contact header field value enumerating all current bindings."
    this.respond(conn, request, 200, { toTag, headers: this.bindingHeaders(aor) });
  }

  /** The Contact header values of every current binding of an address of record, with the seconds each has left. */
  private bindingHeaders(aor: string): HeaderList {
    return this.registrar
      .bindingsOf(aor)
      .map((b) => ['Contact', `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - this.opts.clock.now()) / 1000))}`] as [string, string]);
  }

  close(): void {
    this.stopSweeper();
    this.stopSessionCheck();
    this.limits.close();
    this.clientTx.dispose();
    for (const c of this.connections) c.close(1001, 'server shutting down');
  }
}
