// Issue 17, "no ids or internal codes on screen": what a shipped scenario shows to staff (the
// rubric line descriptions on the marking form, the replay and the mark sheet; the titles and
// summary; the candidate brief; the caller brief with its facts and cue cards) speaks in staff
// words. It names a wrap-up outcome, a case category, a product or a template by the seed's own
// label or name ("Home move booked"), never by the code the CRM stores (MOVE, HOME_MOVE,
// BB-FIBRE-500, email-home-move). Fields that are references by design are left out: the brief's
// resources (seed keys the loader checks; no page shows them), cue ids, the criteria a cue tests and
// fact keys. Kept versions in scenarios/previous/ are not checked: they keep the text attempts
// were sat on.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { attemptKey, formatIssue, loadScenarios } from '../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const loaded = loadScenarios(dir);

/** Field names whose values are references, not text shown as written. */
const REFERENCE_FIELDS = new Set(['resources', 'id', 'tests', 'key']);

/** Every internal code of the scenario's own seed, with the words staff know it by. */
function seedCodes(s: Scenario): Array<{ code: string; what: string; words: string }> {
  return [
    ...s.seed.wrapUpCodes.map((w) => ({ code: w.code, what: 'wrap-up code', words: w.label })),
    ...(s.seed.caseCategories ?? []).map((c) => ({ code: c.code, what: 'case category', words: c.label })),
    ...s.seed.products.map((p) => ({ code: p.code, what: 'product code', words: p.name })),
    ...s.seed.templates.map((t) => ({ code: t.key, what: 'template key', words: t.name })),
  ];
}

/** The texts staff read, each with the JSON path it comes from. */
function staffTexts(s: Scenario): Array<{ at: string; text: string }> {
  const out: Array<{ at: string; text: string }> = [];
  const walk = (value: unknown, at: string): void => {
    if (typeof value === 'string') out.push({ at, text: value });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!REFERENCE_FIELDS.has(k)) walk(v, `${at}.${k}`);
    }
  };
  walk(s.title, 'title');
  walk(s.summary, 'summary');
  walk(s.candidateTitle, 'candidateTitle');
  s.rubric.forEach((line, i) => walk(line.description, `rubric[${i}].description`));
  walk(s.candidateBrief, 'candidateBrief');
  walk(s.callerBrief, 'callerBrief');
  return out;
}

/** The code as a word of its own: "MOVE" in "code MOVE", not in "REMOVED" or "HOME_MOVE". */
const asWord = (code: string) => new RegExp(`(?<![A-Za-z0-9_-])${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`);

describe('what the shipped scenarios show to staff', () => {
  it('loads every shipped scenario', () => {
    expect(loaded.issues.map(formatIssue)).toEqual([]);
    expect(loaded.scenarios.length).toBe(18);
  });

  it.each(loaded.scenarios.map((l) => [attemptKey(l.scenario), l.file, l.scenario] as const))(
    '%s (%s) names no wrap-up code, case category, product code or template key of its seed',
    (_key, file, s) => {
      const codes = seedCodes(s);
      expect(codes.length).toBeGreaterThan(0);
      const found: string[] = [];
      for (const { at, text } of staffTexts(s)) {
        for (const c of codes) {
          if (asWord(c.code).test(text)) found.push(`${file}: ${at} shows the ${c.what} ${c.code} (say "${c.words}"): ${text}`);
        }
      }
      expect(found).toEqual([]);
    },
  );

  it('the check catches a code written as a word (the premise)', () => {
    expect(asWord('MOVE').test('Completes the wrap-up with code MOVE and useful notes.')).toBe(true);
    expect(asWord('MOVE').test('Raises the HOME_MOVE case')).toBe(false);
    expect(asWord('HOME_MOVE').test('Raises the HOME_MOVE case')).toBe(true);
    expect(asWord('email-home-move').test('sends the e-mail from email-home-move.')).toBe(true);
    expect(asWord('SALE').test('Completes the wrap-up with the outcome "Sale made".')).toBe(false);
  });
});
