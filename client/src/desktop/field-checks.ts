// What the customer form says under a postcode, phone, mobile or e-mail field before anything is
// sent: the server's own rules (server/protocol/validation.ts), so the desktop never passes a value
// the server refuses or refuses one it accepts. Each returns the problem in words, or undefined.
import { isEmailAddress, isUkMobile, ukPhone, ukPostcode } from '../../../server/protocol/validation.js';

export const postcodeProblem = (v: string): string | undefined => (ukPostcode(v) ? undefined : 'not a UK postcode');
export const phoneProblem = (v: string): string | undefined => (ukPhone(v) ? undefined : 'not a UK phone number');
/** Optional: an empty mobile is no problem. */
export const mobileProblem = (v: string): string | undefined => (!v.trim() || isUkMobile(v) ? undefined : 'not a UK mobile number (07…)');
/** Optional: an empty e-mail address is no problem. */
export const emailProblem = (v: string): string | undefined => (!v.trim() || isEmailAddress(v) ? undefined : 'not an e-mail address');
