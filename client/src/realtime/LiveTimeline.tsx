// The assessor's live view of a candidate's desktop: a scrolling log of every action as the server
// stored it, with the time, the offset from call answer (mm:ss), the type and a one-line summary.
// It watches the attempt over socket.io; after a reconnect it asks only for what it missed.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_PATH, type TimelineEvent, type WatchAck } from '../../../server/protocol/timeline.js';

/** Offset from call answer as mm:ss (minutes may pass 59); an em dash without a call. */
export function formatOffset(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${sign}${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const show = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 59)}…` : v}"`;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const join = (...parts: Array<string | undefined | false>): string => parts.filter(Boolean).join(' ');

/** One line describing an action, from its conventional payload fields (protocol/timeline.ts). */
export function summarise(e: Pick<TimelineEvent, 'type' | 'payload'>): string {
  const p = e.payload ?? {};
  const label = str(p.label) ?? str(p.summary) ?? str(p.reference) ?? str(p.id);
  let line: string | undefined;
  switch (e.type) {
    case 'field-changed':
      line = `${str(p.record) ? `${str(p.record)} · ` : ''}${str(p.field) ?? '?'}: ${show(p.old)} → ${show(p.new)}`;
      break;
    case 'search':
      line = join(str(p.query) !== undefined && `"${str(p.query)}"`, str(p.by) && `by ${str(p.by)}`, typeof p.resultCount === 'number' && `→ ${p.resultCount} result${p.resultCount === 1 ? '' : 's'}`);
      break;
    case 'screen-pop':
      line = join(str(p.callerNumber) && `caller ${str(p.callerNumber)}`, typeof p.matches === 'number' && `→ ${p.matches} match${p.matches === 1 ? '' : 'es'}`);
      break;
    case 'record-opened':
      line = join(str(p.recordType), label ?? str(p.recordId));
      break;
    case 'identity-check':
      // The server's record says what happened in words ("2 asked, 2 correct: verified").
      line = str(p.summary) ?? join(typeof p.passed === 'boolean' ? (p.passed ? 'passed' : 'FAILED') : str(p.result), str(p.method) && `(${str(p.method)})`);
      break;
    case 'note-added':
      line = str(p.text) && show(p.text);
      break;
    case 'message-sent':
      line = join(str(p.channel), str(p.to) && `to ${str(p.to)}`, str(p.subject) && `· ${show(p.subject)}`);
      break;
    case 'message-filed':
      line = str(p.folder) ? `in ${str(p.folder)}` : 'back to the inbox';
      break;
    case 'auto-reply-set':
      line = p.enabled === true ? 'switched on' : 'switched off';
      break;
    case 'wrap-up':
      line = join(str(p.outcome), str(p.notes) && `· ${show(p.notes)}`);
      break;
    case 'agent-state':
      line = str(p.to) ? `${str(p.from) ?? '?'} → ${str(p.to)}` : str(p.state);
      break;
    case 'transfer':
    case 'conference':
      line = join(str(p.target) ?? str(p.to), str(p.outcome) && `(${str(p.outcome)})`);
      break;
    case 'call-started':
      line = join(str(p.direction), str(p.dialledNumber) && `dialled ${str(p.dialledNumber)}`);
      break;
    default:
      line = label;
  }
  if (line) return line;
  const json = JSON.stringify(p);
  return json === '{}' ? '' : json.length > 100 ? `${json.slice(0, 99)}…` : json;
}

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
            <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleTimeString()}</time>
            <span title="Offset from call answer" data-testid="offset">
              {formatOffset(e.offsetMs)}
            </span>
            <span>
              <strong>{e.type}</strong>
              {e.source === 'browser' && (
                <span className="muted small" data-testid="reported-by" title="Reported by the candidate’s browser: not marking evidence">
                  {' '}
                  (from the browser)
                </span>
              )}
            </span>
            <span data-testid="summary" style={{ gridColumn: '1 / -1', overflowWrap: 'anywhere' }}>
              {summarise(e)}
            </span>
          </li>
        ))}
      </ol>
      </div>
    </div>
  );
}
