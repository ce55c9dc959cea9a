// How a staff page shows what it is reading (useLoad): the wait in words, a failure in words and
// announced, the staff's words when there is nothing to show, and otherwise the content.
import { useCallback, type ReactNode } from 'react';
import { useLoad, type Loaded } from './useLoad.js';

export interface AsyncStateProps<T> {
  state: Pick<Loaded<T>, 'data' | 'error'>;
  /** Said while the data is on its way, e.g. "Loading sittings…". */
  loading: string;
  /** Said before the reason of a failure, e.g. "The sittings could not be loaded" (else the reason alone). */
  failed?: string;
  /** Said instead of the content when the data is empty (an empty list, unless `isEmpty` says otherwise). */
  empty?: string;
  isEmpty?: (data: T) => boolean;
  /** The waiting and empty messages in small type. */
  small?: boolean;
  children: (data: T) => ReactNode;
}

const emptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

export function AsyncState<T>({ state, loading, failed, empty, isEmpty = emptyList, small, children }: AsyncStateProps<T>) {
  if (state.error !== undefined || state.data === undefined) return <NotYet error={state.error} loading={loading} failed={failed} small={small} />;
  if (empty !== undefined && isEmpty(state.data)) return <p className={small ? 'muted small' : 'muted'}>{empty}</p>;
  return <>{children(state.data)}</>;
}

/**
 * Reads one thing by its id (`read(id)`, again for another id) and shows it as AsyncState does;
 * `children` also gets `set`, to show the server's fresh copy after an action on it.
 */
export function Reading<T>({ read, id, children, ...shown }: Omit<AsyncStateProps<T>, 'state' | 'children'> & { read: (id: string) => Promise<T>; id: string; children: (data: T, set: (data: T) => void) => ReactNode }) {
  const state = useLoad(useCallback(() => read(id), [read, id]));
  return (
    <AsyncState state={state} {...shown}>
      {(data) => children(data, state.set)}
    </AsyncState>
  );
}

/**
 * What stands where the content will be, for a page that keeps what it read itself (edited after
 * reading, or read again without forgetting it): the failure in words and announced, else the wait.
 */
export function NotYet({ error, loading, failed, small }: { error?: string; loading: string; failed?: string; small?: boolean }) {
  if (error !== undefined)
    return (
      <p className="error" role="alert">
        {failed ? `${failed}: ${error}` : error}
      </p>
    );
  return <p className={small ? 'muted small' : 'muted'}>{loading}</p>;
}
