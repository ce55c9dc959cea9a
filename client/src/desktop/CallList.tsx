// The outbound call list: who to call and why, with do-not-call entries flagged. "Call" dials
// through the softphone (the server routes a customer's number to the candidate's assessor, who
// plays the customer); a do-not-call entry first shows a warning and rings only on "Call anyway"
// (skipping it is what the candidate is assessed on). "Open record" shows the customer first.
import { useEffect, useState } from 'react';
import { NotYet } from '../components/AsyncState.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { describeError } from './ApiMessage.js';
import { crm, type CallListEntry } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { DialButton } from './DialButton.js';

export function CallList() {
  const { attemptId, openCustomer, customerId } = useDesktop();
  const { state } = usePhone();
  const [entries, setEntries] = useState<CallListEntry[]>();
  const [error, setError] = useState<string>();
  // The flags follow the records: a customer marked do-not-call during the attempt shows here too.
  useEffect(() => {
    crm.callList(attemptId).then(setEntries, (err: unknown) => setError(describeError(err)));
  }, [attemptId, customerId]);

  if (error !== undefined || !entries) return <NotYet error={error} loading="Loading the call list…" />;
  if (entries.length === 0) return <p className="muted">No one to call.</p>;
  const busy = Boolean(state.call);
  const registered = state.registration === 'registered';
  return (
    <>
      {busy && <p className="muted small">Finish the current call before dialling the next.</p>}
      {!registered && <p className="muted small">The phone is not registered, so calls cannot be made.</p>}
      <ol className="call-list">
        {entries.map((e) => (
          <li key={e.id} className={e.doNotCall ? 'dnc' : undefined} data-testid="call-list-entry">
            <div className="call-list-head">
              <strong>{e.name}</strong>
              {e.doNotCall && (
                <span className="tag bad" data-testid="dnc-flag">
                  Do not call
                </span>
              )}
            </div>
            <div className="small">
              <span className="number">{e.phone}</span>
              {e.accountNumber ? ` · ${e.accountNumber}` : ' · no account'}
            </div>
            <div className="small muted">{e.reason}</div>
            <div className="row">
              <DialButton number={e.phone} name={e.name} label="Call" doNotCall={e.doNotCall} reason={e.reason} disabled={busy || !registered} />
              {e.customerId !== null && (
                <button type="button" className="small" onClick={() => openCustomer(e.customerId!)}>
                  Open record<span className="visually-hidden"> of {e.name}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}
