// An assessor's side of standardisation: the exercises they take part in, and marking the
// recorded attempt blind (the recording, the candidate's brief and the rubric only: never the
// centre's marks or another assessor's). Submitting fixes the marks.
import { useState } from 'react';
import type { StandardisationMarkingView } from '../../../server/protocol/assurance.js';
import { AsyncState, Reading } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { Section } from '../components/Section.js';
import { useLoad } from '../components/useLoad.js';
import { Problem, useAction } from '../components/useAction.js';
import { dateGB } from '../format.js';
import { BriefSituation } from '../sitting/BriefSituation.js';
import { assurance } from './assurance-api.js';
import { RecordedCalls } from './RecordedCalls.js';

export function StandardisationMarking() {
  const list = useLoad(assurance.exercises);
  const [open, setOpen] = useState<string>();
  return (
    <AsyncState state={list} loading="Loading…" empty="No standardisation exercise for you at the moment." small>
      {(exercises) => (
        <div data-testid="standardisation-marking">
          <ul className="small">
            {exercises.map((x) => (
              <li key={x.id}>
                <button type="button" className="link" aria-expanded={open === x.id} onClick={() => setOpen(open === x.id ? undefined : x.id)}>
                  {x.title}
                </button>{' '}
                ({x.attempt.title}, set {dateGB(x.createdAt)}){' '}
                {x.closedAt ? <span className="tag plain">closed</span> : x.mySubmittedAt ? <span className="tag ok">submitted</span> : <span className="tag">to mark</span>}
              </li>
            ))}
          </ul>
          {open && (
            <Reading key={open} read={assurance.exerciseMarking} id={open} loading="Loading…" small>
              {(v) => <BlindMarks id={open} first={v} onSubmitted={() => void list.reload()} />}
            </Reading>
          )}
        </div>
      )}
    </AsyncState>
  );
}

function BlindMarks({ id, first, onSubmitted }: { id: string; first: StandardisationMarkingView; onSubmitted: () => void }) {
  const [view, setView] = useState(first);
  const [marks, setMarks] = useState<Record<string, string>>(() => Object.fromEntries(first.criteria.map((c) => [c.criterionId, c.mark === null ? '' : String(c.mark)])));
  const [status, setStatus] = useState('');
  const { busy, error, run } = useAction();
  const locked = view.submittedAt !== null || view.closedAt !== null;
  const save = async (submit: boolean) => {
    const entries = view.criteria.filter((c) => marks[c.criterionId] !== '').map((c) => ({ criterionId: c.criterionId, mark: Number(marks[c.criterionId]) }));
    const v = await run(() => assurance.saveExerciseMarks(id, { marks: entries, submit }));
    if (!v) return;
    setView(v);
    setStatus(submit ? 'Your marks are submitted.' : 'Saved.');
    if (submit) onSubmitted();
  };
  return (
    <Section heading={`${view.title}: ${view.scenarioTitle}`} level={4} plain>
      <p className="small muted">Mark what you hear, on your own. Nobody else’s marks are shown, and the centre’s marks are not shown either.</p>
      <RecordedCalls recordings={view.recordings} />
      <details className="small">
        <summary>The candidate’s brief</summary>
        <BriefSituation brief={view.candidateBrief} />
      </details>
      <DataTable
        caption="Your marks"
        rows={view.criteria}
        rowKey={(c) => c.criterionId}
        columns={[
          {
            header: 'Criterion',
            rowHeader: true,
            className: 'small',
            cell: (c) => (
              <>
                {c.description} <span className="muted">({c.band})</span>
              </>
            ),
          },
          {
            header: 'Your mark',
            cell: (c) => (
              <select aria-label={`Mark for ${c.description}`} value={marks[c.criterionId] ?? ''} disabled={locked} onChange={(e) => setMarks({ ...marks, [c.criterionId]: e.target.value })}>
                <option value="">–</option>
                {Array.from({ length: c.maxMarks + 1 }, (_, m) => (
                  <option key={m} value={m}>
                    {m} of {c.maxMarks}
                  </option>
                ))}
              </select>
            ),
          },
        ]}
      />
      {!locked && (
        <div className="row">
          <button type="button" disabled={busy} onClick={() => void save(false)}>
            Save
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void save(true)}>
            Submit my marks
          </button>
        </div>
      )}
      {locked && <p className="small notice">{view.submittedAt ? `You submitted your marks on ${dateGB(view.submittedAt)}.` : 'This exercise is closed.'}</p>}
      <p className="notice" role="status">
        {status}
      </p>
      <Problem error={error} />
    </Section>
  );
}
