// The inbox: incoming e-mail and SMS (newest first) and the messages sent from this attempt, each
// opening to its full text, with Reply and a link to the sender's customer record.
import { useCallback, useEffect, useState } from 'react';
import { Tabs } from '../components/Tabs.js';
import { describeError } from './ApiMessage.js';
import { crm, type Message } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { shortDateTime } from './format.js';

export function Inbox({ reloadKey, onReply }: { reloadKey: number; onReply: (m: Message) => void }) {
  const { attemptId } = useDesktop();
  const [incoming, setIncoming] = useState<Message[]>();
  const [sent, setSent] = useState<Message[]>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    Promise.all([crm.messages(attemptId, 'in'), crm.messages(attemptId, 'out')]).then(
      ([i, o]) => {
        setIncoming(i);
        setSent(o);
        setError(undefined);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [attemptId]);
  useEffect(load, [load, reloadKey]);

  return (
    <div className="inbox">
      <div className="row spread">
        {error ? <p className="error" role="alert">{error}</p> : <span />}
        <button type="button" className="small" onClick={load}>
          Refresh
        </button>
      </div>
      <Tabs
        label="Messages"
        className="sub-tabs"
        tabs={[
          { id: 'in', label: `Incoming${incoming ? ` (${incoming.length})` : ''}`, content: <MessageList messages={incoming} onReply={onReply} empty="No incoming messages." /> },
          { id: 'out', label: `Sent${sent ? ` (${sent.length})` : ''}`, content: <MessageList messages={sent} empty="Nothing sent yet." /> },
        ]}
      />
    </div>
  );
}

function MessageList({ messages, onReply, empty }: { messages: Message[] | undefined; onReply?: (m: Message) => void; empty: string }) {
  const { openCustomer } = useDesktop();
  if (!messages) return <p className="muted">Loading…</p>;
  if (messages.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="messages">
      {messages.map((m) => (
        <li key={m.id} data-testid="message">
          <details className="item">
            <summary>
              <span className="message-meta small">
                <span className="tag plain">{m.channel === 'email' ? 'E-mail' : 'SMS'}</span>
                <span className="who">{m.direction === 'in' ? `From ${m.from}` : `To ${m.to}`}</span>
                <span className="muted">{shortDateTime(m.createdAt)}</span>
              </span>
              <span className="item-title">{m.subject ?? m.body.slice(0, 60)}</span>
            </summary>
            <dl className="message-head small">
              <div>
                <dt>From</dt>
                <dd>{m.from}</dd>
              </div>
              <div>
                <dt>To</dt>
                <dd>{m.to}</dd>
              </div>
              {m.cc.length > 0 && (
                <div>
                  <dt>Cc</dt>
                  <dd>{m.cc.join(', ')}</dd>
                </div>
              )}
            </dl>
            <p className="message-body">{m.body}</p>
            {m.attachments.length > 0 && (
              <p className="small">
                Attachments: {m.attachments.map((a) => a.name).join(', ')}
              </p>
            )}
            <div className="row">
              {onReply && (
                <button type="button" className="small" onClick={() => onReply(m)}>
                  Reply<span className="visually-hidden"> to {m.from}</span>
                </button>
              )}
              {m.customerId !== null && (
                <button type="button" className="small" onClick={() => openCustomer(m.customerId!)}>
                  Open customer record
                </button>
              )}
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
