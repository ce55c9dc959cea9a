// Keyed values against the answer key, normalised per field kind (digest 2.8 item 5).
import { describe, expect, it } from 'vitest';
import { compareField, normaliseField, showValue } from '../../../server/assessment/field-compare.js';
import type { FieldKind } from '../../../server/assessment/types.js';

const same = (kind: FieldKind, a: unknown, b: unknown) => compareField(kind, a, b).equal;

describe('compareField', () => {
  it('postcode: spacing and case do not matter; a swapped letter does', () => {
    expect(same('postcode', 'M1 1AE', 'm11ae')).toBe(true);
    expect(same('postcode', 'SW1A 1AA', ' sw1a   1aa ')).toBe(true);
    expect(same('postcode', 'M1 1AE', 'M1 1EA')).toBe(false);
    expect(same('postcode', 'M1 1AE', 'M1 1A')).toBe(false);
    expect(compareField('postcode', 'M1 1AE', 'M1 1EA')).toEqual({ equal: false, expected: '"M1 1AE"', actual: '"M1 1EA"' });
  });
  it('phone: national, international and punctuated forms are one number', () => {
    expect(same('phone', '07700 900123', '+44 7700 900123')).toBe(true);
    expect(same('phone', '020 7946 0123', '(020) 7946-0123')).toBe(true);
    expect(same('phone', '07700 900123', '07700 900132')).toBe(false);
    expect(same('phone', '07700 900123', 'call me')).toBe(false);
  });
  it('email: case and surrounding spaces do not matter; the address does', () => {
    expect(same('email', 'jo.bloggs@example.co.uk', ' Jo.Bloggs@Example.co.uk ')).toBe(true);
    expect(same('email', 'jo.bloggs@example.co.uk', 'jo.blogs@example.co.uk')).toBe(false);
  });
  it('date: ISO and UK forms of one day; not another day, not an impossible date', () => {
    expect(same('date', '2026-04-01', '01/04/2026')).toBe(true);
    expect(same('date', '2026-04-01', '1/4/2026')).toBe(true);
    expect(same('date', '2026-04-01', '04/01/2026')).toBe(false);
    expect(normaliseField('date', '2026-02-30')).toBe('invalid:2026-02-30');
    expect(same('date', '2026-04-01', '2026-02-30')).toBe(false);
  });
  it('money: pence as numbers, pounds as text', () => {
    expect(same('money', 1250, '£12.50')).toBe(true);
    expect(same('money', 125000, '£1,250.00')).toBe(true);
    expect(same('money', 1250, '12.5')).toBe(false);
    expect(same('money', 1250, 1249)).toBe(false);
    expect(same('money', 1250, 12.5)).toBe(false);
  });
  it('number, boolean, code', () => {
    expect(same('number', 3, ' 3 ')).toBe(true);
    expect(same('number', 1000, '1,000')).toBe(true);
    expect(same('number', 3, 'three')).toBe(false);
    expect(same('boolean', true, 'yes')).toBe(true);
    expect(same('boolean', false, 0)).toBe(true);
    expect(same('boolean', false, 'maybe')).toBe(false);
    expect(same('code', 'HOME_MOVE', ' home_move')).toBe(true);
    expect(same('code', 'HOME_MOVE', 'HOME MOVE')).toBe(false);
  });
  it('text and name: spaces and case; curly apostrophes in names', () => {
    expect(same('text', '12 High  Street', ' 12 high street ')).toBe(true);
    expect(same('text', '12 High Street', '12 High St')).toBe(false);
    expect(same('name', "O'Neill", 'o’neill')).toBe(true);
    expect(same('text', "O'Neill", 'o’neill')).toBe(false);
  });
  it('exact: character for character', () => {
    expect(same('exact', 'Ref-001', 'Ref-001')).toBe(true);
    expect(same('exact', 'Ref-001', 'ref-001')).toBe(false);
    expect(same('exact', 'Ref-001', 'Ref-001 ')).toBe(false);
  });
  it('empty: null, undefined and blank are all empty, and equal an expected null', () => {
    for (const kind of ['text', 'postcode', 'phone', 'email', 'date', 'money', 'number', 'boolean', 'code', 'exact'] as FieldKind[]) {
      expect(same(kind, null, ''), kind).toBe(true);
      expect(same(kind, null, undefined), kind).toBe(true);
      expect(same(kind, null, '   '), kind).toBe(true);
    }
    expect(same('text', 'x', null)).toBe(false);
    expect(same('boolean', false, null)).toBe(false);
  });
});

describe('showValue', () => {
  it('quotes text, shows numbers and booleans bare, "(empty)" for blanks', () => {
    expect(showValue('M1 1AE')).toBe('"M1 1AE"');
    expect(showValue(1250)).toBe('1250');
    expect(showValue(false)).toBe('false');
    expect(showValue('  ')).toBe('(empty)');
    expect(showValue(undefined)).toBe('(empty)');
  });
});

describe('normaliseField: the form each kind is compared in', () => {
  it('boolean: true/yes/y/1 and false/no/n/0 in any case and spacing, 1 and 0 as numbers; anything else stays unequal to both', () => {
    for (const v of [true, 1, 'true', ' YES ', 'y', '1']) expect(normaliseField('boolean', v)).toBe(true);
    for (const v of [false, 0, 'False', ' no', 'N', '0']) expect(normaliseField('boolean', v)).toBe(false);
    expect(normaliseField('boolean', ' Maybe ')).toBe('invalid:maybe');
    expect(normaliseField('boolean', 2)).toBe('invalid:2');
    expect(same('boolean', 'maybe', 'perhaps')).toBe(false);
  });

  it('date: a UK date with day and month of one or two digits, only as the whole value', () => {
    expect(normaliseField('date', ' 3/4/2026 ')).toBe('2026-04-03');
    expect(normaliseField('date', '03.04.2026')).toBe('2026-04-03');
    expect(normaliseField('date', 'on 3/4/2026')).toBe('invalid:on 3/4/2026');
    expect(normaliseField('date', '3/4/2026 or so')).toBe('invalid:3/4/2026 or so');
    expect(same('date', 'tomorrow', 'next week')).toBe(false);
  });

  it('exact: text as it is, anything else as JSON', () => {
    expect(normaliseField('exact', ' A b ')).toBe(' A b ');
    expect(normaliseField('exact', 12)).toBe('12');
    expect(normaliseField('exact', { a: 1 })).toBe('{"a":1}');
    expect(same('exact', '12', 12)).toBe(true);
  });

  it('text, name, code and email: spacing and case', () => {
    expect(normaliseField('text', '  Called   BACK \n later ')).toBe('called back later');
    expect(normaliseField('name', "  Mary   O’Brien ")).toBe("mary o'brien");
    expect(normaliseField('name', 'Jo\tAnn')).toBe('jo ann');
    expect(normaliseField('code', ' ab12c ')).toBe('AB12C');
    expect(normaliseField('email', ' Ann@Example.COM ')).toBe('ann@example.com');
  });

  it('values that do not parse keep a marked raw form, so two different bad values differ', () => {
    expect(normaliseField('postcode', 'not a code')).toBe('invalid:NOTACODE');
    expect(normaliseField('phone', '12 34')).toBe('invalid:1234');
    expect(same('phone', '12 34', '5678')).toBe(false);
    expect(normaliseField('money', 12.5)).toBe('invalid:12.5');
    expect(normaliseField('money', ' lots ')).toBe('invalid:lots');
    expect(same('money', 'lots', 'plenty')).toBe(false);
    expect(normaliseField('number', ' 1,250 ')).toBe(1250);
    expect(normaliseField('number', 7)).toBe(7);
    expect(normaliseField('number', ' many ')).toBe('invalid:many');
    expect(same('number', 'many', 'few')).toBe(false);
  });
});
