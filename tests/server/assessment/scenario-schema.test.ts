// The checks of a scenario file's shape that run on single values (server/assessment/scenario-schema.ts):
// phone numbers and e-mail addresses through the CRM validators, with their words at the value's
// path, and a caller's fact that must have exactly one of a value or a date. And a file with a
// broken seed still gets the cross-field checks (scenario-checks.ts) without tripping over the seed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../server/assessment/scenario-checks.js';
import type { Json } from '../../support/json.js';

const real = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const S5 = JSON.parse(fs.readFileSync(path.join(real, 's5-outbound-contract-end.json'), 'utf8')) as Json;
/** The problems of a changed copy of S5 as 'path: message'; [] when it validates. */
function problems(change: (s: Json) => void): string[] {
  const s = structuredClone(S5);
  change(s);
  const r = scenarioSchema.safeParse(s);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
const notAPhone = (value: string) => `The phone number "${value}" is not a valid UK phone number (for example 020 7946 0123, 07700 900123 or +44 7700 900123).`;

describe('scenario schema: values checked by the CRM validators', () => {
  it('accepts S5 as shipped', () => {
    expect(problems(() => {})).toEqual([]);
  });
  it("refuses a caller's number that is no UK number, in the validator's words", () => {
    expect(problems((s) => (s.callerBrief.persona.phone = '12345'))).toEqual([`callerBrief.persona.phone: ${notAPhone('12345')}`]);
  });
  it('refuses a copy address that is no e-mail address, at its index', () => {
    expect(problems((s) => (s.answerKey.followUps[0].cc = ['field.support@brightline.example.co.uk', 'not-an-email']))).toEqual([
      'answerKey.followUps.0.cc.1: The cc address "not-an-email" is not a valid e-mail address (for example name@example.co.uk).',
    ]);
  });
  it('refuses a number to dial that is no UK number (and so on no call list)', () => {
    expect(problems((s) => s.answerKey.dialling.mustNotDial.push('0800'))).toEqual([
      `answerKey.dialling.mustNotDial.2: ${notAPhone('0800')}`,
      "answerKey.dialling.mustNotDial.2: 0800 is not on the seed's call list",
    ]);
  });
});

describe("scenario schema: a caller's fact", () => {
  it('refuses one with both a value and a date, or with neither', () => {
    expect(problems((s) => (s.callerBrief.facts[0].date = { days: 3 }))).toEqual(['callerBrief.facts.0.value: a fact needs exactly one of value or date']);
    expect(
      problems((s) => {
        delete s.callerBrief.facts[0].value;
        delete s.callerBrief.facts[0].date;
      }),
    ).toEqual(['callerBrief.facts.0.value: a fact needs exactly one of value or date']);
  });
  it('accepts one with a date instead of a value', () => {
    expect(
      problems((s) => {
        delete s.callerBrief.facts[0].value;
        s.callerBrief.facts[0].date = { days: 3, workingDays: true };
      }),
    ).toEqual([]);
  });
});

describe('scenario schema: a broken seed', () => {
  it('a call-list entry of an account the seed lacks is reported alone: the cross-field checks wait for a sound seed', () => {
    expect(
      problems((s) => {
        s.seed.callList[2].accountNumber = 'BL999999';
        s.answerKey.dialling.mustDial.push('0161 496 0871');
        s.answerKey.wrapUp.codes = ['NOT_A_CODE'];
      }),
    ).toEqual(['seed.callList.2.accountNumber: no customer has the account number "BL999999"']);
  });
});
