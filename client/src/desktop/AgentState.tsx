// Agent state with its timer: Ready / Not ready set by the agent, On call and Wrap-up set by calls.
import { useEffect, useState } from 'react';
import type { AgentState } from '../../../server/protocol/desktop-view.js';

export const AGENT_STATE_LABEL: Record<AgentState, string> = { ready: 'Ready', 'not-ready': 'Not ready', 'on-call': 'On call', 'wrap-up': 'Wrap-up' };

export function AgentStateBar({ state, since, onChange, online, pending }: { state: AgentState; since: number; onChange: (s: AgentState) => void; online: boolean; pending: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const secs = Math.max(0, Math.floor((now - since) / 1000));
  return (
    <div className="agent-state" role="group" aria-label="Agent state">
      <strong data-testid="agent-state">{AGENT_STATE_LABEL[state]}</strong>
      <span className="timer" aria-label="Time in this state">
        {String(Math.floor(secs / 60)).padStart(2, '0')}:{String(secs % 60).padStart(2, '0')}
      </span>
      <button type="button" aria-pressed={state === 'ready'} disabled={state === 'on-call'} onClick={() => onChange('ready')}>
        Ready
      </button>
      <button type="button" aria-pressed={state === 'not-ready'} disabled={state === 'on-call'} onClick={() => onChange('not-ready')}>
        Not ready
      </button>
      <span className={online ? 'tag ok' : 'tag bad'} data-testid="connection" role="status">
        {online ? 'Online' : `Offline: ${pending} action${pending === 1 ? '' : 's'} queued`}
      </span>
    </div>
  );
}
