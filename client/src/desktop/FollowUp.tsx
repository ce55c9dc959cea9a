// Compose a follow-up e-mail or SMS: to the open customer (their e-mail address, or their mobile
// for an SMS) or as a reply to an inbox message; from a template the server fills from the records
// (the customer, and the order, case and callback or task chosen under "Fill in from"); with
// documents and order confirmations attached to e-mails. Placeholders left unfilled stop the send.
import { useEffect, useState, type FormEvent } from 'react';
import { fillPlaceholders, unfilledPlaceholders } from '../../../server/protocol/templates.js';
import { isEmailAddress, isUkMobile } from '../../../server/protocol/validation.js';
import { describeError, Notice } from './ApiMessage.js';
import { crm, type Callback, type Case, type Channel, type CrmDocument, type CustomerDetail, type MessageTemplate, type Order, type OutgoingMessage } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { date, dueText } from '../format.js';
import { handled } from '../components/handled.js';

export interface ReplyDraft {
  channel: Channel;
  to: string;
  subject: string;
  customerId: number | null;
  /** Who is being answered, in words. */
  label: string;
  /** The incoming message being answered. */
  messageId?: number;
}

export type ComposeCustomer = Pick<CustomerDetail, 'id' | 'title' | 'firstName' | 'lastName' | 'accountNumber' | 'email' | 'phone' | 'mobile' | 'orders' | 'cases' | 'callbacks'>;

/** The newest record the candidate made in this attempt, if any: what a message usually confirms. */
const newestOwn = (list: ReadonlyArray<{ id: number; origin: string; createdAt: number }>): number | '' =>
  [...list].filter((x) => x.origin === 'attempt').sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0]?.id ?? '';


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
  // The open customer, unless this is a reply to someone else.
  const addressee = customer && (!draft || draft.customerId === customer.id) ? customer : undefined;
  const orders: Order[] = addressee?.orders ?? [];
  const cases: Case[] = addressee?.cases ?? [];
  const callbacks: Callback[] = addressee?.callbacks ?? [];
  // What a template is filled in from: the newest order, case and callback made in this attempt.
  const [newestOrder, newestCase, newestCallback] = [newestOwn(orders), newestOwn(cases), newestOwn(callbacks)];
  const [fillOrder, setFillOrder] = useState<number | ''>(newestOrder);
  const [fillCase, setFillCase] = useState<number | ''>(newestCase);
  const [fillCallback, setFillCallback] = useState<number | ''>(newestCallback);
  // A record made while this form is open is the one to fill from.
  useEffect(() => setFillOrder(newestOrder), [newestOrder]);
  useEffect(() => setFillCase(newestCase), [newestCase]);
  useEffect(() => setFillCallback(newestCallback), [newestCallback]);
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

  const sources = {
    ...(addressee ? { customerId: addressee.id } : {}),
    ...(fillOrder !== '' ? { orderId: fillOrder } : {}),
    ...(fillCase !== '' ? { caseId: fillCase } : {}),
    ...(fillCallback !== '' ? { callbackId: fillCallback } : {}),
  };
  const sourceKey = JSON.stringify(sources);

  // A record chosen after the template fills the placeholders still left in the text.
  useEffect(() => {
    if (!templateKey) return;
    let current = true;
    crm.filledTemplate(attemptId, templateKey, JSON.parse(sourceKey) as typeof sources).then(
      (filled) => {
        if (!current) return;
        setSubject((s) => fillPlaceholders(s, filled.values));
        setBody((b) => fillPlaceholders(b, filled.values));
      },
      (err: unknown) => current && setNotice({ kind: 'error', text: describeError(err) }),
    );
    return () => {
      current = false;
    };
    // Only when the records chosen change: choosing a template fills it (chooseTemplate).
  }, [attemptId, sourceKey]);

  const changeChannel = (c: Channel) => {
    setChannel(c);
    if (!draft || draft.channel !== c) setTo(defaultRecipient(c, customer));
    else setTo(draft.to);
    setTemplateKey('');
  };

  const chooseTemplate = async (key: string) => {
    setTemplateKey(key);
    if (!key) return;
    try {
      const filled = await crm.filledTemplate(attemptId, key, sources);
      if (filled.subject !== null) setSubject(filled.subject);
      setBody(filled.body);
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
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
    if (channel === 'email' && !isEmailAddress(recipient)) problems.push(`To: "${recipient}" is not an e-mail address.`);
    if (channel === 'sms' && !isUkMobile(recipient)) problems.push(`To: an SMS needs a UK mobile number (07…)${recipient ? `, not "${recipient}"` : ''}.`);
    for (const a of ccList) if (!isEmailAddress(a)) problems.push(`Cc: "${a}" is not an e-mail address.`);
    if (channel === 'email' && !subject.trim()) problems.push('Subject: write a subject.');
    if (!body.trim()) problems.push('Message: write the message.');
    const left = unfilledPlaceholders(subject, body);
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
      ...(draft?.messageId ? { inReplyTo: draft.messageId } : {}),
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
    <form onSubmit={handled(submit)} aria-label="Follow-up message" className="compose" noValidate>
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
      {addressee && (orders.length > 0 || cases.length > 0 || callbacks.length > 0) && (
        <fieldset className="fill-from">
          <legend>Fill in the template from</legend>
          <div className="form-grid">
            {orders.length > 0 && (
              <div>
                <label htmlFor="fill-order">Order</label>
                <select id="fill-order" value={fillOrder} onChange={(e) => setFillOrder(e.target.value ? Number(e.target.value) : '')}>
                  <option value="">None</option>
                  {orders.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.reference} ({date(o.createdAt)})
                    </option>
                  ))}
                </select>
              </div>
            )}
            {cases.length > 0 && (
              <div>
                <label htmlFor="fill-case">Case</label>
                <select id="fill-case" value={fillCase} onChange={(e) => setFillCase(e.target.value ? Number(e.target.value) : '')}>
                  <option value="">None</option>
                  {cases.map((k) => (
                    <option key={k.id} value={k.id}>
                      {k.reference} ({k.type === 'complaint' ? 'complaint' : 'query'})
                    </option>
                  ))}
                </select>
              </div>
            )}
            {callbacks.length > 0 && (
              <div>
                <label htmlFor="fill-callback">Callback or task</label>
                <select id="fill-callback" value={fillCallback} onChange={(e) => setFillCallback(e.target.value ? Number(e.target.value) : '')}>
                  <option value="">None</option>
                  {callbacks.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.kind === 'task' ? 'Task' : 'Callback'}, {dueText(b.dueAt)}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
        </fieldset>
      )}
      <label htmlFor="msg-template">Template</label>
      <select id="msg-template" value={templateKey} onChange={(e) => void chooseTemplate(e.target.value)}>
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
