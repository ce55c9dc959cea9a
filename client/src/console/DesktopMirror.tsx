// The assessor's live, read-only mirror of the candidate's desktop: the customer record and tab
// they have open (the record's tabs as the desktop shows them, read-only: desktop/RecordTabs), the
// form they are filling in as it changes (before it is sent), the messages panel in front, and their
// agent state and call with its hold, with timers. The view is what the candidate's browser says it
// shows, labelled "What the candidate sees now" and never marking evidence; the agent state and the
// call come from what the server recorded (server/realtime/desktop-view.ts). A watcher who joins
// late gets the latest view; after a reconnect it asks again.
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { VIEW_FORMS, type DesktopStatus, type DesktopStatusRelay, type DesktopView, type DesktopViewRelay, type DesktopViewWatchAck } from '../../../server/protocol/desktop-view.js';
import { REALTIME_PATH } from '../../../server/protocol/timeline.js';
import { crm, type CaseCategory, type CustomerDetail } from '../desktop/crm-api.js';
import { CallbacksList, CasesList, DETAIL_FIELDS, DetailsList, NotesList, OrdersList, PREFERENCE, RECORD_TABS, tabLabel } from '../desktop/RecordTabs.js';
import { agentStateWords, clock, dateTimeGB, isoDayGB, timeGB } from '../format.js';
import { stayConnected } from '../realtime/stay-connected.js';

/** A field as typed, with a date (a date or date-and-time field's value) in en-GB words. */
function fieldText(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return isoDayGB(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return dateTimeGB(new Date(value).getTime());
  return value;
}

const TOOL_TAB: Record<DesktopView['toolTab'], string> = { inbox: 'Inbox', compose: 'Compose', knowledge: 'Knowledge' };

export interface DesktopMirrorProps {
  attemptId: string;
  /** Makes the socket.io socket; same-origin by default. */
  connect?: () => Socket;
}

export function DesktopMirror({ attemptId, connect }: DesktopMirrorProps) {
  const [latest, setLatest] = useState<DesktopViewRelay | null>(null);
  const [status, setStatus] = useState<DesktopStatus>();
  const [online, setOnline] = useState(false);
  const [error, setError] = useState<string>();
  const [customer, setCustomer] = useState<CustomerDetail>();
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  // Timers count from the server's times on every render, and a render every second moves them.
  const [, setTick] = useState(0);
  const now = Date.now();

  useEffect(() => {
    setLatest(null);
    setStatus(undefined);
    const socket = connect ? connect() : io({ path: REALTIME_PATH, withCredentials: true });
    const watch = () => {
      setOnline(true);
      socket.emit('desktop-view:watch', { attemptId }, (ack: DesktopViewWatchAck) => {
        if (!ack.ok) return setError(ack.message);
        setError(undefined);
        setStatus(ack.status);
        if (ack.latest) setLatest(ack.latest);
      });
    };
    socket.on('connect', watch);
    socket.on('disconnect', () => setOnline(false));
    socket.on('connect_error', () => setOnline(false));
    socket.on('desktop-view:changed', (r: DesktopViewRelay) => {
      if (r.attemptId === attemptId) setLatest(r);
    });
    socket.on('desktop-view:status', (s: DesktopStatusRelay) => {
      if (s.attemptId === attemptId) setStatus(s.status);
    });
    const stop = stayConnected(socket);
    if (socket.connected) watch();
    else if (!socket.active) socket.connect();
    return () => {
      stop();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [attemptId, connect]);

  useEffect(() => {
    crm.caseCategories(attemptId).then(setCategories, () => {});
  }, [attemptId]);

  // The record as the server holds it, read again whenever the attempt's timeline moves (a change saved).
  const customerId = latest?.view.customerId ?? null;
  const lastSeq = status?.lastSeq ?? 0;
  useEffect(() => {
    if (customerId === null) return setCustomer(undefined);
    let current = true;
    crm.customer(attemptId, customerId).then(
      (c) => current && setCustomer(c),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [attemptId, customerId, lastSeq]);

  useEffect(() => {
    const timer = window.setInterval(() => setTick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const view = latest?.view;
  const shownCustomer = customer && customer.id === customerId ? customer : undefined;
  return (
    <div className="desktop-mirror" data-testid="desktop-mirror">
      <p className="muted small">
        What the candidate’s screen shows, as their browser reports it: a guide to follow the call, not marking evidence. The agent state and call are as the server recorded them.
        {!online && <span className="warning"> Offline: reconnecting…</span>}
        {error && <span className="error"> {error}</span>}
      </p>
      <StatusLine status={status} now={now} />
      {!view ? (
        <p className="muted" data-testid="mirror-empty">
          Nothing from the candidate’s desktop yet: it shows here once their desktop is open.
        </p>
      ) : (
        <>
          <p className="small muted" data-testid="mirror-updated">
            As of {timeGB(latest.receivedAt)} · messages panel: {TOOL_TAB[view.toolTab]}
          </p>
          {view.customerId === null ? (
            <p className="muted" data-testid="mirror-record">
              No customer record open.
            </p>
          ) : !shownCustomer ? (
            <p className="muted">Reading the record…</p>
          ) : (
            <RecordMirror customer={shownCustomer} view={view} categories={categories} />
          )}
        </>
      )}
    </div>
  );
}

function StatusLine({ status, now }: { status: DesktopStatus | undefined; now: number }) {
  if (!status) return null;
  const since = (ms: number | null) => (ms === null ? '' : ` · ${clock(Math.max(0, now - ms))}`);
  const call = status.call;
  let callText = 'No call';
  let callDetail: string | undefined;
  if (call && !call.answered) callText = `${call.direction === 'outbound' ? 'Dialling' : 'Ringing'}${since(call.startedAt)}`;
  else if (call && call.heldSince !== null) {
    callText = `On hold${since(call.heldSince)}`;
    callDetail = `${call.heldByCandidate ? 'Held by the candidate' : 'Held by the caller'} · call ${clock(Math.max(0, now - (call.answeredAt ?? call.startedAt)))}`;
  } else if (call) callText = `${call.direction === 'outbound' ? 'Outbound call' : 'Inbound call'}${since(call.answeredAt)}`;
  return (
    <dl className="mirror-status">
      <div>
        <dt>Agent state</dt>
        <dd data-testid="mirror-agent-state">
          {agentStateWords(status.agentState)}
          {since(status.agentSince)}
        </dd>
      </div>
      <div>
        <dt>Call</dt>
        <dd data-testid="mirror-call" className={call?.heldSince ? 'held' : undefined}>
          {callText}
          {callDetail && <small data-testid="mirror-hold-detail">{callDetail}</small>}
        </dd>
      </div>
    </dl>
  );
}

function RecordMirror({ customer: c, view, categories }: { customer: CustomerDetail; view: DesktopView; categories: CaseCategory[] }) {
  const tab = view.recordTab ?? 'identity';
  const form = view.form;
  const formOf = (name: keyof typeof VIEW_FORMS) => (form?.name === name ? form : null);
  const name = `${c.title ? `${c.title} ` : ''}${c.firstName} ${c.lastName}`;
  let content;
  switch (tab) {
    case 'identity':
      content = (
        <ul className="items">
          {c.securityQuestions.map((q, i) => {
            const answer = formOf('identity')?.fields[`answer${i + 1}`];
            return (
              <li key={q.id}>
                {q.question}
                <div className="small" data-field={`answer${i + 1}`}>
                  {answer ? (
                    <>
                      Typed: <strong>{answer}</strong>
                    </>
                  ) : (
                    <span className="muted">Nothing typed</span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      );
      break;
    case 'details':
      content = formOf('details') ? <DetailsDraft customer={c} fields={formOf('details')!.fields} /> : <DetailsList customer={c} />;
      break;
    case 'notes':
      content = <NotesList notes={c.notes} />;
      break;
    case 'callbacks':
      content = <CallbacksList callbacks={c.callbacks} />;
      break;
    case 'cases':
      content = <CasesList cases={c.cases} categories={categories} />;
      break;
    case 'orders':
      content = <OrdersList orders={c.orders} />;
      break;
  }
  const draft = form && form.name !== 'details' && form.name !== 'identity' ? form : null;
  return (
    <article className="record mirror-record" aria-label={`Customer record the candidate has open: ${name}`}>
      <h3 data-testid="mirror-record">
        {name} <span className="muted">· {c.accountNumber}</span>
      </h3>
      <ul className="mirror-tabs" aria-label="Record tabs">
        {RECORD_TABS.map((t) => (
          <li key={t.id} aria-current={t.id === tab ? 'true' : undefined} data-testid={t.id === tab ? 'mirror-tab' : undefined}>
            {tabLabel(t.id, c)}
          </li>
        ))}
      </ul>
      <div className="mirror-tab-content">{content}</div>
      {draft && <FormDraft form={draft} />}
    </article>
  );
}

/** The details form as the candidate is editing it: each field, the ones changed from the record marked. */
function DetailsDraft({ customer: c, fields }: { customer: CustomerDetail; fields: Record<string, string> }) {
  const stored = (key: string): string => {
    if (key === 'contactPreference') return c.contactPreference ? (PREFERENCE[c.contactPreference] ?? '') : '';
    if (key === 'doNotCall') return c.doNotCall ? 'Yes' : 'No';
    const f = DETAIL_FIELDS.find((d) => d.key === key);
    return f ? (c[f.key] ?? '') : '';
  };
  const labels: Record<string, string> = VIEW_FORMS.details.fields;
  return (
    <section aria-label="Editing details" data-testid="mirror-form" className="mirror-draft">
      <h4>Editing details (not saved yet)</h4>
      <dl className="details">
        {Object.keys(labels).map((key) => {
          const value = fields[key] ?? '';
          const changed = value !== stored(key) && !(key === 'contactPreference' && value === '' && stored(key) === '');
          return (
            <div key={key} data-field={key} className={changed ? 'changed' : undefined}>
              <dt>
                {labels[key]}
                {changed && <span className="tag"> changed</span>}
              </dt>
              <dd>{fieldText(value) || '—'}</dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

/** A form on the record as it is being filled in (a note, callback, case or order): the fields filled so far. */
function FormDraft({ form }: { form: NonNullable<DesktopView['form']> }) {
  const spec = VIEW_FORMS[form.name];
  const labels: Record<string, string> = spec.fields;
  const filled = Object.entries(form.fields).filter(([, v]) => v !== '');
  return (
    <section aria-label={spec.title} data-testid="mirror-form" className="mirror-draft">
      <h4>{spec.title} (not sent yet)</h4>
      {filled.length === 0 ? (
        <p className="muted small">Nothing filled in yet.</p>
      ) : (
        <dl className="details">
          {filled.map(([key, value]) => (
            <div key={key} data-field={key}>
              <dt>{labels[key] ?? key}</dt>
              <dd>{fieldText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
