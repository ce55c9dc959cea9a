// The audit trail of one subject (an attempt or a sitting) for moderators and admins: newest first,
// paged, with the chain check of the whole log.
import { useCallback, useEffect, useState } from 'react';
import type { AuditLogEntryView, AuditLogPage } from '../../../server/protocol/moderation.js';
import { ROLE_LABEL } from '../../../server/protocol/roles.js';
import { changeWords, codeWords, dateTimeGB } from '../format.js';
import { moderation } from './moderation-api.js';

export function AuditTrail({ subjectType, subjectId, refreshKey }: { subjectType: string; subjectId: string; refreshKey?: number }) {
  const [entries, setEntries] = useState<AuditLogEntryView[]>([]);
  const [page, setPage] = useState<AuditLogPage>();
  const [error, setError] = useState<string>();

  const load = useCallback(
    (before?: number) =>
      moderation.auditLog({ subjectType, subjectId, before, limit: 50 }).then(
        (p) => {
          setPage((first) => (before === undefined ? p : { ...p, chain: first?.chain }));
          setEntries((list) => (before === undefined ? p.entries : [...list, ...p.entries]));
        },
        (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
      ),
    [subjectType, subjectId],
  );
  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  return (
    <section aria-label="Audit trail" data-testid="audit-trail">
      <h2>Audit trail</h2>
      {error && <p className="error">The audit log could not be loaded: {error}</p>}
      {page?.chain && <p className={page.chain.ok ? 'muted' : 'error'}>{page.chain.ok ? `Hash chain intact (${page.chain.rows} rows checked).` : page.chain.message}</p>}
      {entries.length === 0 && !error && <p className="muted">Nothing recorded yet.</p>}
      <ol className="audit-trail">
        {entries.map((e) => (
          <li key={e.id}>
            <strong>{codeWords(e.action)}</strong> {dateTimeGB(e.at)} by {e.actor ? `${e.actor.name} (${(ROLE_LABEL as Record<string, string>)[e.actor.role] ?? codeWords(e.actor.role)})` : 'the system'}
            {e.reason && <> — “{e.reason}”</>}
            {changeWords(e.before, e.after) && <div className="small muted">{changeWords(e.before, e.after)}</div>}
          </li>
        ))}
      </ol>
      {page?.nextBefore && (
        <button type="button" onClick={() => void load(page.nextBefore!)}>
          Older entries
        </button>
      )}
    </section>
  );
}
