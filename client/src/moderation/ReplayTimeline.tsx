// The call and desktop timeline on the recording's time axis: a bar with the holds shaded (length,
// over 60 s flagged) and event ticks, and the list of every event. Clicking an event seeks the audio
// to its offset; the event the playhead has reached is marked aria-current.
import type { HoldRegion, ReplayEvent } from '../../../server/protocol/moderation.js';
import { SIP_STATUS_WORDS } from '../../../server/protocol/telephony.js';
import { clock, eventLabel, eventSummary, seconds, textOf } from '../format.js';

const CALL_LABEL: Record<string, string> = {
  invite: 'Call offered',
  'presented-number': 'Number presented',
  // A call (or a transfer or conference party) to a candidate who was not Ready: held until they were.
  queued: 'Waiting (not Ready yet)',
  offered: 'Offered when Ready',
  ringing: 'Ringing',
  answered: 'Answered',
  hold: 'Hold',
  resume: 'Resumed',
  hangup: 'Hung up',
  end: 'Call ended',
  cancel: 'Cancelled',
  'no-answer': 'No answer',
  'transfer-requested': 'Transfer requested',
  transferred: 'Transferred',
  'transfer-failed': 'Transfer failed',
  'conference-requested': 'Conference requested',
  'conference-started': 'Conference started',
  'conference-party-left': 'Conference party left',
  'recording-started': 'Recording started',
  'recording-finished': 'Recording finished',
  'recording-failed': 'Recording failed',
  dtmf: 'Key pressed',
};


/** Who recorded an event, in words: only the browser's reports are flagged. */
export const BROWSER_REPORTED = 'reported by the candidate’s browser';

/**
 * A transfer, conference or queued call event with the target's name, as the server recorded it from
 * the directory ("Transferred to Jane Hughes", "Waiting for Jane Hughes (not Ready yet)"); undefined when it names nobody (stored before names
 * were, or a number that is nobody of the centre): the plain label then, never the extension.
 */
function namedCallTitle(type: string, payload: Record<string, unknown>): string | undefined {
  const name = (key: string) => (typeof payload[key] === 'string' && payload[key] !== '' ? payload[key] : undefined);
  const target = name('targetName');
  switch (type) {
    case 'transferred':
      return name('toName') && `Transferred to ${name('toName')}`;
    case 'transfer-requested':
      return target && `Transfer to ${target} requested`;
    case 'transfer-failed':
      return target && `Transfer to ${target} failed`;
    case 'conference-requested':
      return target && `Conference with ${target} requested`;
    case 'conference-failed':
      return target && `Conference with ${target} failed`;
    case 'conference-started':
      return name('partyName') && `Conference started with ${name('partyName')}`;
    // A call dialled to a candidate who was not Ready, or a party transferred or conferenced to them.
    case 'queued':
      return target && `Waiting for ${target} (not Ready yet)`;
    case 'offered':
      return target && `Offered to ${target} when Ready`;
    default:
      return undefined;
  }
}

export function eventTitle(e: ReplayEvent): string {
  if (e.source === 'bookmark') return 'Bookmark';
  if (e.source === 'call') return namedCallTitle(e.type, e.payload) ?? CALL_LABEL[e.type] ?? eventLabel(e.type);
  return eventLabel(e.type);
}

export function eventDetail(e: ReplayEvent): string {
  if (e.source === 'bookmark') return `${textOf(e.payload.note)} (${textOf(e.payload.by)})`;
  if (e.source === 'call') {
    const who = e.leg ? (e.byCandidate ? 'by the candidate' : `by the ${e.leg === 'caller' ? 'caller' : 'callee'}`) : '';
    const d = e.payload;
    // The server names phones in its call events by extension (from, to, target, party): internal
    // numbers staff never see. Only a number the candidate dialled is shown, as on the live view.
    // A refused transfer or conference says why in words ("busy"), not in the SIP reason phrase.
    const refused = typeof d.status === 'number' && /-failed$/.test(e.type) ? SIP_STATUS_WORDS[d.status]?.toLowerCase() : undefined;
    const extra = typeof d.digit === 'string' ? d.digit : typeof d.dialledNumber === 'string' && d.dialledNumber ? `to ${d.dialledNumber}` : refused ?? (typeof d.reason === 'string' ? d.reason : '');
    return [who, extra].filter(Boolean).join(' · ');
  }
  // The server's words for it where it wrote some (an identity check, by the same rule the marking uses).
  if (e.summary) return e.summary;
  return eventSummary({ type: e.type, payload: e.payload });
}

// A seek lands on a float number of seconds (5.234 s may read back as 5233.99 ms): an event this
// close ahead of the playhead counts as reached, so clicking an event marks that event.
const REACHED_SLACK_MS = 50;

/** The event the playhead has reached: the last one at or before it (null before the first). */
export function currentEventId(events: readonly ReplayEvent[], ms: number): string | null {
  let id: string | null = null;
  for (const e of events) if (e.offsetMs <= ms + REACHED_SLACK_MS) id = e.id;
  return id;
}

export interface ReplayTimelineProps {
  events: readonly ReplayEvent[];
  holds: readonly HoldRegion[];
  durationMs: number;
  currentMs: number;
  seek: (ms: number) => void;
}

export function ReplayTimeline({ events, holds, durationMs, currentMs, seek }: ReplayTimelineProps) {
  const current = currentEventId(events, currentMs);
  const pct = (ms: number) => `${(Math.max(0, Math.min(durationMs, ms)) / Math.max(1, durationMs)) * 100}%`;
  return (
    <section aria-label="Timeline" className="replay-timeline">
      <h2>Timeline</h2>
      <div className="replay-axis" aria-hidden="true">
        {holds.map((h, i) => (
          <div key={i} className={`replay-hold${h.over60 ? ' over60' : ''}`} style={{ left: pct(h.startMs), width: `calc(${pct(h.endMs)} - ${pct(h.startMs)})` }} title={`Hold ${seconds(h.lengthMs)}`} />
        ))}
        {events.map((e) => (
          <div key={e.id} className={`replay-tick ${e.source}`} style={{ left: pct(e.offsetMs) }} />
        ))}
        <div className="replay-axis-head" style={{ left: pct(currentMs) }} />
      </div>
      {holds.length > 0 && (
        <ul className="replay-holds" aria-label="Holds">
          {holds.map((h, i) => (
            <li key={i} data-over60={h.over60}>
              <button type="button" className="link" onClick={() => seek(h.startMs)}>
                Hold at {clock(h.startMs)}
              </button>{' '}
              for {seconds(h.lengthMs)} ({h.endedBy === 'resume' ? 'resumed' : h.endedBy === 'call-end' ? 'until the call ended' : 'still on hold'})
              {h.over60 && <strong className="flag"> over 60 s</strong>}
              {h.source === 'desktop' && <span className="muted"> (from the desktop)</span>}
            </li>
          ))}
        </ul>
      )}
      <ol className="replay-events" data-testid="replay-events">
        {events.map((e) => {
          const outside = e.offsetMs < 0 || e.offsetMs > durationMs;
          return (
            <li key={e.id} className={`replay-event ${e.source}`} aria-current={e.id === current ? 'true' : undefined} data-offset-ms={e.offsetMs} data-type={e.type}>
              <button type="button" onClick={() => seek(e.offsetMs)} title={outside ? 'Outside the recording: seeks to its nearest end' : 'Play from here'}>
                <span className="replay-time">{clock(e.offsetMs)}</span> <span className="replay-kind">{eventTitle(e)}</span>
              </button>{' '}
              <span className="replay-detail">{eventDetail(e)}</span>
              {e.recordedBy === 'browser' && (
                <span className="muted small" data-testid="recorded-by">
                  {' '}
                  ({BROWSER_REPORTED})
                </span>
              )}
              {outside && <span className="muted small"> (outside the recording)</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
