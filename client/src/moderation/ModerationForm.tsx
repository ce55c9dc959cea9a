// The moderator's marks beside the centre's: per criterion the centre mark and comment, the
// moderated mark, and a reason that is required whenever the mark moves. Saving returns the new
// moderated assignment mark and the sitting's grade with it. Staff who may not moderate (the
// centre's assessors) see the same table read-only.
import { codeWords, dateTimeGB } from '../format.js';
import { useEffect, useState, type FormEvent } from 'react';
import type { ModerationView } from '../../../server/protocol/moderation.js';
import { ApiFailure } from '../api.js';
import { moderation } from './moderation-api.js';
import { handled } from '../components/handled.js';

interface Draft {
  mark: string;
  reason: string;
}

const standing = (c: ModerationView['criteria'][number]) => c.moderatedMark ?? c.centreMark;

export function ModerationForm({ attemptId, canModerate, onSaved }: { attemptId: string; canModerate: boolean; onSaved?: () => void }) {
  const [view, setView] = useState<ModerationView>();
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();

  const reset = (v: ModerationView) => {
    setView(v);
    setDrafts(Object.fromEntries(v.criteria.map((c) => [c.criterionId, { mark: String(standing(c) ?? ''), reason: '' }])));
  };
  useEffect(() => {
    moderation.marks(attemptId).then(reset, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [attemptId]);

  if (error && !view) return <p className="error">The marks could not be loaded: {error}</p>;
  if (!view) return <p className="muted">Loading marks…</p>;

  const changed = view.criteria.filter((c) => drafts[c.criterionId] && drafts[c.criterionId]!.mark !== String(standing(c) ?? ''));
  const previewTotal = view.criteria.reduce((sum, c) => sum + (Number(drafts[c.criterionId]?.mark) || 0), 0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(undefined);
    setError(undefined);
    const missing = Object.fromEntries(changed.filter((c) => !drafts[c.criterionId]!.reason.trim()).map((c) => [c.criterionId, 'Give the reason for this change.']));
    setFieldErrors(missing);
    if (Object.keys(missing).length) return;
    try {
      const next = await moderation.saveMarks(attemptId, { marks: changed.map((c) => ({ criterionId: c.criterionId, mark: Number(drafts[c.criterionId]!.mark), reason: drafts[c.criterionId]!.reason.trim() })) });
      reset(next);
      setSaved(`Saved ${changed.length} change${changed.length === 1 ? '' : 's'}.`);
      onSaved?.();
    } catch (err) {
      if (err instanceof ApiFailure && err.fields) {
        const byCriterion: Record<string, string> = {};
        for (const [path, message] of Object.entries(err.fields)) {
          const i = Number(path.split('.')[1]);
          const c = changed[i];
          if (c) byCriterion[c.criterionId] = message;
        }
        setFieldErrors(byCriterion);
      }
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const r = view.sittingResult;
  return (
    <section aria-label="Moderated marks" data-testid="moderation-form">
      <h2>Marks</h2>
      {!view.centreMarked && <p className="muted">The centre has not finished marking this attempt; moderation starts once its marks are final.</p>}
      <form onSubmit={handled(submit)}>
        <table className="moderation-marks">
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Centre mark and comment</th>
              <th scope="col">Moderated mark</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {view.criteria.map((c) => {
              const d = drafts[c.criterionId] ?? { mark: '', reason: '' };
              const moved = d.mark !== String(standing(c) ?? '');
              const id = `mod-${c.criterionId}`;
              return (
                <tr key={c.criterionId} className={c.moderatedMark !== null ? 'moderated' : undefined}>
                  <td>
                    <strong>{c.criterionId}</strong>
                    <div className="small">{c.description}</div>
                  </td>
                  <td>
                    {c.centreMark ?? '—'}/{c.maxMarks}
                    {c.comment && <div className="small muted">{c.comment}</div>}
                  </td>
                  <td>
                    <label htmlFor={`${id}-mark`} className="visually-hidden">
                      Moderated mark for {c.criterionId}
                    </label>
                    <input
                      id={`${id}-mark`}
                      type="number"
                      min={0}
                      max={c.maxMarks}
                      step={1}
                      value={d.mark}
                      disabled={!canModerate || !view.centreMarked}
                      onChange={(e) => setDrafts((all) => ({ ...all, [c.criterionId]: { ...d, mark: e.target.value } }))}
                    />
                    {c.moderatedMark !== null && <div className="small">moderated by {c.moderatedBy?.name}</div>}
                  </td>
                  <td>
                    {c.reason && <div className="small">Standing reason: {c.reason}</div>}
                    {canModerate && view.centreMarked && (
                      <>
                        <label htmlFor={`${id}-reason`} className="visually-hidden">
                          Reason for {c.criterionId}
                        </label>
                        <input
                          id={`${id}-reason`}
                          type="text"
                          value={d.reason}
                          required={moved}
                          aria-invalid={fieldErrors[c.criterionId] ? true : undefined}
                          aria-describedby={fieldErrors[c.criterionId] ? `${id}-error` : undefined}
                          placeholder={moved ? 'Required: why the mark moves' : ''}
                          onChange={(e) => setDrafts((all) => ({ ...all, [c.criterionId]: { ...d, reason: e.target.value } }))}
                        />
                        {fieldErrors[c.criterionId] && (
                          <div id={`${id}-error`} className="error small">
                            {fieldErrors[c.criterionId]}
                          </div>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p data-testid="moderated-total">
          Centre mark {view.centreTotal ?? '—'}/12 · moderated mark {view.moderatedTotal ?? 'none'}
          {changed.length > 0 && ` · after these changes: ${previewTotal}/12`}
          {r && (
            <>
              {' '}
              · sitting result: {r.status === 'graded' ? `${r.grade} (${r.total}/48)` : `no grade (${r.reasons.join('; ') || 'incomplete'})`}
            </>
          )}
        </p>
        {canModerate && view.centreMarked && (
          <button type="submit" disabled={changed.length === 0}>
            Save moderated marks
          </button>
        )}
        {saved && <p role="status">{saved}</p>}
        {error && <p className="error" role="alert">{error}</p>}
      </form>
      {view.history.length > 0 && (
        <>
          <h3>Changes</h3>
          <ul className="small">
            {view.history.map((h) => (
              <li key={h.id}>
                {dateTimeGB(h.at)} {h.by.name} ({codeWords(h.by.role)}): {h.criterionId} {h.before ?? `centre ${h.centreMark ?? '—'}`} → {h.after ?? `centre ${h.centreMark ?? '—'}`} — {h.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
