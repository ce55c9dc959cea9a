import { ApiFailure } from '../api.js';

/** An API error in words, naming the field when the server named one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    if (err.code === 'version_conflict') return 'Someone else changed this record since you opened it. Reload it and make your change again.';
    return err.field ? `${err.field}: ${err.message}` : err.message;
  }
  return 'The server could not be reached. Your change was not saved.';
}

export function Notice({ notice }: { notice: { kind: 'ok' | 'error'; text: string } | undefined }) {
  if (!notice) return null;
  return (
    <p className={notice.kind === 'ok' ? 'notice' : 'error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
      {notice.text}
    </p>
  );
}
