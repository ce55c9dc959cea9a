// What a staff page reads from the server to show: the data once it has come, the failure in words
// (describeError: the server's own message, or that the server could not be reached), a way to
// read it again and to take the server's fresh copy after an action. A new `load` (another sitting,
// another centre) starts over, and an answer to an older one is dropped rather than shown; a new
// `again` (something elsewhere on the page changed it) reads it again, keeping what is shown meanwhile.
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../sitting/useSitting.js';

export interface Loaded<T> {
  /** The data, once read (kept while a later reading fails). */
  data: T | undefined;
  /** Why the last reading failed, in words; cleared by the next one that succeeds. */
  error: string | undefined;
  /** Reads it again now. */
  reload: () => Promise<void>;
  /** Shows the server's fresh copy (e.g. its answer to an action) without reading again. */
  set: (data: T) => void;
}

/**
 * Reads `load` when the page shows and again whenever `load` changes (wrap it in useCallback), or
 * `again` does (e.g. a count a parent raises after an action).
 */
export function useLoad<T>(load: () => Promise<T>, again?: unknown): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const current = useRef(load);
  const reload = useCallback(async () => {
    try {
      const data = await load();
      if (current.current === load) setState({ data });
    } catch (err) {
      if (current.current === load) setState((s) => ({ ...s, error: describeError(err) }));
    }
  }, [load]);
  useEffect(() => {
    current.current = load;
    setState({});
    void reload();
  }, [load, reload]);
  const lastAgain = useRef(again);
  useEffect(() => {
    if (Object.is(lastAgain.current, again)) return;
    lastAgain.current = again;
    void reload();
  }, [again, reload]);
  const set = useCallback((data: T) => setState({ data }), []);
  return { data: state.data, error: state.error, reload, set };
}
