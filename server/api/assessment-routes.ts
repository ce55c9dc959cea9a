// Pre-filled marking suggestions for an attempt: the scenario's auto-checks run over the attempt's
// real data (its call and call events, the desktop timeline, the final state of its CRM records).
// Staff only: candidates never see rubrics, answer keys or suggested marks.
import type { FastifyInstance } from 'fastify';
import { evaluateAutoChecks } from '../assessment/auto-checks.js';
import { scenarioForAttemptKey } from '../assessment/scenario-loader.js';
import { toRulesAnswerKey, toRulesAutoChecks, toRulesRubric } from '../assessment/scenario-schema.js';
import type { CallFacts, RecordSnapshot } from '../assessment/types.js';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';

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
      const scenario = scenarioForAttemptKey(attempt.scenarioKey);
      if (!scenario) throw new HttpError(409, 'no_rubric', `The "${attempt.scenarioKey}" data set has no rubric: marks are given by hand.`);

      // The attempt's call: the candidate's latest answered call since the attempt began.
      const call = repos.calls
        .list({ userId: attempt.candidateUserId, limit: 50 })
        .filter((c) => c.invitedAt >= attempt.createdAt && c.answeredAt !== null)
        .sort((a, b) => (b.answeredAt ?? 0) - (a.answeredAt ?? 0))[0];
      const callFacts: CallFacts | null = call
        ? {
            invitedAt: call.invitedAt,
            ringingAt: call.ringingAt,
            answeredAt: call.answeredAt,
            endedAt: call.endedAt,
            events: repos.calls.events(call.id).map((e) => ({ at: e.at, type: e.type, leg: e.leg })),
            candidateLeg: call.candidateUserId === call.callerUserId ? 'caller' : 'callee',
          }
        : null;
      const records: RecordSnapshot[] = repos.crm.listCustomers(attempt.id).map((c) => ({
        type: 'customer',
        key: c.accountNumber,
        id: c.id,
        fields: { ...c },
      }));
      const suggestions = evaluateAutoChecks({
        checks: toRulesAutoChecks(scenario),
        rubric: toRulesRubric(scenario),
        answerKey: toRulesAnswerKey(scenario),
        call: callFacts,
        timeline: repos.attemptEvents.list(attempt.id).map((e) => ({ seq: e.seq, at: e.at, offsetMs: e.offsetMs, type: e.type, payload: e.payload as never })),
        records,
        asOf: clock.now(),
      });
      return { attemptId: attempt.id, scenario: { key: scenario.key, title: scenario.title }, callId: call?.id ?? null, suggestions };
    },
  );
}
