// The desktop's field checks and the server's give the same verdict (issue 15): over a table of
// valid and invalid postcodes, phone numbers, mobiles, e-mail addresses and goodwill credits, what
// the customer form, the case form and the follow-up form say before sending (client/src/desktop/field-checks.ts, FollowUp.tsx through
// server/protocol/validation.ts) is what the API answers (server/crm/validation.ts, as
// server/api/customer-routes.ts applies it: mobile and e-mail may be left blank, postcode and phone not).
// Several rows are ones the desktop's own regexes got wrong before the rules were shared.
import { describe, expect, it } from 'vitest';
import { creditProblem, emailProblem, mobileProblem, phoneProblem, postcodeProblem } from '../../../client/src/desktop/field-checks.js';
import { parseMoney, validateEmail, validatePostcode, validateUkMobile, validateUkPhone } from '../../../server/crm/validation.js';

type Field = 'postcode' | 'phone' | 'mobile' | 'email' | 'credit';

const TABLE: ReadonlyArray<[Field, string, boolean]> = [
  ['postcode', 'SW1A 1AA', true],
  ['postcode', 'sw1a1aa', true],
  ['postcode', '  M1 1AE ', true],
  ['postcode', 'B33 8TH', true],
  ['postcode', 'CR2 6XH', true],
  ['postcode', 'DN55 1PT', true],
  ['postcode', 'W1A 0AX', true],
  ['postcode', 'EC1A 1BB', true],
  ['postcode', 'GIR 0AA', true],
  ['postcode', '', false],
  ['postcode', 'SW1A', false],
  ['postcode', 'SW1A 1A', false],
  ['postcode', 'QA1 1AA', false], // Q never starts a postcode
  ['postcode', 'AB1 1CI', false], // C and I never end one
  ['postcode', 'ZZ99 9ZZ', false], // Z is not a second letter
  ['postcode', 'SW1A 1AA X', false],
  ['postcode', '12345', false],
  ['phone', '020 7946 0123', true],
  ['phone', '+44 20 7946 0123', true],
  ['phone', '+44 (0)20 7946 0123', true],
  ['phone', '0044 20 7946 0123', true],
  ['phone', '(020) 7946-0123', true],
  ['phone', '01632 960123', true],
  ['phone', '07700 900123', true],
  ['phone', '0800 123 4567', true],
  ['phone', '0345 678 9012', true],
  ['phone', '', false],
  ['phone', '0000000000', false], // no such range
  ['phone', '0900 123 4567', false], // premium rate is not accepted
  ['phone', '020 7946 012', false],
  ['phone', '+1 212 555 0100', false],
  ['phone', '020-7946-0123 ext 4', false],
  ['mobile', '', true],
  ['mobile', '07700 900123', true],
  ['mobile', '+44 7700 900123', true],
  ['mobile', '07624 123456', true],
  ['mobile', '020 7946 0123', false],
  ['mobile', '07600 900123', false], // 076 is pagers, not mobiles
  ['mobile', '0770 090 012', false],
  ['email', '', true],
  ['email', 'name@example.co.uk', true],
  ['email', 'first.last+tag@example.com', true],
  ['email', "o'brien@example.org", true],
  ['email', ' padded@example.com ', true],
  ['email', 'a@b.c', false], // a one-letter top-level domain
  ['email', 'first..last@example.com', false],
  ['email', '.first@example.com', false],
  ['email', 'name@example', false],
  ['email', 'name@-example.com', false],
  ['email', 'name@example.c0m', false],
  ['email', 'name example@example.com', false],
  ['email', 'name@@example.com', false],
  ['credit', '', true],
  ['credit', '20', true],
  ['credit', '20.00', true],
  ['credit', '£20.00', true],
  ['credit', ' £1,250.00 ', true],
  ['credit', '£100,000.00', true],
  ['credit', '20.5', false],
  ['credit', '£1,25', false],
  ['credit', '-5.00', false],
  ['credit', 'twenty pounds', false],
  ['credit', '£100,000.01', false], // over the server's limit: the case form's own pattern let it through
  ['credit', '£250,000', false],
];

const serverAccepts: Record<Field, (v: string) => boolean> = {
  postcode: (v) => validatePostcode(v).ok,
  phone: (v) => validateUkPhone(v).ok,
  mobile: (v) => v.trim() === '' || validateUkMobile(v).ok,
  email: (v) => v.trim() === '' || validateEmail(v).ok,
  credit: (v) => v.trim() === '' || parseMoney(v, 'credit').ok,
};
const desktopAccepts: Record<Field, (v: string) => boolean> = {
  postcode: (v) => postcodeProblem(v) === undefined,
  phone: (v) => phoneProblem(v) === undefined,
  mobile: (v) => mobileProblem(v) === undefined,
  email: (v) => emailProblem(v) === undefined,
  credit: (v) => creditProblem(v) === undefined,
};

describe('client and server validation parity', () => {
  it.each(TABLE)('%s %j: valid = %s on the server and in the desktop', (field, value, valid) => {
    expect(serverAccepts[field](value)).toBe(valid);
    expect(desktopAccepts[field](value)).toBe(valid);
  });

  it('covers every field with valid and invalid values', () => {
    for (const field of ['postcode', 'phone', 'mobile', 'email', 'credit'] as const) {
      expect(TABLE.filter(([f, , valid]) => f === field && valid).length).toBeGreaterThan(1);
      expect(TABLE.filter(([f, , valid]) => f === field && !valid).length).toBeGreaterThan(2);
    }
  });
});
