// Money, prices and dates as the desktop shows them (en-GB, pounds and pence).
import type { Order, PriceBasis } from './crm-api.js';

export const money = (pence: number): string => `£${(pence / 100).toFixed(2)}`;

/** "£28.00 a month" or "£59.99 one-off", as the catalogue prices it. */
export const price = (pence: number, basis: PriceBasis): string => `${money(pence)} ${basis === 'monthly' ? 'a month' : 'one-off'}`;

/** An order's total split into its monthly and one-off parts. */
export function orderPrice(o: Pick<Order, 'monthlyPence' | 'oneOffPence' | 'totalPence'>): string {
  const parts = [o.monthlyPence > 0 && price(o.monthlyPence, 'monthly'), o.oneOffPence > 0 && price(o.oneOffPence, 'one_off')].filter(Boolean);
  return parts.length ? parts.join(' + ') : money(o.totalPence);
}

export const dateTime = (ms: number): string =>
  new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "1 Jan 07:52": for lists, where the year is rarely in doubt. */
export const shortDateTime = (ms: number): string =>
  new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).replace(',', '');

export const date = (ms: number): string => new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/** A due date and time as keyed ('YYYY-MM-DDTHH:MM', UK local): "Tue 8 Dec 2026, 10:00". */
export function dueText(dueAt: string): string {
  const [day, time] = dueAt.split('T') as [string, string | undefined];
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return dueAt;
  const written = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(',', '');
  return time ? `${written}, ${time}` : written;
}
