// One customer's record: details with validated editing (changes shown old → new), the identity
// check, notes, callbacks, cases and orders. Every action goes on the attempt's timeline.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { usePhone } from '../softphone/PhoneContext.js';
import { crm, type CustomerDetail, type FieldChange, type Product } from './crm-api.js';
import { describeError, Notice } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';

type Editable = 'title' | 'firstName' | 'lastName' | 'dateOfBirth' | 'addressLine1' | 'addressLine2' | 'town' | 'postcode' | 'phone' | 'email';
const FIELDS: Array<{ key: Editable; label: string; type?: string; check?: (v: string) => string | undefined }> = [
  { key: 'title', label: 'Title' },
  { key: 'firstName', label: 'First name', check: (v) => (v.trim() ? undefined : 'required') },
  { key: 'lastName', label: 'Last name', check: (v) => (v.trim() ? undefined : 'required') },
  { key: 'dateOfBirth', label: 'Date of birth', type: 'date', check: (v) => (!v || new Date(v) < new Date() ? undefined : 'must be in the past') },
  { key: 'addressLine1', label: 'Address line 1', check: (v) => (v.trim() ? undefined : 'required') },
  { key: 'addressLine2', label: 'Address line 2' },
  { key: 'town', label: 'Town', check: (v) => (v.trim() ? undefined : 'required') },
  { key: 'postcode', label: 'Postcode', check: (v) => (/^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$/.test(v.trim()) ? undefined : 'not a UK postcode') },
  { key: 'phone', label: 'Phone', type: 'tel', check: (v) => (/^(\+44\s?|0)[\d\s]{9,12}$/.test(v.trim()) ? undefined : 'not a UK phone number') },
  { key: 'email', label: 'E-mail', type: 'email', check: (v) => (!v || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? undefined : 'not an e-mail address') },
];

const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;

export function CustomerRecord({ customerId }: { customerId: number }) {
  const { attemptId, record, customerChanged } = useDesktop();
  const { phone, state } = usePhone();
  const [c, setC] = useState<CustomerDetail>();
  const [editing, setEditing] = useState<Record<Editable, string>>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Editable, string>>>({});
  const [lastChanges, setLastChanges] = useState<FieldChange[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [verified, setVerified] = useState<boolean | undefined>();
  const [products, setProducts] = useState<Product[]>([]);

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
    void load().then((d) => d && record('record-opened', { customerId: d.id, accountNumber: d.accountNumber }));
    crm.products(attemptId).then(setProducts, () => {});
  }, [attemptId, customerId, load, record]);

  if (!c) return <Notice notice={notice} />;

  const startEdit = () =>
    setEditing(Object.fromEntries(FIELDS.map((f) => [f.key, (c[f.key] as string | null) ?? ''])) as Record<Editable, string>);

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
    const changed = Object.fromEntries(FIELDS.filter((f) => (editing[f.key] || null) !== (c[f.key] || null)).map((f) => [f.key, editing[f.key].trim() || null]));
    if (Object.keys(changed).length === 0) return setEditing(undefined);
    try {
      const res = await crm.update(attemptId, c.id, changed, c.version);
      for (const ch of res.changes) record('field-changed', { customerId: c.id, field: ch.field, old: ch.old, new: ch.new });
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
      record('identity-check', { customerId: c.id, passed: res.passed, questions: res.results.length, correct: res.results.filter((r) => r.correct).length });
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };

  const submit = (fn: (form: FormData) => Promise<string>) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      const text = await fn(new FormData(form));
      form.reset();
      setNotice({ kind: 'ok', text });
      await load();
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };

  const inCall = Boolean(state.call);
  return (
    <article className="record" aria-label={`Customer ${c.firstName} ${c.lastName}`} data-testid="customer-record">
      <header className="record-head">
        <h3>
          {c.title ? `${c.title} ` : ''}
          {c.firstName} {c.lastName} <span className="muted">· {c.accountNumber}</span>
        </h3>
        {verified === true && <span className="tag ok" data-testid="identity-status">Identity verified</span>}
        {verified === false && <span className="tag bad" data-testid="identity-status">Identity NOT verified</span>}
        {c.doNotCall && <span className="tag bad">Do not call</span>}
        <button type="button" disabled={inCall || c.doNotCall} onClick={() => phone?.dial(c.phone.replace(/\s/g, ''), `${c.firstName} ${c.lastName}`)}>
          Call {c.phone}
        </button>
      </header>
      <Notice notice={notice} />

      <section aria-label="Identity check">
        <h4>Security questions</h4>
        <form onSubmit={checkIdentity}>
          {c.securityQuestions.map((q) => (
            <div key={q.id}>
              <label htmlFor={`sq-${q.id}`}>{q.question}</label>
              <input id={`sq-${q.id}`} value={answers[q.id] ?? ''} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value })} autoComplete="off" />
            </div>
          ))}
          <button type="submit">Check identity</button>
        </form>
      </section>

      <section aria-label="Details">
        <h4>Details</h4>
        {!editing ? (
          <>
            <dl className="details">
              {FIELDS.map((f) => (
                <div key={f.key}>
                  <dt>{f.label}</dt>
                  <dd>{(c[f.key] as string | null) || '—'}</dd>
                </div>
              ))}
            </dl>
            <button type="button" onClick={startEdit}>
              Edit details
            </button>
          </>
        ) : (
          <form onSubmit={save} noValidate>
            {FIELDS.map((f) => (
              <div key={f.key}>
                <label htmlFor={`f-${f.key}`}>{f.label}</label>
                <input
                  id={`f-${f.key}`}
                  type={f.type ?? 'text'}
                  value={editing[f.key]}
                  aria-invalid={Boolean(fieldErrors[f.key])}
                  onChange={(e) => setEditing({ ...editing, [f.key]: e.target.value })}
                />
                {fieldErrors[f.key] && <span className="error">{fieldErrors[f.key]}</span>}
              </div>
            ))}
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
                {ch.field}: {String(ch.old ?? '—')} → {String(ch.new ?? '—')}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-label="Notes">
        <h4>Notes</h4>
        <ul>{c.notes.map((n) => <li key={n.id}>{n.body}</li>)}</ul>
        <form
          onSubmit={submit(async (f) => {
            const body = String(f.get('body') ?? '').trim();
            const r = await crm.addNote(attemptId, c.id, body);
            record('note-added', { customerId: c.id, noteId: r.note.id, length: body.length });
            return 'Note added.';
          })}
        >
          <label htmlFor="note-body">New note</label>
          <textarea id="note-body" name="body" required rows={2} />
          <button type="submit">Add note</button>
        </form>
      </section>

      <section aria-label="Callbacks">
        <h4>Callbacks and tasks</h4>
        <ul>{c.callbacks.map((b) => <li key={b.id}>{b.dueAt}: {b.reason}</li>)}</ul>
        <form
          onSubmit={submit(async (f) => {
            const dueAt = String(f.get('dueAt') ?? '');
            const reason = String(f.get('reason') ?? '').trim();
            const r = await crm.addCallback(attemptId, c.id, dueAt, reason);
            record('callback-created', { customerId: c.id, callbackId: r.callback.id, dueAt, reason });
            return 'Callback created.';
          })}
        >
          <label htmlFor="cb-due">Due</label>
          <input id="cb-due" name="dueAt" type="datetime-local" required />
          <label htmlFor="cb-reason">Reason</label>
          <input id="cb-reason" name="reason" required />
          <button type="submit">Create callback</button>
        </form>
      </section>

      <section aria-label="Cases">
        <h4>Cases and complaints</h4>
        <ul>{c.cases.map((k) => <li key={k.id}>{k.type} · {k.priority} · {k.status}: {k.description}</li>)}</ul>
        <form
          onSubmit={submit(async (f) => {
            const body = { type: String(f.get('type')), priority: String(f.get('priority')), description: String(f.get('description') ?? '').trim(), escalated: f.get('escalated') === 'on' };
            const r = await crm.addCase(attemptId, c.id, body);
            record('case-created', { customerId: c.id, caseId: r.case.id, type: body.type, priority: body.priority, escalated: body.escalated });
            return 'Case created.';
          })}
        >
          <label htmlFor="case-type">Type</label>
          <select id="case-type" name="type">
            <option value="complaint">Complaint</option>
            <option value="query">Query</option>
          </select>
          <label htmlFor="case-priority">Priority</label>
          <select id="case-priority" name="priority">
            <option value="low">Low</option>
            <option value="medium">Medium</option>
            <option value="high">High</option>
            <option value="urgent">Urgent</option>
          </select>
          <label htmlFor="case-description">Description</label>
          <textarea id="case-description" name="description" required rows={2} />
          <label>
            <input type="checkbox" name="escalated" /> Escalate to a supervisor
          </label>
          <button type="submit">Create case</button>
        </form>
      </section>

      <section aria-label="Orders">
        <h4>Orders</h4>
        <ul>{c.orders.map((o) => <li key={o.id}>{o.reference} · {money(o.totalPence)} · {o.lines.map((l) => `${l.quantity}× ${l.productName}`).join(', ')}</li>)}</ul>
        <form
          onSubmit={submit(async (f) => {
            const saleType = String(f.get('saleType') ?? 'standard') as 'standard' | 'upsell' | 'cross_sell';
            const lines = [{ productCode: String(f.get('product')), quantity: Number(f.get('quantity')), saleType }];
            const r = await crm.addOrder(attemptId, c.id, lines);
            record('order-created', { customerId: c.id, orderId: r.order.id, totalPence: r.order.totalPence, lines });
            return `Order created: ${money(r.order.totalPence)}.`;
          })}
        >
          <label htmlFor="order-product">Product</label>
          <select id="order-product" name="product" required>
            {products.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name} ({money(p.pricePence)})
              </option>
            ))}
          </select>
          <label htmlFor="order-qty">Quantity</label>
          <input id="order-qty" name="quantity" type="number" min={1} max={99} defaultValue={1} required />
          <label htmlFor="order-sale-type">Sale type</label>
          <select id="order-sale-type" name="saleType">
            <option value="standard">Standard</option>
            <option value="upsell">Up-sell</option>
            <option value="cross_sell">Cross-sell</option>
          </select>
          <button type="submit">Place order</button>
        </form>
      </section>
    </article>
  );
}
