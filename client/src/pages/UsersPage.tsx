// User administration: centres, users of every role (the centre's internal quality assurer
// among them), candidates' numbers, password resets and disabling, login locks.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CentresResponse, CentreView } from '../../../server/protocol/assurance.js';
import { CENTRE_ROLES, ROLE_LABEL, ROLES, type NewUserResponse, type PasswordResetResponse, type Role, type UserAccount, type UsersResponse } from '../../../server/protocol/roles.js';
import { api, ApiFailure } from '../api.js';
import { useSession } from '../session.js';
import { LoginLocksPanel } from './LoginLocksPanel.js';
import { DataTable } from '../components/DataTable.js';
import { handled } from '../components/handled.js';

/** What the page shows of a centre and of a user (the wire types are server/protocol's). */
type Centre = Pick<CentreView, 'id' | 'name' | 'isDemo'>;
type User = Pick<UserAccount, 'id' | 'username' | 'displayName' | 'role' | 'centreId' | 'candidateNumber' | 'disabled'>;

const describe = (err: unknown) =>
  err instanceof ApiFailure ? `${err.message}${err.field ? ` (${err.field})` : ''}` : 'The server could not be reached.';

export function UsersPage() {
  const { session } = useSession();
  const [centres, setCentres] = useState<Centre[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [centreName, setCentreName] = useState('');
  const [form, setForm] = useState({ username: '', displayName: '', role: 'candidate' as Role, centreId: '' });

  const reload = useCallback(async () => {
    const [c, u] = await Promise.all([api<CentresResponse>('GET', '/api/centres'), api<UsersResponse>('GET', '/api/users')]);
    setCentres(c.centres);
    setUsers(u.users);
  }, []);

  useEffect(() => {
    reload().catch((err: unknown) => setNotice({ kind: 'error', text: describe(err) }));
  }, [reload]);

  const centreLabel = (id: number | null) => (id === null ? '—' : (centres.find((c) => c.id === id)?.name ?? `#${id}`));

  const createCentre = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('POST', '/api/centres', { name: centreName });
      setCentreName('');
      setNotice({ kind: 'ok', text: `Centre "${centreName}" created.` });
      await reload();
    } catch (err) {
      setNotice({ kind: 'error', text: describe(err) });
    }
  };

  const createUser = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const res = await api<NewUserResponse>('POST', '/api/users', {
        username: form.username,
        displayName: form.displayName,
        role: form.role,
        centreId: form.centreId ? Number(form.centreId) : null,
      });
      setNotice({ kind: 'ok', text: `User ${res.user.username} created. Initial password: ${res.password ?? '(as given)'}. They will be asked to choose their own when they first log in.` });
      setForm({ ...form, username: '', displayName: '' });
      await reload();
    } catch (err) {
      setNotice({ kind: 'error', text: describe(err) });
    }
  };

  const resetPassword = async (u: User) => {
    try {
      const res = await api<PasswordResetResponse>('POST', `/api/users/${u.id}/password`, {});
      setNotice({ kind: 'ok', text: `New password for ${u.username}: ${res.password}. They will be asked to choose their own when they next log in.` });
    } catch (err) {
      setNotice({ kind: 'error', text: describe(err) });
    }
  };

  const setCandidateNumber = async (u: User, value: string) => {
    try {
      await api('POST', `/api/users/${u.id}/candidate-number`, { candidateNumber: value.trim() === '' ? null : value.trim() });
      setNotice({ kind: 'ok', text: value.trim() ? `${u.displayName} is candidate ${value.trim()}.` : `${u.displayName}'s candidate number was removed.` });
      await reload();
    } catch (err) {
      setNotice({ kind: 'error', text: describe(err) });
    }
  };

  const toggleDisabled = async (u: User) => {
    try {
      await api('POST', `/api/users/${u.id}/disabled`, { disabled: !u.disabled });
      setNotice({ kind: 'ok', text: `${u.username} is now ${u.disabled ? 'enabled' : 'disabled'}.` });
      await reload();
    } catch (err) {
      setNotice({ kind: 'error', text: describe(err) });
    }
  };

  const needsCentre = CENTRE_ROLES.includes(form.role);
  return (
    <div className="shell" data-testid="home-admin">
      <h1>User administration</h1>
      {notice && (
        <p className={notice.kind === 'ok' ? 'notice' : 'error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      <div className="panels">
        <section aria-label="Centres">
          <h2>Centres</h2>
          <ul>
            {centres.map((c) => (
              <li key={c.id}>
                {c.name}
                {c.isDemo && <span className="tag">demo</span>}
              </li>
            ))}
          </ul>
          <form onSubmit={handled(createCentre)} className="inline">
            <input aria-label="New centre name" placeholder="New centre name" value={centreName} onChange={(e) => setCentreName(e.target.value)} required />
            <button type="submit">Add centre</button>
          </form>
        </section>
        <section aria-label="New user">
          <h2>New user</h2>
          <form onSubmit={handled(createUser)}>
            <label htmlFor="new-username">Username</label>
            <input id="new-username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required />
            <label htmlFor="new-display-name">Full name</label>
            <input id="new-display-name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required />
            <label htmlFor="new-role">Role</label>
            <select id="new-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
            <label htmlFor="new-centre">Centre{needsCentre ? '' : ' (optional)'}</label>
            <select id="new-centre" value={form.centreId} onChange={(e) => setForm({ ...form, centreId: e.target.value })} required={needsCentre}>
              <option value="">—</option>
              {centres.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <button type="submit">Create user</button>
          </form>
        </section>
      </div>
      <LoginLocksPanel onNotice={setNotice} />
      <section aria-label="Users">
        <h2>Users</h2>
        <DataTable
          caption="Users"
          columns={[
            { header: 'Username', cell: (u) => u.username, sortBy: (u) => u.username },
            { header: 'Name', cell: (u) => u.displayName, sortBy: (u) => u.displayName },
            { header: 'Role', cell: (u) => ROLE_LABEL[u.role], sortBy: (u) => ROLE_LABEL[u.role] },
            { header: 'Centre', cell: (u) => centreLabel(u.centreId), sortBy: (u) => (u.centreId === null ? null : centreLabel(u.centreId)) },
            {
              header: 'Candidate number',
              cell: (u) => (u.role === 'candidate' && u.centreId !== null ? <CandidateNumber user={u} onSave={(v) => void setCandidateNumber(u, v)} /> : '—'),
            },
            { header: 'Status', cell: (u) => (u.disabled ? 'Disabled' : 'Active'), sortBy: (u) => (u.disabled ? 'Disabled' : 'Active') },
            {
              header: 'Actions',
              hideHeader: true,
              className: 'actions',
              cell: (u) => (
                <>
                  <button type="button" onClick={handled(() => resetPassword(u))}>
                    Reset password
                  </button>
                  {u.id !== session?.user.id && (
                    <button type="button" onClick={handled(() => toggleDisabled(u))}>
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </>
              ),
            },
          ]}
          rows={users}
          rowKey={(u) => String(u.id)}
          rowProps={(u) => ({ 'data-username': u.username })}
        />
      </section>
    </div>
  );
}

/** A candidate's number within the centre, edited in place. */
function CandidateNumber({ user, onSave }: { user: User; onSave: (value: string) => void }) {
  const [value, setValue] = useState(user.candidateNumber ?? '');
  useEffect(() => setValue(user.candidateNumber ?? ''), [user.candidateNumber]);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(value);
      }}
    >
      <input aria-label={`Candidate number of ${user.displayName}`} value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric" maxLength={10} style={{ width: '6rem' }} />
      {value !== (user.candidateNumber ?? '') && (
        <button type="submit" className="small">
          Save
        </button>
      )}
    </form>
  );
}
