// Presence pushed over socket.io instead of polled: the server emits PRESENCE_CHANGED_EVENT to a
// centre's open pages when one of its phones registers or unregisters (server/realtime/index.ts),
// and the page reads the directory again. Reading it on every (re)connection too covers pushes
// missed while offline. It is a connection of its own (socket.io's client opens a new one for a
// second socket on the same namespace), which only listens; the desktop timeline keeps its own.
import { io } from 'socket.io-client';
import { PRESENCE_CHANGED_EVENT } from '../../../server/protocol/telephony.js';
import { REALTIME_PATH } from '../../../server/protocol/timeline.js';
import { stayConnected } from '../realtime/stay-connected.js';

/** Calls `load` now, on every push and after every reconnection; returns the function that stops. */
export function watchPresence(load: () => void): () => void {
  const socket = io({ path: REALTIME_PATH, withCredentials: true });
  const stopStaying = stayConnected(socket);
  socket.on('connect', load);
  socket.on(PRESENCE_CHANGED_EVENT, load);
  load();
  return () => {
    stopStaying();
    socket.off('connect', load);
    socket.off(PRESENCE_CHANGED_EVENT, load);
    socket.disconnect();
  };
}
