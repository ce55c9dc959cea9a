// Follow-up e-mail or SMS to the open customer.
import { useState, type FormEvent } from 'react';
import { crm, type CustomerDetail } from './crm-api.js';
import { describeError, Notice } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';

export function FollowUp({ customer }: { customer: Pick<CustomerDetail, 'id' | 'email' | 'phone' | 'firstName'> }) {
  const { attemptId, record } = useDesktop();
  const [channel, setChannel] = useState<'email' | 'sms'>('email');
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = {
      channel,
      to: String(f.get('to') ?? '').trim(),
      ...(channel === 'email' ? { subject: String(f.get('subject') ?? '').trim() } : {}),
      body: String(f.get('body') ?? '').trim(),
    };
    try {
      const r = await crm.sendMessage(attemptId, body);
      record('message-sent', { customerId: customer.id, messageId: r.message.id, channel, to: body.to });
      setNotice({ kind: 'ok', text: `${channel === 'email' ? 'E-mail' : 'SMS'} sent to ${body.to}.` });
      form.reset();
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };
  return (
    <form onSubmit={submit} aria-label="Follow-up message">
      <fieldset>
        <legend>Channel</legend>
        <label>
          <input type="radio" name="channel" checked={channel === 'email'} onChange={() => setChannel('email')} /> E-mail
        </label>
        <label>
          <input type="radio" name="channel" checked={channel === 'sms'} onChange={() => setChannel('sms')} /> SMS
        </label>
      </fieldset>
      <label htmlFor="msg-to">To</label>
      <input id="msg-to" name="to" key={channel} defaultValue={channel === 'email' ? (customer.email ?? '') : customer.phone} required />
      {channel === 'email' && (
        <>
          <label htmlFor="msg-subject">Subject</label>
          <input id="msg-subject" name="subject" required />
        </>
      )}
      <label htmlFor="msg-body">Message</label>
      <textarea id="msg-body" name="body" rows={4} required defaultValue={`Dear ${customer.firstName},\n\n`} />
      <button type="submit">Send</button>
      <Notice notice={notice} />
    </form>
  );
}
