// socket.io's client reconnects by itself after a lost connection, but not after the server
// disconnected it ("io server disconnect"): the documentation leaves that reconnect to the
// application (https://socket.io/docs/v4/client-socket-instance/#disconnect). Callmark's server
// disconnects every socket when it shuts down cleanly (SIGTERM, as in an upgrade), so without this a
// desktop stays offline for good after a restart. After such a disconnect this connects again; while
// the server is still down the Manager's own reconnection (with its backoff) takes over. A server
// that refuses the reconnect (the session ended) answers connect_error, and no retry follows.
import type { Socket } from 'socket.io-client';

/** Reconnects `socket` after the server disconnected it. Returns the function that stops doing so. */
export function stayConnected(socket: Socket): () => void {
  const onDisconnect = (reason: Socket.DisconnectReason) => {
    if (reason === 'io server disconnect') socket.connect();
  };
  socket.on('disconnect', onDisconnect);
  return () => socket.off('disconnect', onDisconnect);
}
