// Comparing a keyed value with the answer key after normalising both per field kind (digest 2.8
// item 5, U2-6.1-accurate-entry: "field-by-field comparison with key after normalisation").
// Reuses the CRM's own normalisers (server/crm/validation.ts) so "equal" means what the desktop
// would store as equal.

import { compactPostcode, normaliseUkPhone, parseMoney, validateDate, validatePostcode } from '../crm/validation.js';
import type { FieldKind } from './types.js';

/** A normalised value, or EMPTY for null, undefined and blank text. */
const EMPTY = Symbol('empty');
type Normalised = string | number | boolean | typeof EMPTY;

const isBlank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function normaliseDate(s: string): string {
  const t = s.trim();
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : t;
  const checked = validateDate(iso);
  return checked.ok ? checked.value : `invalid:${t}`;
}

function normaliseBoolean(v: unknown): boolean | string {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(s)) return true;
  if (['false', 'no', 'n', '0'].includes(s)) return false;
  return `invalid:${s}`;
}

/** The value in the form compared for `kind`. Values that do not parse keep a marked raw form, so they never equal a valid one. */
export function normaliseField(kind: FieldKind, value: unknown): Normalised {
  if (isBlank(value)) return EMPTY;
  switch (kind) {
    case 'exact':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'text':
      return String(value).normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
    case 'name':
      return String(value).normalize('NFC').trim().replace(/\s+/g, ' ').replace(/[’‘]/g, "'").toLowerCase();
    case 'code':
      return String(value).trim().toUpperCase();
    case 'postcode': {
      const checked = validatePostcode(String(value));
      return checked.ok ? checked.value : `invalid:${compactPostcode(String(value))}`;
    }
    case 'phone':
      return normaliseUkPhone(String(value)) ?? `invalid:${String(value).replace(/\s+/g, '')}`;
    case 'email':
      return String(value).trim().toLowerCase();
    case 'date':
      return normaliseDate(String(value));
    case 'money': {
      if (typeof value === 'number') return Number.isInteger(value) ? value : `invalid:${value}`;
      const checked = parseMoney(String(value));
      return checked.ok ? checked.value : `invalid:${String(value).trim()}`;
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim().replace(/,/g, ''));
      return Number.isFinite(n) ? n : `invalid:${String(value).trim()}`;
    }
    case 'boolean':
      return normaliseBoolean(value);
  }
}

export interface FieldComparison {
  equal: boolean;
  /** For people: the key's value and the keyed value as given, "(empty)" when blank. */
  expected: string;
  actual: string;
}

/** For evidence: a value as the candidate or key wrote it. */
export function showValue(v: unknown): string {
  if (isBlank(v)) return '(empty)';
  return typeof v === 'string' ? `"${v}"` : String(v);
}

export function compareField(kind: FieldKind, expected: unknown, actual: unknown): FieldComparison {
  return { equal: normaliseField(kind, expected) === normaliseField(kind, actual), expected: showValue(expected), actual: showValue(actual) };
}
