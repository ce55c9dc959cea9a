// Desktop state that must survive a reload of the page in the middle of a call (the open record,
// the agent state and its timer, the tool in front): kept per attempt in sessionStorage, which
// lives exactly as long as the browser tab. Desktop actions themselves are not kept here: the
// timeline outbox (realtime/timeline-client.ts) already keeps and re-sends them.
import { useCallback, useState } from 'react';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = sessionStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

/** useState that also writes each value to sessionStorage under `key` and starts from it. */
export function usePersistedState<T>(key: string, initial: T): [T, (next: T | ((prev: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => read(key, initial));
  const set = useCallback(
    (next: T | ((prev: T) => T)) => {
      setValue((prev) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
        try {
          if (v === undefined) sessionStorage.removeItem(key);
          else sessionStorage.setItem(key, JSON.stringify(v));
        } catch {
          /* storage full or blocked: the state still works for this page */
        }
        return v;
      });
    },
    [key],
  );
  return [value, set];
}
