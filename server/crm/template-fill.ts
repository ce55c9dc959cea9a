// The values a message template is filled with, from the attempt's records: the customer the
// message is for, and the order, case and callback (or task) the candidate chose to fill it from.
// A template names what it needs as {{placeholders}} (server/protocol/templates.ts fills them); the
// ones given here come from the records, the rest (a free-text explanation, a time slot) stay in the
// text for the candidate to write, and the desktop will not send a message that still has one.
// Pure: the same records give the same values.
import type { Callback, Case, Company, Customer, Order } from '../db/repositories/crm.js';
import { formatPence } from './validation.js';


export interface TemplateSources {
  company: Company;
  /** Who signs the message: the candidate. */
  agentName: string;
  customer?: Customer | undefined;
  order?: Order | undefined;
  /** With the label of its category (the scenario's words for the code). */
  case?: (Case & { categoryLabel: string | null }) | undefined;
  callback?: Callback | undefined;
}

/** Every placeholder this module can fill, by the record it comes from (for the desktop's help text). */
export const PLACEHOLDERS = {
  always: ['agentName', 'companyName', 'companyPhone', 'companyEmail'],
  customer: ['title', 'firstName', 'lastName', 'fullName', 'accountNumber', 'address', 'newAddress', 'email', 'phone', 'mobile'],
  order: ['orderReference', 'orderDate', 'orderLines', 'monthlyPrice', 'oneOffPrice', 'orderTotal', 'date'],
  case: ['caseReference', 'caseType', 'caseCategory', 'casePriority', 'credit'],
  callback: ['callbackDue', 'date', 'time'],
} as const;

const SALE = { standard: '', upsell: ' (upgrade)', cross_sell: ' (add-on)' } as const;

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
/** ms since the epoch as the UK day: "Tuesday 6 January 2026". */
const ukDay = (ms: number): string => LONG_DATE.format(new Date(ms)).replace(',', '');
/** A UK local 'YYYY-MM-DD' as "Tuesday 6 January 2026" (noon UTC is the same day in the UK). */
const isoDay = (iso: string): string => ukDay(Date.parse(`${iso}T12:00:00Z`));

/** "£38.00 a month" or "£59.99 one-off". */
const priced = (pence: number, basis: 'monthly' | 'one_off'): string => `${formatPence(pence)} ${basis === 'monthly' ? 'a month' : 'one-off'}`;

/** The values the records give, by placeholder name. */
export function templateValues(src: TemplateSources): Record<string, string> {
  const v: Record<string, string> = {
    agentName: src.agentName,
    companyName: src.company.name,
    companyPhone: src.company.phone,
    companyEmail: src.company.email,
  };
  const c = src.customer;
  if (c) {
    const address = [c.addressLine1, c.addressLine2, c.town, c.postcode].filter(Boolean).join(', ');
    Object.assign(v, {
      title: c.title ?? c.firstName,
      firstName: c.firstName,
      lastName: c.lastName,
      fullName: [c.title, c.firstName, c.lastName].filter(Boolean).join(' '),
      accountNumber: c.accountNumber,
      address,
      // The address on file once the candidate has keyed the move: the home-move template's wording.
      newAddress: address,
      phone: c.phone,
      ...(c.email ? { email: c.email } : {}),
      ...(c.mobile ? { mobile: c.mobile } : {}),
    });
  }
  const o = src.order;
  if (o) {
    const parts = [o.monthlyPence > 0 ? priced(o.monthlyPence, 'monthly') : '', o.oneOffPence > 0 ? priced(o.oneOffPence, 'one_off') : ''].filter(Boolean);
    Object.assign(v, {
      orderReference: o.reference,
      orderDate: ukDay(o.createdAt),
      date: ukDay(o.createdAt),
      orderLines: o.lines.map((l) => `${l.quantity} × ${l.productName}${SALE[l.saleType]}: ${priced(l.lineTotalPence, l.priceBasis)}`).join('\n'),
      monthlyPrice: formatPence(o.monthlyPence),
      oneOffPrice: formatPence(o.oneOffPence),
      orderTotal: parts.length > 0 ? parts.join(' + ') : formatPence(o.totalPence),
    });
  }
  const k = src.case;
  if (k) {
    Object.assign(v, {
      caseReference: k.reference,
      caseType: k.type === 'complaint' ? 'complaint' : 'query',
      casePriority: k.priority,
      ...(k.categoryLabel ? { caseCategory: k.categoryLabel } : {}),
      ...(k.creditPence !== null ? { credit: formatPence(k.creditPence) } : {}),
    });
  }
  const b = src.callback;
  if (b) {
    const [day, time] = b.dueAt.split('T') as [string, string];
    // An appointment or callback date is what a message about it means by {{date}}.
    Object.assign(v, { callbackDue: `${isoDay(day)} at ${time}`, date: isoDay(day), time });
  }
  return v;
}
