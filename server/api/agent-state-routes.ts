// The candidate's agent state (Ready, Not ready, On call, Wrap-up), set from the agent desktop:
//   POST /api/attempts/:id/agent-state  [candidate: own open attempt]  { state } → { state, from, changed }
//   GET  /api/attempts/:id/agent-state  [candidate, staff who may read the attempt] → { state, since }
// A change is recorded by the server on the attempt's timeline ('agent-state', { from, to }) in the
// same transaction that decides it; the state is what the server recorded last ('not-ready' before
// any; server/realtime/agent-state.ts). Setting the state the agent is already in changes nothing and records nothing.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { AGENT_STATES, currentAgentState, type AgentState } from '../realtime/agent-state.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { agentStateChangeResponse, agentStateResponse } from './attempt-responses.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';

export { AGENT_STATES, currentAgentState, type AgentState };

const agentState = z.enum(AGENT_STATES);

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerAgentStateRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;

  scope.get(
    '/agent-state',
    {
      config: { access: ['candidate', 'assessor', 'moderator', 'admin'], attempt: { use: 'read' } },
      schema: { params: attemptParams, response: { 200: agentStateResponse } },
    },
    async (request) => currentAgentState(repos, attemptOf(request).id),
  );

  scope.post(
    '/agent-state',
    {
      config: { access: ['candidate'], attempt: { use: 'write', closed: 'This attempt is closed; its agent state no longer changes.', sittingTime: false } },
      schema: {
        params: attemptParams,
        body: z.object({ state: agentState }).strict(),
        response: { 200: agentStateChangeResponse },
      },
    },
    async (request) => {
      const attempt = attemptOf(request);
      const to = request.body.state;
      return repos.transaction(() => {
        const from = currentAgentState(repos, attempt.id).state;
        if (from === to) return { state: to, from, changed: false };
        evidence.record(attempt, 'agent-state', evidencePayload.agentState(from, to), { at: clock.now() });
        return { state: to, from, changed: true };
      });
    },
  );
}
