// Pre-filled marking suggestions for an attempt (server/sittings/suggestions.ts, shared with the
// marking view). Staff only: candidates never see rubrics, answer keys or suggested marks.
import type { FastifyInstance } from 'fastify';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { attemptSuggestions } from '../sittings/suggestions.js';

const attemptParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
} as const;

export function registerAssessmentRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  app.get<{ Params: { id: string } }>(
    '/api/attempts/:id/suggestions',
    { config: { access: ['assessor', 'moderator', 'admin'] }, schema: { params: attemptParams } },
    async (request) => {
      const attempt = new AttemptAccess(repos).supervised(requireSession(request).user, request.params.id);
      const scenario = scenarioOfAttempt(attempt);
      if (!scenario) throw new HttpError(409, 'no_rubric', `The "${attempt.scenarioKey}" data set has no rubric: marks are given by hand.`);
      const { call, suggestions } = attemptSuggestions(repos, attempt, scenario, clock.now());
      return { attemptId: attempt.id, scenario: { key: scenario.key, title: scenario.title }, callId: call?.id ?? null, suggestions };
    },
  );
}
