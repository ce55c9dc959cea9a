// The candidate's agent state (Ready, Not ready, On call, Wrap-up), set from the agent desktop:
//   POST /api/attempts/:id/agent-state  [candidate: own open attempt]  { state } → { state, from, changed }
//   GET  /api/attempts/:id/agent-state  [candidate, staff who may read the attempt] → { state, since }
// A change is recorded by the server on the attempt's timeline ('agent-state', { from, to }) in the
// same transaction that decides it; the state is what the server recorded last ('not-ready' before
// any; server/realtime/agent-state.ts). Setting the state the agent is already in changes nothing and records nothing.
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { AGENT_STATES, currentAgentState, type AgentState } from '../realtime/agent-state.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';

export { AGENT_STATES, currentAgentState, type AgentState };

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UUID } } } as const;

export function registerAgentStateRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;
  const access = new AttemptAccess(repos);

  app.get<{ Params: { id: string } }>('/api/attempts/:id/agent-state', { config: { access: ['candidate', 'assessor', 'moderator', 'admin'] }, schema: { params } }, async (request) => {
    const attempt = access.readable(requireSession(request).user, request.params.id);
    return currentAgentState(repos, attempt.id);
  });

  app.post<{ Params: { id: string }; Body: { state: AgentState } }>(
    '/api/attempts/:id/agent-state',
    {
      config: { access: ['candidate'] },
      schema: { params, body: { type: 'object', required: ['state'], additionalProperties: false, properties: { state: { type: 'string', enum: [...AGENT_STATES] } } } },
    },
    async (request) => {
      const attempt = access.writable(requireSession(request).user, request.params.id, 'This attempt is closed; its agent state no longer changes.');
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
