// A socket.io connection to a test app as the desktop makes it (WebSocket transport, the user's
// session cookie), connected before it is returned.
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { TestApp } from './test-app.js';

export async function connectedSocket(t: TestApp, cookie: string): Promise<Socket> {
  const base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  const socket = connectSocket(base, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}
