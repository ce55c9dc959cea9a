// SRTP through a real mediasoup worker, checked by an SRTP written from RFC 3711 with node:crypto
// (tests/support/srtp.ts), not by libsrtp. The worker's libsrtp2 is built by scripts/setup.mjs with
// media/libsrtp-patch/ (its HMAC-SHA1 and AES counter mode keyed once per session key instead of per
// packet): a packet the worker accepts must be one whose tag RFC 3711 verifies, a packet it sends must
// verify and decrypt here, and a packet changed in transit must go no further.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSrtpKeys, SRTP_TAG_LENGTH, SrtpReceiver, SrtpSender } from '../support/srtp.js';
import { sleep, until } from '../support/until.js';

const SUITE = 'AES_CM_128_HMAC_SHA1_80' as const;

describe('the independent SRTP used to check the worker (tests/support/srtp.ts)', () => {
  it('derives the session keys of RFC 3711 B.3', () => {
    const keys = deriveSrtpKeys(Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex'), Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex'));
    expect(keys.encryptionKey.toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(keys.salt.toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    expect(keys.authenticationKey.toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  });

  it("protects libsrtp's reference packet (srtp_driver's srtp_validate) byte for byte, and unprotects it", () => {
    const key = Buffer.from('e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6', 'hex').toString('base64');
    const plain = Buffer.from(`800f1234decafbadcafebabe${'ab'.repeat(16)}`, 'hex');
    const reference = '800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb';
    expect(new SrtpSender(key).protect(plain).toString('hex')).toBe(reference);
    expect(new SrtpReceiver(key).unprotect(Buffer.from(reference, 'hex'))?.toString('hex')).toBe(plain.toString('hex'));
    const tampered = Buffer.from(reference, 'hex');
    tampered[20]! ^= 0x01;
    expect(new SrtpReceiver(key).unprotect(tampered)).toBeUndefined();
  });
});

/** A UDP socket on 127.0.0.1 that keeps what it receives. */
async function party(): Promise<{ socket: dgram.Socket; port: number; received: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

const send = (socket: dgram.Socket, port: number, packet: Buffer) =>
  new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

/** An Opus-sized RTP packet whose payload starts with its number, so it can be found after forwarding. */
function rtpPacket(n: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 80);
  packet[0] = 0x80;
  packet[1] = 111;
  packet.writeUInt16BE(1000 + n, 2);
  packet.writeUInt32BE(960 * n, 4);
  packet.writeUInt32BE(ssrc, 8);
  for (let i = 0; i < 80; i++) packet[12 + i] = (n * 31 + i) & 0xff;
  packet.writeUInt32BE(n, 12);
  return packet;
}

describe('SDES SRTP (AES_CM_128_HMAC_SHA1_80) through a real mediasoup worker', () => {
  let worker: ms.Worker;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ rtcMinPort: 49400, rtcMaxPort: 49499, logLevel: 'error' });
  });
  afterAll(() => {
    for (const close of closers) close();
    worker?.close();
  });

  it('forwards every intact packet with a tag RFC 3711 verifies, and none that was changed or replayed', async () => {
    const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
    const a = await party();
    const b = await party();
    closers.push(() => a.socket.close(), () => b.socket.close());

    // Party A sends with its key; the worker decrypts with it (connect's srtpParameters, as SDES
    // hands the remote's key over) and sends toward B with transport B's own key.
    const keyA = randomBytes(30).toString('base64');
    const keyB = randomBytes(30).toString('base64');
    const transportA = await router.createPlainTransport({ listenIp: '127.0.0.1', enableSrtp: true, srtpCryptoSuite: SUITE });
    await transportA.connect({ ip: '127.0.0.1', port: a.port, srtpParameters: { cryptoSuite: SUITE, keyBase64: keyA } });
    const transportB = await router.createPlainTransport({ listenIp: '127.0.0.1', enableSrtp: true, srtpCryptoSuite: SUITE });
    await transportB.connect({ ip: '127.0.0.1', port: b.port, srtpParameters: { cryptoSuite: SUITE, keyBase64: keyB } });
    const ssrc = 0x1234_5678;
    const producer = await transportA.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
        encodings: [{ ssrc }],
      },
    });
    await transportB.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    const towardB = transportB.srtpParameters?.keyBase64;
    if (!towardB) throw new Error('transport B has no SRTP key');

    const sender = new SrtpSender(keyA);
    const count = 60;
    const protectedPackets = Array.from({ length: count }, (_, n) => sender.protect(rtpPacket(n, ssrc)));
    // Changed in transit (each sent instead of the genuine packet, which is never sent): a bit of the
    // encrypted payload, of the header (authenticated, not encrypted), of the tag; and one truncated tag.
    const changed = new Map<number, (p: Buffer) => Buffer>([
      [10, (p) => flip(p, 40)],
      [20, (p) => flip(p, 5)],
      [30, (p) => flip(p, p.length - 1)],
      [40, (p) => flip(p, p.length - SRTP_TAG_LENGTH)],
      [50, (p) => p.subarray(0, p.length - 1)],
    ]);
    for (let n = 0; n < count; n++) {
      const change = changed.get(n);
      await send(a.socket, transportA.tuple.localPort, change ? change(protectedPackets[n]!) : protectedPackets[n]!);
      // A genuine packet sent again (a replay, RFC 3711 3.3.2) must be dropped too.
      if (n === 25) await send(a.socket, transportA.tuple.localPort, protectedPackets[5]!);
      await sleep(2);
    }
    const expected = count - changed.size;
    await until(() => b.received.length >= expected, 5000, `${expected} packets at party B`);
    await sleep(200); // anything that should not arrive has had the time to

    const receiver = new SrtpReceiver(towardB);
    const numbers: number[] = [];
    for (const srtp of b.received) {
      const rtp = receiver.unprotect(srtp);
      expect(rtp, 'a forwarded packet whose tag RFC 3711 does not verify').toBeDefined();
      const payload = rtp!.subarray(rtp!.length - 80);
      const n = payload.readUInt32BE(0);
      numbers.push(n);
      // The payload as party A sent it (mediasoup rewrites SSRC and sequence numbers, not the payload).
      expect(payload.equals(rtpPacket(n, ssrc).subarray(12))).toBe(true);
    }
    expect(numbers).toEqual(Array.from({ length: count }, (_, n) => n).filter((n) => !changed.has(n)));

    // The worker's own count of what it accepted from A: the genuine packets, and nothing else.
    expect((await producer.getStats())[0]?.packetCount).toBe(expected);
  });
});

function flip(packet: Buffer, at: number): Buffer {
  const copy = Buffer.from(packet);
  copy[at]! ^= 0x01;
  return copy;
}
