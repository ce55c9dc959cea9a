// Changing your own password (/account/password, every role). When an administrator set the
// password (a new account, or a reset), this page is all the account can use until it is changed:
// `forced` says so and offers only logging out besides.
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ROLE_HOME } from '../../../server/protocol/roles.js';
import { ApiFailure, changePassword } from '../api.js';
import { handled } from '../components/handled.js';
import { useSession } from '../session.js';

/** The server's rule (server/auth/passwords.ts MIN_PASSWORD_LENGTH), said before sending. */
const MIN_LENGTH = 10;

export function PasswordPage({ forced = false }: { forced?: boolean }) {
  const { setSession } = useSession();
  const navigate = useNavigate();
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Partial<Record<'currentPassword' | 'newPassword' | 'again' | 'form', string>>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== again) return setProblems({ again: 'The two new passwords are not the same.' });
    if (next.length < MIN_LENGTH) return setProblems({ newPassword: `A password needs at least ${MIN_LENGTH} characters.` });
    setBusy(true);
    setProblems({});
    try {
      const s = await changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      setSession(s);
      // react-router renders a failed navigation itself; there is nothing to wait for here.
      if (forced) void navigate(ROLE_HOME[s.user.role], { replace: true });
      else setDone(true);
    } catch (err) {
      if (err instanceof ApiFailure && (err.field === 'currentPassword' || err.field === 'newPassword')) setProblems({ [err.field]: err.message });
      else setProblems({ form: err instanceof ApiFailure ? err.message : 'The server could not be reached.' });
    } finally {
      setBusy(false);
    }
  };

  const problem = (field: 'currentPassword' | 'newPassword' | 'again') =>
    problems[field] ? (
      <span className="error" id={`${id}-${field}`} role="alert">
        {problems[field]}
      </span>
    ) : null;

  return (
    <section className="password-page" aria-labelledby={`${id}-h`}>
      <form onSubmit={handled(onSubmit)} aria-labelledby={`${id}-h`} data-testid="password-form">
        <h2 id={`${id}-h`}>{forced ? 'Choose your own password' : 'Change your password'}</h2>
        {forced ? (
          <p className="notice" data-testid="password-forced">
            The password you were given is for your first login only. Choose your own before you go on.
          </p>
        ) : (
          <p className="muted">You will stay logged in here; you will be logged out on any other computer or tab.</p>
        )}
        <label>
          {forced ? 'Password you were given' : 'Current password'}
          <input
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
            aria-invalid={problems.currentPassword ? true : undefined}
            aria-describedby={problems.currentPassword ? `${id}-currentPassword` : undefined}
          />
          {problem('currentPassword')}
        </label>
        <label>
          New password (at least {MIN_LENGTH} characters)
          <input
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
            aria-invalid={problems.newPassword ? true : undefined}
            aria-describedby={problems.newPassword ? `${id}-newPassword` : undefined}
          />
          {problem('newPassword')}
        </label>
        <label>
          New password again
          <input
            name="again"
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            required
            aria-invalid={problems.again ? true : undefined}
            aria-describedby={problems.again ? `${id}-again` : undefined}
          />
          {problem('again')}
        </label>
        {problems.form && (
          <p className="error" role="alert">
            {problems.form}
          </p>
        )}
        {done && (
          <p className="notice" role="status" data-testid="password-changed">
            Your password has been changed.
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Changing…' : forced ? 'Save my password and go on' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
