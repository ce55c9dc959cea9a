// The candidate's agent state (Ready, Not ready, On call, Wrap-up) as the server recorded it on an
// attempt's timeline ('agent-state' events of source 'server', api/agent-state-routes.ts), and
// whether calls may be offered to a candidate now: only while their desktop is Ready, as an ACD
// offers calls only to agents who are available (server/sip/offer-queue.ts keeps the others waiting).
import type { Repositories } from '../db/repositories/index.js';
import type { User } from '../db/repositories/users.js';
import type { Evidence } from './evidence.js';

import { AGENT_STATES, type AgentState } from '../protocol/desktop-view.js';

export { AGENT_STATES, type AgentState };
const INITIAL: AgentState = 'not-ready';

/** The attempt's agent state as the server last recorded it, and since when (null: never set). */
export function currentAgentState(repos: Repositories, attemptId: string): { state: AgentState; since: number | null } {
  const last = repos.attemptEvents.list(attemptId, { types: ['agent-state'], source: 'server' }).pop();
  const to = last?.payload.to;
  return typeof to === 'string' && (AGENT_STATES as readonly string[]).includes(to) ? { state: to as AgentState, since: last!.at } : { state: INITIAL, since: null };
}

/** What the B2BUA asks before it rings a phone (server/sip/offer-queue.ts's OfferGate). */
export interface AgentReadiness {
  mayOffer(user: User): boolean;
  holdsCallsFor(user: User): boolean;
  onChange(listener: (userId: number) => void): void;
}

/**
 * Calls may be offered to a candidate while one of their open attempts is Ready; a candidate with
 * no open attempt has no desktop state to respect and staff are always offered calls. Calls wait
 * for a candidate while they have an open attempt or a sitting in progress; once neither (the
 * sitting has ended), calls still waiting for them stop waiting. Listeners hear of every
 * agent-state change once it is stored (committed), with the candidate's user id.
 */
export function agentReadiness(repos: Repositories, evidence: Evidence): AgentReadiness {
  const listeners: Array<(userId: number) => void> = [];
  evidence.onStored((event) => {
    if (event.type !== 'agent-state') return;
    const attempt = repos.attempts.findById(event.attemptId);
    if (attempt) for (const l of listeners) l(attempt.candidateUserId);
  });
  return {
    mayOffer(user) {
      if (user.role !== 'candidate') return true;
      const open = repos.attempts.openForCandidate(user.id);
      return open.length === 0 || open.some((a) => currentAgentState(repos, a.id).state === 'ready');
    },
    holdsCallsFor(user) {
      if (user.role !== 'candidate') return false;
      return repos.attempts.openForCandidate(user.id).length > 0 || repos.sittings.inProgressFor(user.id) !== undefined;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
