// The staff's words for what the server and the client both put in front of people: internal codes,
// a customer record's field names, the timeline's event types, keyed due dates. Defined once here,
// so the assessor reads the same words in an auto-check's evidence (server/assessment/auto-checks.ts)
// as on the desktop, the live view and the replay (client/src/format.ts). The glossary of these
// words is in client/README.md. Pure functions: they run in Node and in the browser as they are.

/** An internal code such as HOME_MOVE or 'not-ready' in words: "Home move", "Not ready". */
export function codeWords(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Sentences joined into one text ("Only 2 of the 4 assignments are in the sitting. Assignment S1 is
 * not marked yet."): each trimmed, started with a capital and ended with a full stop unless it ends
 * with its own (. ! ? …), empty ones left out, one space between. A separator such as "; " after a
 * sentence's own full stop would read ".;".
 */
export function sentences(parts: readonly string[]): string {
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1) + (/[.!?…]$/.test(p) ? '' : '.'))
    .join(' ');
}

/** Words as they read inside a sentence: "Address line 1" → "address line 1" (an all-capitals word such as SMS stays). */
export const inSentence = (words: string): string => (/^[A-Z][^A-Z]/.test(words) || words.length === 1 ? words.charAt(0).toLowerCase() + words.slice(1) : words);

/** What the desktop calls each field of a customer record. */
export const CUSTOMER_FIELD_WORDS = {
  title: 'Title',
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  addressLine1: 'Address line 1',
  addressLine2: 'Address line 2',
  town: 'Town',
  postcode: 'Postcode',
  phone: 'Phone',
  mobile: 'Mobile',
  email: 'E-mail',
  contactPreference: 'Contact preference',
  doNotCall: 'Do not call',
} as const satisfies Record<string, string>;

/** A field name in words: a customer record's as the desktop calls it, any other split at its capitals ("scenarioKey" → "Scenario key"). */
export function fieldWords(field: string): string {
  const known: Readonly<Record<string, string>> = CUSTOMER_FIELD_WORDS;
  return Object.hasOwn(known, field) ? known[field]! : codeWords(field.replace(/([a-z])([A-Z0-9])/g, '$1 $2'));
}

/** What each timeline event type is called on the live view, the replay and in the evidence. */
export const EVENT_WORDS: Readonly<Record<string, string>> = {
  'screen-pop': 'Screen pop',
  search: 'Search',
  'record-opened': 'Record opened',
  'tab-opened': 'Tab opened',
  'identity-check': 'Identity check',
  'field-changed': 'Field changed',
  'note-added': 'Note added',
  'order-created': 'Order placed',
  'case-created': 'Case raised',
  'callback-created': 'Callback booked',
  hold: 'On hold',
  resume: 'Off hold',
  transfer: 'Transfer',
  conference: 'Conference',
  'call-started': 'Call started',
  'call-answered': 'Call answered',
  'call-ended': 'Call ended',
  'recording-finalised': 'Recording saved',
  'message-sent': 'Message sent',
  'message-filed': 'Message filed',
  'auto-reply-set': 'Auto-reply',
  printout: 'Print-out',
  'wrap-up': 'Wrap-up',
  'agent-state': 'Agent state',
};
export const eventWords = (type: string): string => (Object.hasOwn(EVENT_WORDS, type) ? EVENT_WORDS[type]! : codeWords(type));

/** How an order line was sold, as the order form offers it. */
export const SALE_TYPE_WORDS: Readonly<Record<string, string>> = { standard: 'Standard', upsell: 'Up-sell', cross_sell: 'Cross-sell' };

/** What a print-out is of. */
export const PRINTOUT_KIND_WORDS: Readonly<Record<string, string>> = { customer: 'customer record', order: 'order', case: 'case' };

/** A message channel in words: "e-mail", "SMS". */
export const channelWords = (channel: string): string => (channel === 'sms' ? 'SMS' : channel === 'email' ? 'e-mail' : channel);

/** A due date, with its time when keyed ('YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM', UK local): "Tue 8 Dec 2026" or "Tue 8 Dec 2026, 10:00"; anything else as given. */
export function dueText(dueAt: string): string {
  const [day, time] = dueAt.split('T') as [string, string | undefined];
  const d = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T12:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) return dueAt;
  const written = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(',', '');
  return time ? `${written}, ${time}` : written;
}
