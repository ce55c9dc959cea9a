// Choosing four of the six assignments and the coverage warning (digest 1.4, 4.7; issue 5: warn
// when the four do not cover inbound service, inbound sales and outbound sales).
import { describe, expect, it } from 'vitest';
import { checkSelection, coverageWarnings, DIGEST_SCENARIO_TYPES } from '../../../server/assessment/coverage.js';
import type { CoverageScenario } from '../../../server/assessment/types.js';

type T = keyof typeof DIGEST_SCENARIO_TYPES;
const scenario = (type: T, id: string = type.toLowerCase()): CoverageScenario => ({ id, type, ...DIGEST_SCENARIO_TYPES[type] });
const pick = (...types: T[]) => types.map((t) => scenario(t));
const areas = (chosen: CoverageScenario[]) => coverageWarnings(chosen).map((w) => w.area);

describe('coverageWarnings', () => {
  it('S1 S2 S4 S5: nothing to warn about', () => {
    expect(coverageWarnings(pick('S1', 'S2', 'S4', 'S5'))).toEqual([]);
  });
  it('no sales at all (S1 S2 S3 S6): both sales areas', () => {
    expect(areas(pick('S1', 'S2', 'S3', 'S6'))).toEqual(['inbound-sales', 'outbound-sales']);
    expect(coverageWarnings(pick('S1', 'S2', 'S3', 'S6'))[1]!.message).toBe(
      'None of the chosen assignments is an outbound sales call (Unit 2 section 3); that part of Unit 2 would not be assessed.',
    );
  });
  it('no outbound call (S1 S2 S3 S4): outbound sales', () => {
    expect(areas(pick('S1', 'S2', 'S3', 'S4'))).toEqual(['outbound-sales']);
  });
  it('no inbound sales (S2 S3 S5 S6)', () => {
    expect(areas(pick('S2', 'S3', 'S5', 'S6'))).toEqual(['inbound-sales']);
  });
  it('an outbound service call (S6) does not stand in for an inbound service call', () => {
    const customOutbound: CoverageScenario = { id: 'centre-outbound', direction: 'outbound', sections: ['1.2', '4', '6.1'] };
    expect(areas([...pick('S4', 'S5', 'S6'), customOutbound])).toEqual(['inbound-service']);
  });
  it('reads sub-sections as their section, and only that section', () => {
    expect(areas([{ id: 'x', direction: 'inbound', sections: ['1.3'] }])).toEqual(['inbound-sales', 'outbound-sales']);
    expect(areas([{ id: 'x', direction: 'inbound', sections: ['10', '21'] }])).toEqual(['inbound-service', 'inbound-sales', 'outbound-sales']);
    expect(areas([{ id: 'x', direction: 'inbound', sections: ['3'] }])).toContain('outbound-sales');
  });
  it('nothing chosen: all three', () => {
    expect(areas([])).toEqual(['inbound-service', 'inbound-sales', 'outbound-sales']);
  });
  it('of the 15 ways to choose 4 of the 6 types, exactly those with S4 and S5 are warning-free', () => {
    const all: T[] = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'];
    let clean = 0;
    for (let a = 0; a < 6; a++)
      for (let b = a + 1; b < 6; b++)
        for (let c = b + 1; c < 6; c++)
          for (let d = c + 1; d < 6; d++) {
            const chosen = [all[a]!, all[b]!, all[c]!, all[d]!];
            const expected = chosen.includes('S4') && chosen.includes('S5');
            expect(coverageWarnings(pick(...chosen)).length === 0, chosen.join(' ')).toBe(expected);
            if (expected) clean++;
          }
    expect(clean).toBe(6);
  });
});

describe('checkSelection', () => {
  it('four different scenarios: no problems, warnings as above', () => {
    expect(checkSelection(pick('S1', 'S2', 'S3', 'S4'))).toEqual({ problems: [], warnings: [expect.objectContaining({ area: 'outbound-sales' })] });
  });
  it.each([3, 5])('refuses %i chosen', (count) => {
    const chosen = pick('S1', 'S2', 'S3', 'S4', 'S5').slice(0, count);
    expect(checkSelection(chosen).problems).toEqual([{ code: 'wrong-count', message: `Choose exactly 4 assignments; ${count} are chosen.` }]);
  });
  it('refuses the same scenario twice, and two of one type', () => {
    expect(checkSelection([...pick('S1', 'S2', 'S4'), scenario('S4')]).problems).toEqual([{ code: 'duplicate-scenario', message: 'Scenario s4 is chosen twice.' }]);
    expect(checkSelection([...pick('S1', 'S2', 'S4'), scenario('S4', 's4-centre-copy')]).problems).toEqual([
      { code: 'duplicate-type', message: 'Scenarios s4 and s4-centre-copy are both of type S4; the four must be different assignments.' },
    ]);
  });
  it('refuses a direction that is neither inbound nor outbound', () => {
    const odd = { ...scenario('S1'), direction: 'sideways' } as unknown as CoverageScenario;
    expect(checkSelection([odd, ...pick('S2', 'S4', 'S5')]).problems.map((p) => p.code)).toEqual(['bad-direction']);
  });
  it('takes another assignment count from configuration', () => {
    expect(checkSelection(pick('S4', 'S5'), 2).problems).toEqual([]);
    expect(() => checkSelection([], 0)).toThrow('at least 1');
  });
});
