// One customer's record, in tabs so it fits the screen while talking: the identity check, details
// with validated editing (changes shown old → new, contact preference and do-not-call included),
// notes, callbacks and tasks, cases and orders (their forms in CallbackForm, CaseForm, OrderForm),
// with click-to-dial (DialButton) and print-outs. Every action goes on the attempt's timeline.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode, type SyntheticEvent } from 'react';
import { Tabs } from '../components/Tabs.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { crm, type CaseCategory, type Customer, type CustomerDetail, type FieldChange, type Product } from './crm-api.js';
import { readViewForm } from './form-view.js';
import { CallbacksList, CasesList, changeLabel, changeValue, DETAIL_FIELDS, DetailsList, NotesList, OrdersList, PREFERENCE, RECORD_TABS, tabLabel, type Editable, type RecordTabId } from './RecordTabs.js';
import { describeError, Notice } from './ApiMessage.js';
import { CallbackForm } from './CallbackForm.js';
import { CaseForm } from './CaseForm.js';
import { useDesktop } from './DesktopContext.js';
import { DialButton } from './DialButton.js';
import { emailProblem, mobileProblem, phoneProblem, postcodeProblem } from './field-checks.js';
import { orderPrice } from '../format.js';
import { OrderForm } from './OrderForm.js';
import { PrintButton } from './PrintButton.js';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';

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

export function CustomerRecord({ customerId }: { customerId: number }) {
  const { attemptId, record, customerChanged, reportRecordView } = useDesktop();
  const { phone, state } = usePhone();
  const [c, setC] = useState<CustomerDetail>();
  const [editing, setEditing] = useState<Record<Editable, string> & { contactPreference: Preference | ''; doNotCall: boolean }>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Editable, string>>>({});
  const [lastChanges, setLastChanges] = useState<FieldChange[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [verified, setVerified] = useState<boolean | undefined>();
  // What the server's identity rule made of the check, in words ("2 asked, 2 correct: verified").
  const [identitySummary, setIdentitySummary] = useState<string>();
  const [products, setProducts] = useState<Product[]>([]);
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  const [tab, setTab] = useState<RecordTabId>('identity');
  // The assessor's live mirror: the tab in front and the form last worked in on it, as they stand
  // after every render (a form reset after sending, or closed, shows so at once).
  const activeForm = useRef<HTMLFormElement | null>(null);
  const [, setViewTick] = useState(0);
  const viewChanged = useCallback((e: SyntheticEvent) => {
    const form = e.target instanceof Element ? e.target.closest('form') : null;
    if (form?.dataset.viewForm) activeForm.current = form;
    // After the event: a reset empties the fields only once its event has run.
    window.setTimeout(() => setViewTick((n) => n + 1), 0);
  }, []);
  useEffect(() => {
    const form = activeForm.current;
    const inFront = form?.isConnected && !form.closest('[role="tabpanel"]')?.hasAttribute('hidden');
    reportRecordView({ tab, form: form && inFront ? readViewForm(form) : null });
  });
  useEffect(() => () => reportRecordView(null), [reportRecordView]);

  const load = useCallback(async () => {
    try {
      const detail = await crm.customer(attemptId, customerId);
      setC(detail);
      return detail;
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
      return undefined;
    }
  }, [attemptId, customerId]);

  useEffect(() => {
    setVerified(undefined);
    setEditing(undefined);
    setLastChanges([]);
    void load().then(
      (d) => d && record('record-opened', { recordType: 'customer', recordId: d.id, customerId: d.id, accountNumber: d.accountNumber, label: `${d.firstName} ${d.lastName} (${d.accountNumber})` }),
    );
    crm.products(attemptId).then(setProducts, () => {});
    crm.caseCategories(attemptId).then(setCategories, () => {});
  }, [attemptId, customerId, load, record]);

  if (!c) return <Notice notice={notice} />;

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
      setNotice({ kind: 'ok', text: `Saved ${res.changes.length} change${res.changes.length === 1 ? '' : 's'}.` });
      await load();
      customerChanged();
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };

  const checkIdentity = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const res = await crm.identityCheck(attemptId, c.id, c.securityQuestions.map((q) => ({ questionId: q.id, answer: answers[q.id] ?? '' })));
      setVerified(res.passed);
      setIdentitySummary(res.summary);
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };

  const submit = (fn: (form: FormData) => Promise<string>) => handled(async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      const text = await fn(new FormData(form));
      form.reset();
      setNotice({ kind: 'ok', text });
      await load();
      customerChanged();
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  });

  /** After a form below saved something: say so and show the record as it now is. */
  const saved = (text: string) => async () => {
    setNotice({ kind: 'ok', text });
    await load();
    customerChanged();
  };

  const inCall = Boolean(state.call);
  const canDial = Boolean(phone) && state.registration === 'registered' && !inCall;
  const name = `${c.firstName} ${c.lastName}`;

  const identity = (
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

  const details = (
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

  const notes = (
    <section aria-label="Notes">
      <h4 className="visually-hidden">Notes</h4>
      <NotesList notes={c.notes} />
      <form
        data-view-form="note"
        onSubmit={submit(async (f) => {
          const body = formText(f, 'body').trim();
          await crm.addNote(attemptId, c.id, body);
          return 'Note added.';
        })}
      >
        <label htmlFor="note-body">New note</label>
        <textarea id="note-body" name="body" required rows={2} />
        <div className="row">
          <button type="submit">Add note</button>
        </div>
      </form>
    </section>
  );

  const callbacks = (
    <section aria-label="Callbacks">
      <h4 className="visually-hidden">Callbacks and tasks</h4>
      <CallbacksList callbacks={c.callbacks} />
      <CallbackForm customerId={c.id} onCreated={(b) => saved(`${b.kind === 'task' ? 'Task' : 'Callback'} created.`)()} />
    </section>
  );

  const cases = (
    <section aria-label="Cases">
      <h4 className="visually-hidden">Cases and complaints</h4>
      <CasesList cases={c.cases} categories={categories} action={(k) => <PrintButton kind="case" subjectId={k.id} label={`case ${k.reference}`} onResult={setNotice} />} />
      <CaseForm customerId={c.id} categories={categories} onCreated={(k) => saved(`Case ${k.reference} created.`)()} />
    </section>
  );

  const orders = (
    <section aria-label="Orders">
      <h4 className="visually-hidden">Orders</h4>
      <OrdersList orders={c.orders} action={(o) => <PrintButton kind="order" subjectId={o.id} label={`order ${o.reference}`} onResult={setNotice} />} />
      {products.length > 0 && <OrderForm customerId={c.id} products={products} onPlaced={(o) => saved(`Order ${o.reference} placed: ${orderPrice(o)}.`)()} />}
    </section>
  );

  const content: Record<RecordTabId, ReactNode> = { identity, details, notes, callbacks, cases, orders };
  return (
    <article className="record" aria-label={`Customer ${name}`} data-testid="customer-record">
      <header className="record-head">
        <h3>
          {c.title ? `${c.title} ` : ''}
          {name} <span className="muted">· {c.accountNumber}</span>
        </h3>
        {verified === true && <span className="tag ok" data-testid="identity-status">Identity verified</span>}
        {verified === false && <span className="tag bad" data-testid="identity-status">Identity NOT verified</span>}
        {verified !== undefined && identitySummary && <span className="small" data-testid="identity-summary">{identitySummary}</span>}
        {c.doNotCall && <span className="tag bad" data-testid="do-not-call">Do not call</span>}
        <div className="record-actions">
          <DialButton number={c.phone} name={name} label={`Call ${c.phone}`} doNotCall={c.doNotCall} disabled={!canDial} />
          {c.mobile && <DialButton number={c.mobile} name={name} label={`Call mobile ${c.mobile}`} doNotCall={c.doNotCall} disabled={!canDial} />}
          <PrintButton kind="customer" subjectId={c.id} label={`record of ${name}`} onResult={setNotice} />
        </div>
      </header>
      <p className="record-summary small muted">
        {[c.addressLine1, c.addressLine2, c.town, c.postcode].filter(Boolean).join(', ')}
        {c.email ? ` · ${c.email}` : ''}
        {c.contactPreference ? ` · prefers ${PREFERENCE[c.contactPreference]?.toLowerCase()}` : ''}
      </p>
      <Notice notice={notice} />
      <div onInput={viewChanged} onChange={viewChanged} onReset={viewChanged} onFocus={viewChanged}>
        <Tabs label="Customer record" selected={tab} onSelect={(id) => setTab(id as RecordTabId)} tabs={RECORD_TABS.map((t) => ({ id: t.id, label: tabLabel(t.id, c), content: content[t.id] }))} />
      </div>
    </article>
  );
}
