// Realtime: socket.io on the Fastify HTTP server (path /socket.io) for the desktop timeline.
// Every connection authenticates with the session cookie at the handshake, and every event is
// checked again against the live session. Candidates send 'desktop:event' (browser-only events;
// the server records the rest itself, evidence.ts); the attempt's centre assessor, moderators and
// admins send 'timeline:watch' and then get 'timeline:event' pushes of both kinds.
// GET /api/attempts/:id/timeline gives the same events over HTTP, to the same watchers
// (server/api/timeline-routes.ts, in the attempt scope). Wire types: protocol/timeline.ts.
// The candidate's desktop also sends 'desktop-view:update' (what it shows now, never stored or
// evidence) and watchers send 'desktop-view:watch' for the assessor's live mirror (desktop-view.ts).
// Every socket is in its centre's room too, for the phone directory's presence pushes
// (PRESENCE_CHANGED_EVENT, protocol/telephony.ts) in place of polling.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Server, type Socket } from 'socket.io';
import { originMatchesHost, PASSWORD_CHANGE_REQUIRED, SESSION_COOKIE } from '../auth/access.js';
import { hashToken, type ActiveSession, type SessionService } from '../auth/sessions.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { PRESENCE_CHANGED_EVENT } from '../protocol/telephony.js';
import { REALTIME_PATH, type DesktopEventAck, type RealtimeError, type WatchAck } from '../protocol/timeline.js';
import type { DesktopStatusRelay, DesktopViewAck, DesktopViewWatchAck } from '../protocol/desktop-view.js';
import { DesktopViewService, viewWatchSchema } from './desktop-view.js';
import type { Evidence } from './evidence.js';
import { handshakeGate } from './handshake-limit.js';
import { parse, RealtimeFailure, TimelineService, watchSchema, type BrowserEventQuota } from './timeline.js';

export interface RealtimeOptions {
  repos: Repositories;
  clock: Clock;
  sessions: SessionService;
  /** Events a socket may send: a burst, refilled at perSecond. */
  rate?: { burst: number; perSecond: number };
  /** How often connected sockets' sessions are re-checked (default 30 s). */
  sessionCheckMs?: number;
  /** Server-recorded events are pushed to the attempt's watchers too. */
  evidence?: Evidence;
  /** Per-attempt limits on browser-reported events (default DEFAULT_BROWSER_EVENT_QUOTA). */
  browserEventQuota?: BrowserEventQuota;
  /** The client address of a raw request (proxy-aware), for the handshake limit. */
  clientAddress?: (req: IncomingMessage) => string;
}

export const attemptRoom = (attemptId: string): string => `attempt:${attemptId}`;
/** The watchers of an attempt's desktop mirror (desktop-view.ts). */
export const viewRoom = (attemptId: string): string => `desktop-view:${attemptId}`;

interface SocketData {
  token: string;
  userId: number;
}

type Ack<T> = (answer: T) => void;

/** A token bucket; real time, not the app clock, because it guards the process, not the assessment. */
class RateLimit {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly rate: { burst: number; perSecond: number }) {
    this.tokens = rate.burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.last) / 1000) * this.rate.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}


const failure = (err: unknown, log: FastifyInstance['log']): RealtimeError => {
  if (err instanceof RealtimeFailure) return err.toAck();
  log.error({ err }, 'realtime event failed');
  return { ok: false, error: 'internal', message: 'Something went wrong on the server; it has been logged.' };
};

const userRoom = (userId: number): string => `user:${userId}`;
const centreRoom = (centreId: number): string => `centre:${centreId}`;
const sessionRoom = (tokenHash: string): string => `session:${tokenHash}`;

/** What the rest of the server needs to cut realtime access at once. */
export interface RealtimeControl {
  io: Server;
  /** After a logout: that login session's sockets. */
  disconnectSession(tokenHash: string): void;
  /** After a lockout (account disabled, password reset): every socket of the user. */
  disconnectUser(userId: number): void;
  /** A phone of the centre registered or unregistered: its users read the directory again. */
  presenceChanged(centreId: number): void;
}

export function registerRealtime(app: FastifyInstance, opts: RealtimeOptions): RealtimeControl {
  const { sessions } = opts;
  const log = app.log.child({ module: 'realtime' });
  const timeline = new TimelineService(opts.repos, opts.clock, opts.browserEventQuota);
  const views = new DesktopViewService(opts.repos, () => opts.clock.now());
  const rate = opts.rate ?? { burst: 50, perSecond: 50 };
  const gate = handshakeGate({
    hasLiveSession: (req) => sessions.isLive(app.parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE]),
    clientAddress: opts.clientAddress ?? ((req) => req.socket.remoteAddress ?? 'unknown'),
  });
  let closing = false;
  const io = new Server({
    path: REALTIME_PATH,
    serveClient: false,
    // A desktop event is at most 16 KB of payload; anything much larger closes the connection.
    maxHttpBufferSize: 64 * 1024,
    // Same origin only: no CORS option (so no CORS headers), and the middleware checks Origin against Host.
    // Handshakes without a login are limited per address (handshake-limit.ts), and a connection
    // that has not joined within 5 s (refused: no session) is closed, not kept for socket.io's 45 s.
    // Nothing new once the server is closing: engine.io answers its own requests and upgrades on
    // /socket.io, before Fastify (which refuses new requests while closing) sees them.
    allowRequest: (req, callback) => (closing ? callback('the server is shutting down', false) : gate(req, callback)),
    connectTimeout: 5_000,
  });

  io.use((socket, next) => {
    const req = socket.request;
    if (!originMatchesHost(req.headers)) {
      next(Object.assign(new Error('bad_origin'), { data: { message: 'This connection came from another site and was refused.' } }));
      return;
    }
    const token = app.parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    const session = sessions.resolve(token);
    if (!token || !session) {
      next(Object.assign(new Error('unauthenticated'), { data: { message: 'Your session has ended or you are not logged in. Log in again.' } }));
      return;
    }
    // As on every API route (auth/access.ts): nothing until the password an administrator set is changed.
    if (session.user.mustChangePassword) {
      next(Object.assign(new Error('password_change_required'), { data: { message: PASSWORD_CHANGE_REQUIRED } }));
      return;
    }
    socket.data = { token, userId: session.user.id } satisfies SocketData;
    next();
  });

  // One bucket per user, shared by all their sockets (tabs, reconnects), so opening more
  // connections does not buy more events; dropped when their last socket closes.
  const userLimits = new Map<number, { limit: RateLimit; sockets: number }>();

  io.on('connection', (socket: Socket) => {
    // Rooms by user and by login session, so a logout or a lockout can cut exactly these sockets.
    const data = socket.data as SocketData;
    const entry = userLimits.get(data.userId) ?? { limit: new RateLimit(rate), sockets: 0 };
    entry.sockets += 1;
    userLimits.set(data.userId, entry);
    const limit = entry.limit;
    socket.once('disconnect', () => {
      entry.sockets -= 1;
      if (entry.sockets === 0 && userLimits.get(data.userId) === entry) userLimits.delete(data.userId);
    });
    const centreId = opts.repos.users.findById(data.userId)?.centreId;
    void socket.join([userRoom(data.userId), sessionRoom(hashToken(data.token)), ...(typeof centreId === 'number' ? [centreRoom(centreId)] : [])]);
    /** The live session behind this socket; when it has ended, the socket is disconnected. */
    const live = (): ActiveSession => {
      const session = sessions.resolve((socket.data as SocketData).token);
      if (!session) {
        setImmediate(() => socket.disconnect(true));
        throw new RealtimeFailure('unauthenticated', 'Your session has ended. Log in again.');
      }
      return session;
    };

    socket.use((packet, next) => {
      if (limit.take()) {
        next();
        return;
      }
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as Ack<RealtimeError>)({ ok: false, error: 'rate_limited', message: 'Too many events; slow down and send again.' });
    });

    /**
     * A request the client may want answered: `handle` gives the answer, a failure is answered in
     * words (failure()), and the answer goes back when the client sent an acknowledgement callback.
     * Handlers are synchronous from start to finish (SQLite is synchronous), so the events of one
     * socket are stored in the order they were sent.
     */
    const answer = <Answer>(event: string, handle: (input: unknown) => Answer): void => {
      socket.on(event, (input: unknown, ack?: Ack<Answer | RealtimeError>) => {
        let answered: Answer | RealtimeError;
        try {
          answered = handle(input);
        } catch (err) {
          answered = failure(err, log);
        }
        if (typeof ack === 'function') ack(answered);
      });
    };
    /** Stops pushing an attempt's `room` to this socket ({ attemptId }; anything else is ignored). */
    const leaveOn = (event: string, room: (attemptId: string) => string): void => {
      socket.on(event, (input: unknown) => {
        if (input && typeof input === 'object' && typeof (input as { attemptId?: unknown }).attemptId === 'string') {
          void socket.leave(room((input as { attemptId: string }).attemptId));
        }
      });
    };

    answer('desktop:event', (input): DesktopEventAck => {
      const session = live();
      const { event, duplicate } = timeline.record(session.user, input);
      if (!duplicate) io.to(attemptRoom(event.attemptId)).emit('timeline:event', event);
      return { ok: true, seq: event.seq, duplicate };
    });

    answer('timeline:watch', (input): WatchAck => {
      const session = live();
      const request = parse(watchSchema, input, 'watch request');
      const attempt = timeline.watchable(session.user, request.attemptId);
      // Joining and reading happen in the same tick, so no event falls between the two.
      void socket.join(attemptRoom(attempt.id));
      return { ok: true, events: timeline.events(attempt.id, request.afterSeq) };
    });

    leaveOn('timeline:unwatch', attemptRoom);

    // The desktop mirror: a view from the attempt's own candidate (desktop-view.ts) goes to the
    // attempt's watchers only; it is kept in memory as the latest, never stored.
    answer('desktop-view:update', (input): DesktopViewAck => {
      const relay = views.accept(live().user, input);
      io.to(viewRoom(relay.attemptId)).emit('desktop-view:changed', relay);
      return { ok: true };
    });

    answer('desktop-view:watch', (input): DesktopViewWatchAck => {
      const session = live();
      const request = parse(viewWatchSchema, input, 'watch request');
      // Who may watch the mirror is who may watch the timeline.
      const attempt = timeline.watchable(session.user, request.attemptId);
      void socket.join(viewRoom(attempt.id));
      return { ok: true, latest: views.latest(attempt.id), status: views.status(attempt.id) };
    });

    leaveOn('desktop-view:unwatch', viewRoom);

    socket.on('error', (err) => log.warn({ err }, 'realtime socket error'));
  });

  // A socket that only listens (an assessor watching a timeline) sends nothing that would reveal an
  // ended session, so sessions are re-checked periodically, without sliding their idle expiry.
  const sweep = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      if (!sessions.isLive((socket.data as SocketData).token)) socket.disconnect(true);
    }
  }, opts.sessionCheckMs ?? 30_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  opts.evidence?.onStored((event) => {
    io.to(attemptRoom(event.attemptId)).emit('timeline:event', event);
    // The mirror's agent state and call come from what the server recorded, and move with it.
    const room = viewRoom(event.attemptId);
    if ((io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0) io.to(room).emit('desktop-view:status', { attemptId: event.attemptId, status: views.status(event.attemptId) } satisfies DesktopStatusRelay);
  });

  // Attached when every plugin is in: engine.io then gets the upgrades on /socket.io to itself
  // (other upgrade listeners, such as the SIP WebSocket's, would route them to Fastify's 404), and
  // the other listeners keep every other upgrade.
  app.addHook('onReady', async () => {
    const server = app.server;
    const others = server.listeners('upgrade') as Array<(...args: unknown[]) => void>;
    io.attach(server, { destroyUpgrade: false });
    const engine = server.listeners('upgrade').filter((l) => !others.includes(l as never)) as Array<(...args: unknown[]) => void>;
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      const mine = (req.url ?? '').startsWith(`${REALTIME_PATH}/`);
      const listeners = mine ? engine : others;
      if (listeners.length === 0) {
        socket.destroy();
        return;
      }
      for (const l of listeners) l.call(server, req, socket, head);
    });
  });
  // Connected sockets must be closed before the HTTP server waits for its connections to end
  // (an onClose hook runs after that wait), so they are closed in preClose. io.close() is not used:
  // it would close the HTTP server, which is Fastify's to close.
  const shutDown = (): void => {
    closing = true;
    io.disconnectSockets(true);
    io.engine?.close();
  };
  app.addHook('preClose', async () => {
    const started = performance.now();
    const sockets = io.sockets.sockets.size;
    shutDown();
    const ms = Math.round(performance.now() - started);
    log.info({ step: 'desktops disconnected', sockets, ms }, `shutdown: desktops disconnected (${sockets} sockets) in ${ms} ms`);
  });
  app.addHook('onClose', async () => shutDown());
  return {
    io,
    disconnectSession: (tokenHash) => io.in(sessionRoom(tokenHash)).disconnectSockets(true),
    disconnectUser: (userId) => io.in(userRoom(userId)).disconnectSockets(true),
    presenceChanged: (centreId) => void io.to(centreRoom(centreId)).emit(PRESENCE_CHANGED_EVENT),
  };
}
