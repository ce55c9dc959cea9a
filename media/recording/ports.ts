// Local UDP ports for ffmpeg's RTP inputs. ffmpeg binds an even RTP port and RTP+1 for RTCP, and we
// must name them in its SDP file before it starts, so the OS cannot pick them. One registry per
// process keeps concurrent recorders apart; a bind test skips ports that other programs hold. A race
// with another program between the test and ffmpeg's bind remains: the recorder retries on it.
import dgram from 'node:dgram';

export interface PortRange {
  min: number;
  max: number;
}

export const DEFAULT_RECORDER_PORTS: PortRange = { min: 47000, max: 47999 };

const reserved = new Set<number>();
let cursor = 0; // rotates through the range so a just-released pair is not reused at once

/** Reserves `count` pairs (even RTP port, RTP+1) that are free on `ip`; returns the RTP ports. */
export async function reservePortPairs(count: number, range: PortRange, ip: string): Promise<number[]> {
  const first = range.min + (range.min % 2);
  const pairs = Math.floor((range.max - first + 1) / 2);
  if (pairs < count) throw new Error(`recorder port range ${range.min}-${range.max} holds fewer than ${count} port pairs`);
  const got: number[] = [];
  for (let tried = 0; tried < pairs && got.length < count; tried++) {
    const port = first + 2 * ((cursor++ % pairs + pairs) % pairs);
    if (reserved.has(port)) continue;
    reserved.add(port); // before the await, so a concurrent call cannot test the same pair
    if ((await canBind(port, ip)) && (await canBind(port + 1, ip))) got.push(port);
    else reserved.delete(port);
  }
  if (got.length < count) {
    releasePortPairs(got);
    throw new Error(`no free UDP port pair left in ${range.min}-${range.max}`);
  }
  return got;
}

export function releasePortPairs(ports: readonly number[]): void {
  for (const p of ports) reserved.delete(p);
}

function canBind(port: number, ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: ip.includes(':') ? 'udp6' : 'udp4' });
    s.once('error', () => {
      try {
        s.close();
      } catch {
        /* never bound */
      }
      resolve(false);
    });
    s.bind({ port, address: ip, exclusive: true }, () => s.close(() => resolve(true)));
  });
}
