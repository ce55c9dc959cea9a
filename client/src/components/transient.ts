// A confirmation that goes away by itself ("Call wrapped up.", "Sitting created…"): shown for
// TRANSIENT_MS after it last changed, then gone, so a page open all day does not keep yesterday's
// news. Errors are not transient: they stay until the user acts.
import { useEffect, useState } from 'react';

export const TRANSIENT_MS = 10_000;

/** `value` while it is fresh, undefined once TRANSIENT_MS have passed since it was last set. */
export function useTransient<T>(value: T | undefined, ms: number = TRANSIENT_MS): T | undefined {
  const [expired, setExpired] = useState<T | undefined>();
  useEffect(() => {
    if (value === undefined) return;
    const timer = setTimeout(() => setExpired(() => value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return value !== undefined && expired === value ? undefined : value;
}
