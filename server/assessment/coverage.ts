// Choosing the four assignments of a sitting, and the coverage warning.
//
// Digest (shared/docs/assessment-domain.md):
// - 1.2: a candidate completes 4 of the 6 assignments (stated).
// - 1.4 [proposal]: the assessor chooses per candidate; the UI WARNS (does not refuse) when the four
//   chosen leave a Unit 2 content section unassessed, "e.g. no sales or no outbound call".
// - 4.7: sections 2 (inbound sales) and 3 (outbound sales) are only met when S4 and S5 are among
//   the four; section 1 (routine incoming service) by S1, S2, S3 (and S6, an outbound call).
// Issue 5 names the three areas to warn about: inbound service, inbound sales, outbound sales.
// An area counts as covered only by a scenario of that direction marking that section, so S6
// (section 1 applied to an outbound call) does not stand in for an inbound service call. With
// outbound sales required, "no outbound call" is always reported as missing outbound sales.

import { AssessmentRuleError } from './errors.js';
import { UNIT2_GRADES } from './grades.js';
import type { CoverageScenario, Direction } from './types.js';

export type CoverageArea = 'inbound-service' | 'inbound-sales' | 'outbound-sales';

export const COVERAGE_AREAS: ReadonlyArray<{ area: CoverageArea; direction: Direction; section: string; label: string }> = [
  { area: 'inbound-service', direction: 'inbound', section: '1', label: 'an inbound service call (Unit 2 section 1)' },
  { area: 'inbound-sales', direction: 'inbound', section: '2', label: 'an inbound sales call (Unit 2 section 2)' },
  { area: 'outbound-sales', direction: 'outbound', section: '3', label: 'an outbound sales call (Unit 2 section 3)' },
];

/** Digest 4.7 (X cells only) with each type's direction, for scenarios that do not list their own. */
export const DIGEST_SCENARIO_TYPES: Readonly<Record<'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6', { direction: Direction; sections: readonly string[] }>> = {
  S1: { direction: 'inbound', sections: ['1', '4', '6.1', '6.2', '6.3', '7.1'] },
  S2: { direction: 'inbound', sections: ['1', '4', '5.1', '6.1', '6.2', '6.3', '7.2', '7.3'] },
  S3: { direction: 'inbound', sections: ['1', '4', '5.2', '6.1', '6.2', '6.3', '7.1', '7.2'] },
  S4: { direction: 'inbound', sections: ['2', '4', '6.1', '6.3', '7.2'] },
  S5: { direction: 'outbound', sections: ['3', '4', '6.1', '6.3', '7.1', '7.2'] },
  S6: { direction: 'outbound', sections: ['1', '4', '6.1', '6.2', '6.3', '7.1', '7.2', '7.3'] },
};

/** '1.2' → '1'; '6' → '6'. */
const topSection = (s: string): string => s.trim().split('.')[0]!;

export interface CoverageWarning {
  area: CoverageArea;
  message: string;
}

/** One warning per area none of the chosen scenarios covers (any number chosen, 0 included). */
export function coverageWarnings(chosen: readonly CoverageScenario[]): CoverageWarning[] {
  return COVERAGE_AREAS.filter(({ direction, section }) => !chosen.some((s) => s.direction === direction && s.sections.some((x) => topSection(x) === section))).map(
    ({ area, label }) => ({ area, message: `None of the chosen assignments is ${label}; that part of Unit 2 would not be assessed.` }),
  );
}

export interface SelectionProblem {
  code: 'wrong-count' | 'duplicate-scenario' | 'duplicate-type' | 'bad-direction';
  message: string;
}

export interface SelectionCheck {
  /** Refusals: the sitting cannot be created with this choice. */
  problems: SelectionProblem[];
  /** Warnings: the assessor may go ahead (digest 1.4). */
  warnings: CoverageWarning[];
}

/** Checks a choice of scenarios for a sitting: exactly four, all different (ids and types), and the coverage warning. */
export function checkSelection(chosen: readonly CoverageScenario[], assignments: number = UNIT2_GRADES.assignments): SelectionCheck {
  if (!Number.isInteger(assignments) || assignments < 1) throw new AssessmentRuleError('bad-assignment-count', `The number of assignments must be a whole number of at least 1; got ${assignments}.`);
  const problems: SelectionProblem[] = [];
  if (chosen.length !== assignments) {
    problems.push({ code: 'wrong-count', message: `Choose exactly ${assignments} assignments; ${chosen.length} ${chosen.length === 1 ? 'is' : 'are'} chosen.` });
  }
  const ids = new Set<string>();
  const types = new Map<string, string>();
  for (const s of chosen) {
    if (s.direction !== 'inbound' && s.direction !== 'outbound') {
      problems.push({ code: 'bad-direction', message: `Scenario ${s.id} has direction "${String(s.direction)}"; it must be inbound or outbound.` });
    }
    if (ids.has(s.id)) problems.push({ code: 'duplicate-scenario', message: `Scenario ${s.id} is chosen twice.` });
    ids.add(s.id);
    if (s.type) {
      const other = types.get(s.type);
      if (other !== undefined && other !== s.id) problems.push({ code: 'duplicate-type', message: `Scenarios ${other} and ${s.id} are both of type ${s.type}; the four must be different assignments.` });
      else types.set(s.type, s.id);
    }
  }
  return { problems, warnings: coverageWarnings(chosen) };
}
