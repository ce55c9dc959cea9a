import { describe, expect, it } from 'vitest';
import {
  fieldLabel,
  formatPence,
  normaliseUkPhone,
  parseMoney,
  validateDate,
  validateDateOfBirth,
  validateDueDateTime,
  validateEmail,
  validateName,
  validateOptionalText,
  validatePence,
  validatePostcode,
  validateText,
  validateUkMobile,
  validateUkPhone,
  type Checked,
} from '../../../server/crm/validation.js';

/** The value of a passing check (fails the test with the message otherwise). */
function value<T>(c: Checked<T>): T {
  if (!c.ok) throw new Error(`expected ok, got: ${c.message}`);
  return c.value;
}
/** The failure of a failing check. */
function failure<T>(c: Checked<T>): { field: string; message: string } {
  if (c.ok) throw new Error(`expected a failure, got ${JSON.stringify(c.value)}`);
  return c;
}

// 09:00 UTC on 1 January 2026, the test clock's start.
const NOW = Date.UTC(2026, 0, 1, 9, 0, 0);

describe('UK postcodes', () => {
  it.each([
    ['SW1A 1AA', 'SW1A 1AA'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['  ls6   3hn ', 'LS6 3HN'],
    ['M1 1AE', 'M1 1AE'],
    ['B33 8TH', 'B33 8TH'],
    ['CR2 6XH', 'CR2 6XH'],
    ['DN55 1PT', 'DN55 1PT'],
    ['W1A 0AX', 'W1A 0AX'],
    ['EC1A 1BB', 'EC1A 1BB'],
    ['GIR 0AA', 'GIR 0AA'],
  ])('accepts %j as %j', (input, canonical) => {
    expect(value(validatePostcode(input))).toBe(canonical);
  });

  it.each(['', 'SW1A', '12345', 'SW1A 1A', 'QA1 1AA', 'SW1A 1AC', 'SW1A 1AAA', 'LS6-3HN', 'V1 1AA'])('rejects %j naming the field', (input) => {
    const f = failure(validatePostcode(input, 'postcode'));
    expect(f.field).toBe('postcode');
    expect(f.message).toMatch(/postcode/);
  });
});

describe('UK phone numbers', () => {
  it.each([
    ['0113 496 0412', '01134960412', 'landline'],
    ['(0113) 496-0412', '01134960412', 'landline'],
    ['+44 113 496 0412', '01134960412', 'landline'],
    ['+44 (0)113 496 0412', '01134960412', 'landline'],
    ['0044 113 496 0412', '01134960412', 'landline'],
    ['44 113 496 0412', '01134960412', 'landline'],
    ['020 7946 0958', '02079460958', 'landline'],
    ['07700 900412', '07700900412', 'mobile'],
    ['+447700900412', '07700900412', 'mobile'],
    ['07624 123456', '07624123456', 'mobile'],
    ['0808 157 0123', '08081570123', 'non-geographic'],
    ['0800 123 456', '0800123456', 'non-geographic'],
    ['0303 123 4567', '03031234567', 'non-geographic'],
  ])('accepts %j as %s (%s)', (input, national, kind) => {
    const phone = value(validateUkPhone(input));
    expect(phone.national).toBe(national);
    expect(phone.kind).toBe(kind);
    expect(phone.e164).toBe(`+44${national.slice(1)}`);
  });

  it.each(['', '12345', '0113 496', '+1 212 555 0100', '+33 1 23 45 67 89', '07700 90041', '07700 9004123', '0900 123 4567', 'call me', '06123 456789'])(
    'rejects %j naming the field',
    (input) => {
      const f = failure(validateUkPhone(input, 'phone'));
      expect(f.field).toBe('phone');
      expect(f.message).toMatch(/phone/);
    },
  );

  it('normalises the formats a caller ID may arrive in, and nothing else', () => {
    expect(normaliseUkPhone('+44 7700 900412')).toBe('07700900412');
    expect(normaliseUkPhone('07700-900-412')).toBe('07700900412');
    expect(normaliseUkPhone('1003')).toBeUndefined();
    expect(normaliseUkPhone('anonymous')).toBeUndefined();
  });

  it('a mobile number is required for SMS', () => {
    expect(value(validateUkMobile('+44 7700 900233')).national).toBe('07700900233');
    const f = failure(validateUkMobile('0113 496 0412', 'to'));
    expect(f.field).toBe('to');
    expect(f.message).toMatch(/not a UK mobile/);
  });
});

describe('e-mail addresses', () => {
  it.each(['margaret.hughes@example.co.uk', "o'brien+crm@mail.example.com", ' t.nowak@example.net ', 'A_B-C@EXAMPLE.ORG'])('accepts %j', (input) => {
    expect(value(validateEmail(input))).toBe(input.trim());
  });

  it.each(['', 'plainaddress', '@example.com', 'name@', 'name@example', 'name@@example.com', 'na me@example.com', 'name@exam_ple.com', 'name..x@example.com', 'name@example.c0m', 'name@-example.com'])(
    'rejects %j naming the field',
    (input) => {
      const f = failure(validateEmail(input, 'email'));
      expect(f.field).toBe('email');
      expect(f.message).toMatch(/e-mail/);
    },
  );
});

describe('dates', () => {
  it('accepts real calendar dates only', () => {
    expect(value(validateDate('2024-02-29'))).toBe('2024-02-29');
    expect(value(validateDate('2000-02-29'))).toBe('2000-02-29');
    expect(failure(validateDate('2023-02-29', 'moveDate')).message).toMatch(/move date.*not a real calendar date/);
    expect(failure(validateDate('1900-02-29')).message).toMatch(/not a real calendar date/);
    expect(failure(validateDate('2024-13-01')).message).toMatch(/not a real calendar date/);
    expect(failure(validateDate('2024-04-31')).message).toMatch(/not a real calendar date/);
    expect(failure(validateDate('17/04/1952', 'dateOfBirth'))).toMatchObject({ field: 'dateOfBirth', message: expect.stringMatching(/date of birth.*YYYY-MM-DD/) });
  });

  it('a date of birth is in the past and of an adult', () => {
    expect(value(validateDateOfBirth('1952-04-17', NOW))).toBe('1952-04-17');
    // 18 today (1 January 2026) is old enough; 18 tomorrow is not.
    expect(value(validateDateOfBirth('2008-01-01', NOW))).toBe('2008-01-01');
    expect(failure(validateDateOfBirth('2008-01-02', NOW)).message).toMatch(/makes the customer 17; account holders must be 18 or over/);
    expect(failure(validateDateOfBirth('2026-06-01', NOW)).message).toMatch(/not in the past/);
    expect(failure(validateDateOfBirth('2026-01-01', NOW)).message).toMatch(/not in the past/);
    expect(failure(validateDateOfBirth('1890-01-01', NOW)).message).toMatch(/check the year/);
    expect(failure(validateDateOfBirth('1990-02-30', NOW))).toMatchObject({ field: 'dateOfBirth' });
  });

  it('a due date and time is a real UK local time, not in the past', () => {
    expect(value(validateDueDateTime('2026-01-02T10:30', NOW))).toBe('2026-01-02T10:30');
    expect(value(validateDueDateTime('2026-01-01T09:00', NOW))).toBe('2026-01-01T09:00');
    expect(failure(validateDueDateTime('2026-01-01T08:59', NOW, 'dueAt')).message).toBe('The due date and time 1 January 2026, 08:59 is in the past.');
    expect(failure(validateDueDateTime('2026-01-02T24:00', NOW)).message).toMatch(/no such time/);
    expect(failure(validateDueDateTime('2026-02-30T10:00', NOW)).message).toMatch(/not a real calendar date/);
    expect(failure(validateDueDateTime('tomorrow', NOW, 'dueAt'))).toMatchObject({ field: 'dueAt', message: expect.stringMatching(/due date and time/) });
    // In British Summer Time, 10:30 UTC is 11:30 in the UK: 11:00 local has passed.
    const summer = Date.UTC(2026, 6, 1, 10, 30);
    expect(failure(validateDueDateTime('2026-07-01T11:00', summer)).message).toMatch(/in the past/);
    expect(value(validateDueDateTime('2026-07-01T11:30', summer))).toBe('2026-07-01T11:30');
  });
});

describe('money', () => {
  it('pence are whole, not negative, within the limit', () => {
    expect(value(validatePence(0))).toBe(0);
    expect(value(validatePence(2000, 'creditPence', 2000))).toBe(2000);
    expect(failure(validatePence(12.5, 'creditPence'))).toMatchObject({ field: 'creditPence', message: expect.stringMatching(/goodwill credit must be a whole number/) });
    expect(failure(validatePence(-1, 'creditPence')).message).toMatch(/cannot be negative/);
    expect(failure(validatePence(2001, 'creditPence', 2000)).message).toMatch(/more than the limit of £20\.00/);
  });

  it('parses amounts keyed in pounds', () => {
    expect(value(parseMoney('12.50'))).toBe(1250);
    expect(value(parseMoney('£12.50'))).toBe(1250);
    expect(value(parseMoney('£1,250'))).toBe(125000);
    expect(value(parseMoney('0.99'))).toBe(99);
    expect(value(parseMoney('65'))).toBe(6500);
    for (const bad of ['', '12.5', '12.505', '-3.00', '£', 'ten pounds', '1,25.00', '£12,50']) {
      expect(failure(parseMoney(bad, 'credit')), bad).toMatchObject({ field: 'credit', message: expect.stringMatching(/credit/) });
    }
  });

  it('formats pence for people', () => {
    expect(formatPence(123456)).toBe('£1,234.56');
    expect(formatPence(5)).toBe('£0.05');
  });
});

describe('text and names', () => {
  it('required text is trimmed and bounded; optional text may be cleared', () => {
    expect(value(validateText('  Leeds ', 'town', 60))).toBe('Leeds');
    expect(failure(validateText('   ', 'town', 60))).toMatchObject({ field: 'town', message: expect.stringMatching(/Enter the town/) });
    expect(failure(validateText('x'.repeat(61), 'town', 60)).message).toMatch(/at most 60/);
    expect(failure(validateText('a\u0007b', 'town', 60)).message).toMatch(/control character/);
    expect(value(validateOptionalText('', 'addressLine2', 120))).toBeNull();
    expect(value(validateOptionalText(null, 'addressLine2', 120))).toBeNull();
  });

  it('names hold letters, spaces, hyphens and apostrophes', () => {
    expect(value(validateName("Siobhán O'Neill-Ní  Bhriain", 'lastName'))).toBe("Siobhán O'Neill-Ní Bhriain");
    expect(failure(validateName('H4ughes', 'lastName'))).toMatchObject({ field: 'lastName', message: expect.stringMatching(/last name/) });
    expect(failure(validateName('-Smith', 'lastName')).field).toBe('lastName');
  });

  it('labels name the field for people', () => {
    expect(fieldLabel('dateOfBirth')).toBe('date of birth');
    expect(fieldLabel('addressLine1')).toBe('address line 1');
    expect(fieldLabel('email')).toBe('e-mail');
    expect(fieldLabel('cc.1')).toBe('cc.1');
    expect(fieldLabel('dueAt')).toBe('due date and time');
    expect(fieldLabel('credit')).toBe('goodwill credit');
  });
});
