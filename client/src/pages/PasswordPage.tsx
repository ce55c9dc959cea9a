// Changing your own password (/account/password, every role). When an administrator set the
// password (a new account, or a reset), this page is all the account can use until it is changed:
// `forced` says so and offers only logging out besides.
import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ROLE_HOME } from '../../../server/protocol/roles.js';
import { ApiFailure, changePassword } from '../api.js';
import { handled } from '../components/handled.js';
import { useSession } from '../session.js';
import { Problem } from '../components/useAction.js';

/** The server's rule (server/auth/passwords.ts MIN_PASSWORD_LENGTH), said before sending. */
const MIN_LENGTH = 10;

type Field = 'currentPassword' | 'newPassword' | 'again';

export function PasswordPage({ forced = false }: { forced?: boolean }) {
  const { setSession } = useSession();
  const navigate = useNavigate();
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Partial<Record<Field | 'form', string>>>({});
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
        <PasswordField name="currentPassword" label={forced ? 'Password you were given' : 'Current password'} autoComplete="current-password" value={current} onChange={setCurrent} problem={problems.currentPassword} />
        <PasswordField name="newPassword" label={`New password (at least ${MIN_LENGTH} characters)`} autoComplete="new-password" value={next} onChange={setNext} problem={problems.newPassword} />
        <PasswordField name="again" label="New password again" autoComplete="new-password" value={again} onChange={setAgain} problem={problems.again} />
        <Problem error={problems.form} />
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

/** One password box with its label and, under it, what is wrong with it (announced, and named by the box). */
function PasswordField({ name, label, autoComplete, value, onChange, problem }: { name: Field; label: string; autoComplete: 'current-password' | 'new-password'; value: string; onChange: (value: string) => void; problem: string | undefined }) {
  const problemId = `${useId()}-${name}`;
  return (
    <label>
      {label}
      <input
        name={name}
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? problemId : undefined}
      />
      {problem ? (
        <span className="error" id={problemId} role="alert">
          {problem}
        </span>
      ) : null}
    </label>
  );
}
