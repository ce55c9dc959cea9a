// Pre-filled marking suggestions for an attempt (server/sittings/suggestions.ts, shared with the
// marking view), in the attempt scope (attempt-scope.ts, under /api/attempts/:id). Staff only:
// candidates never see rubrics, answer keys or suggested marks.
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { attemptSuggestions } from '../sittings/suggestions.js';
import { attemptSuggestions as attemptSuggestionsSchema } from './assessment-responses.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';

export function registerAssessmentRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  scope.get(
    '/suggestions',
    { config: { access: ['assessor', 'moderator', 'admin'], attempt: { use: 'supervise' } }, schema: { params: attemptParams, response: { 200: attemptSuggestionsSchema } } },
    async (request) => {
      const attempt = attemptOf(request);
      const scenario = scenarioOfAttempt(attempt);
      if (!scenario) throw new HttpError(409, 'no_rubric', `The "${attempt.scenarioKey}" data set has no rubric: marks are given by hand.`);
      const { call, suggestions } = attemptSuggestions(repos, attempt, scenario, clock.now());
      return { attemptId: attempt.id, scenario: { key: scenario.key, title: scenario.title }, callId: call?.id ?? null, suggestions };
    },
  );
}
