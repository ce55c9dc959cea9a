// SIP messages: parsing with sip.js's own parser and grammar (the one the browsers use, so both
// ends agree), the checks RFC 3261 §8.2, https://www.rfc-editor.org/rfc/rfc3261#section-8.2 and §18.3 ask of a received message, and serialising the
// messages this server sends. No SIP grammar is written here.
import { Grammar } from 'sip.js/lib/grammar/grammar.js';
import type { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js';
import type { URI } from 'sip.js/lib/grammar/uri.js';
import { IncomingRequestMessage } from 'sip.js/lib/core/messages/incoming-request-message.js';
import { IncomingResponseMessage } from 'sip.js/lib/core/messages/incoming-response-message.js';
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import type { Logger } from 'sip.js/lib/core/log/logger.js';

export type SipRequest = IncomingRequestMessage;
export type SipResponse = IncomingResponseMessage;
export { Grammar, IncomingRequestMessage, IncomingResponseMessage };
export type { NameAddrHeader, URI };

export const MAX_SIP_MESSAGE_BYTES = 64 * 1024;

/** Why a received message could not be used; `status` is the response to send when it was a request. */
export class SipParseError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly request?: SipRequest,
  ) {
    super(message);
  }
}

function captureLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const logger = {
    error: (m: string) => errors.push(m),
    warn: (m: string) => errors.push(m),
    log: () => {},
    debug: () => {},
  } as unknown as Logger;
  return { logger, errors };
}

const REQUIRED_REQUEST_HEADERS = ['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards'] as const;

/**
 * Parses one SIP message as received over WebSocket. Throws SipParseError for anything unusable:
 * the caller answers a request with error.status (when the request line was readable) and drops
 * everything else.
 */
export function parseSipMessage(data: string): SipRequest | SipResponse {
  if (Buffer.byteLength(data, 'utf8') > MAX_SIP_MESSAGE_BYTES) {
    throw new SipParseError(`message larger than ${MAX_SIP_MESSAGE_BYTES} bytes`, undefined);
  }
  const { logger, errors } = captureLogger();
  let message: SipRequest | SipResponse | undefined;
  // sip.js's grammar has no rule for the wildcard Contact of a REGISTER (RFC 3261 §10.2.2,
  // https://www.rfc-editor.org/rfc/rfc3261#section-10.2.2: "the UAC MAY use a '*' Contact
  // header field value ... with an Expires header field of 0"); its lines are set aside here and
  // restored, unparsed, as Contact values of "*" that the registrar checks (§10.3 step 6).
  const { rest, wildcards } = setAsideWildcardContacts(data);
  try {
    message = Parser.parseMessage(rest, logger);
    if (message) {
      message.data = data;
      for (let i = 0; i < wildcards; i++) message.addHeader('contact', '*');
    }
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
  }
  if (!message) throw new SipParseError(errors[0] ?? 'unparsable SIP message', undefined);

  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new SipParseError('no blank line after the headers', 400, asRequest(message));
  const bodyBytes = Buffer.byteLength(data.slice(headEnd + 4), 'utf8');
  const contentLength = message.getHeader('content-length');
  if (contentLength !== undefined) {
    const declared = Number(contentLength);
    if (!Number.isInteger(declared) || declared < 0) throw new SipParseError('bad Content-Length', 400, asRequest(message));
    if (declared > bodyBytes) {
      throw new SipParseError(`Content-Length ${declared} exceeds the ${bodyBytes} body bytes received`, 400, asRequest(message));
    }
    // RFC 3261 §18.3, https://www.rfc-editor.org/rfc/rfc3261#section-18.3: bytes beyond Content-Length are discarded; slice by bytes, not characters.
    message.body = Buffer.from(data.slice(headEnd + 4), 'utf8').subarray(0, declared).toString('utf8');
  }

  if (message instanceof IncomingRequestMessage) {
    for (const name of REQUIRED_REQUEST_HEADERS) {
      if (!message.hasHeader(name)) throw new SipParseError(`missing ${name} header`, 400, message);
    }
    if (!message.from || !message.to || !message.callId || !message.viaBranch) {
      throw new SipParseError('unreadable From, To, Call-ID or Via', 400, message);
    }
    const cseq = message.parseHeader('cseq') as { method?: string; value?: number } | undefined;
    if (!cseq || cseq.method !== message.method) throw new SipParseError('CSeq method does not match the request method', 400, message);
    if (message.body && !message.hasHeader('content-type')) throw new SipParseError('body without Content-Type', 400, message);
  } else if (!message.viaBranch || !message.callId || !message.hasHeader('cseq')) {
    throw new SipParseError('response without Via branch, Call-ID or CSeq', undefined);
  }
  return message;
}

const WILDCARD_CONTACT_LINE = /^(?:contact|m)[ \t]*:[ \t]*\*[ \t]*$/i;

/** The message without its `Contact: *` header lines (in the header part only), and how many there were. */
function setAsideWildcardContacts(data: string): { rest: string; wildcards: number } {
  const headEnd = data.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? data : data.slice(0, headEnd);
  const lines = head.split('\r\n');
  const kept = lines.filter((line, i) => i === 0 || !WILDCARD_CONTACT_LINE.test(line));
  if (kept.length === lines.length) return { rest: data, wildcards: 0 };
  return { rest: kept.join('\r\n') + (headEnd < 0 ? '' : data.slice(headEnd)), wildcards: lines.length - kept.length };
}

function asRequest(m: SipRequest | SipResponse): SipRequest | undefined {
  return m instanceof IncomingRequestMessage && m.hasHeader('via') && m.viaBranch ? m : undefined;
}

export function isRequest(m: SipRequest | SipResponse): m is SipRequest {
  return m instanceof IncomingRequestMessage;
}

// ------------------------------------------------------------------ serialising

export const REASON_PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  513: 'Message Too Large',
  603: 'Decline',
};

export type HeaderList = Array<[string, string]>;

function serialise(startLine: string, headers: HeaderList, body = ''): string {
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body, 'utf8')}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A response to a received request: Via, From, To (with our tag), Call-ID and CSeq copied per RFC 3261 §8.2.6, https://www.rfc-editor.org/rfc/rfc3261#section-8.2.6. */
export function buildResponse(
  request: SipRequest,
  status: number,
  opts: { reason?: string; toTag?: string; headers?: HeaderList; body?: string; contentType?: string } = {},
): string {
  const headers: HeaderList = [];
  for (const via of request.getHeaders('via')) headers.push(['Via', via]);
  headers.push(['From', request.getHeader('from')!]);
  let to = request.getHeader('to')!;
  if (opts.toTag && status > 100 && !request.toTag) to = `${to};tag=${opts.toTag}`;
  headers.push(['To', to]);
  headers.push(['Call-ID', request.callId]);
  headers.push(['CSeq', `${request.cseq} ${request.method}`]);
  headers.push(...(opts.headers ?? []));
  if (opts.body) headers.push(['Content-Type', opts.contentType ?? 'application/sdp']);
  return serialise(`SIP/2.0 ${status} ${opts.reason ?? REASON_PHRASES[status] ?? 'Unknown'}`, headers, opts.body);
}

export interface OutgoingRequest {
  method: string;
  uri: string;
  headers: HeaderList; // Via, Max-Forwards, From, To, Call-ID, CSeq first, in that order
  body?: string;
  contentType?: string;
}

export function buildRequest(req: OutgoingRequest): string {
  const headers = [...req.headers];
  if (req.body) headers.push(['Content-Type', req.contentType ?? 'application/sdp']);
  return serialise(`${req.method} ${req.uri} SIP/2.0`, headers, req.body);
}

/** The user part of a SIP URI in a header, e.g. "1001" of "Alice" <sip:1001@host>. */
export function userOf(header: NameAddrHeader | URI | undefined): string | undefined {
  if (!header) return undefined;
  const uri = 'uri' in header ? header.uri : header;
  return uri?.user ?? undefined;
}

/**
 * A 400 for a request the parser refused as a whole (e.g. a header sip.js cannot read), built from
 * the raw Via, From, To, Call-ID and CSeq lines so the client is not left waiting for a timeout.
 */
export function fallbackBadRequest(data: string, reason: string): string | undefined {
  const lines = data.split('\r\n');
  const requestLine = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(lines[0] ?? '');
  if (!requestLine || requestLine[1] === 'ACK') return undefined;
  const pick = (names: string[]) => lines.filter((l) => names.includes(l.slice(0, l.indexOf(':')).trim().toLowerCase()));
  const vias = pick(['via', 'v']);
  const one = (names: string[]) => pick(names)[0];
  const from = one(['from', 'f']);
  const to = one(['to', 't']);
  const callId = one(['call-id', 'i']);
  const cseq = one(['cseq']);
  if (!vias.length || !from || !to || !callId || !cseq) return undefined;
  const clean = (l: string) => l.replace(/[\x00-\x08\x0b-\x1f]/g, '');
  return [
    'SIP/2.0 400 Bad Request',
    ...vias.map(clean),
    clean(from),
    clean(to),
    clean(callId),
    clean(cseq),
    `Warning: 399 callmark "${reason.replace(/["\r\n]/g, "'")}"`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
