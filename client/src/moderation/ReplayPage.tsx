// An attempt's replay for moderators (and the centre's assessors, read-only): the stereo player
// over the waveform, the desktop and call timeline on the same axis (click to seek, the current
// event highlighted), the final CRM state against the answer key, print-outs and messages inline,
// metrics, the moderated marks with the resulting grade, and the audit trail.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { replayOrder, type ReplayView } from '../../../server/protocol/moderation.js';
import { NotYet } from '../components/AsyncState.js';
import { useSession } from '../session.js';
import { AuditTrail } from './AuditTrail.js';
import { FinalStateTable } from './FinalStateTable.js';
import { ModerationForm } from './ModerationForm.js';
import { clock, hourMinuteGB, seconds } from '../format.js';
import { moderation, type MetricsTotals } from './moderation-api.js';
import { ReplayTimeline } from './ReplayTimeline.js';
import { WaveformPlayer } from './WaveformPlayer.js';
import './replay.css';

function Metrics({ attemptId }: { attemptId: string }) {
  const [totals, setTotals] = useState<MetricsTotals>();
  const [missing, setMissing] = useState<string>();
  useEffect(() => {
    moderation.metrics(attemptId).then(
      (m) => setTotals(m.totals),
      (err: unknown) => setMissing(err instanceof Error ? err.message : String(err)),
    );
  }, [attemptId]);
  if (missing) return <p className="muted small">Call metrics are not available: {missing}</p>;
  if (!totals) return null;
  const rows: Array<[string, string]> = [
    ['Candidate talking', seconds(totals.candidateTalkMs)],
    ['Other party talking', seconds(totals.otherTalkMs)],
    ['Silence', seconds(totals.silenceMs)],
    ['Talking over each other', seconds(totals.overtalkMs)],
    ['Holds', `${totals.holdCount}, longest ${seconds(totals.longestHoldMs)}`],
    ['Handle time', seconds(totals.handleTimeMs)],
    ['Wrap-up', seconds(totals.wrapUpMs)],
  ];
  return (
    <section aria-label="Call metrics">
      <h2>Call metrics</h2>
      <dl className="small">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function ReplayPage() {
  const { id = '' } = useParams();
  const { session } = useSession();
  const role = session?.user.role;
  const canModerate = role === 'moderator' || role === 'admin';
  const [view, setView] = useState<ReplayView>();
  const [error, setError] = useState<string>();
  const [callId, setCallId] = useState<string>();
  const [currentMs, setCurrentMs] = useState(0);
  const [auditKey, setAuditKey] = useState(0);
  const audioRef = useRef<HTMLAudioElement | null>(null);

  useEffect(() => {
    setView(undefined);
    let stale = false;
    const fail = (err: unknown) => !stale && setError(err instanceof Error ? err.message : String(err));
    // The timeline comes in pages: the view holds the first, the rest follow one request at a time.
    const more = (afterSeq: number) =>
      moderation.replayEvents(id, afterSeq, callId).then((page) => {
        if (stale) return;
        setView((v) => v && { ...v, events: [...v.events, ...page.events].sort(replayOrder), moreEvents: page.nextAfterSeq === null ? null : { afterSeq: page.nextAfterSeq } });
        if (page.nextAfterSeq !== null) void more(page.nextAfterSeq).catch(fail);
      });
    moderation.replay(id, callId).then((v) => {
      if (stale) return;
      setView(v);
      if (v.moreEvents) void more(v.moreEvents.afterSeq).catch(fail);
    }, fail);
    return () => {
      stale = true;
    };
  }, [id, callId]);

  const durationMs = view?.call?.recording?.durationMs ?? Math.max(1, ...(view?.events.map((e) => e.offsetMs) ?? [1]));

  // The playhead: every animation frame while playing, and on every seek.
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    let frame = 0;
    const read = () => setCurrentMs(audio.currentTime * 1000);
    const loop = () => {
      read();
      frame = requestAnimationFrame(loop);
    };
    const start = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(loop);
    };
    const stop = () => {
      cancelAnimationFrame(frame);
      read();
    };
    audio.addEventListener('play', start);
    audio.addEventListener('pause', stop);
    audio.addEventListener('seeked', read);
    audio.addEventListener('timeupdate', read);
    return () => {
      cancelAnimationFrame(frame);
      audio.removeEventListener('play', start);
      audio.removeEventListener('pause', stop);
      audio.removeEventListener('seeked', read);
      audio.removeEventListener('timeupdate', read);
    };
  }, [view]);

  const seek = useCallback(
    (ms: number) => {
      const audio = audioRef.current;
      const target = Math.max(0, Math.min(durationMs, ms));
      if (audio) audio.currentTime = target / 1000;
      setCurrentMs(target);
    },
    [durationMs],
  );

  if (error !== undefined || !view) return <NotYet error={error} failed="The replay could not be loaded" loading="Loading the replay…" />;
  const call = view.call;
  return (
    <div className="shell" data-testid="replay-page">
      <p>
        <Link to="/moderation">← Moderation</Link>
      </p>
      <h1>
        Replay: {view.attempt.title} ({view.attempt.scenarioKey.toUpperCase()})
      </h1>
      <p>
        {view.candidate.name} · {view.centre.name}
        {view.assessor && ` · assessor ${view.assessor.name}`}
        {view.attempt.position !== null && ` · assignment ${view.attempt.position}`}
        {view.attempt.retakeOf && ' · re-take'} · {view.attempt.markedAt ? 'marked by the centre' : 'not marked yet'}
      </p>
      {view.calls.length > 1 && (
        <label>
          Call{' '}
          <select value={call?.id ?? ''} onChange={(e) => setCallId(e.target.value)}>
            {view.calls.map((c) => (
              <option key={c.id} value={c.id}>
                {hourMinuteGB(c.invitedAt)} {c.answeredAt ? '' : '(not answered)'} {c.hasRecording ? '' : '(no recording)'}
              </option>
            ))}
          </select>
        </label>
      )}
      {!call && <p className="muted">This attempt has no call.</p>}
      {call && !call.recording && <p className="muted">This call has no recording (not answered, failed, or removed under the retention policy).</p>}
      {call?.recording && (
        <>
          <WaveformPlayer
            audioRef={audioRef}
            recordingUrl={call.recording.url}
            peaksUrl={call.recording.peaksUrl}
            durationMs={call.recording.durationMs ?? 0}
            currentMs={currentMs}
            holds={view.holds}
            laneNames={{ left: `Candidate (${view.candidate.name})`, right: call.channels.right === 'the caller' ? 'Caller' : 'Person called' }}
            seek={seek}
          />
          <p className="small muted" data-testid="replay-alignment">
            {call.alignment.note} Recording SHA-256 <code>{call.recording.sha256 ?? '—'}</code>.
          </p>
        </>
      )}
      <details className="small">
        <summary>Keyboard</summary>
        <p>
          <kbd>Space</kbd> play or pause · <kbd>←</kbd>/<kbd>→</kbd> back or forward 5 s · <kbd>[</kbd>/<kbd>]</kbd> slower or faster (0.5× to 2×). The keys work anywhere on the page except
          in a text field or on a focused button.
        </p>
      </details>
      <div className="replay-grid">
        <div>
          <ReplayTimeline events={view.events} holds={view.holds} durationMs={durationMs} currentMs={currentMs} seek={seek} />
        </div>
        <div>
          <section aria-label="Print-outs">
            <h2>Print-outs</h2>
            {view.printouts.length === 0 && <p className="muted">None.</p>}
            <ul>
              {view.printouts.map((p) => (
                <li key={p.id}>
                  {p.offsetMs !== null && (
                    <button type="button" className="link" onClick={() => seek(p.offsetMs!)}>
                      {clock(p.offsetMs)}
                    </button>
                  )}{' '}
                  {/* The app forbids framing (frame-ancestors 'none'), so the PDF opens in its own tab. */}
                  <a href={p.url} target="_blank" rel="noreferrer">
                    {p.title}
                  </a>{' '}
                  <span className="small muted">
                    {p.pages} page{p.pages === 1 ? '' : 's'}, SHA-256 {p.sha256.slice(0, 12)}…
                  </span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-label="Messages">
            <h2>Messages</h2>
            {view.messages.length === 0 && <p className="muted">None.</p>}
            {view.messages.map((m) => (
              <article key={m.id} id={`message-${m.id}`} className="replay-message">
                <div className="small">
                  {m.direction === 'out' ? 'Sent' : 'Received'} {m.channel} {m.direction === 'out' ? `to ${m.to}` : `from ${m.from}`}
                  {m.cc.length > 0 && ` (cc ${m.cc.join(', ')})`}
                  {m.offsetMs !== null && (
                    <>
                      {' '}
                      at{' '}
                      <button type="button" className="link" onClick={() => seek(m.offsetMs!)}>
                        {clock(m.offsetMs)}
                      </button>
                    </>
                  )}
                </div>
                {m.subject && <strong>{m.subject}</strong>}
                <pre>{m.body}</pre>
                {m.attachments.length > 0 && <div className="small">Attachments: {m.attachments.map((a) => a.name).join(', ')}</div>}
              </article>
            ))}
          </section>
          <Metrics attemptId={view.attempt.id} />
        </div>
      </div>
      {/* The final state and the marks under both columns, the page's full width: room for the values and the reasons. */}
      {view.finalState ? <FinalStateTable state={view.finalState} /> : <p className="muted">A practice attempt: there is no answer key to compare with.</p>}
      {view.finalState && <ModerationForm attemptId={view.attempt.id} canModerate={canModerate} onSaved={() => setAuditKey((k) => k + 1)} />}
      {canModerate && <AuditTrail subjectType="attempt" subjectId={view.attempt.id} refreshKey={auditKey} />}
    </div>
  );
}
