// One customer's record, in tabs so it fits the screen while talking: the identity check, details
// with validated editing (changes shown old → new, contact preference and do-not-call included),
// notes, callbacks and tasks, cases and orders (each tab a component in RecordTabPanels, their forms
// in CallbackForm, CaseForm, OrderForm), with click-to-dial (DialButton) and print-outs. Every
// action goes on the attempt's timeline.
import { useCallback, useEffect, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Tabs } from '../components/Tabs.js';
import { useLoad } from '../components/useLoad.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { describeError, Notice } from './ApiMessage.js';
import { crm, type CustomerDetail } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { DialButton } from './DialButton.js';
import { readViewForm } from './form-view.js';
import { PrintButton } from './PrintButton.js';
import { CallbacksTab, CasesTab, DetailsTab, IdentityTab, NotesTab, OrdersTab, type RecordNotice } from './RecordTabPanels.js';
import { PREFERENCE, RECORD_TABS, tabLabel, type RecordTabId } from './RecordTabs.js';

export function CustomerRecord({ customerId }: { customerId: number }) {
  const { attemptId, record, customerChanged, reportRecordView } = useDesktop();
  const { phone, state } = usePhone();
  const [c, setC] = useState<CustomerDetail>();
  const [notice, setNotice] = useState<RecordNotice>();
  // What the server's identity rule made of the check, in words ("2 asked, 2 correct: verified").
  const [identity, setIdentity] = useState<{ passed: boolean; summary: string }>();
  const products = useLoad(useCallback(() => crm.products(attemptId), [attemptId])).data ?? [];
  const categories = useLoad(useCallback(() => crm.caseCategories(attemptId), [attemptId])).data ?? [];
  const [tab, setTab] = useState<RecordTabId>('identity');
  // The assessor's live mirror: the tab in front and the form last worked in on it, as they stand
  // after every render (a form reset after sending, or closed, shows so at once).
  const activeForm = useRef<HTMLFormElement | null>(null);
  const [, setViewTick] = useState(0);
  const viewChanged = useCallback((e: SyntheticEvent) => {
    const form = e.target instanceof Element ? e.target.closest('form') : null;
    if (form?.dataset.viewForm) activeForm.current = form;
    // After the event: a reset empties the fields only once its event has run.
    window.setTimeout(() => setViewTick((n) => n + 1), 0);
  }, []);
  useEffect(() => {
    const form = activeForm.current;
    const inFront = form?.isConnected && !form.closest('[role="tabpanel"]')?.hasAttribute('hidden');
    reportRecordView({ tab, form: form && inFront ? readViewForm(form) : null });
  });
  useEffect(() => () => reportRecordView(null), [reportRecordView]);

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
    setIdentity(undefined);
    void load().then(
      (d) => d && record('record-opened', { recordType: 'customer', recordId: d.id, customerId: d.id, accountNumber: d.accountNumber, label: `${d.firstName} ${d.lastName} (${d.accountNumber})` }),
    );
  }, [attemptId, customerId, load, record]);

  if (!c) return <Notice notice={notice} />;

  /** After a tab saved something: say so and show the record as it now is. */
  const saved = async (text: string) => {
    setNotice({ kind: 'ok', text });
    await load();
    customerChanged();
  };

  const inCall = Boolean(state.call);
  const canDial = Boolean(phone) && state.registration === 'registered' && !inCall;
  const name = `${c.firstName} ${c.lastName}`;
  const verified = identity?.passed;
  const identitySummary = identity?.summary;

  // Each tab keeps its own form's state, starting over for another customer (key).
  const tabProps = { customer: c, onSaved: saved, onNotice: setNotice };
  const content: Record<RecordTabId, ReactNode> = {
    identity: <IdentityTab key={c.id} customer={c} onNotice={setNotice} onChecked={(passed, summary) => setIdentity({ passed, summary })} />,
    details: <DetailsTab key={c.id} {...tabProps} />,
    notes: <NotesTab key={c.id} {...tabProps} />,
    callbacks: <CallbacksTab key={c.id} customer={c} onSaved={saved} />,
    cases: <CasesTab key={c.id} {...tabProps} categories={categories} />,
    orders: <OrdersTab key={c.id} {...tabProps} products={products} />,
  };
  return (
    <article className="record" aria-label={`Customer ${name}`} data-testid="customer-record">
      <header className="record-head">
        <h3>
          {c.title ? `${c.title} ` : ''}
          {name} <span className="muted">· {c.accountNumber}</span>
        </h3>
        {verified === true && <span className="tag ok" data-testid="identity-status">Identity verified</span>}
        {verified === false && <span className="tag bad" data-testid="identity-status">Identity NOT verified</span>}
        {verified !== undefined && identitySummary && <span className="small" data-testid="identity-summary">{identitySummary}</span>}
        {c.doNotCall && <span className="tag bad" data-testid="do-not-call">Do not call</span>}
        <div className="record-actions">
          <DialButton number={c.phone} name={name} label={`Call ${c.phone}`} doNotCall={c.doNotCall} disabled={!canDial} />
          {c.mobile && <DialButton number={c.mobile} name={name} label={`Call mobile ${c.mobile}`} doNotCall={c.doNotCall} disabled={!canDial} />}
          <PrintButton kind="customer" subjectId={c.id} label={`record of ${name}`} onResult={setNotice} />
        </div>
      </header>
      <p className="record-summary small muted">
        {[c.addressLine1, c.addressLine2, c.town, c.postcode].filter(Boolean).join(', ')}
        {c.email ? ` · ${c.email}` : ''}
        {c.contactPreference ? ` · prefers ${PREFERENCE[c.contactPreference]?.toLowerCase()}` : ''}
      </p>
      <Notice notice={notice} />
      <div onInput={viewChanged} onChange={viewChanged} onReset={viewChanged} onFocus={viewChanged}>
        <Tabs label="Customer record" selected={tab} onSelect={(id) => setTab(id as RecordTabId)} tabs={RECORD_TABS.map((t) => ({ id: t.id, label: tabLabel(t.id, c), content: content[t.id] }))} />
      </div>
    </article>
  );
}
