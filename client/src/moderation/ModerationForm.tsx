// The moderator's marks beside the centre's: per criterion the centre mark and comment, the
// moderated mark, and a reason that is required whenever the mark moves. Saving returns the new
// moderated assignment mark and the sitting's grade with it. Staff who may not moderate (the
// centre's assessors) see the same table read-only.
import { codeWords, criterionReference, criterionWords, dateTimeGB, sentences } from '../format.js';
import { useCallback, useState, type FormEvent } from 'react';
import type { ModerationView } from '../../../server/protocol/moderation.js';
import { ApiFailure } from '../api.js';
import { moderation } from './moderation-api.js';
import { AsyncState } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { handled } from '../components/handled.js';
import { useLoad } from '../components/useLoad.js';
import { describeError } from '../sitting/useSitting.js';
import { Problem } from '../components/useAction.js';

interface Draft {
  mark: string;
  reason: string;
}

const standing = (c: ModerationView['criteria'][number]) => c.moderatedMark ?? c.centreMark;

export function ModerationForm({ attemptId, canModerate, onSaved }: { attemptId: string; canModerate: boolean; onSaved?: () => void }) {
  const marks = useLoad(useCallback(() => moderation.marks(attemptId), [attemptId]));
  return (
    <AsyncState state={marks} loading="Loading marks…" failed="The marks could not be loaded">
      {(first) => <MarksForm attemptId={attemptId} first={first} canModerate={canModerate} onSaved={onSaved} />}
    </AsyncState>
  );
}

/** Every criterion's mark as it stands, none of them with a reason yet. */
const draftsOf = (v: ModerationView): Record<string, Draft> => Object.fromEntries(v.criteria.map((c) => [c.criterionId, { mark: String(standing(c) ?? ''), reason: '' }]));

function MarksForm({ attemptId, first, canModerate, onSaved }: { attemptId: string; first: ModerationView; canModerate: boolean; onSaved: (() => void) | undefined }) {
  const [view, setView] = useState(first);
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => draftsOf(first));
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();

  const reset = (v: ModerationView) => {
    setView(v);
    setDrafts(draftsOf(v));
  };

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
      setError(describeError(err));
    }
  };

  const r = view.sittingResult;
  return (
    <section aria-label="Moderated marks" data-testid="moderation-form">
      <h2>Marks</h2>
      {!view.centreMarked && <p className="muted">The centre has not finished marking this attempt; moderation starts once its marks are final.</p>}
      <form onSubmit={handled(submit)}>
        <DataTable
          caption="Centre and moderated marks per criterion"
          className="moderation-marks"
          rows={view.criteria}
          rowKey={(c) => c.criterionId}
          rowProps={(c) => ({ className: c.moderatedMark !== null ? 'moderated' : undefined })}
          columns={[
            {
              header: 'Criterion',
              cell: (c) => (
                <>
                  <strong>{c.description}</strong>
                  <div className="small muted">{criterionReference(c.criterionId)}</div>
                </>
              ),
            },
            {
              header: 'Centre mark and comment',
              cell: (c) => (
                <>
                  {c.centreMark ?? '—'}/{c.maxMarks}
                  {c.comment && <div className="small muted">{c.comment}</div>}
                </>
              ),
            },
            {
              header: 'Moderated mark',
              cell: (c) => {
                const d = drafts[c.criterionId] ?? { mark: '', reason: '' };
                const id = `mod-${c.criterionId}`;
                return (
                  <>
                    <label htmlFor={`${id}-mark`} className="visually-hidden">
                      Moderated mark for {c.description}
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
                  </>
                );
              },
            },
            {
              header: 'Reason',
              cell: (c) => {
                const d = drafts[c.criterionId] ?? { mark: '', reason: '' };
                const moved = d.mark !== String(standing(c) ?? '');
                const id = `mod-${c.criterionId}`;
                return (
                  <>
                    {c.reason && <div className="small">Standing reason: {c.reason}</div>}
                    {canModerate && view.centreMarked && (
                      <>
                        <label htmlFor={`${id}-reason`} className="visually-hidden">
                          Reason for {c.description}
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
                  </>
                );
              },
            },
          ]}
        />
        <p data-testid="moderated-total">
          Centre mark {view.centreTotal ?? '—'}/12 · moderated mark {view.moderatedTotal ?? 'none'}
          {changed.length > 0 && ` · after these changes: ${previewTotal}/12`}
          {r && (
            <>
              {' '}
              · sitting result: {r.status === 'graded' ? `${r.grade} (${r.total}/48)` : `no grade (${sentences(r.reasons) || 'incomplete'})`}
            </>
          )}
        </p>
        {canModerate && view.centreMarked && (
          <button type="submit" disabled={changed.length === 0}>
            Save moderated marks
          </button>
        )}
        {saved && <p role="status">{saved}</p>}
        <Problem error={error} />
      </form>
      {view.history.length > 0 && (
        <>
          <h3>Changes</h3>
          <ul className="small">
            {view.history.map((h) => (
              <li key={h.id}>
                {dateTimeGB(h.at)} {h.by.name} ({codeWords(h.by.role)}): {criterionWords(h.criterionId, view.criteria)} {h.before ?? `centre ${h.centreMark ?? '—'}`} → {h.after ?? `centre ${h.centreMark ?? '—'}`} — {h.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
