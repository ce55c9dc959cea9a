import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse, isRequest, MAX_SIP_MESSAGE_BYTES, parseSipMessage, SipParseError, type SipRequest } from '../../../server/sip/message.js';

// A REGISTER as sip.js 0.21 sends it from Chromium.
const REGISTER = [
  'REGISTER sip:callmark.local SIP/2.0',
  'Via: SIP/2.0/WSS 4h1v7q0ct2a9.invalid;branch=z9hG4bK3948723',
  'Max-Forwards: 70',
  'To: <sip:1002@callmark.local>',
  'From: "Ann Smith" <sip:1002@callmark.local>;tag=ek7t1r0v5b',
  'Call-ID: o3vcd3e5qu8n5ep6iq4d',
  'CSeq: 1 REGISTER',
  'Contact: <sip:kk2rv7pj@4h1v7q0ct2a9.invalid;transport=ws>;expires=600',
  'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
  'Supported: outbound, path, gruu',
  'User-Agent: SIP.js/0.21.2',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

const withBody = (body: string, contentLength = Buffer.byteLength(body)) =>
  [
    'INVITE sip:1003@callmark.local SIP/2.0',
    'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'To: <sip:1003@callmark.local>',
    'From: "Zoë" <sip:1002@callmark.local>;tag=1928301774',
    'Call-ID: a84b4c76e66710',
    'CSeq: 314159 INVITE',
    'Contact: <sip:x@abc.invalid;transport=ws>',
    'Content-Type: application/sdp',
    `Content-Length: ${contentLength}`,
    '',
    body,
  ].join('\r\n');

describe('parseSipMessage', () => {
  it('parses a sip.js REGISTER: method, tags, Call-ID, CSeq, Contact with ws transport', () => {
    const m = parseSipMessage(REGISTER) as SipRequest;
    expect(isRequest(m)).toBe(true);
    expect(m.method).toBe('REGISTER');
    expect(m.fromTag).toBe('ek7t1r0v5b');
    expect(m.from.displayName).toBe('Ann Smith');
    expect(m.callId).toBe('o3vcd3e5qu8n5ep6iq4d');
    expect(m.cseq).toBe(1);
    expect(m.viaBranch).toBe('z9hG4bK3948723');
    const contact = m.parseHeader('contact') as { uri: { host: string; getParam(n: string): string }; getParam(n: string): string };
    expect(contact.uri.host).toBe('4h1v7q0ct2a9.invalid');
    expect(contact.getParam('expires')).toBe('600');
  });

  it('reads the body by Content-Length in bytes, with UTF-8 in headers and body', () => {
    const body = 'v=0\r\ns=Zoë\r\n';
    const m = parseSipMessage(withBody(body) + 'TRAILING GARBAGE');
    expect(m.body).toBe(body);
    expect(m.from.displayName).toBe('Zoë');
  });

  it('refuses a Content-Length larger than the body with 400', () => {
    let error: unknown;
    try {
      parseSipMessage(withBody('v=0\r\n', 500));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SipParseError);
    expect(error).toMatchObject({ status: 400, request: { method: 'INVITE' } });
  });

  it('refuses a request without Max-Forwards, a CSeq method mismatch and a body without Content-Type', () => {
    expect(() => parseSipMessage(REGISTER.replace('Max-Forwards: 70\r\n', ''))).toThrow(/max-forwards/);
    expect(() => parseSipMessage(REGISTER.replace('CSeq: 1 REGISTER', 'CSeq: 1 INVITE'))).toThrow(/CSeq method/);
    expect(() => parseSipMessage(withBody('v=0\r\n').replace('Content-Type: application/sdp\r\n', ''))).toThrow(/Content-Type/);
  });

  it('refuses garbage, a bad start line, an unparsable From and oversized messages without a status to send', () => {
    for (const bad of ['hello', 'NOT SIP AT ALL\r\n\r\n', REGISTER.replace('From: "Ann Smith" <sip:1002@callmark.local>', 'From: <<<>>>'), 'x'.repeat(MAX_SIP_MESSAGE_BYTES + 1)]) {
      let error: unknown;
      try {
        parseSipMessage(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SipParseError);
    }
  });

  it('parses responses', () => {
    const text = buildResponse(parseSipMessage(REGISTER) as SipRequest, 401, { toTag: 'srv1', headers: [['WWW-Authenticate', 'Digest realm="callmark.local", nonce="n1", qop="auth"']] });
    const r = parseSipMessage(text);
    expect(isRequest(r)).toBe(false);
    expect((r as { statusCode: number }).statusCode).toBe(401);
    expect(r.toTag).toBe('srv1');
    expect(r.getHeader('www-authenticate')).toContain('nonce="n1"');
  });
});

describe('serialising', () => {
  it('a response copies Via, From, Call-ID and CSeq, adds our To tag and a correct Content-Length', () => {
    const req = parseSipMessage(withBody('v=0\r\n')) as SipRequest;
    const text = buildResponse(req, 200, { toTag: 'b2b', body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' });
    const back = parseSipMessage(text);
    expect(back.callId).toBe('a84b4c76e66710');
    expect(back.viaBranch).toBe('z9hG4bK776asdhds');
    expect(back.fromTag).toBe('1928301774');
    expect(back.toTag).toBe('b2b');
    expect(back.getHeader('cseq')).toBe('314159 INVITE');
    expect(back.body).toBe('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
    expect(text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
  });

  it('a request round-trips through the parser', () => {
    const text = buildRequest({
      method: 'BYE',
      uri: 'sip:x@abc.invalid;transport=ws',
      headers: [
        ['Via', 'SIP/2.0/WSS callmark.invalid;branch=z9hG4bKabc'],
        ['Max-Forwards', '70'],
        ['From', '<sip:1003@callmark.local>;tag=a'],
        ['To', '<sip:1002@callmark.local>;tag=b'],
        ['Call-ID', 'c1'],
        ['CSeq', '2 BYE'],
      ],
    });
    const m = parseSipMessage(text) as SipRequest;
    expect(m.method).toBe('BYE');
    expect(m.ruri?.toString()).toBe('sip:x@abc.invalid;transport=ws');
    expect(m.getHeader('content-length')).toBe('0');
  });
});
