// Putting a planned sitting right before it starts: another date and time, assessor or candidate,
// or cancelling it with a reason (the server records both and refuses once the sitting started).
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { DirectoryEntry } from '../../../server/protocol/telephony.js';
import { ApiFailure } from '../api.js';
import { sittings, type SittingDetail } from './sitting-api.js';
import { describeError } from './useSitting.js';
import { candidateChoices, type CandidateChoice } from './candidate-choice.js';

/** ms since the epoch as the value of a datetime-local input (local time), '' for none. */
function localInputValue(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function SittingChanges({ detail, onChange, onStatus }: { detail: SittingDetail; onChange: (d: SittingDetail) => void; onStatus: (words: string) => void }) {
  const id = useId();
  const [mode, setMode] = useState<'none' | 'edit' | 'cancel'>('none');
  const [candidates, setCandidates] = useState<CandidateChoice[]>([]);
  const [assessors, setAssessors] = useState<DirectoryEntry[]>([]);
  const [scheduled, setScheduled] = useState(localInputValue(detail.scheduledFor));
  const [candidateId, setCandidateId] = useState(String(detail.candidate.id));
  const [assessorId, setAssessorId] = useState(detail.assessor ? String(detail.assessor.id) : '');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (mode !== 'edit') return;
    setScheduled(localInputValue(detail.scheduledFor));
    setCandidateId(String(detail.candidate.id));
    setAssessorId(detail.assessor ? String(detail.assessor.id) : '');
    sittings.candidates().then((list) => setCandidates(candidateChoices(list)), () => setCandidates([]));
    sittings.assessors().then(setAssessors, () => setAssessors([]));
  }, [mode, detail]);

  const send = async (action: () => Promise<SittingDetail>, done: string) => {
    setBusy(true);
    setErrors({});
    try {
      onChange(await action());
      onStatus(done);
      setMode('none');
      setReason('');
    } catch (err) {
      if (err instanceof ApiFailure && err.fields && Object.keys(err.fields).length) setErrors(err.fields);
      else if (err instanceof ApiFailure && err.field) setErrors({ [err.field]: err.message });
      else setErrors({ form: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    let scheduledFor: number | null = null;
    if (scheduled) {
      scheduledFor = new Date(scheduled).getTime();
      if (!Number.isFinite(scheduledFor)) return setErrors({ scheduledFor: 'Not a valid date and time.' });
    }
    const input = {
      scheduledFor,
      candidateUserId: Number(candidateId),
      ...(assessorId ? { assessorUserId: Number(assessorId) } : {}),
    };
    void send(() => sittings.edit(detail.id, input), 'The sitting has been changed.');
  };

  const onCancel = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) return setErrors({ reason: 'Say why the sitting is cancelled.' });
    void send(() => sittings.cancel(detail.id, { reason: reason.trim() }), 'The sitting has been cancelled.');
  };

  const fieldError = (name: string) =>
    errors[name] ? (
      <span className="error field-error" id={`${id}-${name}-err`} role="alert">
        {errors[name]}
      </span>
    ) : null;
  const aria = (name: string) => (errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${id}-${name}-err` } : {});
  // Names of people the lists may not hold (e.g. a disabled account still on the sitting).
  const withCurrent = (list: DirectoryEntry[], current: { id: number; name: string } | null) =>
    current && !list.some((e) => e.userId === current.id) ? [{ userId: current.id, displayName: current.name }, ...list] : list;

  return (
    <div className="sitting-changes" data-testid="sitting-changes">
      {mode === 'none' && (
        <div className="row">
          <button type="button" onClick={() => setMode('edit')}>
            Change sitting
          </button>
          <button type="button" className="danger" onClick={() => setMode('cancel')}>
            Cancel sitting
          </button>
        </div>
      )}
      {mode === 'edit' && (
        <form onSubmit={onSave} aria-labelledby={`${id}-edit`} className="sitting-change-form" data-testid="edit-sitting-form">
          <h4 id={`${id}-edit`}>Change this sitting before it starts</h4>
          <div>
            <label htmlFor={`${id}-when`}>Planned for</label>
            <input id={`${id}-when`} type="datetime-local" value={scheduled} onChange={(e) => setScheduled(e.target.value)} {...aria('scheduledFor')} />
            {fieldError('scheduledFor')}
          </div>
          <div>
            <label htmlFor={`${id}-cand`}>Candidate</label>
            <select id={`${id}-cand`} value={candidateId} onChange={(e) => setCandidateId(e.target.value)} {...aria('candidateUserId')}>
              {(candidates.some((c) => c.userId === detail.candidate.id) ? candidates : [{ userId: detail.candidate.id, label: detail.candidate.name }, ...candidates]).map((c) => (
                <option key={c.userId} value={c.userId}>
                  {c.label}
                </option>
              ))}
            </select>
            {fieldError('candidateUserId')}
          </div>
          <div>
            <label htmlFor={`${id}-ass`}>Assessor</label>
            <select id={`${id}-ass`} value={assessorId} onChange={(e) => setAssessorId(e.target.value)} {...aria('assessorUserId')}>
              {!detail.assessor && <option value="">Not yet chosen</option>}
              {withCurrent(assessors, detail.assessor).map((a) => (
                <option key={a.userId} value={a.userId}>
                  {a.displayName}
                </option>
              ))}
            </select>
            {fieldError('assessorUserId')}
          </div>
          {fieldError('form')}
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              Save changes
            </button>
            <button type="button" disabled={busy} onClick={() => setMode('none')}>
              Keep as it was
            </button>
          </div>
        </form>
      )}
      {mode === 'cancel' && (
        <form onSubmit={onCancel} aria-labelledby={`${id}-cancel`} className="sitting-change-form" data-testid="cancel-sitting-form">
          <h4 id={`${id}-cancel`}>Cancel this sitting</h4>
          <p className="small muted">The sitting will not take place. It stays on the list as cancelled, with your reason.</p>
          <div>
            <label htmlFor={`${id}-reason`}>Reason</label>
            <textarea id={`${id}-reason`} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} {...aria('reason')} />
            {fieldError('reason')}
          </div>
          {fieldError('form')}
          <div className="row">
            <button type="submit" className="danger" disabled={busy}>
              Yes, cancel the sitting
            </button>
            <button type="button" disabled={busy} onClick={() => setMode('none')} autoFocus>
              Keep the sitting
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
