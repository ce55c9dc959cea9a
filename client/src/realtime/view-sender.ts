// The candidate's side of the assessor's live mirror: what the desktop shows now (the record and
// tab open, the form being filled in) goes to the server over socket.io on every change, at most
// VIEW_UPDATES_PER_SECOND a second (changes in between are folded into the next one), and again
// after a reconnect so a server that restarted has it. A view is never queued or stored: only the
// latest matters, and it is not evidence (server/protocol/desktop-view.ts).
import { io, type Socket } from 'socket.io-client';
import { VIEW_UPDATES_PER_SECOND, type DesktopView, type DesktopViewUpdate } from '../../../server/protocol/desktop-view.js';
import { REALTIME_PATH } from '../../../server/protocol/timeline.js';
import { stayConnected } from './stay-connected.js';

export interface ViewSenderOptions {
  attemptId: string;
  connect?: () => Socket;
  now?: () => number;
}

export class DesktopViewSender {
  private readonly socket: Socket;
  private readonly now: () => number;
  private readonly minGapMs = 1000 / VIEW_UPDATES_PER_SECOND;
  private latest: DesktopView | undefined;
  private latestText = '';
  private sentText = '';
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stopStayingConnected: () => void;

  constructor(private readonly opts: ViewSenderOptions) {
    this.now = opts.now ?? Date.now;
    this.socket = opts.connect ? opts.connect() : io({ path: REALTIME_PATH, withCredentials: true });
    this.socket.on('connect', this.onConnect);
    this.stopStayingConnected = stayConnected(this.socket);
    if (!this.socket.connected && !this.socket.active) this.socket.connect();
  }

  /** The desktop as it is now; sent at once, or when the gap since the last one has passed. */
  update(view: DesktopView): void {
    const text = JSON.stringify(view);
    if (text === this.latestText) return;
    this.latest = view;
    this.latestText = text;
    this.schedule();
  }

  close(): void {
    clearTimeout(this.timer);
    this.stopStayingConnected();
    this.socket.off('connect', this.onConnect);
    this.socket.disconnect();
  }

  private readonly onConnect = (): void => {
    this.sentText = '';
    this.schedule();
  };

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSentAt + this.minGapMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait);
  }

  private send(): void {
    if (!this.latest || this.latestText === this.sentText || !this.socket.connected) return;
    this.sentText = this.latestText;
    this.lastSentAt = this.now();
    const update: DesktopViewUpdate = { attemptId: this.opts.attemptId, view: this.latest };
    // The answer is not needed: a refused view is simply not shown, and the next change is sent anyway.
    this.socket.emit('desktop-view:update', update);
  }
}
