// Dates in caller briefs are given relative to the sitting day ("six weeks after the sitting
// day"), so a scenario never goes stale. The sitting day is the UK calendar date of the sitting
// (Europe/London, as the candidate's desk sees it); working days skip Saturdays and Sundays.
// Bank holidays are not known here and count as working days.

const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A calendar date with no time zone: year, month 1-12, day 1-31. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** The UK calendar date of an instant. */
export function ukDate(ms: number): CalendarDate {
  const parts = Object.fromEntries(LONDON_DATE.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

const toUtc = (d: CalendarDate): Date => new Date(Date.UTC(d.year, d.month - 1, d.day));
const fromUtc = (u: Date): CalendarDate => ({ year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() });

/** `days` calendar days, or working days (Monday-Friday), after `from`. */
export function addDays(from: CalendarDate, days: number, workingDays = false): CalendarDate {
  const u = toUtc(from);
  if (!workingDays) {
    u.setUTCDate(u.getUTCDate() + days);
    return fromUtc(u);
  }
  let left = days;
  while (left > 0) {
    u.setUTCDate(u.getUTCDate() + 1);
    const weekday = u.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return fromUtc(u);
}

/** "Friday 13 February 2026". */
export function formatLongDate(d: CalendarDate): string {
  return `${DAYS[toUtc(d).getUTCDay()]} ${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

/** 'YYYY-MM-DD'. */
export function isoDate(d: CalendarDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
