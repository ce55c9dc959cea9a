// The inbox: incoming e-mail and SMS (newest first) and the messages sent from this attempt, each
// opening to its full text, with Reply, a link to the sender's customer record and, where the
// scenario has folders, filing in one; a folder filter; and the out-of-office auto-reply.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { NotYet } from '../components/AsyncState.js';
import { Tabs } from '../components/Tabs.js';
import { useLoad } from '../components/useLoad.js';
import { describeError, FieldError, FormFailure, useFieldErrors, useFormFeedback } from './ApiMessage.js';
import { crm, type AutoReply, type Message } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { dateTime, shortDateTime } from '../format.js';
import { handled } from '../components/handled.js';
import { Problem } from '../components/useAction.js';

/** The folder filter: every message, those still in the inbox, or one folder's. */
const ALL = '\u0000all';
const INBOX = '\u0000inbox';

export function Inbox({ reloadKey, onReply }: { reloadKey: number; onReply: (m: Message) => void }) {
  const { attemptId } = useDesktop();
  const [show, setShow] = useState(ALL);
  const read = useLoad(
    useCallback(async () => {
      const [incoming, sent, folders] = await Promise.all([crm.messages(attemptId, 'in'), crm.messages(attemptId, 'out'), crm.messageFolders(attemptId)]);
      return { incoming, sent, folders };
    }, [attemptId]),
    reloadKey,
  );
  const { incoming, sent } = read.data ?? {};
  const folders = read.data?.folders ?? [];
  const error = read.error;
  const load = () => void read.reload();

  const shown = incoming?.filter((m) => show === ALL || (show === INBOX ? m.folder === null : m.folder === show));
  return (
    <div className="inbox">
      <div className="row spread">
        {error ? <Problem error={error} /> : <span />}
        <button type="button" className="small" onClick={load}>
          Refresh
        </button>
      </div>
      <Tabs
        label="Messages"
        className="sub-tabs"
        tabs={[
          {
            id: 'in',
            label: `Incoming${incoming ? ` (${incoming.length})` : ''}`,
            content: (
              <>
                {folders.length > 0 && (
                  <div className="folder-filter">
                    <label htmlFor="inbox-show">Show</label>
                    <select id="inbox-show" value={show} onChange={(e) => setShow(e.target.value)}>
                      <option value={ALL}>All incoming messages</option>
                      <option value={INBOX}>Inbox (not filed)</option>
                      {folders.map((f) => (
                        <option key={f} value={f}>
                          Folder: {f}
                        </option>
                      ))}
                    </select>
                  </div>
                )}
                <MessageList messages={shown} onReply={onReply} folders={folders} onFiled={load} empty={show === ALL ? 'No incoming messages.' : 'No messages here.'} />
              </>
            ),
          },
          { id: 'out', label: `Sent${sent ? ` (${sent.length})` : ''}`, content: <MessageList messages={sent} empty="Nothing sent yet." /> },
        ]}
      />
      <AutoReplyForm />
    </div>
  );
}

function MessageList({ messages, onReply, folders, onFiled, empty }: { messages: Message[] | undefined; onReply?: (m: Message) => void; folders?: string[]; onFiled?: () => void; empty: string }) {
  const { openCustomer } = useDesktop();
  // A failure to read them is said above the tabs, beside Refresh.
  if (!messages) return <NotYet loading="Loading…" />;
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
              {m.folder !== null && <span className="tag plain folder-tag">Filed: {m.folder}</span>}
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
            {m.direction === 'in' && folders && folders.length > 0 && <FileMessage message={m} folders={folders} onFiled={onFiled} />}
          </details>
        </li>
      ))}
    </ul>
  );
}

/** Files an incoming message in one of the scenario's folders, or moves it back to the inbox. */
function FileMessage({ message, folders, onFiled }: { message: Message; folders: string[]; onFiled?: () => void }) {
  const { attemptId } = useDesktop();
  const [folder, setFolder] = useState(message.folder ?? '');
  const errors = useFormFeedback(['folder']);
  const id = `file-${message.id}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await errors.submit({}, async () => {
      await crm.fileMessage(attemptId, message.id, folder || null);
      onFiled?.();
    });
  };
  return (
    <form className="file-message" onSubmit={handled(submit)} aria-label={`File the message from ${message.from}`} noValidate>
      <label htmlFor={id}>File in</label>
      <div className="inline">
        <select value={folder} onChange={(e) => setFolder(e.target.value)} {...errors.input('folder', id)}>
          <option value="">Inbox (not filed)</option>
          {folders.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <button type="submit" className="small">
          {folder ? 'File' : 'Move to inbox'}
        </button>
      </div>
      <FieldError id={id} message={errors.of('folder')} />
      {message.filedAt !== null && <p className="small muted">Filed in {message.folder} on {dateTime(message.filedAt)}.</p>}
      <FormFailure feedback={errors} />
    </form>
  );
}

/** The out-of-office auto-reply: on or off, and its message. */
function AutoReplyForm() {
  const { attemptId } = useDesktop();
  const [saved, setSaved] = useState<AutoReply>();
  const [enabled, setEnabled] = useState(false);
  const [body, setBody] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const errors = useFieldErrors();
  useEffect(() => {
    crm.autoReply(attemptId).then(
      (a) => {
        setSaved(a);
        setEnabled(a.enabled);
        setBody(a.body ?? '');
      },
      (err: unknown) => setStatus({ kind: 'error', text: describeError(err) }),
    );
  }, [attemptId]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (enabled && !body.trim()) return errors.show({ body: 'Write the auto-reply message before switching it on.' });
    try {
      const a = await crm.setAutoReply(attemptId, enabled, body.trim() || null);
      errors.clear();
      setSaved(a);
      setStatus({ kind: 'ok', text: a.enabled ? 'Auto-reply is on.' : 'Auto-reply is off.' });
    } catch (err) {
      const general = errors.fromFailure(err, ['body']);
      setStatus(general ? { kind: 'error', text: general } : undefined);
    }
  };
  return (
    <details className="auto-reply">
      <summary>
        Out-of-office auto-reply <span className={`tag ${saved?.enabled ? 'ok' : 'plain'}`}>{saved?.enabled ? 'On' : 'Off'}</span>
      </summary>
      <form onSubmit={handled(submit)} noValidate aria-label="Auto-reply">
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Reply automatically to incoming e-mail
        </label>
        <label htmlFor="auto-reply-body">Auto-reply message</label>
        <textarea rows={3} value={body} onChange={(e) => setBody(e.target.value)} {...errors.input('body', 'auto-reply-body')} />
        <FieldError id="auto-reply-body" message={errors.of('body')} />
        <div className="row">
          <button type="submit">Save auto-reply</button>
        </div>
        {status && (
          <p className={status.kind === 'ok' ? 'notice' : 'error'} role={status.kind === 'ok' ? 'status' : 'alert'}>
            {status.text}
          </p>
        )}
      </form>
    </details>
  );
}
