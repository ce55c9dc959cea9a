// media/worker-patch/uring-send.patch: while the worker's event loop handles readable sockets, its
// UDP sends are queued in an io_uring and submitted once per loop iteration; with io_uring off
// (CALLMARK_WORKER_IO_URING=off, the path a worker takes when io_uring cannot be set up) it sends
// each datagram with sendmsg. Either way every packet is forwarded, in order. Real worker, real
// sockets: the test sends RTP in bursts (several datagrams per wake) into a PlainTransport and reads
// what the consumer's PlainTransport sends out; the worker's io_uring (its fd and the ring's
// counters in /proc/<pid>/fdinfo) shows which path carried them.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../media/index.js';
import { sleep, until } from '../support/until.js';

const PACKETS = 600;
const BURST = 30;

let pool: MediaWorkerPool | undefined;
const sockets: dgram.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await pool?.close();
  pool = undefined;
});

/** The worker's io_uring, if it has one: how many submissions the kernel has taken from it (SqHead). */
function ringSubmissions(pid: number): number | undefined {
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:[io_uring]') continue;
    const head = /^SqHead:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (!head) throw new Error(`no SqHead in /proc/${pid}/fdinfo/${fd}`);
    return Number(head[1]);
  }
  return undefined;
}

async function bound(): Promise<{ socket: dgram.Socket; port: number }> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

/** RTP (RFC 3550, 5.1) with the packet's index in its payload, to check order at the far end. */
function rtp(payloadType: number, seq: number, ssrc: number, index: number): Buffer {
  const packet = Buffer.alloc(12 + 24);
  packet[0] = 0x80;
  packet[1] = payloadType;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE((seq * 960) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  packet[12] = 0x78; // an Opus TOC byte (SILK wideband, 20 ms)
  packet.writeUInt32BE(index, 13);
  return packet;
}

/** Starts one worker (with `env` in its environment), forwards PACKETS through it, returns what came out and the ring's count. */
async function forward(env: Record<string, string>, ports: [number, number]): Promise<{ indexes: number[]; ringBefore?: number; ringAfter?: number }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: ports[0], rtcMaxPort: ports[1] });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const pid = pool.health().workers[0]!.pid;
  const slot = pool.acquire();
  const router = await slot.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  const payloadType = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'audio/opus')!.preferredPayloadType!;

  const sender = await bound();
  const receiver = await bound();
  const indexes: number[] = [];
  receiver.socket.on('message', (msg) => {
    if ((msg[1]! & 0x7f) !== payloadType) return; // RTCP (rtcp-mux)
    // The consumer may add header extensions (RFC 3550, 5.3.1): the payload starts after them.
    let payload = 12 + 4 * (msg[0]! & 0x0f);
    if ((msg[0]! & 0x10) !== 0) payload += 4 + 4 * msg.readUInt16BE(payload + 2);
    indexes.push(msg.readUInt32BE(payload + 1));
  });

  const inbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await inbound.connect({ ip: '127.0.0.1', port: sender.port });
  const ssrc = 0x1234567;
  const producer = await inbound.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
      encodings: [{ ssrc }],
      rtcp: { cname: 'uring-send', reducedSize: true },
    },
  });
  const outbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await outbound.connect({ ip: '127.0.0.1', port: receiver.port });
  await outbound.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });

  const ringBefore = ringSubmissions(pid);
  for (let i = 0; i < PACKETS; i += BURST) {
    // A burst per tick: the worker reads up to 8 datagrams per wake, so its sends come in batches.
    for (let j = i; j < Math.min(PACKETS, i + BURST); j++) sender.socket.send(rtp(payloadType, 1000 + j, ssrc, j), inbound.tuple.localPort, '127.0.0.1');
    await sleep(5);
  }
  await until(() => indexes.length >= PACKETS, 5000, `${PACKETS} packets forwarded (${indexes.length} so far)`).catch(() => undefined);
  const ringAfter = ringSubmissions(pid);
  router.close();
  pool.release(slot);
  return { indexes, ringBefore, ringAfter };
}

const allInOrder = Array.from({ length: PACKETS }, (_, i) => i);

describe('the worker sends UDP through io_uring (uring-send.patch)', () => {
  it('forwards every packet in order, each send submitted through its io_uring', async () => {
    const { indexes, ringBefore, ringAfter } = await forward({}, [42200, 42299]);
    expect(indexes).toEqual(allInOrder);
    expect(ringBefore, 'the worker has an io_uring').toBeTypeOf('number');
    // At least one submission per packet forwarded (RTCP of the same loop iteration adds some).
    expect(ringAfter! - ringBefore!).toBeGreaterThanOrEqual(PACKETS);
  });

  it('without io_uring (CALLMARK_WORKER_IO_URING=off) sends each datagram itself and still forwards every packet in order', async () => {
    const { indexes, ringBefore, ringAfter } = await forward({ CALLMARK_WORKER_IO_URING: 'off' }, [42300, 42399]);
    expect(ringBefore).toBeUndefined();
    expect(ringAfter).toBeUndefined();
    expect(indexes).toEqual(allInOrder);
  });
});
