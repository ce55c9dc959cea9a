// The column of each field of a stored record, written once per table: the SELECT that reads rows
// as records and the INSERT that stores one are both made from it, so a field's column is spelt in
// one place and a field added to the record is a compile error until it has a column.
import type { Db } from './connection.js';

/** Each field of the record `T` and the column that holds it. */
export type Columns<T> = { readonly [K in keyof T]-?: string };

/** What `fields` lacks of the record's fields: never when it names them all. */
type Missing<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]>;

/**
 * The columns of a record whose every column is its field's name in snake_case (`sittingId` is
 * `sitting_id`, `addressLine1` is `address_line1`): `fields` must name every field of `T`, in the
 * order of the table, or it does not compile.
 */
export const snakeCaseColumns =
  <T>() =>
  <const L extends readonly (keyof T & string)[]>(fields: [Missing<T, L>] extends [never] ? L : { missingFields: Missing<T, L> }): Columns<T> =>
    Object.fromEntries((fields as L).map((field) => [field, field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])) as Columns<T>;

const SQL_NAME = /^[a-z][a-z0-9_]*$/;
const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

function sqlName(name: string): string {
  if (!SQL_NAME.test(name)) throw new Error(`not a table or column name: ${name}`);
  return name;
}

function fieldName(name: string): string {
  if (!FIELD_NAME.test(name)) throw new Error(`not a field name: ${name}`);
  return name;
}

/** `SELECT column AS field, … FROM table`, every field of the record (a column named as its field is not aliased). */
export function selectFrom<T>(table: string, columns: Columns<T>): string {
  const list = Object.entries<string>(columns).map(([field, column]) => (field === column ? sqlName(column) : `${sqlName(column)} AS ${fieldName(field)}`));
  return `SELECT ${list.join(', ')} FROM ${sqlName(table)}`;
}

/** `INSERT INTO table (column, …) VALUES (@field, …)`: every field of the record but those in `except` (e.g. the id the database assigns). */
export function insertInto<T>(table: string, columns: Columns<T>, except: readonly (keyof T)[] = []): string {
  const fields = (Object.keys(columns) as Array<keyof T & string>).filter((field) => !except.includes(field));
  return `INSERT INTO ${sqlName(table)} (${fields.map((field) => sqlName(columns[field])).join(', ')}) VALUES (${fields.map((field) => `@${fieldName(field)}`).join(', ')})`;
}

/**
 * `INSERT … ON CONFLICT (key columns) DO UPDATE SET` every other column from the new row
 * (https://www.sqlite.org/lang_upsert.html): the record replaces the one with the same key.
 */
export function upsertInto<T>(table: string, columns: Columns<T>, key: readonly (keyof T & string)[]): string {
  const others = (Object.keys(columns) as Array<keyof T & string>).filter((field) => !key.includes(field)).map((field) => sqlName(columns[field]));
  return `${insertInto(table, columns)} ON CONFLICT (${key.map((field) => sqlName(columns[field])).join(', ')}) DO UPDATE SET ${others.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/** Stores `record` (every field but its id) and returns it with the id SQLite assigned. */
export function insertWithId<T extends { id: number }>(db: Db, table: string, columns: Columns<T>, record: Omit<T, 'id'>): T {
  const info = db.prepare(insertInto(table, columns, ['id'])).run(record);
  return { id: Number(info.lastInsertRowid), ...record } as T;
}
