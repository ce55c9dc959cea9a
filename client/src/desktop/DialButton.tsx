// Click-to-dial from the call list or a customer record. A number marked do not call can still be
// dialled, because not dialling it is what the candidate is assessed on: the first click shows a
// clear warning with the reason, and only "Call anyway" rings it.
import { useId, useState } from 'react';
import { usePhone } from '../softphone/PhoneContext.js';

export function DialButton({
  number,
  name,
  label,
  doNotCall,
  reason,
  disabled,
}: {
  number: string;
  /** Who is called, as the softphone shows them. */
  name: string;
  /** The button's text; its accessible name adds who is called. */
  label: string;
  doNotCall: boolean;
  /** Why the number is marked do not call (the call list's reason), if known. */
  reason?: string;
  disabled: boolean;
}) {
  const { phone } = usePhone();
  const [warning, setWarning] = useState(false);
  const id = useId();
  const dial = () => {
    setWarning(false);
    phone?.dial(number.replace(/\s/g, ''), name);
  };
  return (
    <>
      <button
        type="button"
        className={`small call${doNotCall ? ' dnc-call' : ''}`}
        disabled={disabled}
        aria-expanded={doNotCall ? warning : undefined}
        aria-controls={doNotCall && warning ? `${id}-warning` : undefined}
        onClick={() => (doNotCall ? setWarning(true) : dial())}
      >
        {label}
        <span className="visually-hidden"> {name}</span>
      </button>
      {doNotCall && warning && (
        <div className="warning-box dnc-warning" role="alertdialog" id={`${id}-warning`} aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} data-testid="dnc-warning">
          <p id={`${id}-title`}>
            <strong>{name} must not be called.</strong>
          </p>
          <p id={`${id}-text`}>
            {reason ? `${reason} ` : ''}This number is marked do not call: ringing it goes against the customer&rsquo;s wishes and the rules on sales and marketing calls.
          </p>
          <div className="row">
            <button type="button" autoFocus onClick={() => setWarning(false)}>
              Don&rsquo;t call
            </button>
            <button type="button" className="danger" disabled={disabled} onClick={dial}>
              Call anyway<span className="visually-hidden"> {name}</span>
            </button>
          </div>
        </div>
      )}
    </>
  );
}
