// The assessor's live view of a candidate's desktop: a scrolling log of every action as the server
// stored it, with the time, the offset from call answer (mm:ss), what happened and a line in words
// (client/src/format.ts).
// It watches the attempt over socket.io; after a reconnect it asks only for what it missed.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_PATH, type TimelineEvent, type WatchAck } from '../../../server/protocol/timeline.js';
import { eventLabel, eventSummary, offset, timeGB } from '../format.js';
import { stayConnected } from './stay-connected.js';

/** Adds events to a list kept in seq order, each seq once. */
export function mergeEvents(list: readonly TimelineEvent[], more: readonly TimelineEvent[]): TimelineEvent[] {
  const bySeq = new Map(list.map((e) => [e.seq, e]));
  for (const e of more) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export interface LiveTimelineProps {
  attemptId: string;
  /** Makes the socket.io socket; same-origin by default. */
  connect?: () => Socket;
}

export function LiveTimeline({ attemptId, connect }: LiveTimelineProps) {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [online, setOnline] = useState(false);
  const [error, setError] = useState<string>();
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  useEffect(() => {
    setEvents([]);
    setError(undefined);
    let lastSeq = 0;
    const socket = connect ? connect() : io({ path: REALTIME_PATH, withCredentials: true });
    const add = (more: TimelineEvent[]) => {
      if (more.length === 0) return;
      lastSeq = Math.max(lastSeq, ...more.map((e) => e.seq));
      setEvents((list) => mergeEvents(list, more));
    };
    const watch = () => {
      setOnline(true);
      socket.emit('timeline:watch', { attemptId, afterSeq: lastSeq }, (ack: WatchAck) => {
        if (ack.ok) {
          setError(undefined);
          add(ack.events);
        } else setError(ack.message);
      });
    };
    const onEvent = (e: TimelineEvent) => {
      if (e.attemptId === attemptId) add([e]);
    };
    socket.on('connect', watch);
    socket.on('disconnect', () => setOnline(false));
    socket.on('connect_error', (err) => {
      setOnline(false);
      setError(err.message === 'unauthenticated' ? 'Your session has ended. Log in again.' : `Cannot reach the server (${err.message}).`);
    });
    socket.on('timeline:event', onEvent);
    stayConnected(socket);
    if (socket.connected) watch();
    else if (!socket.active) socket.connect();
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [attemptId, connect]);

  // Follow new events unless the assessor has scrolled up to read.
  useEffect(() => {
    const el = listRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [events]);

  return (
    <div className="live-timeline" data-testid="live-timeline">
      <p className={online ? 'muted' : 'warning'} data-testid="live-timeline-status">
        {online ? 'Live' : 'Offline: reconnecting…'}
        {error ? ` · ${error}` : ''}
      </p>
      {events.length === 0 ? (
        <p className="muted">No desktop activity yet.</p>
      ) : null}
      <div
        ref={listRef}
        role="log"
        aria-label="Candidate desktop activity"
        tabIndex={0}
        style={{ maxHeight: '24rem', overflowY: 'auto' }}
        onScroll={(ev) => {
          const el = ev.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
      >
      <ol style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {events.map((e) => (
          // Time, offset and type on one line, what happened below it: readable in a narrow panel too.
          <li key={e.seq} data-seq={e.seq} data-type={e.type} style={{ display: 'grid', gridTemplateColumns: 'auto auto 1fr', gap: '0 0.5rem', marginBottom: '0.4rem' }}>
            <time dateTime={new Date(e.at).toISOString()}>{timeGB(e.at)}</time>
            <span title="Offset from call answer" data-testid="offset">
              {offset(e.offsetMs)}
            </span>
            <span>
              <strong>{eventLabel(e.type)}</strong>
              {e.source === 'browser' && (
                <span className="muted small" data-testid="reported-by" title="Reported by the candidate’s browser: not marking evidence">
                  {' '}
                  (from the browser)
                </span>
              )}
            </span>
            <span data-testid="summary" style={{ gridColumn: '1 / -1', overflowWrap: 'anywhere' }}>
              {eventSummary(e)}
            </span>
          </li>
        ))}
      </ol>
      </div>
    </div>
  );
}
