// The marking form of one attempt: one row per rubric criterion, grouped by band, each with its
// description, 0..max marks (radio buttons), a comment, the automatic suggestion with its evidence
// and a "Use suggestion" button. A mark that differs from a decided suggestion needs an override
// reason; changing marks already saved needs a change reason. Running total out of the rubric's
// maximum (12); Save, or Save and finish (closes the attempt's marking). Below: the bookmarks as
// evidence, and every change ever made (the audit trail).
import { codeWords, criterionReference, criterionWords, dateGB, timeGB } from '../format.js';
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { CriterionMarkView, MarkingView, SaveMarksInput } from '../../../server/protocol/assessment.js';
import { NotYet } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { BookmarkList } from '../sitting/Bookmarks.js';
import { fieldProblems, sittings } from '../sitting/sitting-api.js';
import { describeError } from '../sitting/useSitting.js';

interface Row {
  mark: number | null;
  comment: string;
  overrideReason: string;
}

type Errors = Record<string, string>; // key: `${criterionId}.mark|comment|overrideReason`, or 'reason', or 'form'

const rowsOf = (v: MarkingView): Record<string, Row> =>
  Object.fromEntries(v.criteria.map((c) => [c.criterionId, { mark: c.mark, comment: c.comment ?? '', overrideReason: c.overrideReason ?? '' }]));

/** A decided suggestion the mark departs from. */
const overrides = (c: CriterionMarkView, row: Row): boolean =>
  row.mark !== null && c.suggestion !== null && c.suggestion.suggestedMarks !== null && row.mark !== c.suggestion.suggestedMarks;

/** The part of a criterion's row a problem is shown at: its comment, its override reason, else its mark. */
const part = (p: string): 'mark' | 'comment' | 'overrideReason' => (p === 'comment' || p === 'overrideReason' ? p : 'mark');

/** Which criterion (and which part of it) a server error's field names. */
export function errorKey(field: string | undefined, sent: SaveMarksInput['marks'], criteria: CriterionMarkView[]): string {
  if (!field) return 'form';
  if (field === 'reason' || field === 'final') return field === 'reason' ? 'reason' : 'form';
  const m = /^marks(?:\.|\[)(\d+)\]?(?:\.(\w+))?$/.exec(field);
  if (m) {
    const entry = sent[Number(m[1])];
    if (entry) return `${entry.criterionId}.${part(m[2] ?? '')}`;
  }
  // "U2-1.1-answer-time" or "U2-1.1-answer-time.overrideReason"
  const c = criteria.find((x) => field === x.criterionId || field.startsWith(`${x.criterionId}.`));
  if (c) return `${c.criterionId}.${part(field.slice(c.criterionId.length + 1))}`;
  return 'form';
}

const when = (at: number) => `${dateGB(at)}, ${timeGB(at)}`;

export function MarkingForm({ attemptId, onSaved, heading = 'Marking' }: { attemptId: string; onSaved?: (v: MarkingView, final: boolean) => void; heading?: string }) {
  const uid = useId();
  const [view, setView] = useState<MarkingView>();
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState('');
  const [loadError, setLoadError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback((v: MarkingView) => {
    setView(v);
    setRows(rowsOf(v));
    setReason('');
  }, []);
  useEffect(() => {
    setView(undefined);
    setLoadError(undefined);
    setErrors({});
    setStatus('');
    sittings.marking(attemptId).then(load, (err: unknown) => setLoadError(describeError(err)));
  }, [attemptId, load]);

  const bands = useMemo(() => {
    const out: Array<{ band: string; criteria: CriterionMarkView[] }> = [];
    for (const c of view?.criteria ?? []) {
      const b = out.find((x) => x.band === c.band);
      if (b) b.criteria.push(c);
      else out.push({ band: c.band, criteria: [c] });
    }
    return out;
  }, [view]);

  if (loadError !== undefined || !view) return <NotYet error={loadError} loading="Loading the marking form…" />;

  const max = view.criteria.reduce((s, c) => s + c.maxMarks, 0);
  const marked = view.criteria.filter((c) => rows[c.criterionId]?.mark !== null && rows[c.criterionId]?.mark !== undefined);
  const total = marked.reduce((s, c) => s + (rows[c.criterionId]?.mark ?? 0), 0);
  const savedChanged = view.criteria.some((c) => c.mark !== null && rows[c.criterionId] !== undefined && rows[c.criterionId]!.mark !== c.mark);
  const dirty = view.criteria.some((c) => {
    const r = rows[c.criterionId];
    return r && (r.mark !== c.mark || r.comment !== (c.comment ?? '') || r.overrideReason !== (c.overrideReason ?? ''));
  });

  const set = (criterionId: string, patch: Partial<Row>) => {
    setRows((rs) => ({ ...rs, [criterionId]: { ...rs[criterionId]!, ...patch } }));
    setErrors((es) => {
      const next = { ...es };
      for (const k of Object.keys(patch)) delete next[`${criterionId}.${k}`];
      if ('mark' in patch) delete next[`${criterionId}.overrideReason`];
      return next;
    });
  };
  const fieldId = (key: string) => `${uid}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  const save = async (final: boolean) => {
    const errs: Errors = {};
    for (const c of view.criteria) {
      const r = rows[c.criterionId]!;
      if (final && r.mark === null) errs[`${c.criterionId}.mark`] = 'Give a mark before finishing.';
      if (overrides(c, r) && !r.overrideReason.trim()) errs[`${c.criterionId}.overrideReason`] = 'Say why the mark differs from the suggestion.';
    }
    if (savedChanged && !reason.trim()) errs.reason = 'Say why marks already saved are being changed.';
    if (!final && marked.length === 0) errs.form = 'Give at least one mark before saving.';
    setErrors(errs);
    if (Object.keys(errs).length) {
      setStatus('');
      focusFirstError(errs);
      return;
    }
    const marks: SaveMarksInput['marks'] = view.criteria
      .filter((c) => rows[c.criterionId]!.mark !== null)
      .map((c) => {
        const r = rows[c.criterionId]!;
        return { criterionId: c.criterionId, mark: r.mark!, comment: r.comment, overrideReason: overrides(c, r) ? r.overrideReason.trim() : null };
      });
    setBusy(true);
    try {
      const v = await sittings.saveMarks(attemptId, { marks, reason: savedChanged ? reason.trim() : null, final });
      load(v);
      setStatus(final ? `Marking finished: ${v.total ?? total} out of ${max}.` : `Marks saved${v.total !== null ? `: ${v.total} out of ${max}` : ''}.`);
      onSaved?.(v, final);
    } catch (err) {
      const e2: Errors = {};
      for (const [field, message] of Object.entries(fieldProblems(err, describeError))) {
        const key = errorKey(field === 'form' ? undefined : field, marks, view.criteria);
        e2[key] = e2[key] ? `${e2[key]} ${message}` : message;
      }
      setErrors(e2);
      setStatus('');
      focusFirstError(e2);
    } finally {
      setBusy(false);
    }
  };
  const focusFirstError = (errs: Errors) => {
    // After React has rendered the messages (and the override fields they belong to).
    window.setTimeout(() => {
      const order = [...view.criteria.flatMap((c) => [`${c.criterionId}.mark`, `${c.criterionId}.overrideReason`, `${c.criterionId}.comment`]), 'reason', 'form'];
      const first = order.find((k) => errs[k]);
      if (!first) return;
      const el = document.getElementById(fieldId(first)) ?? document.getElementById(`${fieldId(first)}-error`);
      el?.focus();
    }, 0);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };
  const err = (key: string) =>
    errors[key] ? (
      <span className="error field-error" id={`${fieldId(key)}-error`} tabIndex={-1}>
        {errors[key]}
      </span>
    ) : null;
  const describedBy = (...ids: Array<string | false | null | undefined>) => ids.filter(Boolean).join(' ') || undefined;

  return (
    <div className="marking" data-testid="marking-form">
      <h3>
        {heading}: {view.title}
      </h3>
      {view.markingStatus === 'marked' && (
        <p className="notice small" data-testid="marking-finished">
          Marking finished{view.markedAt ? ` ${when(view.markedAt)}` : ''}. Changing a mark now needs a reason and is kept in the history.
        </p>
      )}
      {view.status === 'open' && <p className="muted small">The candidate is still working on this attempt.</p>}
      <form onSubmit={onSubmit} aria-label={`Marks for ${view.title}`} noValidate>
        {bands.map(({ band, criteria }) => {
          const bandMax = criteria.reduce((s, c) => s + c.maxMarks, 0);
          const bandTotal = criteria.reduce((s, c) => s + (rows[c.criterionId]?.mark ?? 0), 0);
          return (
            <section key={band} className="band" aria-labelledby={fieldId(`band-${band}`)}>
              <h4 id={fieldId(`band-${band}`)}>
                {band}{' '}
                <span className="small muted">
                  ({bandTotal} of {bandMax})
                </span>
              </h4>
              {criteria.map((c) => {
                const r = rows[c.criterionId]!;
                const s = c.suggestion;
                const decided = s !== null && s.suggestedMarks !== null;
                const needsReason = overrides(c, r);
                const markKey = `${c.criterionId}.mark`;
                return (
                  <fieldset key={c.criterionId} className="criterion" data-criterion={c.criterionId} aria-describedby={describedBy(s && fieldId(`${c.criterionId}.suggestion`), errors[markKey] && `${fieldId(markKey)}-error`)}>
                    <legend>
                      {c.description} <span className="small muted">({criterionReference(c.criterionId)}, max {c.maxMarks})</span>
                    </legend>
                    <div className="criterion-grid">
                      <div role="radiogroup" aria-label={`Mark for ${c.description}`} className="marks" aria-invalid={errors[markKey] ? true : undefined}>
                        {Array.from({ length: c.maxMarks + 1 }, (_, m) => (
                          <label key={m} className="check">
                            <input
                              type="radio"
                              name={fieldId(markKey)}
                              id={m === 0 ? fieldId(markKey) : undefined}
                              value={m}
                              checked={r.mark === m}
                              onChange={() => set(c.criterionId, { mark: m })}
                            />
                            {m}
                          </label>
                        ))}
                        {err(markKey)}
                      </div>
                      <div className="suggestion" id={fieldId(`${c.criterionId}.suggestion`)}>
                        {s ? (
                          <>
                            <span data-testid="suggestion">
                              {decided ? (
                                <>
                                  Suggested: <strong>{s.suggestedMarks}</strong> of {c.maxMarks}
                                </>
                              ) : (
                                'No suggestion: mark by hand'
                              )}
                            </span>
                            {s.evidence && <span className="evidence"> · {s.evidence}</span>}{' '}
                            {decided && (
                              <button
                                type="button"
                                className="small"
                                aria-label={`Use suggestion (${s.suggestedMarks}) for ${c.description}`}
                                disabled={r.mark === s.suggestedMarks}
                                onClick={() => set(c.criterionId, { mark: s.suggestedMarks, overrideReason: '' })}
                              >
                                Use suggestion
                              </button>
                            )}
                          </>
                        ) : (
                          <span className="muted small">No automatic check for this criterion.</span>
                        )}
                      </div>
                      {needsReason && (
                        <div className="override">
                          <label htmlFor={fieldId(`${c.criterionId}.overrideReason`)}>Why the mark differs from the suggestion (required)</label>
                          <input
                            id={fieldId(`${c.criterionId}.overrideReason`)}
                            value={r.overrideReason}
                            required
                            aria-required="true"
                            aria-invalid={errors[`${c.criterionId}.overrideReason`] ? true : undefined}
                            aria-describedby={errors[`${c.criterionId}.overrideReason`] ? `${fieldId(`${c.criterionId}.overrideReason`)}-error` : undefined}
                            onChange={(e) => set(c.criterionId, { overrideReason: e.target.value })}
                          />
                          {err(`${c.criterionId}.overrideReason`)}
                        </div>
                      )}
                      <div className="comment">
                        <label htmlFor={fieldId(`${c.criterionId}.comment`)}>Comment</label>
                        <input
                          id={fieldId(`${c.criterionId}.comment`)}
                          value={r.comment}
                          aria-invalid={errors[`${c.criterionId}.comment`] ? true : undefined}
                          aria-describedby={errors[`${c.criterionId}.comment`] ? `${fieldId(`${c.criterionId}.comment`)}-error` : undefined}
                          onChange={(e) => set(c.criterionId, { comment: e.target.value })}
                        />
                        {err(`${c.criterionId}.comment`)}
                      </div>
                    </div>
                  </fieldset>
                );
              })}
            </section>
          );
        })}

        {savedChanged && (
          <div className="change-reason">
            <label htmlFor={fieldId('reason')}>Reason for changing saved marks (required)</label>
            <input
              id={fieldId('reason')}
              value={reason}
              required
              aria-required="true"
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={errors.reason ? `${fieldId('reason')}-error` : undefined}
              onChange={(e) => {
                setReason(e.target.value);
                setErrors((es) => {
                  const { reason: _r, ...rest } = es;
                  return rest;
                });
              }}
            />
            {err('reason')}
          </div>
        )}

        <div className="marking-footer">
          <p className="total" role="status" aria-live="polite" data-testid="marking-total">
            Total: <strong>{total}</strong> out of {max} · {marked.length} of {view.criteria.length} criteria marked
          </p>
          {err('form')}
          <div className="row">
            <button type="submit" disabled={busy || !dirty}>
              Save
            </button>
            <button type="button" disabled={busy} onClick={() => void save(true)}>
              Save and finish
            </button>
          </div>
          <p className="notice" role="status" data-testid="marking-status">
            {status}
          </p>
        </div>
      </form>

      <h4>Bookmarks (evidence)</h4>
      <BookmarkList bookmarks={view.bookmarks} />

      <h4 id={fieldId('history')}>History</h4>
      <DataTable
        caption="History"
        className="history"
        testId="marking-history"
        scroll
        rows={view.history}
        rowKey={(h) => String(h.id)}
        empty="No marks saved yet."
        small
        columns={[
          { header: 'When', cell: (h) => when(h.at) },
          {
            header: 'Who',
            cell: (h) => (
              <>
                {h.by.name} <span className="small muted">({codeWords(h.by.role)})</span>
              </>
            ),
          },
          { header: 'Criterion', cell: (h) => criterionWords(h.criterionId, view.criteria) },
          { header: 'Mark', cell: (h) => `${h.before ?? '—'} → ${h.after ?? '—'}` },
          { header: 'Comment', cell: (h) => ((h.commentBefore ?? '') === (h.commentAfter ?? '') ? (h.commentAfter ?? '') : `${h.commentBefore || '—'} → ${h.commentAfter || '—'}`) },
          { header: 'Reason', cell: (h) => h.reason ?? '' },
        ]}
      />
    </div>
  );
}

