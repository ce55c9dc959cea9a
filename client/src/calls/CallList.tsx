// Recent calls with their outcome and recording: duration, SHA-256 and an in-browser player
// (the server streams with HTTP Range, so seeking works). Candidates never get recording links.
import { dateGB, hourMinuteGB } from '../format.js';
import { useCallback, useEffect, useState } from 'react';
import type { CallSummary } from '../../../server/protocol/telephony.js';
import { api } from '../api.js';

const time = (ms: number | null) => (ms ? `${dateGB(ms)}, ${hourMinuteGB(ms)}` : '—');
const duration = (ms: number | null | undefined) => {
  if (!ms && ms !== 0) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function CallList({ refreshMs = 10_000 }: { refreshMs?: number }) {
  const [calls, setCalls] = useState<CallSummary[]>([]);
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    api<{ calls: CallSummary[] }>('GET', '/api/calls?limit=50').then(
      (r) => {
        setCalls(r.calls);
        setError(undefined);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);
  useEffect(() => {
    load();
    const t = window.setInterval(load, refreshMs);
    return () => window.clearInterval(t);
  }, [load, refreshMs]);

  if (error) return <p className="error">Calls could not be loaded: {error}</p>;
  if (calls.length === 0) return <p className="muted">No calls yet.</p>;
  return (
    <table className="calls" data-testid="call-list">
      <thead>
        <tr>
          <th>Started</th>
          <th>From</th>
          <th>To</th>
          <th>Outcome</th>
          <th>Recording</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((c) => (
          <tr key={c.id} data-call-id={c.id}>
            <td>{time(c.invitedAt)}</td>
            <td>
              {c.caller.displayName} ({c.caller.extension})
            </td>
            <td>
              {c.callee.displayName} ({c.callee.extension})
            </td>
            <td>
              {c.state}
              {c.endReason ? ` · ${c.endReason}` : ''}
            </td>
            <td>
              {c.recordingProblem && (
                <p role="alert" className="error" data-testid="recording-problem">
                  {c.recordingProblem}
                </p>
              )}
              {c.recording ? (
                <div className="recording">
                  <span data-testid="recording-duration">{duration(c.recording.durationMs)}</span>
                  {c.recording.status !== 'complete' && <span className="tag">{c.recording.status}</span>}
                  <code title={c.recording.sha256 ?? ''}>SHA-256 {c.recording.sha256?.slice(0, 12)}…</code>
                  <audio controls preload="metadata" src={c.recording.url} aria-label={`Recording of call at ${time(c.invitedAt)}`} />
                </div>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
