// CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote or line break is quoted,
// its quotes doubled), with a guard against formula injection: a spreadsheet runs a cell that
// starts with = + - @ (or a tab / carriage return) as a formula, so such a cell gets a leading
// apostrophe and is shown as text. Only text cells are guarded; numbers are written as numbers.

export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
