// Search customers by name, phone, postcode, account number or e-mail.
import { useState, type FormEvent } from 'react';
import { crm, type Customer } from './crm-api.js';
import { describeError } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { handled } from '../components/handled.js';
import { Problem } from '../components/useAction.js';

export function CustomerSearch({ initialResults }: { initialResults?: Customer[] }) {
  const { attemptId, record, openCustomer } = useDesktop();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Customer[] | undefined>(initialResults);
  const [error, setError] = useState<string>();
  const search = async (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    try {
      const r = await crm.search(attemptId, q.trim());
      setResults(r.customers);
      setError(undefined);
      record('search', { query: q.trim(), resultCount: r.count });
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="customer-search">
      <form onSubmit={handled(search)} className="inline" role="search" aria-label="Customer search">
        <input aria-label="Search customers" placeholder="Name, phone, postcode, account number or e-mail" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <Problem error={error} />
      {results && (
        <>
          <p className="muted" data-testid="result-count">
            {results.length} {results.length === 1 ? 'customer' : 'customers'} found
          </p>
          <ul className="results">
            {results.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => openCustomer(c.id)}>
                  {c.title ? `${c.title} ` : ''}
                  {c.firstName} {c.lastName}
                </button>{' '}
                {c.accountNumber} · {c.postcode} · {c.phone}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
