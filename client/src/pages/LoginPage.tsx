import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ROLE_HOME } from '../../../server/protocol/roles.js';
import { ApiFailure, login } from '../api.js';
import { useSession } from '../session.js';
import { handled } from '../components/handled.js';
import { Problem } from '../components/useAction.js';

export function LoginPage() {
  const { session, setSession } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={ROLE_HOME[session.user.role]} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await login(username, password);
      setSession(s);
      const next = params.get('next');
      // react-router renders a failed navigation itself; there is nothing to wait for here.
      void navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : ROLE_HOME[s.user.role], { replace: true });
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form onSubmit={handled(onSubmit)} aria-label="Log in">
        <h1>Callmark</h1>
        <p className="muted">Contact-centre call-handling assessment</p>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <Problem error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}
