// The customer record's tabs as the candidate works in them, one component each: the identity
// check, the details with validated editing (changes shown old → new), notes, callbacks and tasks,
// cases and orders, each the tab's list (RecordTabs, which the assessor's mirror shows read-only)
// with its form. Each keeps its own form's state; the record (CustomerRecord) says what was saved
// and shows the record as it now is (`onSaved`), or the server's refusal (`onNotice`).
import { useState, type FormEvent } from 'react';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';
import { orderPrice } from '../format.js';
import { describeError } from './ApiMessage.js';
import { CallbackForm } from './CallbackForm.js';
import { CaseForm } from './CaseForm.js';
import { crm, type CaseCategory, type Customer, type CustomerDetail, type FieldChange, type Product } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { emailProblem, mobileProblem, phoneProblem, postcodeProblem } from './field-checks.js';
import { OrderForm } from './OrderForm.js';
import { PrintButton } from './PrintButton.js';
import { CallbacksList, CasesList, changeLabel, changeValue, DETAIL_FIELDS, DetailsList, NotesList, OrdersList, PREFERENCE, type Editable } from './RecordTabs.js';

export type RecordNotice = { kind: 'ok' | 'error'; text: string };

interface TabProps {
  customer: CustomerDetail;
  /** Something was saved: say `text` and show the record as it now is. */
  onSaved: (text: string) => Promise<void>;
  /** Say this above the tabs (a refusal, or a print-out's result). */
  onNotice: (notice: RecordNotice) => void;
}

/** How each text field of the record is typed in and checked before sending (the server checks again). */
const INPUT: Partial<Record<Editable, { type?: string; check?: (v: string) => string | undefined }>> = {
  firstName: { check: (v) => (v.trim() ? undefined : 'required') },
  lastName: { check: (v) => (v.trim() ? undefined : 'required') },
  dateOfBirth: { type: 'date', check: (v) => (!v || new Date(v) < new Date() ? undefined : 'must be in the past') },
  addressLine1: { check: (v) => (v.trim() ? undefined : 'required') },
  town: { check: (v) => (v.trim() ? undefined : 'required') },
  postcode: { check: postcodeProblem },
  phone: { type: 'tel', check: phoneProblem },
  mobile: { type: 'tel', check: mobileProblem },
  email: { type: 'email', check: emailProblem },
};
const FIELDS = DETAIL_FIELDS.map((f) => ({ ...f, ...INPUT[f.key] }));

type Preference = NonNullable<Customer['contactPreference']>;

/** The security questions, answered as the customer gives them; the server's identity rule decides. */
export function IdentityTab({ customer: c, onChecked, onNotice }: Pick<TabProps, 'customer' | 'onNotice'> & { onChecked: (passed: boolean, summary: string) => void }) {
  const { attemptId } = useDesktop();
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const checkIdentity = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const res = await crm.identityCheck(attemptId, c.id, c.securityQuestions.map((q) => ({ questionId: q.id, answer: answers[q.id] ?? '' })));
      onChecked(res.passed, res.summary);
    } catch (err) {
      onNotice({ kind: 'error', text: describeError(err) });
    }
  };
  return (
    <section aria-label="Identity check">
      <h4>Security questions</h4>
      <p className="muted small">Ask two questions; never read out or hint at an answer.</p>
      <form onSubmit={handled(checkIdentity)} className="stack" data-view-form="identity">
        {c.securityQuestions.map((q, i) => (
          <div key={q.id}>
            <label htmlFor={`sq-${q.id}`}>{q.question}</label>
            <input id={`sq-${q.id}`} name={`answer${i + 1}`} value={answers[q.id] ?? ''} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value })} autoComplete="off" />
          </div>
        ))}
        <div className="row">
          <button type="submit">Check identity</button>
        </div>
      </form>
    </section>
  );
}

/** The details as stored, and editing them: each field checked before sending, the changes saved shown old → new. */
export function DetailsTab({ customer: c, onSaved, onNotice }: TabProps) {
  const { attemptId } = useDesktop();
  const [editing, setEditing] = useState<Record<Editable, string> & { contactPreference: Preference | ''; doNotCall: boolean }>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Editable, string>>>({});
  const [lastChanges, setLastChanges] = useState<FieldChange[]>([]);

  const startEdit = () =>
    setEditing({
      ...(Object.fromEntries(FIELDS.map((f) => [f.key, c[f.key] ?? ''])) as Record<Editable, string>),
      contactPreference: c.contactPreference ?? '',
      doNotCall: c.doNotCall,
    });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const errors: Partial<Record<Editable, string>> = {};
    for (const f of FIELDS) {
      const msg = f.check?.(editing[f.key]);
      if (msg) errors[f.key] = `${f.label}: ${msg}`;
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    const changed: Record<string, unknown> = Object.fromEntries(FIELDS.filter((f) => (editing[f.key] || null) !== (c[f.key] || null)).map((f) => [f.key, editing[f.key].trim() || null]));
    if ((editing.contactPreference || null) !== c.contactPreference) changed.contactPreference = editing.contactPreference || null;
    if (editing.doNotCall !== c.doNotCall) changed.doNotCall = editing.doNotCall;
    if (Object.keys(changed).length === 0) return setEditing(undefined);
    try {
      const res = await crm.update(attemptId, c.id, changed, c.version);
      setLastChanges(res.changes);
      setEditing(undefined);
      await onSaved(`Saved ${res.changes.length} change${res.changes.length === 1 ? '' : 's'}.`);
    } catch (err) {
      onNotice({ kind: 'error', text: describeError(err) });
    }
  };

  return (
    <section aria-label="Details">
      <h4 className="visually-hidden">Details</h4>
      {!editing ? (
        <>
          <DetailsList customer={c} />
          <div className="row">
            <button type="button" onClick={startEdit}>
              Edit details
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={handled(save)} noValidate data-view-form="details">
          <div className="form-grid">
            {FIELDS.map((f) => (
              <div key={f.key}>
                <label htmlFor={`f-${f.key}`}>{f.label}</label>
                <input
                  id={`f-${f.key}`}
                  name={f.key}
                  type={f.type ?? 'text'}
                  value={editing[f.key]}
                  aria-invalid={Boolean(fieldErrors[f.key])}
                  aria-describedby={fieldErrors[f.key] ? `f-${f.key}-error` : undefined}
                  onChange={(e) => setEditing({ ...editing, [f.key]: e.target.value })}
                />
                {fieldErrors[f.key] && (
                  <span className="error" id={`f-${f.key}-error`}>
                    {fieldErrors[f.key]}
                  </span>
                )}
              </div>
            ))}
            <div>
              <label htmlFor="f-contactPreference">Contact preference</label>
              <select id="f-contactPreference" name="contactPreference" value={editing.contactPreference} onChange={(e) => setEditing({ ...editing, contactPreference: e.target.value as Preference | '' })}>
                <option value="">None given</option>
                {Object.entries(PREFERENCE).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <div className="span-all">
              <label className="check">
                <input type="checkbox" name="doNotCall" checked={editing.doNotCall} onChange={(e) => setEditing({ ...editing, doNotCall: e.target.checked })} /> Do not call (no sales or marketing calls)
              </label>
            </div>
          </div>
          <div className="row">
            <button type="submit">Save changes</button>
            <button type="button" onClick={() => setEditing(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {lastChanges.length > 0 && (
        <ul className="changes" aria-label="Changes saved" data-testid="changes">
          {lastChanges.map((ch) => (
            <li key={ch.field}>
              {changeLabel(ch.field)}: {changeValue(ch.field, ch.old)} → {changeValue(ch.field, ch.new)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function NotesTab({ customer: c, onSaved, onNotice }: TabProps) {
  const { attemptId } = useDesktop();
  const addNote = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      await crm.addNote(attemptId, c.id, formText(new FormData(form), 'body').trim());
      form.reset();
      await onSaved('Note added.');
    } catch (err) {
      onNotice({ kind: 'error', text: describeError(err) });
    }
  };
  return (
    <section aria-label="Notes">
      <h4 className="visually-hidden">Notes</h4>
      <NotesList notes={c.notes} />
      <form data-view-form="note" onSubmit={handled(addNote)}>
        <label htmlFor="note-body">New note</label>
        <textarea id="note-body" name="body" required rows={2} />
        <div className="row">
          <button type="submit">Add note</button>
        </div>
      </form>
    </section>
  );
}

export function CallbacksTab({ customer: c, onSaved }: Pick<TabProps, 'customer' | 'onSaved'>) {
  return (
    <section aria-label="Callbacks">
      <h4 className="visually-hidden">Callbacks and tasks</h4>
      <CallbacksList callbacks={c.callbacks} />
      <CallbackForm customerId={c.id} onCreated={(b) => onSaved(`${b.kind === 'task' ? 'Task' : 'Callback'} created.`)} />
    </section>
  );
}

export function CasesTab({ customer: c, categories, onSaved, onNotice }: TabProps & { categories: CaseCategory[] }) {
  return (
    <section aria-label="Cases">
      <h4 className="visually-hidden">Cases and complaints</h4>
      <CasesList cases={c.cases} categories={categories} action={(k) => <PrintButton kind="case" subjectId={k.id} label={`case ${k.reference}`} onResult={onNotice} />} />
      <CaseForm customerId={c.id} categories={categories} onCreated={(k) => onSaved(`Case ${k.reference} created.`)} />
    </section>
  );
}

export function OrdersTab({ customer: c, products, onSaved, onNotice }: TabProps & { products: Product[] }) {
  return (
    <section aria-label="Orders">
      <h4 className="visually-hidden">Orders</h4>
      <OrdersList orders={c.orders} action={(o) => <PrintButton kind="order" subjectId={o.id} label={`order ${o.reference}`} onResult={onNotice} />} />
      {products.length > 0 && <OrderForm customerId={c.id} products={products} onPlaced={(o) => onSaved(`Order ${o.reference} placed: ${orderPrice(o)}.`)} />}
    </section>
  );
}
