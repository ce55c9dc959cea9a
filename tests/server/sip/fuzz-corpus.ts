// Seeded mutation fuzzing for the SIP fuzz test: a deterministic PRNG, "captured" messages (the
// shapes sip.js 0.21 sends: REGISTER, INVITE with a Chrome SDP offer, ACK, BYE, INFO with
// dtmf-relay, CANCEL, OPTIONS, and a response) and the mutators that break them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CHROME_OFFER = fs.readFileSync(path.join(here, '../../media/fixtures/chrome-156-offer.sdp'), 'utf8').replace(/\r?\n/g, '\r\n');
export const FIREFOX_OFFER = fs.readFileSync(path.join(here, '../../media/fixtures/firefox-offer.sdp'), 'utf8').replace(/\r?\n/g, '\r\n');

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
}

export interface Party {
  extension: string;
  domain: string;
}

/** Fresh branch, tags and Call-ID per message, so no mutated message is absorbed as a retransmission. */
export function capturedMessages(rng: Rng, from: Party, to: Party): Record<string, string> {
  const branch = `z9hG4bK${rng.hex(16)}`;
  const callId = rng.hex(20);
  const fromTag = rng.hex(10);
  const toTag = rng.hex(10);
  const via = `Via: SIP/2.0/WSS ${rng.hex(8)}.invalid;branch=${branch}`;
  const fromH = `From: "Candidate" <sip:${from.extension}@${from.domain}>;tag=${fromTag}`;
  const toH = `To: <sip:${to.extension}@${to.domain}>`;
  const toTagged = `${toH};tag=${toTag}`;
  const contact = `Contact: <sip:${rng.hex(6)}@${rng.hex(8)}.invalid;transport=ws>`;
  const ua = 'User-Agent: SIP.js/0.21.2';
  const msg = (start: string, headers: string[], body = '', contentType?: string): string =>
    [start, ...headers, ...(contentType ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
  const ruri = `sip:${to.extension}@${to.domain}`;
  return {
    register: msg(`REGISTER sip:${from.domain} SIP/2.0`, [via, 'Max-Forwards: 70', `To: <sip:${from.extension}@${from.domain}>`, fromH, `Call-ID: ${callId}`, 'CSeq: 1 REGISTER', `${contact};reg-id=1;+sip.instance="<urn:uuid:${rng.hex(8)}-0000-4000-8000-${rng.hex(12)}>";expires=600`, 'Expires: 600', 'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER', 'Supported: path, gruu, outbound', ua]),
    invite: msg(`INVITE ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toH, fromH, `Call-ID: ${callId}`, 'CSeq: 2 INVITE', contact, 'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER', 'Supported: outbound', ua], CHROME_OFFER, 'application/sdp'),
    inviteFirefox: msg(`INVITE ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toH, fromH, `Call-ID: ${callId}`, 'CSeq: 5 INVITE', contact, ua], FIREFOX_OFFER, 'application/sdp'),
    reinvite: msg(`INVITE ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 3 INVITE', contact, ua], CHROME_OFFER.replace('a=sendrecv', 'a=sendonly'), 'application/sdp'),
    ack: msg(`ACK ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 2 ACK', ua]),
    bye: msg(`BYE ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 4 BYE', ua]),
    info: msg(`INFO ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 5 INFO', ua], 'Signal=5\r\nDuration=100\r\n', 'application/dtmf-relay'),
    cancel: msg(`CANCEL ${ruri} SIP/2.0`, [via, 'Max-Forwards: 70', toH, fromH, `Call-ID: ${callId}`, 'CSeq: 2 CANCEL', ua]),
    options: msg(`OPTIONS sip:${to.domain} SIP/2.0`, [via, 'Max-Forwards: 70', toH, fromH, `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS', 'Accept: application/sdp', ua]),
    response: msg('SIP/2.0 200 OK', [via, toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 1 BYE', ua]),
    ringing: msg('SIP/2.0 180 Ringing', [via, toTagged, fromH, `Call-ID: ${callId}`, 'CSeq: 2 INVITE', contact]),
  };
}

const SPECIAL_CHARS = ['\0', '\r', '\n', '\r\n', ' ', '\t', ':', ';', ',', '<', '>', '"', '\\', '%', '=', '@', '\u00ff', '\u2028', '\ufeff', '\ud800', '\u{1f4de}', '\x7f', '\x1b'];
const CONTENT_LENGTHS = ['-1', '99999999999999999999999', 'abc', '', '0x10', '1e3', ' 5 ', '4294967297', 'NaN', '+10', '1.5', '0', '65536', '00000000000000000000000000000001'];
const HEADER_NAMES = ['Via', 'v', 'From', 'f', 'To', 't', 'Call-ID', 'i', 'CSeq', 'Max-Forwards', 'Contact', 'm', 'Content-Type', 'c', 'Content-Length', 'l', 'Expires', 'Require', 'Proxy-Require', 'Authorization', 'Proxy-Authorization', 'Route', 'Record-Route', 'Allow', 'Supported', 'Reason', 'Event', 'Refer-To', 'Replaces', 'Session-Expires', 'Min-SE', 'RAck', 'RSeq', 'X-Weird'];
const HEADER_VALUES = [
  '',
  ' ',
  '<>',
  '<sip:>',
  'sip:@',
  '<sip:1001@callmark.local;transport=ws;lr;maddr=1.2.3.4;ttl=999>',
  'SIP/2.0/WSS h.invalid;branch=',
  'SIP/2.0/UDP [::1]:99999;branch=z9hG4bK;received=x;rport=abc',
  '4294967296 INVITE',
  '-1 BYE',
  '1 invite',
  '0',
  '-5',
  '999999999999999999999999',
  'Digest username="1001", realm="callmark.local", nonce="x", uri="sip:x", response="0", nc=00000001, cnonce="a", qop=auth',
  'Digest ,,,,',
  'Digest username="a\\"b", realm=',
  '100rel, timer, replaces',
  '"unterminated <sip:x@y>',
  '*',
  'application/sdp;charset=utf-32',
  'multipart/mixed;boundary=',
  '<sip:a@b>;expires=-1',
  '<sip:a@b>;expires=99999999999999999999',
  'sip:%00@%zz',
];
export const SDP_LINES = [
  'v=1',
  'o=',
  'o=- x y IN IP4',
  's=',
  't=a b',
  'c=IN IP6 ::1',
  'c=IN IP4 999.999.999.999/255/3',
  'b=AS:-5',
  'm=audio 0 RTP/AVP 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF',
  'm=audio -1 UDP/TLS/RTP/SAVPF 111',
  'm=audio 99999999999 UDP/TLS/RTP/SAVPF 111',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 111 111',
  'm=',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:111 opus/48000',
  'a=rtpmap:111 OPUS/48000/2',
  'a=rtpmap:abc opus/48000/2',
  'a=rtpmap:-1 opus/48000/2',
  'a=rtpmap:111 opus/abc/2',
  'a=rtpmap:300 opus/48000/2',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:110 telephone-event/0',
  'a=rtpmap:',
  'a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;maxaveragebitrate=999999999',
  'a=fmtp:111 ;;;==;',
  'a=fmtp:',
  'a=rtcp-fb:111 transport-cc',
  'a=rtcp-fb:* nack',
  'a=rtcp-fb:',
  'a=extmap:9999 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:0 x',
  'a=extmap:',
  'a=ssrc:abc cname:x',
  'a=ssrc:4294967296 cname:x',
  'a=ssrc:0 cname:',
  'a=ssrc:-1 msid:a b',
  'a=ssrc:',
  'a=ssrc-group:FID 1 2',
  'a=ssrc-group:',
  'a=rid:1 send',
  'a=simulcast:send 1;2',
  'a=mid:',
  'a=mid:0',
  'a=mid:999999999999999999999',
  'a=group:BUNDLE 1 2 3',
  'a=group:',
  'a=msid-semantic: WMS *',
  'a=msid:',
  'a=rtcp-mux',
  'a=rtcp-mux-only',
  'a=rtcp:9',
  'a=rtcp:',
  'a=ice-ufrag:',
  'a=ice-pwd:',
  'a=ice-ufrag:x',
  'a=ice-lite',
  'a=ice-options:',
  'a=fingerprint:',
  'a=fingerprint:sha-256',
  'a=fingerprint:sha-999 00:11',
  'a=fingerprint:sha-256 ZZ:ZZ',
  'a=fingerprint:sha-1 00',
  'a=setup:holdconn',
  'a=setup:',
  'a=setup:active',
  'a=setup:passive',
  'a=inactive',
  'a=sendonly',
  'a=recvonly',
  'a=sendrecv',
  'a=candidate:1 1 udp 1 1.2.3.4 99999 typ host',
  'a=candidate:',
  'a=candidate:1 1 udp x y z typ',
  'a=end-of-candidates',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:xxx',
  'a=ptime:-20',
  'a=maxptime:0',
  'a=x-weird:\u0000\u00ff',
  `a=fmtp:111 ${'x'.repeat(5000)}`,
  'x=unknown',
  '=',
  'a',
  '',
];

function lines(m: string): { head: string[]; body: string } {
  const i = m.indexOf('\r\n\r\n');
  if (i < 0) return { head: m.split('\r\n'), body: '' };
  return { head: m.slice(0, i).split('\r\n'), body: m.slice(i + 4) };
}

function join(head: string[], body: string, fixLength: boolean): string {
  const h = fixLength ? head.map((l) => (/^(content-length|l)\s*:/i.test(l) ? `Content-Length: ${Buffer.byteLength(body)}` : l)) : head;
  return `${h.join('\r\n')}\r\n\r\n${body}`;
}

export type Mutator = (rng: Rng, m: string, corpus: string[]) => string;

export const MUTATORS: Record<string, Mutator> = {
  byteFlip: (rng, m) => {
    const chars = [...m];
    const n = 1 + rng.int(8);
    for (let k = 0; k < n && chars.length > 0; k++) {
      const i = rng.int(chars.length);
      chars[i] = rng.chance(0.5) ? rng.pick(SPECIAL_CHARS) : String.fromCharCode(chars[i]!.charCodeAt(0) ^ (1 << rng.int(7)));
    }
    return chars.join('');
  },
  truncate: (rng, m) => m.slice(0, rng.int(m.length)),
  duplicateHeader: (rng, m) => {
    const { head, body } = lines(m);
    if (head.length < 2) return m;
    const i = 1 + rng.int(head.length - 1);
    const copies = rng.chance(0.1) ? 200 + rng.int(2000) : 1 + rng.int(5);
    head.splice(i, 0, ...Array<string>(copies).fill(head[i]!));
    return join(head, body, false);
  },
  hugeValue: (rng, m) => {
    const { head, body } = lines(m);
    if (head.length < 2) return m;
    const i = rng.int(head.length);
    const size = rng.pick([300, 4000, 9000, 40_000, 70_000]);
    head[i] = `${head[i]}${rng.pick(['A', ';x=', ',', ' ', '%41', '<sip:a@b>,']).repeat(Math.ceil(size / 3))}`;
    return join(head, body, false);
  },
  badContentLength: (rng, m) => {
    const { head, body } = lines(m);
    const len = Buffer.byteLength(body);
    const value = rng.chance(0.5) ? rng.pick(CONTENT_LENGTHS) : String(Math.max(0, len + rng.int(21) - 10));
    const i = head.findIndex((l) => /^content-length\s*:/i.test(l));
    if (i >= 0) head[i] = `Content-Length: ${value}`;
    else head.push(`Content-Length: ${value}`);
    if (rng.chance(0.2)) head.push(`l: ${rng.pick(CONTENT_LENGTHS)}`);
    return join(head, body, false);
  },
  randomSdpLines: (rng, m) => {
    const { head, body } = lines(m);
    const sdp = (body || CHROME_OFFER).split('\r\n');
    const n = 1 + rng.int(6);
    for (let k = 0; k < n; k++) {
      const i = rng.int(sdp.length + 1);
      const op = rng.int(3);
      if (op === 0) sdp.splice(i, 0, rng.pick(SDP_LINES));
      else if (op === 1) sdp[Math.min(i, sdp.length - 1)] = rng.pick(SDP_LINES);
      else sdp.splice(i, 1);
    }
    return join(head, sdp.join(rng.chance(0.9) ? '\r\n' : '\n'), rng.chance(0.8));
  },
  randomHeader: (rng, m) => {
    const { head, body } = lines(m);
    const line = `${rng.pick(HEADER_NAMES)}${rng.pick([': ', ':', ' : ', '   :\t'])}${rng.pick(HEADER_VALUES)}`;
    if (rng.chance(0.5) && head.length > 1) head[1 + rng.int(head.length - 1)] = line;
    else head.splice(1 + rng.int(head.length), 0, line);
    return join(head, body, rng.chance(0.5));
  },
  deleteLine: (rng, m) => {
    const { head, body } = lines(m);
    head.splice(rng.int(head.length), 1);
    return join(head, body, false);
  },
  swapLines: (rng, m) => {
    const all = m.split('\r\n');
    const i = rng.int(all.length);
    const j = rng.int(all.length);
    [all[i], all[j]] = [all[j]!, all[i]!];
    return all.join('\r\n');
  },
  lineEndings: (rng, m) => {
    const sep = rng.pick(['\n', '\r', '\r\n ', '\r\n\t', '\r\r\n', '\n\r', '']);
    return m.replace(/\r\n/g, (x) => (rng.chance(0.3) ? sep : x));
  },
  startLine: (rng, m) => {
    const { head, body } = lines(m);
    head[0] = rng.pick([
      'INVITE sip:1001@callmark.local SIP/3.0',
      'INVITE  sip:1001@callmark.local  SIP/2.0',
      'invite sip:1001@callmark.local SIP/2.0',
      'FOO sip:1001@callmark.local SIP/2.0',
      'INVITE sip: SIP/2.0',
      'INVITE <sip:1001@callmark.local> SIP/2.0',
      'INVITE tel:+441134960412 SIP/2.0',
      'INVITE sip:+441134960412@callmark.local;user=phone SIP/2.0',
      'INVITE sips:1001@callmark.local:99999 SIP/2.0',
      'REGISTER sip:callmark.local SIP/2.0',
      'SIP/2.0 200',
      'SIP/2.0 999 Weird',
      'SIP/2.0 099 Low',
      'SIP/2.0 abc OK',
      'SIP/2.0',
      '',
      `${'A'.repeat(3000)} sip:x SIP/2.0`,
      'SUBSCRIBE sip:1001@callmark.local SIP/2.0',
      'REFER sip:1001@callmark.local SIP/2.0',
      'PRACK sip:1001@callmark.local SIP/2.0',
      'UPDATE sip:1001@callmark.local SIP/2.0',
    ]);
    return join(head, body, false);
  },
  splice: (rng, m, corpus) => {
    const other = rng.pick(corpus);
    return m.slice(0, rng.int(m.length)) + other.slice(rng.int(other.length));
  },
  headerCase: (rng, m) => {
    const { head, body } = lines(m);
    return join(
      head.map((l, i) => (i > 0 && rng.chance(0.3) ? l.replace(/^[^:]+/, (n) => (rng.chance(0.5) ? n.toUpperCase() : n.toLowerCase())) : l)),
      body,
      false,
    );
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** One to three mutators in a row; returns the message and what was done (for a failure report). */
export function mutate(rng: Rng, message: string, corpus: string[]): { text: string; steps: string[] } {
  let text = message;
  const steps: string[] = [];
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const name = rng.pick(MUTATOR_NAMES);
    steps.push(name);
    text = MUTATORS[name]!(rng, text, corpus);
  }
  return { text, steps };
}
