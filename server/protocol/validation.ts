// The rules the CRM forms check, shared by the server (server/crm/validation.ts, which adds the
// messages the API answers with) and the agent desktop (client/src/desktop/field-checks.ts), so the
// candidate sees the verdict the server will give. Pure and dependency-free: the browser runs this
// file as it is.

// --- UK postcode -------------------------------------------------------------------------------

// Royal Mail formats: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA (and GIR 0AA), with the
// letters each position allows. The inward code is the last three characters.
const POSTCODE = /^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])[0-9][ABD-HJLNP-UW-Z]{2})$/;

/** Postcode without spaces, upper case: the form searches compare. */
export function compactPostcode(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** A UK postcode in any spacing or case, in its canonical form ('SW1A 1AA'), or undefined. */
export function ukPostcode(input: string): string | undefined {
  const compact = compactPostcode(input);
  return POSTCODE.test(compact) ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : undefined;
}

// --- UK phone numbers --------------------------------------------------------------------------

export type PhoneKind = 'mobile' | 'landline' | 'non-geographic';

export interface UkPhone {
  /** National digits with the leading 0, e.g. '02079460123': the form lookups compare. */
  national: string;
  /** International form, e.g. '+442079460123'. */
  e164: string;
  kind: PhoneKind;
}

/**
 * Reduces a UK number written in any usual way to its national digits, or undefined:
 * '+44 (0)20 7946 0123', '0044 20 7946 0123', '44 20 7946 0123', '(020) 7946-0123', '020.7946.0123'.
 */
export function normaliseUkPhone(input: string): string | undefined {
  let s = input.trim();
  if (!/^[+0-9(][0-9\s().-]*$/.test(s)) return undefined;
  s = s.replace(/^\+44\s*\(0\)/, '+44').replace(/[\s().-]/g, '');
  if (s.startsWith('+44')) s = `0${s.slice(3)}`;
  else if (s.startsWith('0044')) s = `0${s.slice(4)}`;
  else if (s.startsWith('44') && s.length === 12) s = `0${s.slice(2)}`;
  if (s.startsWith('+') || s.startsWith('00')) return undefined;
  return /^0[0-9]{9,10}$/.test(s) ? s : undefined;
}

function phoneKind(national: string): PhoneKind | undefined {
  if (/^07(?:[1-57-9][0-9]{8}|624[0-9]{6})$/.test(national)) return 'mobile';
  if (/^01[0-9]{8,9}$/.test(national) || /^02[0-9]{9}$/.test(national)) return 'landline';
  if (/^0(?:3[0-9]{9}|8(?:00|08|4[0-9]|7[0-9])[0-9]{7}|800[0-9]{6}|5[56][0-9]{8})$/.test(national)) return 'non-geographic';
  return undefined;
}

/** A UK phone number (landline, mobile, 03/08 numbers), written nationally or with +44/0044, or undefined. */
export function ukPhone(input: string): UkPhone | undefined {
  const national = normaliseUkPhone(input);
  const kind = national && phoneKind(national);
  return national && kind ? { national, e164: `+44${national.slice(1)}`, kind } : undefined;
}

/** A UK mobile number (07…), the only kind that takes an SMS. */
export function isUkMobile(input: string): boolean {
  return ukPhone(input)?.kind === 'mobile';
}

// --- e-mail ------------------------------------------------------------------------------------

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const EMAIL_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * An e-mail address after trimming: a dot-atom local part (RFC 5322 section 3.4.1, "addr-spec =
 * local-part "@" domain", https://www.rfc-editor.org/rfc/rfc5322#section-3.4.1) of at most 64
 * characters, and a domain of at least two labels (letters, digits, inner hyphens) whose last is a
 * top-level domain of letters; 254 characters at most in all.
 */
export function isEmailAddress(input: string): boolean {
  const value = input.trim();
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  return (
    at > 0 &&
    value.length <= 254 &&
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => EMAIL_LABEL.test(l)) &&
    /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? '')
  );
}

// --- money -------------------------------------------------------------------------------------

/** The most a keyed amount may be: £100,000. */
export const MAX_MONEY_PENCE = 100_000_00;

const POUNDS = /^£?\s*((?:\d{1,3}(?:,\d{3})+)|\d+)(?:\.(\d{2}))?$/;

/** An amount keyed in pounds ('12.50', '£12.50', '£1,250', '0.99') in pence, or undefined (no limit checked). */
export function poundsInPence(input: string): number | undefined {
  const m = POUNDS.exec(input.trim());
  return m ? Number(m[1]!.replace(/,/g, '')) * 100 + Number(m[2] ?? 0) : undefined;
}
