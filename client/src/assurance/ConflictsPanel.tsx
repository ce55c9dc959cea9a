// Declaring a personal interest in a candidate (seed 003: nobody with a personal interest in the
// result takes part in the assessment or its quality assurance). The member of staff declares it
// themselves; from then on the server refuses them that candidate's marking, review and countersigning.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ConflictView, Person } from '../../../server/protocol/assurance.js';
import { dateGB } from '../format.js';
import { Problem, useAction } from '../components/useAction.js';
import { describeError } from '../sitting/useSitting.js';
import { assurance } from './assurance-api.js';

export function ConflictsPanel() {
  const id = useId();
  const [list, setList] = useState<ConflictView[]>();
  const [candidates, setCandidates] = useState<Person[]>([]);
  const [candidateId, setCandidateId] = useState('');
  const [nature, setNature] = useState('');
  const [loadError, setLoadError] = useState<string>();
  const [status, setStatus] = useState('');
  const { busy, error, run } = useAction();
  useEffect(() => {
    assurance.conflicts().then(setList, (err: unknown) => setLoadError(describeError(err)));
    assurance.people().then((p) => setCandidates(p.candidates), (err: unknown) => setLoadError(describeError(err)));
  }, []);
  const declared = new Set((list ?? []).map((c) => c.candidate.id));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await run(() => assurance.declareConflict({ candidateUserId: Number(candidateId), nature: nature.trim() }));
    if (!c) return;
    setList((l) => [c, ...(l ?? [])]);
    setStatus(`Recorded: you will not mark, review or countersign ${c.candidate.name}'s work.`);
    setCandidateId('');
    setNature('');
  };
  return (
    <div data-testid="conflicts">
      <p className="small muted">
        If you know a candidate personally (a relative, a friend, someone you manage), declare it here. You will then not be able to mark, review or countersign their work.
      </p>
      {list && list.length > 0 ? (
        <ul className="small" aria-label="Your declarations">
          {list.map((c) => (
            <li key={c.id}>
              <strong>{c.candidate.name}</strong>: {c.nature} (declared {dateGB(c.declaredAt)})
            </li>
          ))}
        </ul>
      ) : (
        <p className="small">You have declared no personal interest.</p>
      )}
      <form onSubmit={(e) => void submit(e)} className="form-grid" aria-label="Declare a personal interest">
        <div>
          <label htmlFor={`${id}-c`}>Candidate</label>
          <select id={`${id}-c`} value={candidateId} onChange={(e) => setCandidateId(e.target.value)} required>
            <option value="">Choose…</option>
            {candidates
              .filter((c) => !declared.has(c.id))
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-n`}>Your interest</label>
          <input id={`${id}-n`} value={nature} onChange={(e) => setNature(e.target.value)} placeholder="e.g. my niece" maxLength={2000} required />
        </div>
        <div className="span-all row">
          <button type="submit" disabled={busy || !candidateId || !nature.trim()}>
            Declare a personal interest
          </button>
          <span className="notice" role="status">
            {status}
          </span>
        </div>
        <div className="span-all">
          <Problem error={error ?? loadError} />
        </div>
      </form>
    </div>
  );
}
