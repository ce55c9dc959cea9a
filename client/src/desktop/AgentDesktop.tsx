// The candidate's CTI-style agent desktop: agent state, softphone and outbound call list, screen
// pop of the caller's record, customer search and record, inbox and follow-up messages, the
// knowledge panel and wrap-up. What marking relies on (record changes, identity checks, cases,
// orders, messages, print-outs, wrap-ups, agent states, holds and transfers) is recorded on the
// attempt's timeline by the server as it happens; the desktop itself reports only what happens in
// the browser (screen pops, searches, records and tabs opened).
//
// Laid out as a contact-centre agent desktop (the Amazon Connect CCP or Twilio Flex dock): the
// phone dock on the left (agent state, softphone with an incoming call on top, wrap-up, call list)
// stays in the window whatever is scrolled, so Answer and the call controls never need scrolling
// to; the sitting's banner and brief and the workspace (customers, messages, knowledge) scroll
// beside it. The dock belongs to the page's frame (pages/DesktopShell.tsx): this desktop fills it.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { api, ApiFailure } from '../api.js';
import { NotYet } from '../components/AsyncState.js';
import { Tabs } from '../components/Tabs.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { Softphone } from '../softphone/Softphone.js';
import { AgentStateBar } from './AgentState.js';
import type { AgentState, AgentStateResponse } from '../../../server/protocol/desktop-view.js';
import { CallList } from './CallList.js';
import { crm, type Attempt, type AttemptWithCompanyResponse, type Customer, type CustomerDetail, type Message } from './crm-api.js';
import { CustomerRecord } from './CustomerRecord.js';
import { CustomerSearch } from './CustomerSearch.js';
import { DesktopContext, type RecordView } from './DesktopContext.js';
import { DesktopViewSender } from '../realtime/view-sender.js';
import { FollowUp, type ReplyDraft } from './FollowUp.js';
import { Inbox } from './Inbox.js';
import { Knowledge } from './Knowledge.js';
import { useTimeline } from './useTimeline.js';
import { WrapUp } from './WrapUp.js';
import { usePersistedState } from './persisted-state.js';

/**
 * `attemptId`: the attempt to work on (a sitting's current attempt); else the candidate's open
 * attempt. `dock`: the phone dock of the page's frame (DesktopShell), which this desktop fills with
 * the agent state, softphone, wrap-up and call list; the workspace renders where this is placed.
 */
export function AgentDesktop({ attemptId, dock }: { attemptId?: string; dock: HTMLElement | null }) {
  const [attempt, setAttempt] = useState<Attempt | null>();
  useEffect(() => {
    const load = attemptId ? api<AttemptWithCompanyResponse>('GET', `/api/attempts/${encodeURIComponent(attemptId)}`).then((r) => r.attempt) : crm.currentAttempt();
    load.then(setAttempt, (err: unknown) => setAttempt(err instanceof ApiFailure && err.status === 404 ? null : undefined));
  }, [attemptId]);
  if (attempt === undefined) return <NotYet loading="Loading your assignment…" />;
  if (attempt === null)
    return (
      <div className="desktop-work" data-testid="home-candidate">
        <h1>Agent desktop</h1>
        <p className="muted" data-testid="no-attempt">
          No assignment is open for you yet. Your assessor starts it; this page updates when you reload it.
        </p>
        <InDock dock={dock}>
          <section aria-label="Softphone" className="dock-phone">
            <h2>Softphone</h2>
            <Softphone />
          </section>
        </InDock>
      </div>
    );
  return <Workspace attempt={attempt} dock={dock} />;
}

/** What goes in the frame's phone dock (rendered there, but part of this desktop's React tree). */
function InDock({ dock, children }: { dock: HTMLElement | null; children: ReactNode }) {
  return dock ? createPortal(children, dock) : null;
}

function Workspace({ attempt, dock }: { attempt: Attempt; dock: HTMLElement | null }) {
  const { state: phoneState } = usePhone();
  const timeline = useTimeline(attempt.id);
  const { record } = timeline;
  // Kept across a reload of the page (per attempt, for this tab).
  const keep = (what: string) => `callmark.desktop.${attempt.id}.${what}`;
  const [agentState, setAgentState] = usePersistedState<{ name: AgentState; since: number }>(keep('agent-state'), { name: 'not-ready', since: Date.now() });
  const [customerId, setCustomerId] = usePersistedState<number | undefined>(keep('customer'), undefined);
  const [popResults, setPopResults] = useState<Customer[]>();
  const [customer, setCustomer] = useState<CustomerDetail>();
  const [tool, setTool] = usePersistedState(keep('tool'), 'inbox');
  const [reply, setReply] = useState<ReplyDraft & { messageId: number }>();
  const [sentCount, setSentCount] = useState(0);
  const [lastSent, setLastSent] = useState<string>();
  const [customerVersion, setCustomerVersion] = useState(0);
  const customerChanged = useCallback(() => setCustomerVersion((v) => v + 1), []);
  const poppedFor = useRef<string | undefined>(undefined);

  // The assessor's live mirror: what this desktop shows now, sent on every change (view-sender.ts).
  const viewSender = useRef<DesktopViewSender | undefined>(undefined);
  const recordView = useRef<RecordView | null>(null);
  const shown = useRef({ customerId, tool });
  shown.current = { customerId, tool };
  const publishView = useCallback(() => {
    const { customerId: open, tool: toolTab } = shown.current;
    const inRecord = open ? recordView.current : null;
    viewSender.current?.update({
      customerId: open ?? null,
      recordTab: inRecord?.tab ?? null,
      toolTab: toolTab === 'compose' || toolTab === 'knowledge' ? toolTab : 'inbox',
      form: inRecord?.form ?? null,
    });
  }, []);
  useEffect(() => {
    const sender = new DesktopViewSender({ attemptId: attempt.id });
    viewSender.current = sender;
    publishView();
    return () => {
      viewSender.current = undefined;
      sender.close();
    };
  }, [attempt.id, publishView]);
  useEffect(publishView, [customerId, tool, publishView]);
  const reportRecordView = useCallback(
    (view: RecordView | null) => {
      recordView.current = view;
      publishView();
    },
    [publishView],
  );

  // A tab opened afresh (nothing kept for this attempt in it) starts from the agent state the
  // server recorded, which may have been set in another tab: calls are offered by that state, so
  // the bar shows it. On a call elsewhere is not taken over: that call is not in this tab.
  const fresh = useRef(sessionStorage.getItem(keep('agent-state')) === null);
  useEffect(() => {
    if (!fresh.current) return;
    api<AgentStateResponse>('GET', `/api/attempts/${encodeURIComponent(attempt.id)}/agent-state`).then(
      (server) => {
        if (server.state === 'on-call') return;
        setAgentState((prev) => (prev.name === 'not-ready' && server.state !== prev.name ? { name: server.state, since: server.since ?? Date.now() } : prev));
      },
      () => {},
    );
  }, [attempt.id]);

  const changeState = useCallback(
    (name: AgentState) => {
      setAgentState((prev) => {
        if (prev.name === name) return prev;
        // The server records the change on the timeline (it keeps the agent state that counts).
        api('POST', `/api/attempts/${encodeURIComponent(attempt.id)}/agent-state`, { state: name }).catch(() => {});
        return { name, since: Date.now() };
      });
    },
    [attempt.id],
  );

  // Screen pop: an incoming call's presented number finds the caller's record(s).
  const call = phoneState.call;
  useEffect(() => {
    if (!call || call.direction !== 'inbound') return;
    const key = `${call.peerNumber}|${call.presentedNumber ?? ''}`;
    if (poppedFor.current === key) return;
    poppedFor.current = key;
    const number = call.presentedNumber;
    if (!number) {
      record('screen-pop', { number: null, resultCount: 0 });
      setPopResults([]);
      return;
    }
    crm.byPhone(attempt.id, number).then(
      (r) => {
        record('screen-pop', { number, resultCount: r.count, customerIds: r.customers.map((c) => c.id) });
        if (r.customers.length === 1) setCustomerId(r.customers[0]!.id);
        else setPopResults(r.customers);
      },
      () => setPopResults([]),
    );
  }, [call, attempt.id, record]);

  // Agent state follows the phone: On call while connected, Wrap-up after. A page reloaded during
  // a call starts with the restored "On call" but no call (the reload ended it): that is wrap-up.
  const connected = call?.phase === 'connected';
  const wasConnected = useRef(agentState.name === 'on-call');
  useEffect(() => {
    if (connected) changeState('on-call');
    else if (wasConnected.current) changeState('wrap-up');
    wasConnected.current = connected;
    if (!call) poppedFor.current = undefined;
  }, [connected, call, changeState]);

  useEffect(() => {
    if (!customerId) return setCustomer(undefined);
    crm.customer(attempt.id, customerId).then(setCustomer, () => {});
  }, [attempt.id, customerId, customerVersion]);

  const startReply = useCallback((m: Message) => {
    setLastSent(undefined);
    setReply({
      messageId: m.id,
      channel: m.channel,
      to: m.from,
      subject: m.subject ? (/^re:/i.test(m.subject) ? m.subject : `Re: ${m.subject}`) : '',
      customerId: m.customerId,
      label: m.from,
    });
    setTool('compose');
  }, []);
  // After a reply the form goes back to the open customer, keeping the confirmation in view.
  const sent = useCallback((confirmation: string) => {
    setSentCount((n) => n + 1);
    setLastSent(confirmation);
    setReply(undefined);
  }, []);
  useEffect(() => setLastSent(undefined), [customerId]);

  const composeKey = reply ? `reply:${reply.messageId}` : customer ? `customer:${customer.id}:${customer.email ?? ''}:${customer.mobile ?? ''}:${customer.phone}` : 'none';
  return (
    <DesktopContext.Provider value={{ attemptId: attempt.id, record, openCustomer: setCustomerId, customerId, customerChanged, reportRecordView }}>
      <div className="desktop-work" data-testid="home-candidate">
        <InDock dock={dock}>
          <AgentStateBar state={agentState.name} since={agentState.since} onChange={changeState} online={timeline.online} pending={timeline.pending} />
          <section aria-label="Softphone" className="dock-phone">
            <h2>Softphone</h2>
            <Softphone />
          </section>
          {agentState.name === 'wrap-up' && (
            <section aria-label="Wrap-up panel" className="wrap-up">
              <h2>Wrap-up</h2>
              <WrapUp onDone={() => changeState('ready')} />
            </section>
          )}
          <section aria-label="Call list" className="dock-call-list">
            <h2>Call list</h2>
            <CallList />
          </section>
        </InDock>
        <h1 className="visually-hidden">Agent desktop</h1>
        <div className="desktop-grid">
          <div className="desktop-col workspace">
            <section aria-label="Customers">
              <h2>Customers</h2>
              {popResults && popResults.length !== 1 && (
                <p className="notice" role="status" data-testid="screen-pop">
                  {popResults.length === 0 ? 'No record matches the caller’s number: search for the customer.' : `${popResults.length} records match the caller’s number: choose one.`}
                </p>
              )}
              <CustomerSearch key={popResults ? popResults.map((c) => c.id).join(',') : 'none'} initialResults={popResults && popResults.length > 1 ? popResults : undefined} />
            </section>
            {customerId && <CustomerRecord key={customerId} customerId={customerId} />}
          </div>
          <div className="desktop-col">
            <section aria-label="Messages and knowledge" className="tools">
              <h2 className="visually-hidden">Messages and knowledge</h2>
              <Tabs
                label="Messages and knowledge"
                selected={tool}
                onSelect={(id) => {
                  setTool(id);
                  record('tab-opened', { tab: id });
                }}
                tabs={[
                  { id: 'inbox', label: 'Inbox', content: <Inbox reloadKey={sentCount} onReply={startReply} /> },
                  {
                    id: 'compose',
                    label: 'Compose',
                    content: <FollowUp key={composeKey} customer={customer} draft={reply} onSent={sent} onCancelReply={() => setReply(undefined)} lastSent={lastSent} />,
                  },
                  { id: 'knowledge', label: 'Knowledge', content: <Knowledge /> },
                ]}
              />
            </section>
          </div>
        </div>
      </div>
    </DesktopContext.Provider>
  );
}
