// Dates and times as UK staff read them (en-GB): "2 Mar 2026, 09:05", "2 Mar 2026".
export const dateTimeGB = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }));
export const dateGB = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : new Date(ms).toLocaleDateString('en-GB', { dateStyle: 'medium' }));
/** A 'YYYY-MM-DD' day as "2 Mar 2026". */
export const isoDayGB = (day: string | null | undefined): string => (day ? new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }) : '—');
/** Minutes and seconds of a duration: "7 min 05 s". */
export const minutesGB = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
};
