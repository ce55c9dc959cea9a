// One sitting, kept fresh: loaded, re-read about every 15 s (the clock re-syncs from each reading)
// and replaced at once by the answer of any action taken on it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import { ApiFailure } from '../api.js';
import type { ClockSnapshot } from './SittingClock.js';
import { sittings } from './sitting-api.js';

export const POLL_MS = 15_000;

export interface SittingHandle {
  detail: SittingDetail | undefined;
  snapshot: ClockSnapshot | undefined;
  error: string | undefined;
  /** Read it again now. */
  refresh: () => Promise<void>;
  /** Use a fresh copy the server returned (e.g. after an action). */
  apply: (d: SittingDetail) => void;
}

export const describeError = (err: unknown): string =>
  err instanceof ApiFailure ? err.message : err instanceof Error && err.message ? `The server could not be reached (${err.message}).` : 'The server could not be reached.';

export function useSitting(id: string | undefined, pollMs = POLL_MS): SittingHandle {
  const [state, setState] = useState<{ detail?: SittingDetail; snapshot?: ClockSnapshot; error?: string }>({});
  const current = useRef(id);
  current.current = id;
  const apply = useCallback((d: SittingDetail) => {
    if (d.id !== current.current) return;
    setState({ detail: d, snapshot: { clock: d.clock, receivedAt: performance.now() } });
  }, []);
  const refresh = useCallback(async () => {
    const want = current.current;
    if (!want) return;
    try {
      apply(await sittings.get(want));
    } catch (err) {
      if (want === current.current) setState((s) => ({ ...s, error: describeError(err) }));
    }
  }, [apply]);
  useEffect(() => {
    setState({});
    if (!id) return;
    void refresh();
    const t = window.setInterval(() => void refresh(), pollMs);
    // Back to the tab: read at once rather than show a stale clock.
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(t);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [id, pollMs, refresh]);
  return { detail: state.detail, snapshot: state.snapshot, error: state.error, refresh, apply };
}
