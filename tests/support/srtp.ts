// SRTP for AES_CM_128_HMAC_SHA1_80 keyed by SDES, written from RFC 3711 with node:crypto (OpenSSL's
// EVP through Node), not with libsrtp: an independent party to check the mediasoup worker's libsrtp2
// (built by scripts/setup.mjs with media/libsrtp-patch/) against. One sending or one receiving
// context per SSRC, no key derivation rate, no MKI, RTP only.
// RFC 3711: https://www.rfc-editor.org/rfc/rfc3711
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** 80-bit authentication tag of AES_CM_128_HMAC_SHA1_80 (RFC 4568, 6.2.1). */
export const SRTP_TAG_LENGTH = 10;

export interface SrtpSessionKeys {
  encryptionKey: Buffer;
  authenticationKey: Buffer;
  salt: Buffer;
}

/** AES-128 in counter mode from a 16-byte IV: the keystream XORed into `data` (RFC 3711, 4.1.1). */
function aesCounterMode(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * Session keys from the master key and salt, RFC 3711 4.3.1 with key_derivation_rate 0 (r = 0):
 * "x = key_id XOR master_salt, where key_id = <label> || r" (right-aligned, so the label is the
 * salt's 8th octet), and the AES-CM PRF of 4.3.3: "PRF_n(k_master, x) = first n bits of
 * AES_CM(k_master, x * 2^16)". Labels 0x00 encryption, 0x01 authentication, 0x02 salt.
 */
export function deriveSrtpKeys(masterKey: Buffer, masterSalt: Buffer): SrtpSessionKeys {
  if (masterKey.length !== 16 || masterSalt.length !== 14) throw new Error('AES_CM_128: a 16-byte master key and a 14-byte master salt');
  const prf = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(16);
    masterSalt.copy(iv, 0);
    iv[7]! ^= label;
    return aesCounterMode(masterKey, iv, Buffer.alloc(length));
  };
  return { encryptionKey: prf(0x00, 16), authenticationKey: prf(0x01, 20), salt: prf(0x02, 14) };
}

/** The SDES inline key (RFC 4568, 6.1): base64 of the 16-byte master key and the 14-byte salt. */
export function srtpKeysFromSdes(keyBase64: string): SrtpSessionKeys {
  const raw = Buffer.from(keyBase64, 'base64');
  if (raw.length !== 30) throw new Error(`an AES_CM_128_HMAC_SHA1_80 inline key has 30 octets, this one ${raw.length}`);
  return deriveSrtpKeys(raw.subarray(0, 16), raw.subarray(16, 30));
}

/** Bytes of the RTP header: fixed part, CSRCs and the header extension (RFC 3550, 5.1 and 5.3.1). */
export function rtpHeaderLength(packet: Buffer): number {
  const csrcCount = packet[0]! & 0x0f;
  let length = 12 + 4 * csrcCount;
  if (packet[0]! & 0x10) length += 4 + 4 * packet.readUInt16BE(length + 2);
  if (length > packet.length) throw new Error('RTP header longer than the packet');
  return length;
}

/** "IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)", i = 2^16 * ROC + SEQ (RFC 3711, 4.1.1). */
function packetIv(keys: SrtpSessionKeys, ssrc: number, index: bigint): Buffer {
  const iv = Buffer.alloc(16);
  keys.salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const i = Buffer.alloc(8);
  i.writeBigUInt64BE(index);
  for (let b = 0; b < 6; b++) iv[8 + b]! ^= i[2 + b]!;
  return iv;
}

/** "M = Authenticated Portion || ROC", the tag the first 80 bits of HMAC-SHA1 (RFC 3711, 4.2). */
function authTag(keys: SrtpSessionKeys, authenticated: Buffer, roc: number): Buffer {
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc >>> 0);
  return createHmac('sha1', keys.authenticationKey).update(authenticated).update(rocBytes).digest().subarray(0, SRTP_TAG_LENGTH);
}

/** Protects RTP packets of one SSRC in the order given (its sequence numbers increase, ROC from their wraps). */
export class SrtpSender {
  private readonly keys: SrtpSessionKeys;
  private roc = 0;
  private lastSeq: number | undefined;

  constructor(keyBase64: string) {
    this.keys = srtpKeysFromSdes(keyBase64);
  }

  protect(rtp: Buffer): Buffer {
    const seq = rtp.readUInt16BE(2);
    if (this.lastSeq !== undefined && seq < this.lastSeq) this.roc++;
    this.lastSeq = seq;
    const header = rtpHeaderLength(rtp);
    const index = (BigInt(this.roc) << 16n) | BigInt(seq);
    const encrypted = aesCounterMode(this.keys.encryptionKey, packetIv(this.keys, rtp.readUInt32BE(8), index), rtp.subarray(header));
    const authenticated = Buffer.concat([rtp.subarray(0, header), encrypted]);
    return Buffer.concat([authenticated, authTag(this.keys, authenticated, this.roc)]);
  }
}

/** Unprotects the SRTP packets of one SSRC; a packet whose tag does not verify is answered with undefined. */
export class SrtpReceiver {
  private readonly keys: SrtpSessionKeys;
  private roc = 0;
  private highestSeq: number | undefined;

  constructor(keyBase64: string) {
    this.keys = srtpKeysFromSdes(keyBase64);
  }

  unprotect(srtp: Buffer): Buffer | undefined {
    if (srtp.length < 12 + SRTP_TAG_LENGTH) return undefined;
    const authenticated = srtp.subarray(0, srtp.length - SRTP_TAG_LENGTH);
    const tag = srtp.subarray(srtp.length - SRTP_TAG_LENGTH);
    const seq = srtp.readUInt16BE(2);
    // RFC 3711, 3.3.1 and Appendix A: the ROC guessed from the highest sequence number seen.
    let roc = this.roc;
    if (this.highestSeq !== undefined) {
      if (this.highestSeq < 32768 && seq - this.highestSeq > 32768) roc = this.roc - 1;
      else if (this.highestSeq >= 32768 && this.highestSeq - 32768 > seq) roc = this.roc + 1;
    }
    if (roc < 0 || !timingSafeEqual(authTag(this.keys, authenticated, roc), tag)) return undefined;
    if (this.highestSeq === undefined || roc > this.roc || (roc === this.roc && seq > this.highestSeq)) {
      this.roc = roc;
      this.highestSeq = seq;
    }
    const header = rtpHeaderLength(authenticated);
    const index = (BigInt(roc) << 16n) | BigInt(seq);
    const payload = aesCounterMode(this.keys.encryptionKey, packetIv(this.keys, srtp.readUInt32BE(8), index), authenticated.subarray(header));
    return Buffer.concat([authenticated.subarray(0, header), payload]);
  }
}
