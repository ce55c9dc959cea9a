// Standardisation for the internal quality assurer: set up an exercise (one recorded, marked
// attempt; two or more of the centre's assessors), follow who has submitted, and read the
// agreement per criterion and per assessor; export it as CSV; close the exercise.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { AgreementFigure, Person, StandardisationAttemptOption, StandardisationResultsView, StandardisationSummary } from '../../../server/protocol/assurance.js';
import { assurance } from '../assurance/assurance-api.js';
import { dateGB } from '../format.js';
import { describeError } from '../sitting/useSitting.js';

const pct = (a: AgreementFigure): string => (a.rate === null ? '—' : `${Math.round(a.rate * 100)}% (${a.agreeing} of ${a.compared})`);

export function StandardisationAdmin() {
  const [list, setList] = useState<StandardisationSummary[]>();
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => assurance.exercises().then(setList, (err: unknown) => setError(describeError(err))), []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div data-testid="standardisation-admin">
      <NewExercise
        onCreated={(v) => {
          void load();
          setOpen(v.id);
        }}
      />
      {error && <p className="error">{error}</p>}
      {list && list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Exercise</th>
              <th scope="col">Attempt</th>
              <th scope="col">Set</th>
              <th scope="col">Submitted</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.id}>
                <th scope="row">
                  {x.title}
                  {x.closedAt ? <span className="tag plain">closed</span> : null}
                </th>
                <td>{x.attempt.title}</td>
                <td>{dateGB(x.createdAt)}</td>
                <td>
                  {x.submitted} of {x.participants}
                </td>
                <td className="actions">
                  <button type="button" className="small" aria-expanded={open === x.id} onClick={() => setOpen(open === x.id ? undefined : x.id)}>
                    {open === x.id ? 'Hide agreement' : 'Agreement'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <Results key={open} id={open} onClosed={() => void load()} />}
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
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}

function Results({ id, onClosed }: { id: string; onClosed: () => void }) {
  const hid = useId();
  const [v, setV] = useState<StandardisationResultsView>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    assurance.exerciseResults(id).then(setV, (err: unknown) => setError(describeError(err)));
  }, [id]);
  if (error) return <p className="error">{error}</p>;
  if (!v) return <p className="muted small">Loading…</p>;
  const close = async () => {
    try {
      setV(await assurance.closeExercise(id));
      onClosed();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div aria-labelledby={`${hid}-h`} data-testid="agreement">
      <h4 id={`${hid}-h`}>
        Agreement: {v.title} ({v.scenarioTitle})
      </h4>
      <p className="small">
        Pairs of assessors giving the same mark, over every criterion: <strong>{pct(v.overall)}</strong>. The centre’s own marks of the attempt are the reference
        {v.referenceTotal !== null ? ` (${v.referenceTotal}/12)` : ''}. Only submitted marks count.
      </p>
      <div className="table-scroll">
        <table className="agreement" aria-label="Agreement per assessor">
          <thead>
            <tr>
              <th scope="col">Assessor</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Same mark as another assessor
              </th>
              <th scope="col" className="num">
                Same mark as the centre
              </th>
              <th scope="col" className="num">
                Average difference from the others
              </th>
            </tr>
          </thead>
          <tbody>
            {v.assessors.map((a) => (
              <tr key={a.id}>
                <th scope="row">
                  {a.name}
                  {a.submittedAt === null ? <span className="tag">not submitted</span> : null}
                </th>
                <td className="num">{a.total ?? '—'}</td>
                <td className="num">{pct(a.withOthers)}</td>
                <td className="num">{pct(a.withReference)}</td>
                <td className="num">{a.meanDifference === null ? '—' : `${a.meanDifference > 0 ? '+' : ''}${a.meanDifference.toFixed(2)} marks`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-scroll">
        <table className="agreement" aria-label="Agreement per criterion">
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col" className="num">
                Centre
              </th>
              {v.assessors.map((a) => (
                <th key={a.id} scope="col" className="num">
                  {a.name}
                </th>
              ))}
              <th scope="col" className="num">
                Pairs agreeing
              </th>
              <th scope="col" className="num">
                Same as centre
              </th>
            </tr>
          </thead>
          <tbody>
            {v.criteria.map((c) => (
              <tr key={c.criterionId} className={c.pairwise.rate !== null && c.pairwise.rate < 0.5 ? 'low' : undefined}>
                <th scope="row" className="small">
                  {c.description}
                </th>
                <td className="num">{c.reference ?? '—'}</td>
                {c.marks.map((m, i) => (
                  <td key={i} className="num">
                    {m ?? '—'}
                  </td>
                ))}
                <td className="num">{pct(c.pairwise)}</td>
                <td className="num">{pct(c.withReference)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
    </div>
  );
}
