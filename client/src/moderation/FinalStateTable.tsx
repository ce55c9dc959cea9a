// The attempt's final CRM state against the answer key: every expected field with the expected and
// final values, mismatches highlighted (a planted wrong value is marked as such), and the expected
// follow-ups against what was sent.
import { fieldWords } from '../format.js';
import type { FinalStateView } from '../../../server/protocol/moderation.js';

export function FinalStateTable({ state }: { state: FinalStateView }) {
  return (
    <section aria-label="Final state against the answer key" data-testid="final-state">
      <h2>Final state against the answer key</h2>
      <p>
        {state.mismatches === 0 ? 'Everything matches the answer key.' : `${state.mismatches} mismatch${state.mismatches === 1 ? '' : 'es'} with the answer key.`}
        {state.anonymised && ' The CRM copy has been anonymised under the retention policy: values are placeholders.'}
      </p>
      <table className="final-state">
        <caption className="visually-hidden">Customer fields: expected, final and whether they match</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Field</th>
            <th scope="col">At the start</th>
            <th scope="col">Expected</th>
            <th scope="col">Final</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {state.fields.map((f) => (
            <tr key={`${f.accountNumber}/${f.field}`} className={f.match ? 'match' : 'mismatch'} data-field={f.field} data-match={f.match}>
              <td>
                {f.accountNumber}
                {f.customerName && <span className="muted"> {f.customerName}</span>}
              </td>
              <td>
                {fieldWords(f.field)}
                {f.planted && <span className="muted small"> (planted error)</span>}
              </td>
              <td>{f.initial}</td>
              <td>{f.expected}</td>
              <td>{f.final}</td>
              <td>{f.match ? 'match' : <strong>mismatch</strong>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.followUps.length > 0 && (
        <>
          <h3>Follow-ups</h3>
          <ul>
            {state.followUps.map((f, i) => (
              <li key={i} className={f.match ? 'match' : 'mismatch'} data-match={f.match}>
                {f.label}: {f.channel} to {f.expectedTo}
                {f.expectedCc.length > 0 && ` (cc ${f.expectedCc.join(', ')})`} — {f.match ? 'sent' : <strong>{f.problem}</strong>}
                {f.messageId !== null && (
                  <>
                    {' '}
                    <a href={`#message-${f.messageId}`}>see the message</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
