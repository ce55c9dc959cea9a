// The audit trail of one subject (an attempt or a sitting) for moderators and admins: newest first,
// paged, with the chain check of the whole log.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditLogEntryView, AuditLogPage } from '../../../server/protocol/moderation.js';
import { ROLE_LABEL } from '../../../server/protocol/roles.js';
import { AsyncState } from '../components/AsyncState.js';
import { useLoad } from '../components/useLoad.js';
import { changeWords, codeWords, dateTimeGB } from '../format.js';
import { describeError } from '../sitting/useSitting.js';
import { moderation } from './moderation-api.js';
import { Problem } from '../components/useAction.js';

export function AuditTrail({ subjectType, subjectId, refreshKey }: { subjectType: string; subjectId: string; refreshKey?: number }) {
  const newest = useLoad(useCallback(() => moderation.auditLog({ subjectType, subjectId, limit: PAGE }), [subjectType, subjectId]));
  const { reload } = newest;
  // Read the newest page again when the caller says something was recorded (not on the first showing: useLoad reads it then).
  const seenKey = useRef(refreshKey);
  useEffect(() => {
    if (seenKey.current === refreshKey) return;
    seenKey.current = refreshKey;
    void reload();
  }, [refreshKey, reload]);
  return (
    <section aria-label="Audit trail" data-testid="audit-trail">
      <h2>Audit trail</h2>
      <AsyncState state={newest} loading="Loading the audit log…" failed="The audit log could not be loaded">
        {(first) => <Entries first={first} subjectType={subjectType} subjectId={subjectId} />}
      </AsyncState>
    </section>
  );
}

const PAGE = 50;

/** The newest page with the chain check, and older pages as staff ask for them (dropped when the newest is read again). */
function Entries({ first, subjectType, subjectId }: { first: AuditLogPage; subjectType: string; subjectId: string }) {
  const [older, setOlder] = useState<{ after: AuditLogPage; pages: AuditLogPage[] }>({ after: first, pages: [] });
  const [error, setError] = useState<string>();
  const pages = older.after === first ? [first, ...older.pages] : [first];
  const entries: AuditLogEntryView[] = pages.flatMap((p) => p.entries);
  const nextBefore = pages.at(-1)?.nextBefore;
  const more = (before: number) =>
    moderation.auditLog({ subjectType, subjectId, before, limit: PAGE }).then(
      (p) => {
        setOlder({ after: first, pages: [...pages.slice(1), p] });
        setError(undefined);
      },
      (err: unknown) => setError(describeError(err)),
    );
  return (
    <>
      <Problem error={error && `The audit log could not be loaded: ${error}`} />
      {first.chain && <p className={first.chain.ok ? 'muted' : 'error'}>{first.chain.ok ? `Hash chain intact (${first.chain.rows} rows checked).` : first.chain.message}</p>}
      {entries.length === 0 && <p className="muted">Nothing recorded yet.</p>}
      <ol className="audit-trail">
        {entries.map((e) => (
          <li key={e.id}>
            <strong>{codeWords(e.action)}</strong> {dateTimeGB(e.at)} by {e.actor ? `${e.actor.name} (${(ROLE_LABEL as Record<string, string>)[e.actor.role] ?? codeWords(e.actor.role)})` : 'the system'}
            {e.reason && <> — “{e.reason}”</>}
            {changeWords(e.before, e.after) && <div className="small muted">{changeWords(e.before, e.after)}</div>}
          </li>
        ))}
      </ol>
      {nextBefore && (
        <button type="button" onClick={() => void more(nextBefore)}>
          Older entries
        </button>
      )}
    </>
  );
}
