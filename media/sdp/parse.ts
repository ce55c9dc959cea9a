// Reads a browser's SDP (offer or answer) into what the media plane needs from it, and refuses
// bodies a WebRTC transport cannot use with an SdpError that says why in words (the B2BUA answers
// those with 488 Not Acceptable Here and can log the reason).
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { types as ms } from 'mediasoup';
import { asDirection, type Direction } from './direction.js';
import { parseSdpText } from './text.js';

export { parseSdpText } from './text.js';

export class SdpError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SdpError';
  }
}

/** One m-line of the peer's SDP; an answer or re-offer must repeat every m-line in the same order. */
export interface SectionSlot {
  type: string;
  protocol: string;
  payloads: string;
  mid: string | undefined;
}

export interface RemoteAudio {
  session: SessionDescription;
  media: MediaDescription;
  /** Index of the audio section among all m-lines. */
  index: number;
  layout: SectionSlot[];
  mid: string;
  direction: Direction;
  iceUfrag: string;
  fingerprint: ms.DtlsFingerprint;
  setup: string | undefined;
}

export type SdpKind = 'offer' | 'answer';

/** DTLS fingerprint hash functions mediasoup accepts (RFC 8122 §5 names, lower case). */
const FINGERPRINT_ALGORITHMS = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

export function parseRemoteSdp(sdp: string, kind: SdpKind): RemoteAudio {
  let session: SessionDescription;
  try {
    session = parseSdpText(sdp);
  } catch {
    throw new SdpError(`the ${kind} is not valid SDP`);
  }
  const media = session.media ?? [];
  const index = media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  const audio = media[index];
  if (!audio) throw new SdpError(`the ${kind} has no audio section`);
  // Plain RTP (RTP/AVP) would need a PlainTransport and no DTLS; only WebRTC endpoints call in here.
  if (!/TLS\/RTP\/SAVPF?$/.test(audio.protocol)) {
    throw new SdpError(`the ${kind} is not WebRTC: its audio uses ${audio.protocol}, not UDP/TLS/RTP/SAVPF`);
  }
  const fingerprint = audio.fingerprint ?? session.fingerprint;
  if (!fingerprint) throw new SdpError(`the ${kind} has no DTLS fingerprint`);
  if (!FINGERPRINT_ALGORITHMS.has(fingerprint.type.toLowerCase()) || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(fingerprint.hash)) {
    throw new SdpError(`the ${kind} has an unusable DTLS fingerprint (a=fingerprint:${fingerprint.type} …): the hash function must be one of ${[...FINGERPRINT_ALGORITHMS].join(', ')}`);
  }
  const iceUfrag = audio.iceUfrag ?? session.iceUfrag;
  const icePwd = audio.icePwd ?? session.icePwd;
  if (!iceUfrag || !icePwd) throw new SdpError(`the ${kind} has no ICE credentials`);
  // mediasoup's WebRtcTransport carries RTCP on the RTP port only.
  if (audio.rtcpMux !== 'rtcp-mux') throw new SdpError(`the ${kind} does not multiplex RTCP (no a=rtcp-mux)`);
  if (!audio.rtp.some(isOpus)) throw new SdpError(`the ${kind} has no Opus codec`);
  const setup = audio.setup ?? session.setup;
  if (setup !== undefined && !['actpass', 'active', 'passive'].includes(setup)) {
    throw new SdpError(`the ${kind} has an unusable DTLS role (a=setup:${setup})`);
  }
  return {
    session,
    media: audio,
    index,
    // sdp-transform turns a numeric mid into a number; mids are strings everywhere else.
    layout: media.map((m) => ({ type: m.type, protocol: m.protocol, payloads: String(m.payloads ?? ''), mid: m.mid === undefined ? undefined : String(m.mid) })),
    mid: audio.mid === undefined ? '0' : String(audio.mid),
    direction: asDirection(audio.direction) ?? asDirection(session.direction) ?? 'sendrecv',
    iceUfrag,
    fingerprint: { algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash },
    setup,
  };
}

export function isOpus(rtp: { codec: string; rate?: number }): boolean {
  return String(rtp.codec).toLowerCase() === 'opus' && rtp.rate === 48000;
}

export function isTelephoneEvent(rtp: { codec: string }): boolean {
  return String(rtp.codec).toLowerCase() === 'telephone-event';
}

/** The peer's DTLS parameters for transport.connect(); actpass (or no a=setup) lets mediasoup pick. */
export function remoteDtlsParameters(remote: RemoteAudio): ms.DtlsParameters {
  const role: ms.DtlsRole = remote.setup === 'active' ? 'client' : remote.setup === 'passive' ? 'server' : 'auto';
  return { role, fingerprints: [remote.fingerprint] };
}

/** A re-offer or re-answer must keep the DTLS session: mediasoup cannot connect a transport twice. */
export function assertSameFingerprint(remote: RemoteAudio, known: ms.DtlsFingerprint, kind: SdpKind): void {
  if (remote.fingerprint.algorithm === known.algorithm && remote.fingerprint.value.toUpperCase() !== known.value.toUpperCase()) {
    throw new SdpError(`the ${kind} changes the DTLS fingerprint, which would need a new DTLS session`);
  }
}

/**
 * The direction of every m-line by mid (a rejected m-line, port 0, is inactive): a conference
 * party's SDP carries one audio m-line per other party, each negotiated on its own.
 */
export function directionsByMid(remote: RemoteAudio): Map<string, Direction> {
  const out = new Map<string, Direction>();
  for (const m of remote.session.media ?? []) {
    if (m.mid === undefined) continue;
    out.set(String(m.mid), m.port === 0 ? 'inactive' : asDirection(m.direction) ?? asDirection(remote.session.direction) ?? 'sendrecv');
  }
  return out;
}
