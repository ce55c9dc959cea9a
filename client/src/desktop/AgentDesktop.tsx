// The candidate's CTI-style agent desktop: agent state, softphone, screen pop of the caller's
// record, customer search and record, follow-ups and wrap-up, all recorded on the attempt's
// timeline as they happen.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure } from '../api.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { Softphone } from '../softphone/Softphone.js';
import { AgentStateBar, type AgentStateName } from './AgentState.js';
import { crm, type Attempt, type Customer } from './crm-api.js';
import { CustomerRecord } from './CustomerRecord.js';
import { CustomerSearch } from './CustomerSearch.js';
import { DesktopContext } from './DesktopContext.js';
import { FollowUp } from './FollowUp.js';
import { useTimeline } from './useTimeline.js';
import { WrapUp } from './WrapUp.js';

export function AgentDesktop() {
  const [attempt, setAttempt] = useState<Attempt | null>();
  useEffect(() => {
    crm.currentAttempt().then(setAttempt, (err: unknown) => setAttempt(err instanceof ApiFailure && err.status === 404 ? null : undefined));
  }, []);
  if (attempt === undefined) return <p className="muted">Loading your assignment…</p>;
  if (attempt === null)
    return (
      <div className="shell" data-testid="home-candidate">
        <h1>Agent desktop</h1>
        <p className="muted" data-testid="no-attempt">
          No assignment is open for you yet. Your assessor starts it; this page updates when you reload it.
        </p>
        <section aria-label="Softphone">
          <h2>Softphone</h2>
          <Softphone />
        </section>
      </div>
    );
  return <Workspace attempt={attempt} />;
}

function Workspace({ attempt }: { attempt: Attempt }) {
  const { state: phoneState } = usePhone();
  const timeline = useTimeline(attempt.id);
  const { record } = timeline;
  const [agentState, setAgentState] = useState<{ name: AgentStateName; since: number }>({ name: 'not-ready', since: Date.now() });
  const [customerId, setCustomerId] = useState<number>();
  const [popResults, setPopResults] = useState<Customer[]>();
  const [customer, setCustomer] = useState<{ id: number; email: string | null; phone: string; firstName: string }>();
  const [customerVersion, setCustomerVersion] = useState(0);
  const customerChanged = useCallback(() => setCustomerVersion((v) => v + 1), []);
  const poppedFor = useRef<string | undefined>(undefined);

  const changeState = useCallback(
    (name: AgentStateName) => {
      setAgentState((prev) => {
        if (prev.name === name) return prev;
        record('agent-state', { from: prev.name, to: name });
        return { name, since: Date.now() };
      });
    },
    [record],
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

  // Agent state follows the phone: On call while connected, Wrap-up after.
  const connected = call?.phase === 'connected';
  const wasConnected = useRef(false);
  useEffect(() => {
    if (connected) changeState('on-call');
    else if (wasConnected.current) changeState('wrap-up');
    wasConnected.current = connected;
    if (!call) poppedFor.current = undefined;
  }, [connected, call, changeState]);

  useEffect(() => {
    if (!customerId) return setCustomer(undefined);
    crm.customer(attempt.id, customerId).then((c) => setCustomer({ id: c.id, email: c.email, phone: c.phone, firstName: c.firstName }), () => {});
  }, [attempt.id, customerId, customerVersion]);

  return (
    <DesktopContext.Provider value={{ attemptId: attempt.id, record, openCustomer: setCustomerId, customerId, customerChanged }}>
      <div className="desktop" data-testid="home-candidate">
        <h1 className="visually-hidden">Agent desktop</h1>
        <AgentStateBar state={agentState.name} since={agentState.since} onChange={changeState} online={timeline.online} pending={timeline.pending} />
        <div className="desktop-grid">
          <aside>
            <section aria-label="Softphone">
              <h2>Softphone</h2>
              <Softphone />
            </section>
            {agentState.name === 'wrap-up' && (
              <section aria-label="Wrap-up panel">
                <h2>Wrap-up</h2>
                <WrapUp onDone={() => changeState('ready')} />
              </section>
            )}
          </aside>
          <main className="workspace">
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
          </main>
          <aside>
            {customer && (
              <section aria-label="Follow-up">
                <h2>Follow-up</h2>
                <FollowUp key={`${customer.id}:${customer.email ?? ''}:${customer.phone}`} customer={customer} />
              </section>
            )}
          </aside>
        </div>
      </div>
    </DesktopContext.Provider>
  );
}
