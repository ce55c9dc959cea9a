// Wrap-up: outcome code and notes for the call just ended.
import { useEffect, useState, type FormEvent } from 'react';
import { crm, type WrapUpCode } from './crm-api.js';
import { describeError, Notice } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';

export function WrapUp({ onDone }: { onDone: () => void }) {
  const { attemptId, customerId } = useDesktop();
  const [codes, setCodes] = useState<WrapUpCode[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  useEffect(() => {
    crm.wrapUpCodes(attemptId).then(setCodes, (err: unknown) => setNotice({ kind: 'error', text: describeError(err) }));
  }, [attemptId]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body = { code: formText(f, 'code'), notes: formText(f, 'notes').trim(), ...(customerId ? { customerId } : {}) };
    try {
      await crm.wrapUp(attemptId, body);
      setNotice({ kind: 'ok', text: 'Call wrapped up.' });
      onDone();
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  };
  return (
    <form onSubmit={handled(submit)} aria-label="Wrap-up">
      <label htmlFor="wrap-code">Outcome</label>
      {/* No outcome chosen for the candidate: choosing it is part of what is assessed. */}
      <select id="wrap-code" name="code" required defaultValue="">
        <option value="" disabled>
          Choose the outcome…
        </option>
        {codes.map((c) => (
          <option key={c.code} value={c.code}>
            {c.label}
          </option>
        ))}
      </select>
      <label htmlFor="wrap-notes">Wrap-up notes</label>
      <textarea id="wrap-notes" name="notes" rows={3} />
      <button type="submit">Complete wrap-up</button>
      <Notice notice={notice} />
    </form>
  );
}
