// How a staff page shows what it is reading (useLoad): the wait in words, a failure in words and
// announced, the staff's words when there is nothing to show, and otherwise the content.
import type { ReactNode } from 'react';
import type { Loaded } from './useLoad.js';

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
  const quiet = small ? 'muted small' : 'muted';
  if (state.error !== undefined) {
    return (
      <p className="error" role="alert">
        {failed ? `${failed}: ${state.error}` : state.error}
      </p>
    );
  }
  if (state.data === undefined) return <p className={quiet}>{loading}</p>;
  if (empty !== undefined && isEmpty(state.data)) return <p className={quiet}>{empty}</p>;
  return <>{children(state.data)}</>;
}
