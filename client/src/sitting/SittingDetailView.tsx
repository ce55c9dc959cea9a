// One sitting, for the assessor running it: the clock (from the server's reading), the coverage
// warnings, the controls (start, rest break, end), the four assignments with their attempts and
// marks (start an assignment or its re-take, open the marking form), the result, and the mark
// sheet and results downloads.
import { useId, useState } from 'react';
import type { AssignmentView, AttemptView, SittingDetail } from '../../../server/protocol/assessment.js';
import { AssurancePanel } from '../assurance/AssurancePanel.js';
import { DataTable } from '../components/DataTable.js';
import { minutesGB, sentences } from '../format.js';
import { SittingChanges } from './SittingChanges.js';
import { SittingClock, type ClockSnapshot } from './SittingClock.js';
import { sittings } from './sitting-api.js';
import { dateTime, resultWords, STATUS_WORDS } from './SittingsPanel.js';
import { describeError } from './useSitting.js';
import { Problem } from '../components/useAction.js';

export function attemptStatus(a: AttemptView, currentAttemptId: string | null): string {
  const moderated = a.moderatedMark !== undefined && a.moderatedMark !== null ? ' (moderated)' : '';
  const status = a.markingStatus ?? (a.mark !== null ? 'marked' : a.status === 'open' ? 'in-progress' : 'awaiting-marks');
  if (status === 'marked') return `marked: ${a.mark ?? '—'}/12${moderated}`;
  if (status === 'in-progress' || status === 'not-started') return a.attemptId === currentAttemptId ? 'in progress' : 'open';
  return 'awaiting marks';
}

export function SittingDetailView({
  detail,
  snapshot,
  onChange,
  onMark,
  markingAttemptId,
  onRefresh,
}: {
  detail: SittingDetail;
  snapshot: ClockSnapshot | undefined;
  onChange: (d: SittingDetail) => void;
  onMark: (attemptId: string, label: string) => void;
  markingAttemptId: string | undefined;
  /** Reads the sitting again (after a quality-assurance step, or to see the candidate's declaration). */
  onRefresh: () => void;
}) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('');
  const [confirmEnd, setConfirmEnd] = useState(false);
  const run = async (what: string, action: () => Promise<SittingDetail>) => {
    setBusy(true);
    setError(undefined);
    try {
      const d = await action();
      onChange(d);
      setStatus(what);
    } catch (err) {
      setError(describeError(err));
      setStatus('');
    } finally {
      setBusy(false);
      setConfirmEnd(false);
    }
  };
  const d = detail;
  const clockState = d.clock.state;
  const inProgress = d.status === 'in-progress';
  const current = d.assignments.find((a) => a.attempts.some((t) => t.attemptId === d.currentAttemptId));
  const ready = d.preparation.identityChecked && d.preparation.declarations.start !== null;
  return (
    <div className="sitting-detail" data-testid="sitting-detail">
      <div className="sitting-head">
        <div>
          <h3 id={`${id}-h`}>
            {d.candidate.name} <span className="tag plain">{STATUS_WORDS[d.status]}</span>
          </h3>
          <p className="small muted">
            Assessor {d.assessor?.name ?? '—'} · planned {dateTime(d.scheduledFor)} · started {dateTime(d.startedAt)}
            {d.endedAt ? ` · ended ${dateTime(d.endedAt)}` : ''} · base {d.baseMinutes} min
            {d.extraTime ? ` + ${d.extraTime.kind === 'percent' ? `${d.extraTime.percent}%` : `${d.extraTime.minutes} min`} extra time` : ''}
            {d.restBreaks ? ' · rest breaks allowed' : ''}
          </p>
        </div>
        <SittingClock snapshot={snapshot} restBreaks={d.restBreaks} />
      </div>

      {d.coverageWarnings.length > 0 && (
        <div className="warning-box" role="note" aria-label="Coverage warnings" data-testid="coverage-warnings">
          <strong>Coverage warnings</strong>
          <ul>
            {d.coverageWarnings.map((w, i) => (
              <li key={i}>
                <strong>{w.area}:</strong> {w.message}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="row" role="group" aria-label="Sitting controls">
        {d.status === 'scheduled' && (
          <button
            type="button"
            className="primary"
            disabled={busy || !ready}
            title={ready ? undefined : 'Record the identity check, and wait for the candidate to confirm the declaration'}
            onClick={() => void run('The sitting has started: the clock is running.', () => sittings.start(d.id))}
          >
            Start sitting
          </button>
        )}
        {d.status === 'scheduled' && !ready && (
          <span className="small muted" data-testid="not-ready">
            {!d.preparation.identityChecked ? 'Record the candidate’s identity check below. ' : ''}
            {d.preparation.declarations.start === null ? 'The candidate has not yet confirmed the declaration on their screen.' : ''}
          </span>
        )}
        {d.status === 'scheduled' && !ready && (
          <button type="button" className="small" onClick={onRefresh}>
            Check again
          </button>
        )}
        {inProgress && d.restBreaks && clockState !== 'paused' && (
          <button type="button" disabled={busy} onClick={() => void run('Rest break started: the clock is paused.', () => sittings.restBreak(d.id, 'start'))}>
            Start rest break
          </button>
        )}
        {inProgress && clockState === 'paused' && (
          <button type="button" disabled={busy} onClick={() => void run('Rest break ended: the clock runs again.', () => sittings.restBreak(d.id, 'end'))}>
            End rest break
          </button>
        )}
        {/* Only a started sitting can be ended; a planned one is cancelled instead. */}
        {d.status === 'in-progress' &&
          (confirmEnd ? (
            <>
              <span>End the sitting now? This closes it for good.</span>
              <button type="button" className="danger" disabled={busy} onClick={() => void run('The sitting has ended.', () => sittings.end(d.id))}>
                Yes, end the sitting
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirmEnd(false)} autoFocus>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => setConfirmEnd(true)}>
              End sitting
            </button>
          ))}
        {d.status !== 'cancelled' && (
          <a className="button-link" href={sittings.markSheetUrl(d.id)} download data-testid="mark-sheet-link">
            Download mark sheet (PDF)
          </a>
        )}
        <a className="button-link" href={sittings.resultsCsvUrl} download>
          Export results (CSV)
        </a>
      </div>
      {d.status === 'scheduled' && <SittingChanges detail={d} onChange={onChange} onStatus={setStatus} />}
      {d.cancellation && (
        <p className="warning-box" data-testid="sitting-cancelled">
          Cancelled on {dateTime(d.cancellation.at)} by {d.cancellation.by}: {d.cancellation.reason}
        </p>
      )}
      <Problem error={error} />
      <p className="notice" role="status">
        {status}
      </p>

      <DataTable
        caption={`Assignments${current ? ` (assignment ${current.position} in progress)` : ''}`}
        showCaption
        className="assignments"
        testId="assignments"
        scroll
        rows={d.assignments}
        rowKey={(a) => String(a.position)}
        rowProps={(a) => {
          const isCurrent = a.attempts.some((t) => t.attemptId === d.currentAttemptId);
          return { className: isCurrent ? 'current' : undefined, 'aria-current': isCurrent ? 'step' : undefined, 'data-position': a.position };
        }}
        columns={[
          { header: '#', cell: (a) => a.position },
          {
            header: 'Scenario',
            rowHeader: true,
            cell: (a) => (
              <>
                {a.scenarioKey.toUpperCase()}: {a.title}
                <div className="small muted">
                  {a.direction} {a.type}
                </div>
              </>
            ),
          },
          { header: 'Attempts', cell: (a) => <AssignmentAttempts a={a} currentAttemptId={d.currentAttemptId} /> },
          { header: 'Counted mark', cell: (a) => (a.countedMark === null ? '—' : `${a.countedMark}/12`) },
          { header: 'Actions', hideHeader: true, className: 'actions', cell: (a) => <AssignmentActions a={a} d={d} busy={busy} run={run} onMark={onMark} markingAttemptId={markingAttemptId} /> },
        ]}
      />

      {/* A cancelled sitting has no result and nothing to assure. */}
      {d.status !== 'cancelled' && (
        <>
          <p data-testid="sitting-result">
            <strong>Result:</strong> {resultWords(d.result)}
            {d.result && d.result.reasons.length > 0 && <span className="small"> · {sentences(d.result.reasons)}</span>}
          </p>
          <AssurancePanel sittingId={d.id} reloadKey={d} canRecordIdentity canSign onChanged={onRefresh} />
        </>
      )}
    </div>
  );
}

function AssignmentAttempts({ a, currentAttemptId }: { a: AssignmentView; currentAttemptId: string | null }) {
  if (a.attempts.length === 0) return <span className="muted">not started</span>;
  return (
    <ul className="attempts">
      {a.attempts.map((t) => (
        <li key={t.attemptId} data-testid="attempt-status">
          {t.number === 1 ? 'Attempt 1' : `Re-take ${t.number - 1}`} (variant {t.variant}): {attemptStatus(t, currentAttemptId)}
          {t.overrunMs ? <span className="tag bad">over time by {minutesGB(t.overrunMs)}</span> : null}
          {t.note && <div className="small muted">{t.note}</div>}
        </li>
      ))}
    </ul>
  );
}

function AssignmentActions({
  a,
  d,
  busy,
  run,
  onMark,
  markingAttemptId,
}: {
  a: AssignmentView;
  d: SittingDetail;
  busy: boolean;
  run: (what: string, action: () => Promise<SittingDetail>) => Promise<void>;
  onMark: (attemptId: string, label: string) => void;
  markingAttemptId: string | undefined;
}) {
  const inProgress = d.status === 'in-progress';
  const current = a.attempts.find((t) => t.attemptId === d.currentAttemptId && t.status === 'open');
  return (
    <>
      {a.attempts.length === 0 && inProgress && (
        <button type="button" className="small" disabled={busy} onClick={() => void run(`Assignment ${a.position} started.`, () => sittings.startAssignment(d.id, a.position))}>
          Start assignment {a.position}
        </button>
      )}
      {a.retakeAvailable && (
        <button
          type="button"
          className="small"
          disabled={busy}
          aria-label={`Start re-take of assignment ${a.position}`}
          onClick={() => void run(`Re-take of assignment ${a.position} started.`, () => sittings.startAssignment(d.id, a.position))}
        >
          Start re-take
        </button>
      )}
      {current && (
        <ConfirmButton
          label={`End assignment ${a.position}`}
          question={`End assignment ${a.position} now? The candidate can no longer change its records; you can still mark it.`}
          confirmLabel={`Yes, end assignment ${a.position}`}
          busy={busy}
          onConfirm={() => void run(`Assignment ${a.position} ended: mark it when ready.`, () => sittings.closeAttempt(current.attemptId))}
        />
      )}
      {a.attempts.map((t) => {
        const label = `assignment ${a.position}${t.number > 1 ? `, re-take ${t.number - 1}` : ''}`;
        return (
          <button
            key={t.attemptId}
            type="button"
            className="small"
            aria-pressed={markingAttemptId === t.attemptId}
            aria-label={`Mark ${label}`}
            onClick={() => onMark(t.attemptId, label)}
          >
            {t.mark === null ? 'Mark' : 'Marks'}
            {a.attempts.length > 1 ? ` (${t.number === 1 ? 'attempt 1' : `re-take ${t.number - 1}`})` : ''}
          </button>
        );
      })}
    </>
  );
}

/** A button that asks once more, inline, before doing something that cannot be undone. */
function ConfirmButton({ label, question, confirmLabel, busy, onConfirm }: { label: string; question: string; confirmLabel: string; busy: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="small" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={label}>
      <span className="small">{question}</span>{' '}
      <button
        type="button"
        className="small danger"
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="small" onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
    </span>
  );
}
