// Closing the HTTP server without waiting for ever. Fastify's close() runs the preClose hooks (calls
// ended, phones and desktops told to go) and then Node's server.close(), which waits until EVERY
// connection has ended, and closes by itself only those idle at that instant. Measured here (Node 20,
// Fastify 5, ws 8), each of these kept close() waiting past the 18 s shutdown grace
// (server/main.ts), so the process was forced out with exit 1 before it closed its media workers
// and its database:
// - a response still being sent at that instant ends with "Connection: keep-alive", and its
//   connection then stays open for keepAliveTimeout (Fastify's default: 72 s);
// - a request whose headers are half sent waits for headersTimeout (60 s);
// - a WebSocket whose peer never answers the close frame (a frozen tab, a dropped network) waits
//   for ws's close timeout (30 s).
// So, once the server is closing, a connection is closed as soon as it is idle (its response sent),
// and after `drainMs` whatever is still open is destroyed, with a warning saying how many.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How often, while closing, connections that became idle are closed. */
const IDLE_SWEEP_MS = 50;

/** Call last in buildApp: its preClose hook must run after the others (calls ended, sockets told). */
export function closeConnectionsOnShutdown(app: FastifyInstance, opts: { drainMs: number }): void {
  const open = new Set<Socket>();
  // Every TCP connection, upgraded ones (WebSockets) included, which Node's own list leaves out.
  app.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  let sweep: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let started = 0;
  app.addHook('preClose', async () => {
    started = performance.now();
    sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    deadline = setTimeout(() => {
      if (open.size === 0) return;
      const n = open.size;
      app.log.warn(
        { connections: n, drainMs: opts.drainMs },
        `shutdown: ${n} connection${n === 1 ? '' : 's'} still open after ${opts.drainMs} ms (a request not finished, or a WebSocket whose peer did not answer the close); destroyed`,
      );
      for (const socket of open) socket.destroy();
    }, opts.drainMs);
  });
  // onClose hooks run once server.close() has called back: every connection has ended.
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    clearTimeout(deadline);
    if (started > 0) {
      const ms = Math.round(performance.now() - started);
      app.log.info({ step: 'HTTP connections closed', ms }, `shutdown: HTTP connections closed in ${ms} ms`);
    }
  });
}
