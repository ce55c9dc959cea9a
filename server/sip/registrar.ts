// The registrar: which WebSocket connection reaches each extension, until when.
import type { SipConnection } from './connection.js';

export interface Binding {
  extension: string;
  contact: string;
  conn: SipConnection;
  expiresAt: number;
  /** Increases with every registration, so "most recent" never depends on clock resolution. */
  order: number;
}

export const MIN_EXPIRES_S = 60;
export const MAX_EXPIRES_S = 3600;
/** The expiry of a Contact that names none (RFC 3261 §10.3, https://www.rfc-editor.org/rfc/rfc3261#section-10.3 step 7: "a locally-configured default"). */
export const DEFAULT_EXPIRES_S = 600;

export class Registrar {
  private readonly bindings = new Map<string, Binding[]>();
  private sequence = 0;
  private readonly listeners: Array<(extension: string) => void> = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Told the extension whenever it may have become registered or unregistered (presence). */
  onChange(listener: (extension: string) => void): void {
    this.listeners.push(listener);
  }

  /** Calls the listeners for each extension whose registered-or-not changed since `before`. */
  private changed(before: Map<string, boolean>): void {
    for (const [extension, was] of before) if (was !== this.isRegistered(extension)) for (const l of this.listeners) l(extension);
  }

  /**
   * Who is registered before a change. A binding whose connection closed or whose time ran out no
   * longer counts in lookups, but nobody has been told yet: removing it (`stored`: any binding
   * kept counts) is the change that is told.
   */
  private snapshot(extensions: Iterable<string>, stored = false): Map<string, boolean> {
    return new Map([...extensions].map((e) => [e, stored ? this.bindings.has(e) : this.isRegistered(e)]));
  }

  /** Adds or refreshes a binding; expires 0 removes it. Returns the bindings now current. */
  register(extension: string, contact: string, conn: SipConnection, expiresS: number): Binding[] {
    const before = this.snapshot([extension]);
    try {
      return this.store(extension, contact, conn, expiresS);
    } finally {
      this.changed(before);
    }
  }

  private store(extension: string, contact: string, conn: SipConnection, expiresS: number): Binding[] {
    const now = this.now();
    const list = (this.bindings.get(extension) ?? []).filter((b) => b.expiresAt > now && b.conn.isOpen && !(b.conn === conn && b.contact === contact));
    if (expiresS > 0) list.push({ extension, contact, conn, expiresAt: now + expiresS * 1000, order: ++this.sequence });
    if (list.length) this.bindings.set(extension, list);
    else this.bindings.delete(extension);
    return list;
  }

  /** The live binding to ring for an extension: the most recent registration. */
  lookup(extension: string): Binding | undefined {
    const now = this.now();
    const live = (this.bindings.get(extension) ?? []).filter((b) => b.expiresAt > now && b.conn.isOpen);
    return live.sort((a, b) => b.order - a.order)[0];
  }

  bindingsOf(extension: string): Binding[] {
    const now = this.now();
    return (this.bindings.get(extension) ?? []).filter((b) => b.expiresAt > now && b.conn.isOpen);
  }

  /** Whether any live binding is reached through this connection. */
  hasBindingOn(conn: SipConnection): boolean {
    const now = this.now();
    for (const list of this.bindings.values()) if (list.some((b) => b.conn === conn && b.expiresAt > now)) return true;
    return false;
  }

  dropConnection(conn: SipConnection): void {
    const before = this.snapshot(this.bindings.keys(), true);
    for (const [ext, list] of this.bindings) {
      const kept = list.filter((b) => b.conn !== conn);
      if (kept.length) this.bindings.set(ext, kept);
      else this.bindings.delete(ext);
    }
    this.changed(before);
  }

  dropExtension(extension: string): Binding[] {
    const before = this.snapshot([extension], true);
    const list = this.bindings.get(extension) ?? [];
    this.bindings.delete(extension);
    this.changed(before);
    return list;
  }

  sweep(): void {
    const before = this.snapshot(this.bindings.keys(), true);
    const now = this.now();
    for (const [ext, list] of this.bindings) {
      const kept = list.filter((b) => b.expiresAt > now && b.conn.isOpen);
      if (kept.length) this.bindings.set(ext, kept);
      else this.bindings.delete(ext);
    }
    this.changed(before);
  }

  get registeredCount(): number {
    return this.bindings.size;
  }

  isRegistered(extension: string): boolean {
    return this.lookup(extension) !== undefined;
  }
}
