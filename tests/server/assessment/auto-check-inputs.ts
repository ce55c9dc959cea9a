// Shared by the auto-check tests: an attempt's call, desktop timeline and records built by hand,
// the way server/sittings/suggestions.ts hands them to evaluateAutoChecks.
import { evaluateAutoChecks, type AutoCheckInput, type CriterionSuggestion } from '../../../server/assessment/auto-checks.js';
import type { AutoCheckDefinition, CallFacts, RecordSnapshot, TimelineEntry } from '../../../server/assessment/types.js';

/** The instant the candidate answered (2 March 2026, 09:05 UTC). */
export const ANSWER = Date.UTC(2026, 2, 2, 9, 5, 0);
export const at = (sec: number) => ANSWER + sec * 1000;
export const ACCOUNT = 'BL100231';
export const CUSTOMER_ID = 7;

/** Desktop actions at seconds into the call, in the order given. */
export function timeline(...entries: Array<[type: string, sec: number, payload?: Record<string, unknown>]>): TimelineEntry[] {
  return entries.map(([type, sec, payload], i) => ({ seq: i + 1, at: at(sec), offsetMs: sec * 1000, type, payload: payload ?? {} }));
}

/** An inbound call: rings `ringSec` before the answer; candidate's holds as [fromSec, toSec] pairs. */
export function inboundCall(opts: { ringSec?: number; holds?: Array<[number, number]>; assessorHolds?: Array<[number, number]>; endSec?: number | null; answered?: boolean } = {}): CallFacts {
  const events: Array<{ at: number; type: string; leg: 'caller' | 'callee' | null }> = [];
  for (const [from, to] of opts.holds ?? []) events.push({ at: at(from), type: 'hold', leg: 'callee' }, { at: at(to), type: 'resume', leg: 'callee' });
  for (const [from, to] of opts.assessorHolds ?? []) events.push({ at: at(from), type: 'hold', leg: 'caller' }, { at: at(to), type: 'resume', leg: 'caller' });
  events.sort((a, b) => a.at - b.at);
  const endSec = opts.endSec === undefined ? 300 : opts.endSec;
  return {
    invitedAt: at(-(opts.ringSec ?? 4) - 1),
    ringingAt: at(-(opts.ringSec ?? 4)),
    answeredAt: opts.answered === false ? null : ANSWER,
    endedAt: endSec === null ? null : at(endSec),
    events,
    candidateLeg: 'callee',
  };
}

export const customer = (fields: Record<string, unknown>): RecordSnapshot => ({ type: 'customer', key: ACCOUNT, id: CUSTOMER_ID, fields });

/** The checks over a 2-mark rubric line each, with an answered inbound call and nothing else unless given. */
export function run(checks: AutoCheckDefinition[], parts: Partial<AutoCheckInput> = {}): CriterionSuggestion[] {
  const rubric = [...new Set(checks.map((c) => c.criterionId))].map((criterionId) => ({ criterionId, maxMarks: 2 }));
  return evaluateAutoChecks({ checks, rubric, answerKey: {}, call: inboundCall(), timeline: [], records: [], ...parts });
}

export const one = (check: AutoCheckDefinition, parts: Partial<AutoCheckInput> = {}): CriterionSuggestion => {
  const [s] = run([check], parts);
  return s!;
};
