// Compose a follow-up e-mail or SMS: to the open customer (their e-mail address, or their mobile
// for an SMS) or as a reply to an inbox message; from a template whose obvious placeholders are
// filled in (the customer's name, the agent's name, an attached order's details); with documents
// and order confirmations attached to e-mails. Placeholders left unfilled stop the send.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useSession } from '../session.js';
import { describeError, Notice } from './ApiMessage.js';
import { crm, type Channel, type CrmDocument, type CustomerDetail, type MessageTemplate, type Order, type OutgoingMessage } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { date, isUkMobile, money, orderPrice, price } from './format.js';

export interface ReplyDraft {
  channel: Channel;
  to: string;
  subject: string;
  customerId: number | null;
  /** Who is being answered, in words. */
  label: string;
}

export type ComposeCustomer = Pick<CustomerDetail, 'id' | 'title' | 'firstName' | 'lastName' | 'accountNumber' | 'email' | 'phone' | 'mobile' | 'orders'>;

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Replaces the placeholders it has values for; the others stay for the candidate to fill. */
export function fillPlaceholders(text: string, values: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => values[key] ?? whole);
}

const unfilled = (...texts: string[]): string[] => [...new Set(texts.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[0])))];

/** The address a message on this channel goes to by default: e-mail, else a mobile for SMS. */
function defaultRecipient(channel: Channel, customer: ComposeCustomer | undefined): string {
  if (!customer) return '';
  if (channel === 'email') return customer.email ?? '';
  if (customer.mobile) return customer.mobile;
  return isUkMobile(customer.phone) ? customer.phone : '';
}

export function FollowUp({
  customer,
  draft,
  onSent,
  onCancelReply,
  lastSent,
}: {
  customer?: ComposeCustomer;
  draft?: ReplyDraft;
  /** Called with the confirmation once a message is sent. */
  onSent: (confirmation: string) => void;
  onCancelReply?: () => void;
  /** The confirmation of the message sent just before this form was (re)opened. */
  lastSent?: string;
}) {
  const { attemptId } = useDesktop();
  const agentName = useSession().session?.user.displayName;
  const [templates, setTemplates] = useState<MessageTemplate[]>([]);
  const [documents, setDocuments] = useState<CrmDocument[]>([]);
  const [channel, setChannel] = useState<Channel>(draft?.channel ?? 'email');
  const [to, setTo] = useState(draft?.to ?? defaultRecipient('email', customer));
  const [cc, setCc] = useState('');
  const [templateKey, setTemplateKey] = useState('');
  const [subject, setSubject] = useState(draft?.subject ?? '');
  const [body, setBody] = useState(customer && !draft ? `Dear ${customer.title ?? customer.firstName} ${customer.lastName},\n\n` : '');
  const [docKeys, setDocKeys] = useState<string[]>([]);
  const [orderIds, setOrderIds] = useState<number[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>(lastSent ? { kind: 'ok', text: lastSent } : undefined);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    crm.templates(attemptId).then(
      (r) => {
        setTemplates(r.templates);
        setDocuments(r.documents);
      },
      (err: unknown) => setNotice({ kind: 'error', text: describeError(err) }),
    );
  }, [attemptId]);

  // The open customer, unless this is a reply to someone else.
  const addressee = customer && (!draft || draft.customerId === customer.id) ? customer : undefined;
  const orders: Order[] = addressee?.orders ?? [];
  // One attached order supplies the order placeholders (its reference, lines, prices and date).
  const attachedOrder = orderIds.length === 1 ? orders.find((o) => o.id === orderIds[0]) : undefined;
  const values = useMemo(() => {
    const v: Record<string, string | undefined> = { agentName };
    if (addressee) {
      Object.assign(v, {
        title: addressee.title ?? addressee.firstName,
        firstName: addressee.firstName,
        lastName: addressee.lastName,
        fullName: `${addressee.firstName} ${addressee.lastName}`,
        accountNumber: addressee.accountNumber,
      });
    }
    const o = attachedOrder;
    if (o) {
      Object.assign(v, {
        orderReference: o.reference,
        orderLines: o.lines.map((l) => `${l.quantity} × ${l.productName}: ${price(l.lineTotalPence, l.priceBasis)}`).join('\n'),
        monthlyPrice: money(o.monthlyPence),
        oneOffPrice: money(o.oneOffPence),
        orderTotal: orderPrice(o),
        date: date(o.createdAt),
      });
    }
    return v;
  }, [agentName, addressee, attachedOrder]);

  // Values that become known later (an order ticked after the template was chosen) fill what is left.
  useEffect(() => {
    setSubject((s) => fillPlaceholders(s, values));
    setBody((b) => fillPlaceholders(b, values));
  }, [values]);

  const changeChannel = (c: Channel) => {
    setChannel(c);
    if (!draft || draft.channel !== c) setTo(defaultRecipient(c, customer));
    else setTo(draft.to);
    setTemplateKey('');
  };

  const chooseTemplate = (key: string) => {
    setTemplateKey(key);
    const t = templates.find((x) => x.key === key);
    if (!t) return;
    if (t.subject !== null) setSubject(fillPlaceholders(t.subject, values));
    setBody(fillPlaceholders(t.body, values));
  };

  const toggle = <T,>(list: T[], item: T, on: boolean): T[] => (on ? [...list, item] : list.filter((x) => x !== item));

  const reset = () => {
    setTemplateKey('');
    setSubject('');
    setBody(customer && !draft ? `Dear ${customer.title ?? customer.firstName} ${customer.lastName},\n\n` : '');
    setCc('');
    setDocKeys([]);
    setOrderIds([]);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const recipient = to.trim();
    const ccList = cc.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
    const problems: string[] = [];
    if (channel === 'email' && !EMAIL.test(recipient)) problems.push(`To: "${recipient}" is not an e-mail address.`);
    if (channel === 'sms' && !isUkMobile(recipient)) problems.push(`To: an SMS needs a UK mobile number (07…)${recipient ? `, not "${recipient}"` : ''}.`);
    for (const a of ccList) if (!EMAIL.test(a)) problems.push(`Cc: "${a}" is not an e-mail address.`);
    if (channel === 'email' && !subject.trim()) problems.push('Subject: write a subject.');
    if (!body.trim()) problems.push('Message: write the message.');
    const left = unfilled(subject, body);
    if (left.length) problems.push(`Fill in or remove the template placeholders still in the message: ${left.join(', ')}.`);
    if (problems.length) return setNotice({ kind: 'error', text: problems.join(' ') });

    const customerId = draft ? (draft.customerId ?? undefined) : customer?.id;
    const message: OutgoingMessage = {
      channel,
      to: recipient,
      body: body.trim(),
      ...(channel === 'email'
        ? {
            subject: subject.trim(),
            ...(ccList.length ? { cc: ccList } : {}),
            attachments: [...docKeys.map((key) => ({ kind: 'document' as const, key })), ...orderIds.map((orderId) => ({ kind: 'order' as const, orderId }))],
          }
        : {}),
      ...(templateKey ? { templateKey } : {}),
      ...(customerId ? { customerId } : {}),
    };
    setSending(true);
    try {
      // The server records the message on the attempt's timeline as it stores it.
      await crm.sendMessage(attemptId, message);
      const confirmation = `${channel === 'email' ? 'E-mail' : 'SMS'} sent to ${recipient}.`;
      setNotice({ kind: 'ok', text: confirmation });
      reset();
      onSent(confirmation);
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    } finally {
      setSending(false);
    }
  };

  const forChannel = templates.filter((t) => t.channel === channel);
  const smsLength = channel === 'sms' ? body.trim().length : 0;
  return (
    <form onSubmit={submit} aria-label="Follow-up message" className="compose" noValidate>
      <p className="small muted compose-for">
        {draft ? `Reply to ${draft.label}` : customer ? `To ${customer.title ? `${customer.title} ` : ''}${customer.firstName} ${customer.lastName} (${customer.accountNumber})` : 'No customer open: enter the recipient.'}
        {draft && onCancelReply && (
          <>
            {' '}
            <button type="button" className="small link" onClick={onCancelReply}>
              Cancel reply
            </button>
          </>
        )}
      </p>
      <fieldset className="channel">
        <legend>Channel</legend>
        <label className="check">
          <input type="radio" name="channel" checked={channel === 'email'} onChange={() => changeChannel('email')} /> E-mail
        </label>
        <label className="check">
          <input type="radio" name="channel" checked={channel === 'sms'} onChange={() => changeChannel('sms')} /> SMS
        </label>
      </fieldset>
      <label htmlFor="msg-to">To</label>
      <input id="msg-to" name="to" type={channel === 'email' ? 'email' : 'tel'} value={to} onChange={(e) => setTo(e.target.value)} required aria-describedby="msg-to-hint" />
      <span id="msg-to-hint" className="small muted">
        {channel === 'sms'
          ? customer && !defaultRecipient('sms', customer) && !draft
            ? 'No mobile number on the record: an SMS needs a UK mobile (07…).'
            : 'UK mobile number (07…).'
          : customer && !customer.email && !draft
            ? 'No e-mail address on the record.'
            : ''}
      </span>
      {channel === 'email' && (
        <>
          <label htmlFor="msg-cc">Cc (optional)</label>
          <input id="msg-cc" name="cc" value={cc} onChange={(e) => setCc(e.target.value)} placeholder="Separate addresses with commas" />
        </>
      )}
      <label htmlFor="msg-template">Template</label>
      <select id="msg-template" value={templateKey} onChange={(e) => chooseTemplate(e.target.value)}>
        <option value="">No template</option>
        {forChannel.map((t) => (
          <option key={t.key} value={t.key}>
            {t.name}
          </option>
        ))}
      </select>
      {channel === 'email' && (
        <>
          <label htmlFor="msg-subject">Subject</label>
          <input id="msg-subject" name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} required />
        </>
      )}
      <label htmlFor="msg-body">Message</label>
      <textarea id="msg-body" name="body" rows={channel === 'sms' ? 3 : 6} value={body} onChange={(e) => setBody(e.target.value)} required aria-describedby={channel === 'sms' ? 'msg-length' : undefined} />
      {channel === 'sms' && (
        <span id="msg-length" className={`small ${smsLength > 612 ? 'error' : 'muted'}`}>
          {smsLength} of 612 characters ({Math.max(1, Math.ceil(smsLength / 153))} part{smsLength > 160 ? 's' : ''})
        </span>
      )}
      {channel === 'email' && (documents.length > 0 || orders.length > 0) && (
        <fieldset className="attachments">
          <legend>Attachments</legend>
          {documents.map((d) => (
            <label key={d.key} className="check">
              <input type="checkbox" checked={docKeys.includes(d.key)} onChange={(e) => setDocKeys(toggle(docKeys, d.key, e.target.checked))} />
              <span>
                {d.title} <span className="muted small">(PDF)</span>
              </span>
            </label>
          ))}
          {orders.map((o) => (
            <label key={o.id} className="check">
              <input type="checkbox" checked={orderIds.includes(o.id)} onChange={(e) => setOrderIds(toggle(orderIds, o.id, e.target.checked))} />
              <span>
                Order confirmation {o.reference} <span className="muted small">({date(o.createdAt)})</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <div className="row">
        <button type="submit" disabled={sending}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <Notice notice={notice} />
    </form>
  );
}
