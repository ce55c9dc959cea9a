// The attempt's final CRM state against the answer key: every expected field with the expected and
// final values, mismatches highlighted (a planted wrong value is marked as such), and the expected
// follow-ups against what was sent.
import { fieldWords } from '../format.js';
import type { FinalStateView } from '../../../server/protocol/moderation.js';
import { DataTable, type Column } from '../components/DataTable.js';

const COLUMNS: ReadonlyArray<Column<FinalStateView['fields'][number]>> = [
  {
    header: 'Account',
    cell: (f) => (
      <>
        {f.accountNumber}
        {f.customerName && <span className="muted"> {f.customerName}</span>}
      </>
    ),
  },
  {
    header: 'Field',
    cell: (f) => (
      <>
        {fieldWords(f.field)}
        {f.planted && <span className="muted small"> (planted error)</span>}
      </>
    ),
  },
  { header: 'At the start', cell: (f) => f.initial },
  { header: 'Expected', cell: (f) => f.expected },
  { header: 'Final', cell: (f) => f.final },
  { header: 'Result', cell: (f) => (f.match ? 'match' : <strong>mismatch</strong>) },
];

export function FinalStateTable({ state }: { state: FinalStateView }) {
  return (
    <section aria-label="Final state against the answer key" data-testid="final-state">
      <h2>Final state against the answer key</h2>
      <p>
        {state.mismatches === 0 ? 'Everything matches the answer key.' : `${state.mismatches} mismatch${state.mismatches === 1 ? '' : 'es'} with the answer key.`}
        {state.anonymised && ' The CRM copy has been anonymised under the retention policy: values are placeholders.'}
      </p>
      <DataTable
        caption="Customer fields: expected, final and whether they match"
        className="final-state"
        columns={COLUMNS}
        rows={state.fields}
        rowKey={(f) => `${f.accountNumber}/${f.field}`}
        rowProps={(f) => ({ className: f.match ? 'match' : 'mismatch', 'data-field': f.field, 'data-match': f.match })}
      />
      {state.followUps.length > 0 && (
        <>
          <h3>Follow-ups</h3>
          <ul>
            {state.followUps.map((f, i) => (
              <li key={i} className={f.match ? 'match' : 'mismatch'} data-match={f.match}>
                {f.label} to {f.expectedTo}
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
