// media/sdp/parse.ts: sdp-transform turns every token that looks like a number into a number
// (codec names, ICE credentials, mids, fingerprint hash names ...), and code that treats them as
// the strings they are declared to be throws a TypeError (SECURITY.md: the B2BUA answered 500
// instead of 488). The parser gives string fields back as strings, at the one place SDP is parsed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sdpAudioDirection } from '../../../media/sdp/direction.js';
import { parseRemoteSdp, parseSdpText, SdpError } from '../../../media/sdp/parse.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const chrome = fs.readFileSync(path.join(here, '..', 'fixtures', 'chrome-156-offer.sdp'), 'utf8');

describe('SDP parsing keeps strings strings', () => {
  it('refuses a fingerprint whose hash function is a number (a=fingerprint:256 …) with an SdpError', () => {
    const sdp = chrome.replace(/a=fingerprint:sha-256 /, 'a=fingerprint:256 ');
    expect(sdp).toContain('a=fingerprint:256 ');
    expect(() => parseRemoteSdp(sdp, 'offer')).toThrow(SdpError);
    expect(() => parseRemoteSdp(sdp, 'offer')).toThrow(/fingerprint/);
  });

  it('refuses a hash function mediasoup does not offer (a=fingerprint:md5 …)', () => {
    expect(() => parseRemoteSdp(chrome.replace(/a=fingerprint:sha-256 /, 'a=fingerprint:md5 '), 'offer')).toThrow(SdpError);
  });

  it('gives numeric-looking tokens of string fields back as strings', () => {
    const sdp = chrome
      .replace(/a=ice-ufrag:\S+/, 'a=ice-ufrag:1234')
      .replace(/a=ice-pwd:\S+/, 'a=ice-pwd:123456789012345678901234')
      .replace(/a=setup:\S+/, 'a=setup:1')
      .replace(/a=msid:\S+ \S+/, 'a=msid:11 22');
    const session = parseSdpText(sdp);
    const audio = session.media.find((m) => m.type === 'audio')!;
    expect(typeof (audio.iceUfrag ?? session.iceUfrag)).toBe('string');
    expect(audio.iceUfrag ?? session.iceUfrag).toBe('1234');
    expect(typeof (audio.icePwd ?? session.icePwd)).toBe('string');
    expect(typeof audio.setup).toBe('string');
    // sdp-transform 2.x keeps a=msid as one text ('11 22'), whatever its newer types say.
    expect((audio as unknown as { msid: unknown }).msid).toBe('11 22');
    for (const r of audio.rtp) {
      expect(typeof r.codec).toBe('string');
      expect(typeof r.payload).toBe('number');
    }
    // Declared numbers stay numbers.
    expect(typeof audio.port).toBe('number');
    expect(typeof session.version).toBe('number');
    // The full parse no longer sees a number where it expects text: an unusable a=setup is an SdpError.
    expect(() => parseRemoteSdp(sdp, 'offer')).toThrow(SdpError);
  });

  it('sdpAudioDirection parses through the same function', () => {
    expect(sdpAudioDirection(chrome.replace(/a=sendrecv/, 'a=sendonly'))).toBe('sendonly');
  });
});
