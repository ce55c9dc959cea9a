// The catalogue of Unit 2 criteria (server/assessment/criteria-catalogue.ts): an id's section,
// subsection and measures as the digest prints them, and look-up by id, where a retired id is found
// only when asked for.
import { afterEach, describe, expect, it } from 'vitest';
import { CRITERIA_BY_ID, findCriterion } from '../../../server/assessment/criteria-catalogue.js';

describe('findCriterion', () => {
  const id = 'U2-4.2-hold-max-60';
  afterEach(() => {
    delete CRITERIA_BY_ID.get(id)!.retired;
  });

  it('finds a criterion by its id, with what the digest says of it', () => {
    expect(findCriterion(id)).toBe(CRITERIA_BY_ID.get(id));
    expect(findCriterion('U2-1.1-recording-notice')).toMatchObject({ section: 1, subsection: '1.1', how: 'S (+L)', measures: ['S'], autoCheckable: false });
    expect(findCriterion('U2-1.2-prompt-response')).toMatchObject({ section: 1, subsection: '1.2', measures: ['T', 'L', 'H'], autoCheckable: true });
    expect(findCriterion('U2-4.2-calm')).toMatchObject({ section: 4, measures: ['H'], autoCheckable: false });
  });

  it('finds nothing for an unknown id', () => {
    expect(findCriterion('U2-4.2-telepathy')).toBeUndefined();
    expect(findCriterion('U2-4.2-telepathy', true)).toBeUndefined();
  });

  it('finds a retired id only when retired ones are asked for', () => {
    CRITERIA_BY_ID.get(id)!.retired = true;
    expect(findCriterion(id)).toBeUndefined();
    expect(findCriterion(id, false)).toBeUndefined();
    expect(findCriterion(id, true)).toBe(CRITERIA_BY_ID.get(id));
  });
});
