// A caller without a browser: a sip.js user agent in Node whose media is real WebRTC (werift: ICE,
// DTLS-SRTP, Opus RTP) sending a sine tone of its own frequency, encoded by ffmpeg. Through the
// B2BUA and mediasoup its audio reaches the server's recorder like a browser's, so a test can tell
// by content which party ended up on which channel of the recording.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import type { SessionDescriptionHandler, SessionDescriptionHandlerFactory, SessionDescriptionHandlerOptions } from 'sip.js';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

export interface TonePeer {
  frequencyHz: number;
  /** A sip.js SDH factory: each session gets its own peer connection sending this party's tone. */
  factory: SessionDescriptionHandlerFactory;
  /** RTP packets received so far from the server, over all this party's peer connections. */
  packetsReceived(): number;
  /** Stops the tone generator and closes every peer connection. */
  stop(): Promise<void>;
}

/** Opus RTP of a sine tone from ffmpeg, delivered packet by packet to `onPacket`. */
async function toneSource(frequencyHz: number, onPacket: (rtp: Buffer) => void): Promise<{ stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('message', (msg) => onPacket(msg));
  const port = socket.address().port;
  const child: ChildProcess = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-re', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=48000`, '-t', '120',
      '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20',
      '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      socket.close();
    },
  };
}

async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

export async function startTonePeer(frequencyHz: number): Promise<TonePeer> {
  const peers = new Set<RTCPeerConnection>();
  const tracks = new Set<MediaStreamTrack>();
  let received = 0;
  const source = await toneSource(frequencyHz, (rtp) => {
    for (const track of tracks) track.writeRtp(rtp);
  });

  const factory: SessionDescriptionHandlerFactory = () => {
    const pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })], video: [] },
      iceUseIpv4: true,
      iceUseIpv6: false,
    });
    const track = new MediaStreamTrack({ kind: 'audio' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
    transceiver.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe(() => received++));
    peers.add(pc);
    tracks.add(track);
    const sdh: SessionDescriptionHandler = {
      close: () => {
        tracks.delete(track);
        peers.delete(pc);
        void pc.close();
      },
      // A re-INVITE with { hold: true } (sip.js's sessionDescriptionHandlerOptionsReInvite) offers
      // sendonly: the phone puts the call on hold (RFC 3264 §8.4,
      // https://www.rfc-editor.org/rfc/rfc3264#section-8.4); without it, sendrecv again.
      getDescription: async (options?: SessionDescriptionHandlerOptions & { hold?: boolean }) => {
        if (pc.signalingState !== 'have-remote-offer') transceiver.setDirection(options?.hold ? 'sendonly' : 'sendrecv');
        const description = pc.signalingState === 'have-remote-offer' ? await pc.createAnswer() : await pc.createOffer();
        await pc.setLocalDescription(description);
        await gathered(pc);
        return { body: pc.localDescription!.sdp, contentType: 'application/sdp' };
      },
      hasDescription: (contentType: string) => contentType === 'application/sdp',
      setDescription: async (sdp: string) => {
        await pc.setRemoteDescription({ type: pc.signalingState === 'have-local-offer' ? 'answer' : 'offer', sdp });
      },
      sendDtmf: () => false,
    };
    return sdh;
  };

  return {
    frequencyHz,
    factory,
    packetsReceived: () => received,
    async stop() {
      await source.stop();
      for (const pc of peers) await pc.close();
      peers.clear();
      tracks.clear();
    },
  };
}
