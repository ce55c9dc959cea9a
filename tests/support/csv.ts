// Reads back a CSV the server wrote (RFC 4180: CRLF rows, a field with a comma, quote or line break
// quoted, its quotes doubled), so tests look cells up by column name.
export function parseCsvLine(line: string): string[] {
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1);
}

/** The cells of the row whose first cell is `key`, by column name (throws when either is absent). */
export function csvRow(body: string, key: string): (column: string) => string {
  const [head, ...rows] = body.split('\r\n');
  const columns = parseCsvLine(head!);
  const line = rows.find((r) => parseCsvLine(r)[0] === key);
  if (line === undefined) throw new Error(`no CSV row for ${key}`);
  const row = parseCsvLine(line);
  if (row.length !== columns.length) throw new Error(`the row of ${key} has ${row.length} cells for ${columns.length} columns`);
  return (column) => {
    const i = columns.indexOf(column);
    if (i < 0) throw new Error(`no CSV column ${column}`);
    return row[i]!;
  };
}
