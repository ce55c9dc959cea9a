// Maps between a browser's audio m-line and mediasoup RTP parameters: the router codecs for a call
// (taken from the caller's offer, so the caller's payload types are the router's), and the
// Producer parameters for what a browser says it sends.
import type { types as ms } from 'mediasoup';
import * as commonUtils from 'mediasoup-client/lib/handlers/sdp/commonUtils.js';
import * as unifiedPlanUtils from 'mediasoup-client/lib/handlers/sdp/unifiedPlanUtils.js';
import { isOpus, isTelephoneEvent, SdpError, type RemoteAudio, type SdpKind } from './parse.js';

type RtpMap = RemoteAudio['media']['rtp'][number];

/**
 * Opus with the caller's payload type (a Consumer always sends the router's PT, and the answer to
 * the caller must reuse the caller's), plus telephone-event with the caller's PT so RFC 4733 DTMF
 * is negotiated on both legs and forwarded. 48 kHz telephone-event is preferred (Chrome); Firefox
 * only offers 8 kHz, which is taken then.
 */
export function routerMediaCodecs(offer: RemoteAudio): ms.RtpCodecCapability[] {
  const opus = offer.media.rtp.find(isOpus);
  if (!opus) throw new SdpError('the offer has no Opus codec');
  const codecs: ms.RtpCodecCapability[] = [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: opus.payload },
  ];
  const dtmf = telephoneEvent(offer.media.rtp);
  if (dtmf && dtmf.payload !== opus.payload) {
    codecs.push({ kind: 'audio', mimeType: 'audio/telephone-event', clockRate: dtmf.rate ?? 8000, preferredPayloadType: dtmf.payload });
  }
  return codecs;
}

function telephoneEvent(rtp: RtpMap[]): RtpMap | undefined {
  const events = rtp.filter(isTelephoneEvent);
  return events.find((r) => r.rate === 48000) ?? events.find((r) => r.rate === 8000);
}

/** The first SSRC the browser announces; audio has one stream and no RTX. */
export function sendingSsrc(remote: RemoteAudio, kind: SdpKind): number {
  let encodings: ms.RtpEncodingParameters[];
  try {
    encodings = unifiedPlanUtils.getRtpEncodings({ offerMediaObject: remote.media });
  } catch {
    encodings = [];
  }
  const ssrc = encodings[0]?.ssrc;
  if (ssrc === undefined) throw new SdpError(`the ${kind} has no a=ssrc line, so it sends no audio`);
  return ssrc;
}

/**
 * Producer parameters for what the browser sends: its codecs that the router has (with the
 * browser's PTs and fmtp), its header extensions the router understands (with the browser's ids),
 * its SSRC and CNAME, and its mid.
 */
export function producerRtpParameters(remote: RemoteAudio, routerCaps: ms.RtpCapabilities, kind: SdpKind): ms.RtpParameters {
  const m = remote.media;
  const codecs: ms.RtpCodecParameters[] = [];
  for (const rtp of m.rtp) {
    const channels = rtp.encoding ?? 1;
    const cap = (routerCaps.codecs ?? []).find(
      (c) =>
        c.mimeType.toLowerCase() === `audio/${rtp.codec.toLowerCase()}` &&
        c.clockRate === rtp.rate &&
        // Opus is always "/2" in SDP (RFC 7587); other audio codecs default to one channel.
        (isOpus(rtp) || (c.channels ?? 1) === channels),
    );
    if (!cap || codecs.some((c) => c.mimeType === cap.mimeType)) continue;
    const supportedFb = new Set((cap.rtcpFeedback ?? []).map((fb) => `${fb.type} ${fb.parameter ?? ''}`));
    codecs.push({
      mimeType: cap.mimeType,
      payloadType: rtp.payload,
      clockRate: cap.clockRate,
      ...(cap.channels !== undefined ? { channels: cap.channels } : {}),
      parameters: isTelephoneEvent(rtp) ? {} : fmtpParameters(m, rtp.payload),
      rtcpFeedback: (m.rtcpFb ?? [])
        .filter((fb) => (fb.payload === rtp.payload || String(fb.payload) === String(rtp.payload)) && supportedFb.has(`${fb.type} ${fb.subtype ?? ''}`))
        .map((fb) => ({ type: fb.type, ...(fb.subtype ? { parameter: fb.subtype } : {}) })),
    });
  }
  // mediasoup wants the media codec first; telephone-event is only an addition to it.
  codecs.sort((a, b) => Number(a.mimeType.toLowerCase() !== 'audio/opus') - Number(b.mimeType.toLowerCase() !== 'audio/opus'));
  if (codecs[0]?.mimeType.toLowerCase() !== 'audio/opus') throw new SdpError(`the ${kind} has no Opus codec`);

  const routerExtUris = new Set((routerCaps.headerExtensions ?? []).filter((e) => e.kind === 'audio').map((e) => e.uri));
  const headerExtensions: ms.RtpHeaderExtensionParameters[] = (m.ext ?? [])
    .filter((e) => !e['encrypt-uri'] && e.direction !== 'recvonly' && e.direction !== 'inactive' && routerExtUris.has(e.uri))
    .map((e) => ({ uri: e.uri, id: e.value }));

  const cname = commonUtils.getCname({ offerMediaObject: m });
  return {
    mid: remote.mid,
    codecs,
    headerExtensions,
    encodings: [{ ssrc: sendingSsrc(remote, kind) }],
    rtcp: { ...(cname ? { cname } : {}), reducedSize: m.rtcpRsize === 'rtcp-rsize', mux: true },
  };
}

/** fmtp as mediasoup codec parameters; only key=value pairs (telephone-event's "0-15" is kept raw elsewhere). */
function fmtpParameters(m: RemoteAudio['media'], payload: number): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  const config = m.fmtp.find((f) => f.payload === payload)?.config ?? '';
  for (const pair of config.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    params[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return params;
}

/** The raw fmtp lines of an m-line by payload type, to echo them back unchanged. */
export function rawFmtp(remote: RemoteAudio): Map<number, string> {
  return new Map(remote.media.fmtp.map((f) => [f.payload, f.config]));
}
