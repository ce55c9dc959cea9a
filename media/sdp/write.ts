// Writes the server's SDP for one leg. One writer per leg keeps the o= session id and bumps its
// version on every new description (RFC 3264 §8), so re-answers and re-offers are recognised as
// changes of the same session.
import { randomInt } from 'node:crypto';
import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { types as ms } from 'mediasoup';
import type { Direction } from './direction.js';
import type { SectionSlot } from './parse.js';

export type DtlsSetup = 'actpass' | 'active' | 'passive';

export interface SdpCodec {
  payloadType: number;
  name: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
  rtcpFeedback: Array<{ type: string; parameter?: string }>;
}

export interface LocalAudioSection {
  mid: string;
  direction: Direction;
  setup: DtlsSetup;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  fingerprints: ms.DtlsFingerprint[];
  codecs: SdpCodec[];
  headerExtensions: Array<{ uri: string; id: number }>;
  /** What the server sends on this leg (a Consumer), so the browser can tie the stream to a track. */
  sender?: { ssrc: number; cname: string | undefined; streamId: string; trackId: string };
}

/**
 * The setup attribute for the role mediasoup holds on a transport: before connect() it is 'auto'
 * (only the first offer to the callee, actpass); afterwards it must be restated in every answer and
 * re-offer, or the browser flips roles and DTLS breaks.
 */
export function setupFor(role: ms.DtlsRole | undefined): DtlsSetup {
  return role === 'client' ? 'active' : role === 'server' ? 'passive' : 'actpass';
}

export function sdpCodecs(codecs: ms.RtpCodecParameters[], rawFmtp: Map<number, string>): SdpCodec[] {
  return codecs.map((c) => {
    // mediasoup declares codec parameters as `any`; they are fmtp name=value pairs.
    const params = Object.entries((c.parameters ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(';');
    const fmtp = rawFmtp.get(c.payloadType) ?? (params || undefined);
    return {
      payloadType: c.payloadType,
      name: c.mimeType.split('/')[1] ?? c.mimeType,
      clockRate: c.clockRate,
      ...(c.channels !== undefined && c.channels > 1 ? { channels: c.channels } : {}),
      ...(fmtp ? { fmtp } : {}),
      rtcpFeedback: c.rtcpFeedback ?? [],
    };
  });
}

export class LegSdpWriter {
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = 0;

  /**
   * The full SDP: the audio section at the index it has in the peer's layout, every other m-line of
   * the peer rejected (port 0), since an answer or re-offer must keep the m-line count and order.
   */
  write(audio: LocalAudioSection, layout: SectionSlot[] = [], audioIndex = 0): string {
    const slots = layout.length > 0 ? layout : [{ type: 'audio', protocol: 'UDP/TLS/RTP/SAVPF', payloads: '', mid: audio.mid }];
    return this.writeSections(slots.map((slot, i): SdpSection => (i === audioIndex ? { audio } : { rejected: slot })));
  }

  /**
   * The full SDP from its m-lines in order: several audio sections when the server sends a party
   * more than one other party (a conference: one m-line per remote party, all BUNDLEd on the
   * leg's one transport and told apart by SSRC), rejected sections for what the peer offered and
   * we refuse.
   */
  writeSections(sections: SdpSection[]): string {
    this.version++;
    const audios = sections.flatMap((s) => ('audio' in s ? [s.audio] : []));
    const first = audios[0];
    if (!first) throw new Error('an SDP needs at least one audio section');
    const candidate = first.iceCandidates.find((c) => c.protocol === 'udp') ?? first.iceCandidates[0];
    const ip = candidate?.ip ?? '0.0.0.0';
    const connection = { version: ip.includes(':') ? 6 : 4, ip };
    const media: MediaDescription[] = sections.map((s) => ('audio' in s ? audioSection(s.audio, connection, candidate?.port ?? 9) : rejectedSection(s.rejected, connection)));
    const session: SessionDescription = {
      version: 0,
      origin: { username: 'callmark', sessionId: this.sessionId, sessionVersion: this.version, netType: 'IN', ipVer: connection.version, address: ip },
      name: '-',
      timing: { start: 0, stop: 0 },
      // mediasoup answers STUN checks but never sends any: the browser must be ICE-controlling.
      icelite: 'ice-lite',
      groups: [{ type: 'BUNDLE', mids: audios.map((a) => a.mid).join(' ') }],
      msidSemantic: { semantic: 'WMS', token: '*' },
      media,
    };
    return sdpTransform.write(session);
  }
}

/** One m-line of a description: an audio section we use, or a peer's section we reject. */
export type SdpSection = { audio: LocalAudioSection } | { rejected: SectionSlot };

function audioSection(a: LocalAudioSection, connection: { version: number; ip: string }, port: number): MediaDescription {
  // sha-256 is what every WebRTC stack and SIP endpoint understands; mediasoup lists several.
  const fp = a.fingerprints.find((f) => f.algorithm === 'sha-256') ?? a.fingerprints[a.fingerprints.length - 1];
  const m: MediaDescription = {
    type: 'audio',
    port,
    protocol: 'UDP/TLS/RTP/SAVPF',
    payloads: a.codecs.map((c) => c.payloadType).join(' '),
    connection,
    mid: a.mid,
    direction: a.direction,
    iceUfrag: a.iceParameters.usernameFragment,
    icePwd: a.iceParameters.password,
    ...(fp ? { fingerprint: { type: fp.algorithm, hash: fp.value.toUpperCase() } } : {}),
    setup: a.setup,
    candidates: a.iceCandidates.map((c) => ({
      foundation: c.foundation,
      component: 1,
      transport: c.protocol,
      priority: c.priority,
      ip: c.ip,
      port: c.port,
      type: c.type,
      ...(c.tcpType ? { tcptype: c.tcpType } : {}),
    })),
    endOfCandidates: 'end-of-candidates',
    rtcpMux: 'rtcp-mux',
    rtcpRsize: 'rtcp-rsize',
    rtp: a.codecs.map((c) => ({ payload: c.payloadType, codec: c.name, rate: c.clockRate, ...(c.channels ? { encoding: c.channels } : {}) })),
    fmtp: a.codecs.filter((c) => c.fmtp).map((c) => ({ payload: c.payloadType, config: c.fmtp ?? '' })),
    rtcpFb: a.codecs.flatMap((c) => c.rtcpFeedback.map((fb) => ({ payload: c.payloadType, type: fb.type, ...(fb.parameter ? { subtype: fb.parameter } : {}) }))),
    ext: a.headerExtensions.map((e) => ({ value: e.id, uri: e.uri })),
  };
  if (a.sender) {
    m.ssrcs = a.sender.cname ? [{ id: a.sender.ssrc, attribute: 'cname', value: a.sender.cname }] : [];
    // a=msid as raw text: the sdp-transform 2.x writer (what mediasoup-client bundles) wants a
    // string here while its 3.x typings say array, so neither form is safe through the grammar.
    m.invalid = [{ value: `msid:${a.sender.streamId} ${a.sender.trackId}` }];
  }
  return m;
}

function rejectedSection(slot: SectionSlot, connection: { version: number; ip: string }): MediaDescription {
  return {
    type: slot.type,
    port: 0,
    protocol: slot.protocol,
    payloads: slot.payloads || '0',
    connection,
    ...(slot.mid !== undefined ? { mid: slot.mid } : {}),
    direction: 'inactive',
    rtp: [],
    fmtp: [],
  };
}
