// A "party" without a browser: an ffmpeg process encodes a sine tone to Opus and sends it as RTP
// into a mediasoup PlainTransport, where it becomes a real Producer. Tests use one per leg, each with
// its own frequency, and check which tone ends up where (tests/support/audio.ts has the detectors).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { types as ms } from 'mediasoup';

export interface ToneProducer {
  producer: ms.Producer;
  transport: ms.PlainTransport;
  /** Stops the generator and closes the transport (and with it the producer). */
  stop(): Promise<void>;
  /** Stops forwarding (as the B2BUA does on hold); the generator keeps sending to mediasoup. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface ToneOptions {
  listenIp?: string;
  /** Start with the producer paused, e.g. for a party that begins to send later. */
  paused?: boolean;
  /** The generator stops by itself after this long, so it cannot outlive a crashed test. Default 120 s. */
  maxSeconds?: number;
}

export async function startToneProducer(router: ms.Router, frequencyHz: number, opts: ToneOptions = {}): Promise<ToneProducer> {
  const ip = opts.listenIp ?? '127.0.0.1';
  const opus = router.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
  if (!opus?.preferredPayloadType) throw new Error('router has no Opus codec');
  const payloadType = opus.preferredPayloadType;
  const ssrc = randomInt(1, 2 ** 31);

  // comedia: mediasoup learns ffmpeg's source port from its first packet. RTCP stays on its own port
  // because ffmpeg's RTP muxer sends its sender reports from RTP port + 1.
  const transport = await router.createPlainTransport({ listenIp: ip, rtcpMux: false, comedia: true });
  const producer = await transport.produce({
    kind: 'audio',
    paused: opts.paused ?? false,
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
      encodings: [{ ssrc }],
      rtcp: { cname: `tone-${frequencyHz}`, reducedSize: true },
    },
  });

  const rtpPort = transport.tuple.localPort;
  const rtcpPort = transport.rtcpTuple?.localPort;
  if (rtcpPort === undefined) throw new Error('PlainTransport without an RTCP port');
  const child: ChildProcess = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-re', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=48000`, '-t', String(opts.maxSeconds ?? 120),
      '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20',
      '-payload_type', String(payloadType), '-ssrc', String(ssrc),
      '-f', 'rtp', `rtp://${ip}:${rtpPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Resolve once mediasoup has seen the first packets (so a test's clock starts with audio flowing).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const stats = await transport.getStats();
    if ((stats[0]?.rtpBytesReceived ?? 0) > 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      transport.close();
      throw new Error(`tone generator sent nothing: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    producer,
    transport,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      transport.close();
    },
    pause: () => producer.pause(),
    resume: () => producer.resume(),
  };
}
