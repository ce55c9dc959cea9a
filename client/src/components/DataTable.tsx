// One table of the staff screens: a caption that names it to assistive technology, column headers
// (scope="col", an actions column named but hidden), a cell renderer per column (a column may be
// the row's header, scope="row"), optional sorting by a column (the header becomes a button and
// says its order with aria-sort), the staff's words when there are no rows, and, on request, the
// scroll wrapper that keeps a wide table from widening the page.
import { Fragment, useState, type HTMLAttributes, type ReactNode } from 'react';
import { sortRows, type SortDirection, type SortValue } from './sort-rows.js';

export interface Column<Row> {
  /** The header's words (hidden when `hideHeader`, e.g. "Actions" over a column of buttons). */
  header: string;
  /** Tells columns apart when two could share a header (columns made from data); else the header. */
  key?: string;
  hideHeader?: boolean;
  /** What the cell shows. */
  cell: (row: Row) => ReactNode;
  /** The row's header cell (<th scope="row">), e.g. the candidate's name. */
  rowHeader?: boolean;
  /** Class of the body cells (e.g. "actions", "small"). */
  className?: string;
  /** A column of figures: header and cells get the class "num" (aligned as figures are). */
  numeric?: boolean;
  /** Staff may sort by this column: the value the row is ordered by. */
  sortBy?: (row: Row) => SortValue;
  /** Extra attributes of the body cells (e.g. a data-testid the browser tests find). */
  cellProps?: (row: Row) => DataAttributes;
}

type DataAttributes = { [key: `data-${string}`]: string | number | boolean | undefined };
export type RowAttributes = HTMLAttributes<HTMLTableRowElement> & DataAttributes;

export interface Sorting {
  /** The column sorted by (its key, else its header). */
  column: string;
  direction: SortDirection;
}

export interface DataTableProps<Row> {
  /** Names the table (a <caption>, visually hidden unless `showCaption`). */
  caption: string;
  showCaption?: boolean;
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Attributes of a row's <tr>: a class, aria-current, data-* the tests find it by. */
  rowProps?: (row: Row) => RowAttributes;
  /** Shown after a row, e.g. an opened row's details (return a <tr>). */
  after?: (row: Row) => ReactNode;
  /** Said instead of the table when there are no rows; without it an empty table shows its headers. */
  empty?: string;
  /** The empty message in small type. */
  small?: boolean;
  /** The order before staff choose one (none: the order given). */
  initialSort?: Sorting;
  className?: string;
  testId?: string;
  /** Wrapped in .table-scroll so that it scrolls sideways rather than widen the page. */
  scroll?: boolean;
}

/**
 * The column of a button that opens a row's details under the table and closes them again (one row
 * open at a time; aria-expanded says whether it is): `idOf` names the row, `open` is the row open
 * now and `setOpen` opens one or none; `closed` and `opened` are the button's words, `label` what it
 * says to assistive technology when the words alone would not name the row.
 */
export function openerColumn<Row>(o: { idOf: (row: Row) => string; open: string | undefined; setOpen: (id: string | undefined) => void; closed: string; opened: string; label?: (row: Row) => string }): Column<Row> {
  return {
    header: 'Actions',
    hideHeader: true,
    className: 'actions',
    cell: (row) => {
      const isOpen = o.open === o.idOf(row);
      return (
        <button type="button" className="small" aria-expanded={isOpen} onClick={() => o.setOpen(isOpen ? undefined : o.idOf(row))} aria-label={o.label?.(row)}>
          {isOpen ? o.opened : o.closed}
        </button>
      );
    },
  };
}

const ARROW: Record<SortDirection, string> = { ascending: '▲', descending: '▼' };

export function DataTable<Row>(props: DataTableProps<Row>) {
  const { caption, showCaption, columns, rows, rowKey, rowProps, after, empty, small, initialSort, className, testId, scroll } = props;
  const [sorting, setSorting] = useState<Sorting | undefined>(initialSort);
  if (rows.length === 0 && empty !== undefined) return <p className={small ? 'muted small' : 'muted'}>{empty}</p>;
  const keyOf = (c: Column<Row>) => c.key ?? c.header;
  const cellClass = (c: Column<Row>) => [c.className, c.numeric ? 'num' : undefined].filter(Boolean).join(' ') || undefined;
  const sortColumn = sorting && columns.find((c) => keyOf(c) === sorting.column && c.sortBy);
  const ordered = sorting && sortColumn?.sortBy ? sortRows(rows, sortColumn.sortBy, sorting.direction) : rows;
  const sortBy = (column: string) =>
    setSorting((s) => ({ column, direction: s?.column === column && s.direction === 'ascending' ? 'descending' : 'ascending' }));
  const table = (
    <table className={className} data-testid={testId}>
      <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => {
            const direction = sorting?.column === keyOf(c) ? sorting.direction : undefined;
            return (
              <th key={keyOf(c)} scope="col" className={c.numeric ? 'num' : undefined} aria-sort={c.sortBy ? (direction ?? 'none') : undefined}>
                {c.hideHeader ? (
                  <span className="visually-hidden">{c.header}</span>
                ) : c.sortBy ? (
                  <button type="button" className="sort" onClick={() => sortBy(keyOf(c))}>
                    {c.header}
                    <span aria-hidden="true" className="sort-arrow">
                      {direction ? ARROW[direction] : '↕'}
                    </span>
                  </button>
                ) : (
                  c.header
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {ordered.map((row) => (
          <Fragment key={rowKey(row)}>
            <tr {...rowProps?.(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={keyOf(c)} scope="row" className={cellClass(c)} {...c.cellProps?.(row)}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={keyOf(c)} className={cellClass(c)} {...c.cellProps?.(row)}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
            {after?.(row)}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
  return scroll ? <div className="table-scroll">{table}</div> : table;
}
