// Parsing SDP text (RFC 8866) with sdp-transform, with the types its declarations promise.
import * as sdpTransform from 'sdp-transform';
import type { SessionDescription } from 'sdp-transform';

/**
 * Fields sdp-transform's types declare as numbers (or number | string), by where they sit: the
 * session or media level ('') or the attribute object/list they belong to. Every other value that
 * comes back as a number was text in the SDP.
 */
const NUMERIC_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  '': new Set(['version', 'port', 'numPorts', 'ptime', 'maxptime', 'framerate', 'sctpPort', 'maxMessageSize']),
  origin: new Set(['sessionId', 'sessionVersion', 'ipVer']),
  timing: new Set(['start', 'stop']),
  connection: new Set(['version']),
  bandwidth: new Set(['limit']),
  rtp: new Set(['payload', 'rate', 'encoding']),
  fmtp: new Set(['payload']),
  rtcp: new Set(['port', 'ipVer']),
  rtcpFb: new Set(['payload']),
  rtcpFbTrrInt: new Set(['payload', 'value']),
  crypto: new Set(['id']),
  candidates: new Set(['component', 'priority', 'port', 'rport', 'generation', 'network-id', 'network-cost']),
  ssrcs: new Set(['id']),
  sctpmap: new Set(['sctpmapNumber', 'maxMessageSize']),
  rids: new Set(['id']),
  imageattrs: new Set(['pt']),
  ext: new Set(['value']),
};

/** Turns numbers back into the text they were, except in fields declared numeric for `where`. */
function restoreStrings(obj: Record<string, unknown>, where: string): void {
  const numeric = NUMERIC_FIELDS[where] ?? new Set<string>();
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'number' && !numeric.has(key)) obj[key] = String(value);
    else if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') restoreStrings(item as Record<string, unknown>, where === '' ? key : `${where}.${key}`);
    } else if (value !== null && typeof value === 'object') restoreStrings(value as Record<string, unknown>, where === '' ? key : `${where}.${key}`);
  }
}

/**
 * The one way SDP text is parsed in Callmark. sdp-transform turns every token that looks like a
 * number into a number (`a=fingerprint:256 …`, `a=rtpmap:8 123/8000`, `a=ice-ufrag:1234`, a numeric
 * mid), so text fields would sometimes be numbers and a string method on them a TypeError (a 500
 * where a 488 was due). Here every field its types declare as text is text again; numbers stay
 * only where they are declared (ports, payload types, rates, SSRCs ...).
 */
export function parseSdpText(sdp: string): SessionDescription {
  const session = sdpTransform.parse(sdp);
  const { media, ...sessionLevel } = session;
  restoreStrings(sessionLevel, '');
  for (const m of media ?? []) {
    const { rtp, fmtp, ...rest } = m;
    restoreStrings(rest, '');
    for (const r of rtp ?? []) restoreStrings(r, 'rtp');
    for (const f of fmtp ?? []) restoreStrings(f, 'fmtp');
    Object.assign(m, rest);
  }
  Object.assign(session, sessionLevel);
  return session;
}

