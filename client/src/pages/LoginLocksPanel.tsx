// The admin's view of login locks: accounts and networks locked after too many failed logins, each
// with the time the lock ends by itself and a button to lift it now.
import { hourMinuteGB } from '../format.js';
import { useCallback, useEffect, useState } from 'react';
import type { LoginLockView, LoginLocksResponse } from '../../../server/protocol/login-locks.js';
import { api, ApiFailure } from '../api.js';
import { DataTable } from '../components/DataTable.js';

const until = hourMinuteGB;

function who(lock: LoginLockView): string {
  if (lock.kind === 'address') return `Network ${lock.subject}`;
  return lock.displayName ? `${lock.displayName} (${lock.subject})` : `${lock.subject} (no such user)`;
}

export function LoginLocksPanel({ onNotice }: { onNotice: (n: { kind: 'ok' | 'error'; text: string }) => void }) {
  const [locks, setLocks] = useState<LoginLockView[] | undefined>();

  const reload = useCallback(async () => {
    setLocks((await api<LoginLocksResponse>('GET', '/api/login-locks')).locks);
  }, []);

  useEffect(() => {
    reload().catch(() => onNotice({ kind: 'error', text: 'The list of locked logins could not be loaded.' }));
  }, [reload, onNotice]);

  const lift = async (lock: LoginLockView) => {
    try {
      await api('POST', '/api/login-locks/lift', { kind: lock.kind, subject: lock.subject });
      onNotice({ kind: 'ok', text: `${who(lock)} may log in again.` });
    } catch (err) {
      onNotice({ kind: 'error', text: err instanceof ApiFailure ? err.message : 'The server could not be reached.' });
    }
    await reload().catch(() => {});
  };

  return (
    <section aria-label="Locked logins">
      <h2>Locked logins</h2>
      <p className="muted">
        After repeated wrong passwords an account, or the network the attempts came from, is locked for 15 minutes. Lift a lock once you know who it was.
      </p>
      {locks && (
        <DataTable
          caption="Locked logins"
          columns={[
            { header: 'Locked', cell: who },
            { header: 'Failed logins', cell: (lock) => lock.failures },
            { header: 'Until', cell: (lock) => until(lock.lockedUntil) },
            {
              header: 'Actions',
              hideHeader: true,
              className: 'actions',
              cell: (lock) => (
                <button type="button" onClick={() => void lift(lock)}>
                  Lift lock
                </button>
              ),
            },
          ]}
          rows={locks}
          rowKey={(lock) => `${lock.kind}:${lock.subject}`}
          rowProps={(lock) => ({ 'data-lock': `${lock.kind}:${lock.subject}` })}
          empty="No logins are locked."
        />
      )}
      <button type="button" onClick={() => void reload().catch(() => {})}>
        Refresh
      </button>
    </section>
  );
}
