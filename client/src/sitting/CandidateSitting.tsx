// The candidate's side of a sitting: which sitting is theirs now, its clock, the brief of the
// assignment they are working on, and their results (each assignment's mark once marked, and the
// sitting's result when they may see it).
import { useCallback, useEffect, useId, useState } from 'react';
import type { CandidateSittingView, SittingSummary } from '../../../server/protocol/assessment.js';
import { ApiFailure } from '../api.js';
import { NotYet } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { useLoad } from '../components/useLoad.js';
import { usePersistedState } from '../desktop/persisted-state.js';
import { dateTimeGB, sentences } from '../format.js';
import { SittingClock, type ClockSnapshot } from './SittingClock.js';
import { Declaration, SittingGuidance } from './SittingGuidance.js';
import { sittings } from './sitting-api.js';
import { describeError, useSitting } from './useSitting.js';
import { Problem } from '../components/useAction.js';

/**
 * The sitting that matters now: the one in progress; else an ended one whose declaration at the
 * end the candidate has still to confirm; else the next planned one (one with no planned time is
 * taken as planned for now); else the latest. A cancelled sitting never.
 */
export function pickSitting(all: SittingSummary[], now = Date.now()): SittingSummary | undefined {
  const list = all.filter((s) => s.status !== 'cancelled');
  const inProgress = list.filter((s) => s.status === 'in-progress').sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  if (inProgress[0]) return inProgress[0];
  const toDeclare = list.filter((s) => s.status === 'ended' && s.declarationDue === 'end').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  if (toDeclare[0]) return toDeclare[0];
  const planned = list.filter((s) => s.status === 'scheduled').sort((a, b) => (a.scheduledFor ?? now) - (b.scheduledFor ?? now));
  if (planned[0]) return planned[0];
  return [...list].sort((a, b) => (b.endedAt ?? b.startedAt ?? 0) - (a.endedAt ?? a.startedAt ?? 0))[0];
}

export interface CandidateSittingHandle {
  /** False until the list of sittings has been read (or found missing). */
  ready: boolean;
  all: SittingSummary[];
  detail: CandidateSittingView | undefined;
  snapshot: ClockSnapshot | undefined;
  error: string | undefined;
  refresh: () => Promise<void>;
}

export function useCandidateSitting(): CandidateSittingHandle {
  const [all, setAll] = useState<SittingSummary[]>([]);
  const [ready, setReady] = useState(false);
  const [listError, setListError] = useState<string>();
  const [id, setId] = useState<string>();
  const loadList = useCallback(async () => {
    try {
      const list = await sittings.list();
      setAll(list);
      setId(pickSitting(list)?.id);
      setListError(undefined);
    } catch (err) {
      // No sittings API (or none for this user): the desktop works as before.
      if (!(err instanceof ApiFailure && (err.status === 404 || err.status === 403))) setListError(describeError(err));
    } finally {
      setReady(true);
    }
  }, []);
  useEffect(() => {
    void loadList();
    // A new sitting may be created for the candidate while they wait: look again now and then.
    const t = window.setInterval(() => void loadList(), 30_000);
    return () => window.clearInterval(t);
  }, [loadList]);
  const s = useSitting(id);
  const refresh = useCallback(async () => {
    await Promise.all([loadList(), s.refresh()]);
  }, [loadList, s]);
  // Wait for the detail of the picked sitting before saying we are ready, so the desktop opens on
  // the sitting's attempt the first time.
  const detailReady = !id || s.detail !== undefined || s.error !== undefined;
  return { ready: ready && detailReady, all, detail: s.detail, snapshot: s.snapshot, error: listError ?? s.error, refresh };
}

export function SittingBanner({ handle }: { handle: CandidateSittingHandle }) {
  const id = useId();
  const d = handle.detail;
  if (!d) return <Problem error={handle.error} />;
  const current = d.assignments.find((a) => a.attempts.some((t) => t.attemptId === d.currentAttemptId));
  return (
    <section className="sitting-banner" aria-labelledby={`${id}-h`} data-testid="sitting-banner">
      <div className="sitting-head">
        <div>
          <h2 id={`${id}-h`}>Your assessment sitting</h2>
          <p className="small muted" data-testid="sitting-status">
            {d.status === 'scheduled'
              ? `Not started yet${d.scheduledFor ? `: planned for ${dateTimeGB(d.scheduledFor)}` : ''}. Your assessor starts it.`
              : d.status === 'ended'
                ? 'This sitting has ended.'
                : current
                  ? `Assignment ${current.position} of ${d.assignments.length}: ${current.title}`
                  : 'Waiting for your assessor to start the next assignment.'}
          </p>
        </div>
        <SittingClock snapshot={handle.snapshot} label="Time left in your sitting" restBreaks={d.restBreaks} />
      </div>
      <Problem error={handle.error} />
      {d.status === 'scheduled' && <SittingGuidance detail={d} onConfirmed={() => void handle.refresh()} />}
      {d.status === 'ended' && d.preparation.declarations.end === null && <Declaration sittingId={d.id} moment="end" onConfirmed={() => void handle.refresh()} />}
      {d.currentAttemptId && current && <CandidateBrief key={d.currentAttemptId} attemptId={d.currentAttemptId} position={current.position} />}
      {(d.status !== 'scheduled' || earlierSittings(handle.all, d.id).length > 0) && <MyResults handle={handle} />}
    </section>
  );
}

function CandidateBrief({ attemptId, position }: { attemptId: string; position: number }) {
  const read = useLoad(useCallback(() => sittings.brief(attemptId), [attemptId]));
  // Open at first; once collapsed it stays collapsed for this assignment while the tab is open (a
  // reload too). The next assignment's brief opens again: it has to be read.
  const [open, setOpen] = usePersistedState(`callmark.brief.${attemptId}.open`, true);
  const brief = read.data;
  if (read.error !== undefined || !brief) return <NotYet error={read.error} loading="Loading your brief…" />;
  const b = brief.candidateBrief;
  const afterCall = Array.isArray(b.afterCall) ? b.afterCall.filter((x): x is string => typeof x === 'string') : [];
  return (
    <details className="brief" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="candidate-brief">
      <summary>
        <strong>
          Your brief: assignment {position}, {brief.title}
        </strong>
      </summary>
      <dl className="persona">
        <dt>Your role</dt>
        <dd data-testid="brief-role">{b.role}</dd>
        <dt>Situation</dt>
        <dd>{b.situation}</dd>
        {brief.direction === 'outbound' && brief.dialNumber && (
          <>
            <dt>Number to call</dt>
            <dd className="number" data-testid="dial-number">
              {brief.dialNumber}
            </dd>
          </>
        )}
      </dl>
      <h3>Tasks</h3>
      <ol data-testid="brief-tasks">
        {b.tasks.map((t, i) => (
          <li key={i}>{t}</li>
        ))}
      </ol>
      {afterCall.length > 0 && (
        <>
          <h3>After the call</h3>
          <ol>
            {afterCall.map((t, i) => (
              <li key={i}>{t}</li>
            ))}
          </ol>
        </>
      )}
    </details>
  );
}

/** What the candidate is told about their result: nothing until the centre's rule releases it, then provisional until moderated. */
export function releaseWords(release: SittingSummary['release']): string {
  if (!release || !release.released) return 'Your results are not ready to show yet. Your centre shows them once the marking has been checked.';
  if (release.provisional) return 'Provisional: your result may still change when the awarding body checks the marking (moderation).';
  switch (release.outcome) {
    case 'adjusted':
      return 'Moderation is complete: the awarding body adjusted some marks. This is your final result.';
    case 'rejected':
      return 'Moderation is complete: the awarding body did not accept this sitting. Your centre will tell you what happens next.';
    default:
      return 'Moderation is complete: this is your final result.';
  }
}

/** The candidate's other sittings that took place (a cancelled or planned one never did), newest first. */
function earlierSittings(all: SittingSummary[], currentId: string): SittingSummary[] {
  return all.filter((s) => s.id !== currentId && s.status !== 'cancelled' && s.startedAt !== null).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
}

/**
 * The candidate's results: this sitting's as its release allows, then the earlier sittings'. While
 * this sitting is only planned it has nothing to show, and the earlier sittings are all there is (a
 * sitting planned after the real one, even by mistake, never hides its result).
 */
/** The mark that counts for an assignment, as the candidate is told it once released. */
function myMark(a: CandidateSittingView['assignments'][number]): string {
  const marks = a.attempts.filter((t) => t.mark !== null);
  const mark = a.countedMark !== null ? `${a.countedMark} out of 12` : marks.length ? `${marks[marks.length - 1]!.mark} out of 12` : a.attempts.length === 0 ? 'Not taken' : 'Not marked';
  return `${mark}${a.attempts.length > 1 ? ` (${a.attempts.length} attempts)` : ''}`;
}

function MyResults({ handle }: { handle: CandidateSittingHandle }) {
  const d = handle.detail!;
  const [busy, setBusy] = useState(false);
  const r = d.result;
  const planned = d.status === 'scheduled';
  const released = !planned && (d.release?.released ?? r !== undefined);
  const others = earlierSittings(handle.all, d.id);
  return (
    <details className="my-results" open={d.status === 'ended' ? true : undefined} data-testid="my-results">
      <summary>
        <strong>My results</strong>
      </summary>
      {!planned && (
        <p className={released ? 'notice' : 'muted'} data-testid="release-status">
          {releaseWords(d.release)}
        </p>
      )}
      {released && (
        <DataTable
          caption="My marks in this sitting"
          rows={d.assignments}
          rowKey={(a) => String(a.position)}
          rowProps={(a) => ({ 'data-testid': 'my-result-row', 'data-position': a.position })}
          columns={[
            { header: 'Assignment', rowHeader: true, cell: (a) => `${a.position}. ${a.title}` },
            { header: 'Mark', cell: myMark, cellProps: () => ({ 'data-testid': 'my-mark' }) },
          ]}
        />
      )}
      {released && (
        <p data-testid="my-result">
          <strong>{d.release?.provisional ? 'Provisional result: ' : 'Result: '}</strong>
          {r && r.complete
            ? r.status === 'graded'
              ? `${r.grade} with ${r.total} out of 48`
              : `No grade (${r.total} out of 48)${r.reasons.length ? `: ${sentences(r.reasons)}` : ''}`
            : 'Not complete.'}
        </p>
      )}
      {others.length > 0 && (
        <>
          <h3>Earlier sittings</h3>
          <ul className="earlier-sittings" data-testid="earlier-sittings">
            {others.map((s) => (
              <li key={s.id} data-testid="earlier-sitting">
                <strong>{dateTimeGB(s.startedAt)}</strong>
                {s.status === 'in-progress' ? ' (in progress)' : ''}
                <br />
                <span className="small">
                  {s.assignmentsTaken.length ? `Assignments taken: ${s.assignmentsTaken.map((a) => `${a.position}. ${a.title}`).join('; ')}` : 'No assignment was taken.'}
                </span>
                <br />
                <span className="small">
                  {/* The result only as the centre's release rule allows: the server leaves it out until then. */}
                  {s.result
                    ? `${s.release?.provisional ? 'Provisional result' : 'Result'}: ${s.result.status === 'graded' ? `${s.result.grade} with ${s.result.total} out of 48` : `No grade (${s.result.total} out of 48)`}`
                    : 'Result: not released yet.'}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <button
        type="button"
        className="small"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void handle.refresh().finally(() => setBusy(false));
        }}
      >
        Refresh my results
      </button>
    </details>
  );
}
