// One SIP-over-WebSocket connection (RFC 7118). Requests are routed to a user by the connection
// their REGISTER arrived on, never by the `.invalid` host in their Contact.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';

export class SipConnection {
  readonly id = randomUUID();
  /** The extension this connection authenticated as (by REGISTER or a challenged request). */
  authenticatedExtension: string | undefined;
  /** The login session whose SIP credentials it authenticated with (its SHA-256 token hash). */
  sessionTokenHash: string | undefined;
  /** When the last SIP message arrived (the injected clock's time; CRLF keep-alives do not count). */
  lastMessageAt: number;
  private readonly closeHandlers: Array<() => void> = [];
  private closed = false;
  /** Token bucket for the message rate limit. */
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly rate: { burst: number; perSecond: number },
    private readonly clock: Clock,
  ) {
    this.tokens = rate.burst;
    this.lastMessageAt = this.lastRefill = clock.now();
    socket.on('close', () => this.markClosed());
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.socket.send(text);
    return true;
  }

  /** Counts a message against the rate limit; false when the connection has sent more than its rate allows. */
  takeToken(): boolean {
    const now = this.clock.now();
    this.lastMessageAt = now;
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Runs handler when the connection closes; returns a function that removes it again. */
  onClose(handler: () => void): () => void {
    if (this.closed) {
      handler();
      return () => {};
    }
    this.closeHandlers.push(handler);
    return () => {
      const i = this.closeHandlers.indexOf(handler);
      if (i >= 0) this.closeHandlers.splice(i, 1);
    };
  }

  close(code = 1000, reason = ''): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers.splice(0)) h();
  }
}
