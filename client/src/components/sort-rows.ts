// The order of a table's rows when staff sort it by a column: text in en-GB order with numbers
// inside it read as numbers ("Assignment 2" before "Assignment 10"), numbers by value, empty
// values last either way, rows that compare equal left in the order the server gave them.

/** What a column sorts by; null or '' when the row has no value there. */
export type SortValue = string | number | null;

export type SortDirection = 'ascending' | 'descending';

const collator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });

const isBlank = (v: SortValue): v is null | '' => v === null || v === '';

function compare(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** A copy of `rows` ordered by `value`; the input is not changed. */
export function sortRows<Row>(rows: readonly Row[], value: (row: Row) => SortValue, direction: SortDirection): Row[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((x, y) => {
      const xBlank = isBlank(x.key);
      const yBlank = isBlank(y.key);
      if (xBlank || yBlank) return xBlank === yBlank ? x.index - y.index : xBlank ? 1 : -1;
      return sign * compare(x.key, y.key) || x.index - y.index;
    })
    .map((r) => r.row);
}
