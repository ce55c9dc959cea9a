// SIP over WebSocket (RFC 7118) on the Fastify server: path /sip, subprotocol "sip". Each text
// frame is one SIP message; a CRLF-only frame is a keep-alive ping answered with CRLF.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { SipConnection } from './connection.js';
import { MAX_SIP_MESSAGE_BYTES } from './message.js';
import type { SipServer } from './sip-server.js';

export interface SipTransportOptions {
  path?: string;
  /** Messages a connection may send: a burst, refilled at perSecond. */
  rate?: { burst: number; perSecond: number };
  /** Runs when the server closes, before the WebSocket connections are closed. */
  beforeClose?: () => Promise<void>;
}

export async function registerSipTransport(app: FastifyInstance, sip: SipServer, opts: SipTransportOptions = {}): Promise<void> {
  // Set when the server starts closing: a WebSocket whose upgrade was under way then (routed before
  // Fastify refused new requests, opened after the clients below were closed) is closed at once,
  // not left open for the server's close to wait on.
  let closing = false;
  await app.register(websocket, {
    options: {
      // Frames up to twice the SIP limit are read so that an oversized message can get its 513.
      maxPayload: 2 * MAX_SIP_MESSAGE_BYTES,
      handleProtocols: (protocols: Set<string>) => (protocols.has('sip') ? 'sip' : false),
    },
    // A client's protocol error (e.g. a frame over maxPayload, which ws answers with 1009) is the
    // client's fault: a warning, not the plugin's default error-level log line per occurrence.
    errorHandler: (err, socket, request) => {
      request.log.warn({ err: err.message }, 'SIP WebSocket protocol error; connection closed');
      socket.terminate();
    },
    preClose: async function (this: FastifyInstance) {
      closing = true;
      await opts.beforeClose?.();
      for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
    },
  });
  const rate = opts.rate ?? { burst: 60, perSecond: 10 };
  app.get(opts.path ?? '/sip', { websocket: true, config: { access: 'public' } }, (socket, request) => {
    if (closing) {
      socket.close(1001, 'server shutting down');
      return;
    }
    if (socket.protocol !== 'sip') {
      socket.close(1002, 'the WebSocket subprotocol must be "sip" (RFC 7118)');
      return;
    }
    // How many may be open, and how long without registering: the SIP server's connection limits.
    const conn = new SipConnection(socket, request.ip, rate, sip.clock);
    sip.attach(conn);
    socket.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      if (/^(\r\n)+$/.test(text)) {
        socket.send('\r\n');
        return;
      }
      if (isBinary && !/^[\x09\x0a\x0d\x20-\x7e\u0080-\uffff]*$/.test(text)) {
        sip.log.warn({ conn: conn.id }, 'binary WebSocket frame that is not SIP text dropped');
        return;
      }
      sip.handleMessage(conn, text);
    });
    socket.on('error', (err) => sip.log.warn({ err, conn: conn.id }, 'SIP WebSocket error'));
  });
}
