// What the customer form says under a postcode, phone, mobile or e-mail field, and the case form
// under a goodwill credit, before anything is sent: the server's own rules
// (server/protocol/validation.ts), so the desktop never passes a value the server refuses or refuses
// one it accepts. Each returns the problem in words, or undefined.
import { isEmailAddress, isUkMobile, MAX_MONEY_PENCE, poundsInPence, ukPhone, ukPostcode } from '../../../server/protocol/validation.js';

export const postcodeProblem = (v: string): string | undefined => (ukPostcode(v) ? undefined : 'not a UK postcode');
export const phoneProblem = (v: string): string | undefined => (ukPhone(v) ? undefined : 'not a UK phone number');
/** Optional: an empty mobile is no problem. */
export const mobileProblem = (v: string): string | undefined => (!v.trim() || isUkMobile(v) ? undefined : 'not a UK mobile number (07…)');
/** Optional: an empty e-mail address is no problem. */
export const emailProblem = (v: string): string | undefined => (!v.trim() || isEmailAddress(v) ? undefined : 'not an e-mail address');
/** Optional: an amount keyed in pounds (20, 20.00, £20.00, £1,250.00), up to the server's limit. */
export function creditProblem(v: string): string | undefined {
  if (!v.trim()) return undefined;
  const pence = poundsInPence(v);
  if (pence === undefined) return `"${v.trim()}" is not an amount in pounds (for example 20.00).`;
  const limit = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(MAX_MONEY_PENCE / 100);
  return pence > MAX_MONEY_PENCE ? `The goodwill credit is more than the limit of ${limit}.` : undefined;
}
