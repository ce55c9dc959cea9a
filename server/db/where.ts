// The WHERE clause of a filtered read: one condition for each filter that is set, all of which a
// row must meet. Written once for the repositories whose list and page reads take optional filters.

/** Each filter's condition, naming its value as `@key` (better-sqlite3's named parameters). */
export type FilterConditions<F> = { readonly [K in keyof F]?: string };

/**
 * ` WHERE a AND b` for the filters of `filter` that are set (not undefined), in the order
 * `conditions` names them ('' when none is), and the named values those conditions use.
 */
export function whereSet<F extends object>(filter: F, conditions: FilterConditions<F>): { where: string; args: Partial<F> } {
  const parts: string[] = [];
  const args: Partial<F> = {};
  for (const key of Object.keys(conditions) as Array<keyof F>) {
    const condition = conditions[key];
    if (condition === undefined || filter[key] === undefined) continue;
    parts.push(condition);
    args[key] = filter[key];
  }
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', args };
}
