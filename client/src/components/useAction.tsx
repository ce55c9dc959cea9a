// One request a button sends: busy while it runs, the server's message when it is refused. Every
// form of the quality-assurance screens uses it, so each says the same thing the same way.
import { useCallback, useState } from 'react';
import { describeError } from '../sitting/useSitting.js';

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Runs the request; its answer, or undefined when it failed (the error is then shown). */
  run: <T>(request: () => Promise<T>) => Promise<T | undefined>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await request();
    } catch (err) {
      setError(describeError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** The refusal of an action, announced. */
export function Problem({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}
