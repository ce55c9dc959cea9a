// One request a button sends: busy while it runs, the server's message when it is refused. Every
// form of the quality-assurance screens uses it, so each says the same thing the same way.
import { useCallback, useState } from 'react';
import { ApiFailure } from '../api.js';
import { describeError } from '../sitting/useSitting.js';

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Every bad field the server named in its refusal, by its name for it (e.g. 'verdicts.0.reason'). */
  fields: Record<string, string>;
  /** Runs the request; its answer, or undefined when it failed (the error is then shown). */
  run: <T>(request: () => Promise<T>) => Promise<T | undefined>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const run = useCallback(async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      return await request();
    } catch (err) {
      setError(describeError(err));
      setFields((err instanceof ApiFailure && err.fields) || {});
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, fields, run };
}

/** The refusal of an action, announced. */
export function Problem({ error, inline }: { error: string | undefined; inline?: boolean }) {
  if (!error) return null;
  return inline ? (
    <span className="error" role="alert">
      {error}
    </span>
  ) : (
    <p className="error" role="alert">
      {error}
    </p>
  );
}
