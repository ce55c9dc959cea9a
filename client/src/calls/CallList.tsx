// Recent calls with their outcome and recording: duration, SHA-256 and an in-browser player
// (the server streams with HTTP Range, so seeking works). Candidates never get recording links.
import { callOutcome, dateGB, hourMinuteGB } from '../format.js';
import { useEffect } from 'react';
import type { CallsResponse, CallSummary } from '../../../server/protocol/telephony.js';
import { api } from '../api.js';
import { AsyncState } from '../components/AsyncState.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { useLoad } from '../components/useLoad.js';

const time = (ms: number | null) => (ms ? `${dateGB(ms)}, ${hourMinuteGB(ms)}` : '—');
const duration = (ms: number | null | undefined) => {
  if (!ms && ms !== 0) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

const COLUMNS: ReadonlyArray<Column<CallSummary>> = [
  { header: 'Started', cell: (c) => time(c.invitedAt) },
  // Who each side is as the server words it (a candidate by name, the assessor as the customer the call presented): never an extension.
  { header: 'From', cell: (c) => c.caller.shownAs },
  { header: 'To', cell: (c) => c.callee.shownAs },
  { header: 'Outcome', cell: (c) => callOutcome(c) },
  {
    header: 'Recording',
    cell: (c) => (
      <>
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
      </>
    ),
  },
];

const loadCalls = () => api<CallsResponse>('GET', '/api/calls?limit=50').then((r) => r.calls);

export function CallList({ refreshMs = 10_000 }: { refreshMs?: number }) {
  const calls = useLoad(loadCalls);
  const { reload } = calls;
  useEffect(() => {
    const t = window.setInterval(() => void reload(), refreshMs);
    return () => window.clearInterval(t);
  }, [reload, refreshMs]);
  return (
    <AsyncState state={calls} loading="Loading calls…" failed="Calls could not be loaded" empty="No calls yet.">
      {(list) => <DataTable caption="Recent calls" columns={COLUMNS} rows={list} rowKey={(c) => c.id} rowProps={(c) => ({ 'data-call-id': c.id })} className="calls" testId="call-list" />}
    </AsyncState>
  );
}
