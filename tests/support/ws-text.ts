import type WebSocket from 'ws';

/** The text of one WebSocket message as `ws` delivers it (a Buffer, an ArrayBuffer or fragments). */
export function messageText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
