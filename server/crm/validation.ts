// Field validation for CRM data entry: pure functions, used by the API. The postcode, phone, e-mail
// and amount-in-pounds rules themselves are server/protocol/validation.ts, which the desktop runs
// too. Each returns the cleaned value or a message that names the field, so the API can answer
// 400 { error: 'validation', field, message } and the desktop can show it next to the input.

import { compactPostcode, isEmailAddress, MAX_MONEY_PENCE, poundsInPence, ukPhone, ukPostcode, type UkPhone } from '../protocol/validation.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(field: string, message: string): Checked<T> => ({ ok: false, field, message });

/** Fields whose name does not read as words on its own. */
const LABELS: Readonly<Record<string, string>> = { dueAt: 'due date and time', credit: 'goodwill credit', creditPence: 'goodwill credit' };

/** A readable label for a field name: 'dateOfBirth' → 'date of birth', 'lines.0.quantity' → 'lines.0.quantity'. */
export function fieldLabel(field: string): string {
  if (Object.hasOwn(LABELS, field)) return LABELS[field]!;
  if (field.includes('.')) return field;
  return field.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase().replace(/\bemail\b/, 'e-mail');
}

// --- text --------------------------------------------------------------------------------------

/** Required free text: trimmed, not empty, at most max characters, no control characters. */
export function validateText(input: string, field: string, max: number): Checked<string> {
  const value = input.trim();
  if (!value) return bad(field, `Enter the ${fieldLabel(field)}; it cannot be empty.`);
  if (value.length > max) return bad(field, `The ${fieldLabel(field)} is too long: at most ${max} characters.`);
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) return bad(field, `The ${fieldLabel(field)} contains a control character.`);
  return ok(value);
}

/** Optional free text: null, or empty after trimming, becomes null. */
export function validateOptionalText(input: string | null, field: string, max: number): Checked<string | null> {
  if (input === null || input.trim() === '') return ok(null);
  return validateText(input, field, max);
}

/** A person's name: letters (any alphabet), spaces, hyphens, apostrophes and full stops. */
export function validateName(input: string, field: string, max = 60): Checked<string> {
  const text = validateText(input, field, max);
  if (!text.ok) return text;
  const value = text.value.replace(/\s+/g, ' ');
  if (!/^\p{L}[\p{L}\p{M}' .’-]*$/u.test(value)) {
    return bad(field, `The ${fieldLabel(field)} "${value}" may only hold letters, spaces, hyphens and apostrophes.`);
  }
  return ok(value);
}

// --- UK postcode, UK phone numbers, e-mail: the rules are shared with the desktop ----------------

/** Form searches and lookups compare these (server/protocol/validation.ts holds the rules). */
export { compactPostcode, normaliseUkPhone, type PhoneKind, type UkPhone } from '../protocol/validation.js';

/** A UK postcode in any spacing or case; the value is the canonical form, e.g. 'SW1A 1AA'. */
export function validatePostcode(input: string, field = 'postcode'): Checked<string> {
  if (!compactPostcode(input)) return bad(field, `Enter the ${fieldLabel(field)}; it cannot be empty.`);
  const postcode = ukPostcode(input);
  if (!postcode) return bad(field, `The ${fieldLabel(field)} "${input.trim()}" is not a valid UK postcode (for example SW1A 1AA).`);
  return ok(postcode);
}

/** A UK phone number (landline, mobile, 03/08 numbers), written nationally or with +44/0044. */
export function validateUkPhone(input: string, field = 'phone'): Checked<UkPhone> {
  if (!input.trim()) return bad(field, `Enter the ${fieldLabel(field)} number; it cannot be empty.`);
  const phone = ukPhone(input);
  if (!phone) {
    return bad(field, `The ${fieldLabel(field)} number "${input.trim()}" is not a valid UK phone number (for example 020 7946 0123, 07700 900123 or +44 7700 900123).`);
  }
  return ok(phone);
}

/** A UK mobile number, e.g. for an SMS. */
export function validateUkMobile(input: string, field = 'mobile'): Checked<UkPhone> {
  const checked = validateUkPhone(input, field);
  if (!checked.ok) return checked;
  if (checked.value.kind !== 'mobile') return bad(field, `The ${fieldLabel(field)} number "${input.trim()}" is not a UK mobile number (07…), so it cannot take an SMS.`);
  return checked;
}

/** An e-mail address (dot-atom local part, a domain with a top-level domain of letters). */
export function validateEmail(input: string, field = 'email'): Checked<string> {
  const value = input.trim();
  if (!value) return bad(field, `Enter the ${fieldLabel(field)} address; it cannot be empty.`);
  if (!isEmailAddress(value)) return bad(field, `The ${fieldLabel(field)} address "${value}" is not a valid e-mail address (for example name@example.co.uk).`);
  return ok(value);
}

// --- dates -------------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

/** A calendar date written YYYY-MM-DD (as an <input type="date"> sends it). */
export function validateDate(input: string, field = 'date'): Checked<string> {
  const value = input.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return bad(field, `The ${fieldLabel(field)} "${value}" is not a date in the form YYYY-MM-DD.`);
  if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[1]) < 1800) {
    return bad(field, `The ${fieldLabel(field)} "${value}" is not a real calendar date.`);
  }
  return ok(value);
}

/** The date (YYYY-MM-DD) and time (HH:MM) in the UK at a moment. */
export function ukLocalDateTime(at: number): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export const ADULT_AGE = 18;
const OLDEST_AGE = 120;

/** A date of birth: a real date in the past, of an adult (18 or over on today's date in the UK). */
export function validateDateOfBirth(input: string, now: number, field = 'dateOfBirth'): Checked<string> {
  const date = validateDate(input, field);
  if (!date.ok) return date;
  const today = ukLocalDateTime(now).date;
  if (date.value >= today) return bad(field, `The ${fieldLabel(field)} ${date.value} is not in the past.`);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = date.value.split('-').map(Number) as [number, number, number];
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < ADULT_AGE) return bad(field, `The ${fieldLabel(field)} ${date.value} makes the customer ${age}; account holders must be ${ADULT_AGE} or over.`);
  if (age > OLDEST_AGE) return bad(field, `The ${fieldLabel(field)} ${date.value} would make the customer ${age}; check the year.`);
  return ok(date.value);
}

/** A due date and time written YYYY-MM-DDTHH:MM (UK local time), not before now. */
export function validateDueDateTime(input: string, now: number, field = 'dueAt'): Checked<string> {
  const value = input.trim();
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return bad(field, `The ${fieldLabel(field)} "${value}" is not a date and time in the form YYYY-MM-DDTHH:MM.`);
  const date = validateDate(m[1]!, field);
  if (!date.ok) return date;
  if (Number(m[2]) > 23 || Number(m[3]) > 59) return bad(field, `The ${fieldLabel(field)} "${value}" has no such time of day.`);
  const current = ukLocalDateTime(now);
  const [y, mo, d] = m[1]!.split('-').map(Number) as [number, number, number];
  const written = `${d} ${MONTHS[mo - 1]} ${y}, ${m[2]}:${m[3]}`;
  if (value < `${current.date}T${current.time}`) return bad(field, `The ${fieldLabel(field)} ${written} is in the past.`);
  return ok(value);
}

// --- money -------------------------------------------------------------------------------------

export { MAX_MONEY_PENCE };

/** An amount in pence: a whole number from 0 up to max (default £100,000). */
export function validatePence(input: number, field = 'amount', max = MAX_MONEY_PENCE): Checked<number> {
  if (!Number.isInteger(input)) return bad(field, `The ${fieldLabel(field)} must be a whole number of pence.`);
  if (input < 0) return bad(field, `The ${fieldLabel(field)} cannot be negative.`);
  if (input > max) return bad(field, `The ${fieldLabel(field)} is more than the limit of ${formatPence(max)}.`);
  return ok(input);
}

/** An amount keyed as pounds: '12.50', '£12.50', '£1,250', '0.99' → pence. */
export function parseMoney(input: string, field = 'amount', max = MAX_MONEY_PENCE): Checked<number> {
  const pence = poundsInPence(input);
  if (pence === undefined) return bad(field, `The ${fieldLabel(field)} "${input.trim()}" is not an amount in pounds (for example 12.50 or £1,250.00).`);
  return validatePence(pence, field, max);
}

/** Pence as pounds for people: 123456 → '£1,234.56'. */
export function formatPence(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  return `${sign}£${Math.floor(abs / 100).toLocaleString('en-GB')}.${String(abs % 100).padStart(2, '0')}`;
}
