// Pre-filled marking suggestions for an attempt: the scenario's auto-checks run over the attempt's
// real data (its call and call events, the server-recorded timeline, the final state of its CRM
// records). Events the candidate's browser reported are never read here.
// One function for the suggestions route and the marking view, so both always agree.
import { evaluateAutoChecks, type CriterionSuggestion } from '../assessment/auto-checks.js';
import { toRulesAnswerKey, toRulesAutoChecks, toRulesRubric, type SittingDayDate } from '../assessment/scenario-adapters.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import { addDays, isoDate, ukDate } from './relative-dates.js';
import type { CallFacts, RecordSnapshot } from '../assessment/types.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { CallRecord } from '../db/repositories/calls.js';
import type { Repositories } from '../db/repositories/index.js';
import type { CriterionSuggestionView } from '../protocol/assessment.js';
import { findAttemptCall } from './attempt-call.js';

export interface AttemptSuggestions {
  call: CallRecord | undefined;
  suggestions: CriterionSuggestion[];
}

/** Dates relative to the attempt's sitting day (the sitting's start, or a practice attempt's). */
function sittingDayOf(repos: Repositories, attempt: Attempt): SittingDayDate {
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  const day = ukDate(sitting?.startedAt ?? attempt.createdAt);
  return (relative) => isoDate(addDays(day, relative.days, relative.workingDays));
}

/** The ids of the attempt's copies of the scenario's seeded messages, in the seed's order (copied in that order). */
function seedMessageIds(repos: Repositories, attempt: Attempt): number[] {
  return repos.crm
    .listMessages(attempt.id, 'in')
    .filter((m) => m.origin === 'seed')
    .map((m) => m.id)
    .sort((a, b) => a - b);
}

export function attemptSuggestions(repos: Repositories, attempt: Attempt, scenario: Scenario, now: number): AttemptSuggestions {
  const call = findAttemptCall(repos, attempt);
  const callFacts: CallFacts | null = call
    ? {
        invitedAt: call.invitedAt,
        ringingAt: call.ringingAt,
        answeredAt: call.answeredAt,
        endedAt: call.endedAt,
        events: repos.calls.events(call.id).map((e) => ({ at: e.at, type: e.type, leg: e.leg })),
        candidateLeg: repos.calls.candidateLeg(call),
      }
    : null;
  const records: RecordSnapshot[] = repos.crm.listCustomers(attempt.id).map((c) => ({ type: 'customer', key: c.accountNumber, id: c.id, fields: { ...c } }));
  const suggestions = evaluateAutoChecks({
    checks: toRulesAutoChecks(scenario),
    rubric: toRulesRubric(scenario),
    answerKey: toRulesAnswerKey(scenario, sittingDayOf(repos, attempt), seedMessageIds(repos, attempt)),
    call: callFacts,
    // Only what the server recorded is evidence; the browser's reports are not even read.
    timeline: repos.attemptEvents.list(attempt.id, { source: 'server' }).map((e) => ({ seq: e.seq, at: e.at, offsetMs: e.offsetMs, type: e.type, payload: e.payload, source: e.source })),
    records,
    asOf: now,
  });
  return { call, suggestions };
}

/** The wire form the marking view shows beside each criterion. */
export function toSuggestionView(s: CriterionSuggestion): CriterionSuggestionView {
  return { criterionId: s.criterionId, suggestedMarks: s.suggestedMarks, evidence: s.evidence.join(' ') };
}
