// Bookmarks on an attempt's call: the list (each with its offset from the call's answer) and the
// free bookmark box (type a note, press Enter). Cue cards add theirs through `add`.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { Bookmark, BookmarkInput } from '../../../server/protocol/assessment.js';
import { inSentence, offset as formatOffset } from '../format.js';
import { sittings } from './sitting-api.js';
import { describeError } from './useSitting.js';
import { handled } from '../components/handled.js';

export interface BookmarksHandle {
  bookmarks: Bookmark[];
  add: (input: BookmarkInput) => Promise<Bookmark | undefined>;
  status: string;
  error: string | undefined;
}

export function useBookmarks(attemptId: string): BookmarksHandle {
  const [bookmarks, setBookmarks] = useState<Bookmark[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string>();
  useEffect(() => {
    setBookmarks([]);
    sittings.bookmarks(attemptId).then(setBookmarks, (err: unknown) => setError(describeError(err)));
  }, [attemptId]);
  const add = useCallback(
    async (input: BookmarkInput) => {
      try {
        const b = await sittings.addBookmark(attemptId, input);
        setBookmarks((list) => (list.some((x) => x.id === b.id) ? list : [...list, b]));
        setStatus(`Bookmarked${b.offsetMs === null ? ' (no call answered yet)' : ` at ${formatOffset(b.offsetMs)}`}: ${b.note}`);
        setError(undefined);
        return b;
      } catch (err) {
        setError(describeError(err));
        return undefined;
      }
    },
    [attemptId],
  );
  return { bookmarks, add, status, error };
}

/** A cue bookmark's tag: when the cue is played, in the caller brief's words; "Cue" alone when the brief no longer has it (never the cue's id). */
export const cueTag = (b: Pick<Bookmark, 'cueId' | 'cueWhen'>): string | null => (b.cueId === null ? null : b.cueWhen ? `Cue: ${inSentence(b.cueWhen)}` : 'Cue');

/** The list of bookmarks, oldest first, with mm:ss from the call's answer. */
export function BookmarkList({ bookmarks }: { bookmarks: Bookmark[] }) {
  if (bookmarks.length === 0) return <p className="muted small">No bookmarks yet.</p>;
  const sorted = [...bookmarks].sort((a, b) => a.at - b.at || a.id - b.id);
  return (
    <ol className="bookmarks" data-testid="bookmarks">
      {sorted.map((b) => (
        <li key={b.id}>
          <span className="offset" title={b.offsetMs === null ? 'No call answered yet' : 'Time from the call’s answer'}>
            {formatOffset(b.offsetMs)}
          </span>{' '}
          <span className="note">{b.note}</span>
          {b.cueId !== null && <span className="tag plain">{cueTag(b)}</span>}
          <span className="small muted"> · {b.by.name}</span>
        </li>
      ))}
    </ol>
  );
}

/** The free bookmark box and the list. */
export function BookmarkBox({ handle }: { handle: BookmarksHandle }) {
  const id = useId();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = note.trim();
    if (!text || busy) return;
    setBusy(true);
    const b = await handle.add({ note: text, cueId: null });
    setBusy(false);
    if (b) setNote('');
  };
  return (
    <div className="bookmark-box">
      <form onSubmit={handled(submit)} className="inline" aria-label="Add a bookmark">
        <label htmlFor={`${id}-note`} className="visually-hidden">
          Bookmark note
        </label>
        <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Bookmark note, then Enter" maxLength={500} aria-describedby={handle.error ? `${id}-error` : undefined} />
        <button type="submit" disabled={busy || !note.trim()}>
          Bookmark
        </button>
      </form>
      {handle.error && (
        <p className="error" role="alert" id={`${id}-error`}>
          {handle.error}
        </p>
      )}
      <p className="small notice" role="status" data-testid="bookmark-status">
        {handle.status}
      </p>
      <BookmarkList bookmarks={handle.bookmarks} />
    </div>
  );
}
