// The customer record's tabs as components that take their data as props: the details, notes,
// callbacks and tasks, cases and orders of a record, and the tab names. The candidate's record
// (CustomerRecord) adds its forms and buttons to them; the assessor's live mirror
// (console/DesktopMirror) shows the same tabs read-only.
import type { Key, ReactNode } from 'react';
import { EDITABLE_CUSTOMER_FIELDS, type CallbackPriority, type CasePriority, type EditableCustomerField } from '../../../server/protocol/crm.js';
import { VIEW_FORMS } from '../../../server/protocol/desktop-view.js';
import type { Callback, Case, CaseCategory, Customer, Note, Order } from './crm-api.js';
import { date, dateTime, dueText, isoDayGB, money, orderPrice, textOf } from '../format.js';

/** The record's text fields the candidate edits (the contact preference and do-not-call are edited apart). */
export type Editable = Exclude<EditableCustomerField, 'contactPreference' | 'doNotCall'>;

/** The record's tabs in order, with what the desktop calls each. */
export const RECORD_TABS = [
  { id: 'identity', label: 'Identity' },
  { id: 'details', label: 'Details' },
  { id: 'notes', label: 'Notes' },
  { id: 'callbacks', label: 'Callbacks' },
  { id: 'cases', label: 'Cases' },
  { id: 'orders', label: 'Orders' },
] as const;
export type RecordTabId = (typeof RECORD_TABS)[number]['id'];

/** What the desktop calls each field of the record (the words the assessor's mirror shows too). */
const FIELD_WORDS: Readonly<Record<EditableCustomerField, string>> = VIEW_FORMS.details.fields;

/** The record's text fields in order, with what the desktop calls each. */
export const DETAIL_FIELDS: ReadonlyArray<{ key: Editable; label: string }> = EDITABLE_CUSTOMER_FIELDS.filter((key): key is Editable => key !== 'contactPreference' && key !== 'doNotCall').map((key) => ({
  key,
  label: FIELD_WORDS[key],
}));

export const PREFERENCE: Record<string, string> = { phone: 'Phone', email: 'E-mail', sms: 'SMS', post: 'Post' };
/** A case's or callback's priority in words. */
export const PRIORITY: Readonly<Record<CasePriority | CallbackPriority, string>> = { low: 'Low', medium: 'Medium', normal: 'Normal', high: 'High', urgent: 'Urgent' };
/** The options of a priority select, lowest first, in words. */
export const priorityOptions = (priorities: ReadonlyArray<CasePriority | CallbackPriority>): ReactNode =>
  priorities.map((p) => (
    <option key={p} value={p}>
      {PRIORITY[p]}
    </option>
  ));
const STATUS: Record<string, string> = { open: 'Open', in_progress: 'In progress', resolved: 'Resolved', closed: 'Closed', placed: 'Placed', active: 'Active', cancelled: 'Cancelled', done: 'Done' };
const SALE: Record<string, string> = { standard: '', upsell: ' (up-sell)', cross_sell: ' (cross-sell)' };

/** A changed field in words ("Contact preference"), and its old or new value ("E-mail", "Yes"). */
export const changeLabel = (field: string): string => (EDITABLE_CUSTOMER_FIELDS as readonly string[]).includes(field) ? FIELD_WORDS[field as EditableCustomerField] : field;
export const changeValue = (field: string, value: unknown): string =>
  value === null || value === undefined || value === '' ? '—' : typeof value === 'boolean' ? (value ? 'Yes' : 'No') : field === 'contactPreference' ? (PREFERENCE[textOf(value)] ?? textOf(value)) : textOf(value);

/** The record's details as stored: every field, the contact preference and do-not-call. */
export function DetailsList({ customer }: { customer: Customer }) {
  return (
    <dl className="details">
      {DETAIL_FIELDS.map((f) => (
        <div key={f.key}>
          <dt>{f.label}</dt>
          <dd>{f.key === 'dateOfBirth' && customer.dateOfBirth ? isoDayGB(customer.dateOfBirth) : customer[f.key] || '—'}</dd>
        </div>
      ))}
      <div>
        <dt>Contact preference</dt>
        <dd>{customer.contactPreference ? PREFERENCE[customer.contactPreference] : '—'}</dd>
      </div>
      <div>
        <dt>Do not call</dt>
        <dd>{customer.doNotCall ? 'Yes' : 'No'}</dd>
      </div>
    </dl>
  );
}

/**
 * One tab's items: the staff's words when there are none, else the list. With `beside` (cases and
 * orders) each item leaves room on its right for what the desktop puts there (its print button);
 * the read-only mirror passes `beside` without an action, so its tabs are laid out the same.
 */
function TabItems<Item extends { id: Key }>({ items, none, item, beside }: { items: readonly Item[]; none: string; item: (i: Item) => ReactNode; beside?: { action?: ((i: Item) => ReactNode) | undefined } }) {
  if (items.length === 0) return <p className="muted">{none}</p>;
  return (
    <ul className="items">
      {items.map((i) =>
        beside ? (
          <li key={i.id} className="item-with-action">
            <div>{item(i)}</div>
            {beside.action?.(i)}
          </li>
        ) : (
          <li key={i.id}>{item(i)}</li>
        ),
      )}
    </ul>
  );
}

export function NotesList({ notes }: { notes: readonly Note[] }) {
  return (
    <TabItems
      items={notes}
      none="No notes yet."
      item={(n) => (
        <>
          <span className="muted small">{dateTime(n.createdAt)}</span> {n.body}
        </>
      )}
    />
  );
}

export function CallbacksList({ callbacks }: { callbacks: readonly Callback[] }) {
  return (
    <TabItems
      items={callbacks}
      none="No callbacks or tasks."
      item={(b) => (
        <>
          <strong>{dueText(b.dueAt)}</strong> · {b.kind === 'task' ? 'Task' : 'Callback'}
          {b.priority !== 'normal' ? ` · ${PRIORITY[b.priority]} priority` : ''} · {STATUS[b.status] ?? b.status}: {b.reason}
          {b.phone ? ` · call ${b.phone}` : ''}
        </>
      )}
    />
  );
}

/** `action`: what the desktop puts beside each case (its print button); nothing when read-only. */
export function CasesList({ cases, categories, action }: { cases: readonly Case[]; categories: readonly CaseCategory[]; action?: (k: Case) => ReactNode }) {
  const categoryLabel = (code: string) => categories.find((k) => k.code === code)?.label ?? code;
  return (
    <TabItems
      items={cases}
      none="No cases."
      beside={{ action }}
      item={(k) => (
        <>
          <strong>{k.reference}</strong> · {k.type === 'complaint' ? 'Complaint' : 'Query'}
          {k.category ? ` · ${categoryLabel(k.category)}` : ''} · {PRIORITY[k.priority]} priority · {STATUS[k.status] ?? k.status}
          {k.creditPence !== null && k.creditPence !== undefined ? ` · goodwill credit ${money(k.creditPence)}` : ''}
          {k.escalated && <span className="tag bad">Escalated</span>}
          <div className="small">{k.description}</div>
        </>
      )}
    />
  );
}

/** `action`: what the desktop puts beside each order (its print button); nothing when read-only. */
export function OrdersList({ orders, action }: { orders: readonly Order[]; action?: (o: Order) => ReactNode }) {
  return (
    <TabItems
      items={orders}
      none="No orders."
      beside={{ action }}
      item={(o) => (
        <>
          <strong>{o.reference}</strong> · {date(o.createdAt)} · {STATUS[o.status] ?? o.status} · {orderPrice(o)}
          <div className="small">{o.lines.map((l) => `${l.quantity}× ${l.productName}${SALE[l.saleType] ?? ''}`).join(', ')}</div>
        </>
      )}
    />
  );
}

/** A tab's name with how many items it holds: "Notes (2)". */
export function tabLabel(id: RecordTabId, customer: { notes: readonly unknown[]; callbacks: readonly unknown[]; cases: readonly unknown[]; orders: readonly unknown[] }): ReactNode {
  const label = RECORD_TABS.find((t) => t.id === id)!.label;
  const n = id === 'notes' || id === 'callbacks' || id === 'cases' || id === 'orders' ? customer[id].length : 0;
  return n > 0 ? (
    <>
      {label}
      <span className="count"> ({n})</span>
    </>
  ) : (
    label
  );
}
