// Pure helpers of the scenario editor: where a JSON path (as the server names it, e.g.
// 'rubric.0.criterionId') starts in the text, where a "line L, column C" is, and the convenience
// edits (title, company, products, replace everywhere) done on the parsed JSON.

import type { Product as CrmProduct } from '../../../server/protocol/crm.js';

type Json = Record<string, unknown>;

/** Character offset of the value (or, in an object, the key) at a dotted path; undefined if not found. */
export function offsetOfPath(text: string, path: string): number | undefined {
  const target = path === '' ? [] : path.split('.');
  let i = 0;
  let found: number | undefined;
  const same = (p: string[]) => p.length === target.length && p.every((x, k) => x === target[k]);
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (p: string[]): void => {
    ws();
    if (same(p)) {
      found = i;
      return;
    }
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (let n = 0; ; n++) {
        ws();
        let member = String(n);
        if (c === '{') {
          const keyStart = i;
          member = str();
          if (same([...p, member])) {
            found = keyStart;
            return;
          }
          ws();
          i++; // the colon
        }
        value([...p, member]);
        if (found !== undefined) return;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++;
        return;
      }
    }
    if (c === '"') return void str();
    while (i < text.length && !' \t\r\n,]}'.includes(text[i]!)) i++;
  };
  try {
    value([]);
  } catch {
    return undefined;
  }
  return found;
}

/** Offset of "line L, column C" in a reason (the server's JSON syntax errors), if it says so. */
export function offsetOfLineColumn(text: string, reason: string): number | undefined {
  const m = /line (\d+), column (\d+)/.exec(reason);
  if (!m) return undefined;
  const lines = text.split('\n');
  const line = Math.min(Number(m[1]), lines.length);
  let offset = 0;
  for (let k = 0; k < line - 1; k++) offset += lines[k]!.length + 1;
  return offset + Math.max(0, Number(m[2]) - 1);
}

export function parseJson(text: string): Json | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

export const toText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** What the convenience fields show of a seed product (a product of the records, server/protocol/crm.ts). */
export type Product = Pick<CrmProduct, 'code' | 'name' | 'pricePence'>;

/** What the convenience fields show; undefined parts when the JSON does not have them. */
export function conveniences(doc: Json): { title: string; company: string; products: Product[] } {
  const seed = (doc.seed ?? {}) as Json;
  const company = (seed.company ?? {}) as Json;
  const products = Array.isArray(seed.products) ? (seed.products as Json[]) : [];
  return {
    title: typeof doc.title === 'string' ? doc.title : '',
    company: typeof company.name === 'string' ? company.name : '',
    products: products.map((p) => ({ code: typeof p.code === 'string' ? p.code : '', name: typeof p.name === 'string' ? p.name : '', pricePence: typeof p.pricePence === 'number' ? p.pricePence : 0 })),
  };
}

export function setTitle(doc: Json, title: string): Json {
  return { ...doc, title };
}

export function setCompany(doc: Json, name: string): Json {
  const seed = (doc.seed ?? {}) as Json;
  return { ...doc, seed: { ...seed, company: { ...((seed.company ?? {}) as Json), name } } };
}

export function setProduct(doc: Json, index: number, change: Partial<Pick<Product, 'name' | 'pricePence'>>): Json {
  const seed = (doc.seed ?? {}) as Json;
  const products = Array.isArray(seed.products) ? [...(seed.products as Json[])] : [];
  if (!products[index]) return doc;
  products[index] = { ...products[index], ...change };
  return { ...doc, seed: { ...seed, products } };
}

/** Replaces `find` in every text of the scenario (not in keys): the company's name in briefs, scripts, templates. */
export function replaceEverywhere(value: unknown, find: string, replacement: string): unknown {
  if (!find) return value;
  if (typeof value === 'string') return value.split(find).join(replacement);
  if (Array.isArray(value)) return value.map((v) => replaceEverywhere(v, find, replacement));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceEverywhere(v, find, replacement)]));
  return value;
}

/** How many texts contain `find`. */
export function countOccurrences(value: unknown, find: string): number {
  if (!find) return 0;
  if (typeof value === 'string') return value.split(find).length - 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countOccurrences(v, find), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, v) => n + countOccurrences(v, find), 0);
  return 0;
}
