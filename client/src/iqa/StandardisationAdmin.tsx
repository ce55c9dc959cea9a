// Standardisation for the internal quality assurer: set up an exercise (one recorded, marked
// attempt; two or more of the centre's assessors), follow who has submitted, and read the
// agreement per criterion and per assessor; export it as CSV; close the exercise.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AgreementFigure, Person, StandardisationAttemptOption, StandardisationResultsView, StandardisationSummary } from '../../../server/protocol/assurance.js';
import { assurance } from '../assurance/assurance-api.js';
import { AsyncState, Reading } from '../components/AsyncState.js';
import { DataTable, openerColumn, type Column } from '../components/DataTable.js';
import { Section } from '../components/Section.js';
import { Problem, useAction } from '../components/useAction.js';
import { useLoad } from '../components/useLoad.js';
import { dateGB } from '../format.js';
import { describeError } from '../sitting/useSitting.js';

const pct = (a: AgreementFigure): string => (a.rate === null ? '—' : `${Math.round(a.rate * 100)}% (${a.agreeing} of ${a.compared})`);

export function StandardisationAdmin() {
  const list = useLoad(assurance.exercises);
  const [open, setOpen] = useState<string>();
  return (
    <div data-testid="standardisation-admin">
      <NewExercise
        onCreated={(v) => {
          void list.reload();
          setOpen(v.id);
        }}
      />
      <AsyncState state={list} loading="Loading the exercises…">
        {(exercises) =>
          exercises.length > 0 && (
            <DataTable
              caption="Standardisation exercises"
              rows={exercises}
              rowKey={(x) => x.id}
              columns={[
                {
                  header: 'Exercise',
                  rowHeader: true,
                  cell: (x) => (
                    <>
                      {x.title}
                      {x.closedAt ? <span className="tag plain">closed</span> : null}
                    </>
                  ),
                },
                { header: 'Attempt', cell: (x) => x.attempt.title },
                { header: 'Set', cell: (x) => dateGB(x.createdAt) },
                { header: 'Submitted', cell: (x) => `${x.submitted} of ${x.participants}` },
                openerColumn<StandardisationSummary>({ idOf: (x) => x.id, open, setOpen, closed: 'Agreement', opened: 'Hide agreement' }),
              ]}
            />
          )
        }
      </AsyncState>
      {open && (
        <Reading key={open} read={assurance.exerciseResults} id={open} loading="Loading…" small>
          {(v, set) => (
            <Agreement
              v={v}
              onClosed={(closed) => {
                set(closed);
                void list.reload();
              }}
            />
          )}
        </Reading>
      )}
    </div>
  );
}

function NewExercise({ onCreated }: { onCreated: (v: StandardisationResultsView) => void }) {
  const id = useId();
  const [attempts, setAttempts] = useState<StandardisationAttemptOption[]>([]);
  const [assessors, setAssessors] = useState<Person[]>([]);
  const [attemptId, setAttemptId] = useState('');
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<number[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    assurance.exerciseAttempts().then(setAttempts, (err: unknown) => setError(describeError(err)));
    assurance.people().then((p) => setAssessors(p.assessors), (err: unknown) => setError(describeError(err)));
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const v = await assurance.createExercise({ attemptId, title: title.trim(), assessorUserIds: chosen });
      setTitle('');
      setChosen([]);
      setAttemptId('');
      onCreated(v);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="form-grid" aria-label="New standardisation exercise">
      <div>
        <label htmlFor={`${id}-t`}>Title</label>
        <input id={`${id}-t`} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Spring standardisation" maxLength={200} required />
      </div>
      <div>
        <label htmlFor={`${id}-a`}>Recorded attempt to mark</label>
        <select id={`${id}-a`} value={attemptId} onChange={(e) => setAttemptId(e.target.value)} required>
          <option value="">Choose…</option>
          {attempts.map((a) => (
            <option key={a.attemptId} value={a.attemptId}>
              {a.label} (marked {dateGB(a.markedAt)})
            </option>
          ))}
        </select>
      </div>
      <fieldset className="span-all">
        <legend>Assessors who mark it (at least two)</legend>
        <div className="row">
          {assessors.map((a) => (
            <label key={a.id} className="check">
              <input type="checkbox" checked={chosen.includes(a.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, a.id] : chosen.filter((x) => x !== a.id))} /> {a.name}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="span-all row">
        <button type="submit" disabled={busy || !attemptId || !title.trim() || chosen.length < 2}>
          Set up the exercise
        </button>
        <Problem error={error} inline />
      </div>
    </form>
  );
}

const difference = (d: number | null) => (d === null ? '—' : `${d > 0 ? '+' : ''}${d.toFixed(2)} marks`);

function Agreement({ v, onClosed }: { v: StandardisationResultsView; onClosed: (closed: StandardisationResultsView) => void }) {
  const { error, run } = useAction();
  const close = async () => {
    const closed = await run(() => assurance.closeExercise(v.id));
    if (closed) onClosed(closed);
  };
  const perCriterion: Array<Column<StandardisationResultsView['criteria'][number]>> = [
    { header: 'Criterion', rowHeader: true, className: 'small', cell: (c) => c.description },
    { header: 'Centre', numeric: true, cell: (c) => c.reference ?? '—' },
    ...v.assessors.map((a, i): Column<StandardisationResultsView['criteria'][number]> => ({ header: a.name, key: `assessor-${a.id}`, numeric: true, cell: (c) => c.marks[i] ?? '—' })),
    { header: 'Pairs agreeing', numeric: true, cell: (c) => pct(c.pairwise) },
    { header: 'Same as centre', numeric: true, cell: (c) => pct(c.withReference) },
  ];
  return (
    <Section heading={`Agreement: ${v.title} (${v.scenarioTitle})`} level={4} plain testId="agreement">
      <p className="small">
        Pairs of assessors giving the same mark, over every criterion: <strong>{pct(v.overall)}</strong>. The centre’s own marks of the attempt are the reference
        {v.referenceTotal !== null ? ` (${v.referenceTotal}/12)` : ''}. Only submitted marks count.
      </p>
      <DataTable
        caption="Agreement per assessor"
        className="agreement"
        scroll
        rows={v.assessors}
        rowKey={(a) => String(a.id)}
        columns={[
          {
            header: 'Assessor',
            rowHeader: true,
            cell: (a) => (
              <>
                {a.name}
                {a.submittedAt === null ? <span className="tag">not submitted</span> : null}
              </>
            ),
          },
          { header: 'Total', numeric: true, cell: (a) => a.total ?? '—' },
          { header: 'Same mark as another assessor', numeric: true, cell: (a) => pct(a.withOthers) },
          { header: 'Same mark as the centre', numeric: true, cell: (a) => pct(a.withReference) },
          { header: 'Average difference from the others', numeric: true, cell: (a) => difference(a.meanDifference) },
        ]}
      />
      <DataTable
        caption="Agreement per criterion"
        className="agreement"
        scroll
        rows={v.criteria}
        rowKey={(c) => c.criterionId}
        rowProps={(c) => ({ className: c.pairwise.rate !== null && c.pairwise.rate < 0.5 ? 'low' : undefined })}
        columns={perCriterion}
      />
      <div className="row">
        <a className="button-link" href={assurance.agreementCsvUrl(v.id)} download>
          Export the agreement (CSV)
        </a>
        {v.closedAt === null ? (
          <button type="button" onClick={() => void close()}>
            Close the exercise
          </button>
        ) : (
          <span className="small muted">Closed {dateGB(v.closedAt)}.</span>
        )}
      </div>
      <Problem error={error} />
    </Section>
  );
}
