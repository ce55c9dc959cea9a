// The benchmark's load generator, run as its own process so that its CPU is not counted as the
// server's. It replays real Opus RTP packets (a 440 Hz tone encoded once by ffmpeg) at 50 packets/s
// per stream into mediasoup PlainTransports, and counts what comes back on sink ports.
// Talks to the parent over IPC: {cmd:'start', streams:[{port, ssrc}]}, {cmd:'sink'}, {cmd:'report'}.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';

interface Stream {
  socket: dgram.Socket;
  port: number;
  ssrc: number;
  seq: number;
  ts: number;
  sent: number;
  startedAt: number;
}

async function capturePayloads(): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  const payloads: Buffer[] = [];
  sock.on('message', (m) => {
    if (m.length > 12 && (m[1]! & 0x7f) === 111) payloads.push(m.subarray(12));
  });
  await new Promise<void>((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`]);
    ff.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
  });
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  if (payloads.length < 50) throw new Error(`captured only ${payloads.length} Opus packets`);
  return payloads;
}

const streams: Stream[] = [];
const sinks = new Map<number, { socket: dgram.Socket; packets: number; firstAt: number }>();
let payloads: Buffer[] = [];

function tick(): void {
  const now = Date.now();
  for (const s of streams) {
    // Send every packet that is due, so timer jitter does not lower the rate.
    const due = Math.floor((now - s.startedAt) / 20) + 1;
    while (s.sent < due) {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = 111;
      header.writeUInt16BE(s.seq & 0xffff, 2);
      header.writeUInt32BE(s.ts >>> 0, 4);
      header.writeUInt32BE(s.ssrc >>> 0, 8);
      s.socket.send(Buffer.concat([header, payloads[s.sent % payloads.length]!]), s.port, '127.0.0.1');
      s.seq++;
      s.ts += 960;
      s.sent++;
    }
  }
}

// Runs only as long as the benchmark that forked it, even if that one is killed.
process.on('disconnect', () => process.exit(0));
type LoadCommand = { cmd: string; id?: number; streams?: Array<{ port: number; ssrc: number }> };

async function handle(msg: LoadCommand): Promise<void> {
  const reply = (data: unknown) => process.send!({ id: msg.id, ...((data as object) ?? {}) });
  if (msg.cmd === 'init') {
    payloads = await capturePayloads();
    setInterval(tick, 5);
    reply({ payloads: payloads.length });
  } else if (msg.cmd === 'start') {
    for (const st of msg.streams ?? []) {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
      streams.push({ socket, port: st.port, ssrc: st.ssrc, seq: 1, ts: 0, sent: 0, startedAt: Date.now() });
    }
    reply({});
  } else if (msg.cmd === 'sink') {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const port = socket.address().port;
    const sink = { socket, packets: 0, firstAt: 0 };
    socket.on('message', () => {
      if (sink.packets === 0) sink.firstAt = Date.now();
      sink.packets++;
    });
    sinks.set(port, sink);
    reply({ port });
  } else if (msg.cmd === 'report') {
    reply({
      sent: streams.map((s) => ({ port: s.port, sent: s.sent })),
      sinks: [...sinks].map(([port, s]) => ({ port, packets: s.packets, firstAt: s.firstAt })),
    });
  } else if (msg.cmd === 'stop') {
    for (const s of streams.splice(0)) s.socket.close();
    for (const s of sinks.values()) s.socket.close();
    sinks.clear();
    reply({});
  }
}
// A command that fails ends the load generator, so the benchmark that forked it sees it go.
process.on('message', (msg: LoadCommand) => {
  handle(msg).catch((err: unknown) => {
    console.error('rtp-load:', err);
    process.exit(1);
  });
});
process.send!({ ready: true });
