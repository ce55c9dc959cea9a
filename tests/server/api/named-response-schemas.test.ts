// No route declares an inline reply (server/api/README.md): each status of a route's
// `schema.response` is a named schema (bound to its wire type in server/protocol/ by exactly<T>()
// beside the others, e.g. `200: centresResponse`), or `z.undefined()` for a 204. A static check of
// the route files' source, read with the TypeScript parser: the start-up check
// (response-declarations.ts) only demands that some schema is declared, so an inline
// `200: z.object({ centres: … })` would start and pass every other test.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const API_DIR = path.resolve(import.meta.dirname, '../../../server/api');

/** A named schema: `centresResponse` or `shape.kbArticlesResponse`. */
function isName(e: ts.Expression): boolean {
  if (ts.isIdentifier(e)) return true;
  return ts.isPropertyAccessExpression(e) && isName(e.expression);
}

/** `z.undefined()`: what a 204 declares (it sends no body). */
const isNoBody = (e: ts.Expression, src: ts.SourceFile): boolean => ts.isCallExpression(e) && e.arguments.length === 0 && e.expression.getText(src) === 'z.undefined';

/** Every status of every `response: { … }` in `text` whose schema is not a name: "file:line 200: z.object({ …". */
function inlineResponses(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && node.name.getText(src) === 'response' && ts.isObjectLiteralExpression(node.initializer)) {
      for (const status of node.initializer.properties) {
        const schema = ts.isPropertyAssignment(status) ? status.initializer : undefined;
        if (schema && (isName(schema) || isNoBody(schema, src))) continue;
        const line = src.getLineAndCharacterOfPosition(status.getStart(src)).line + 1;
        found.push(`${file}:${line} ${status.getText(src).replace(/\s+/g, ' ').slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

describe('route response schemas are named', () => {
  it('no server/api file declares a reply inline', () => {
    const files = fs.readdirSync(API_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) => inlineResponses(`server/api/${f}`, fs.readFileSync(path.join(API_DIR, f), 'utf8')));
    expect(found, 'name the reply in server/protocol/ and bind its schema with exactly<T>() in a *-responses.ts file').toEqual([]);
  });

  it('finds an inline wrapper however it is written, and lets names and a 204 through', () => {
    const route = (response: string) => `app.get('/api/x', { config: { access: 'admin' }, schema: { response: ${response} } }, async () => ({}));`;
    expect(inlineResponses('a.ts', route('{ 200: z.object({ centres: z.array(centre) }) }'))).toEqual(['a.ts:1 200: z.object({ centres: z.array(centre) })']);
    expect(inlineResponses('a.ts', route('{\n  201:\n    z.object({ id: z.string() }).strict(),\n}'))).toEqual(['a.ts:2 201: z.object({ id: z.string() }).strict()']);
    expect(inlineResponses('a.ts', route('{ 200: z.array(z.object({ id: z.string() })) }'))).toHaveLength(1);
    expect(inlineResponses('a.ts', route('{ 201: exactly<Outcome>()(check.extend({ summary: z.string() })) }'))).toHaveLength(1);
    expect(inlineResponses('a.ts', route("{ '2xx': z.object({}) }"))).toHaveLength(1);
    expect(inlineResponses('a.ts', route('{ 200: centresResponse, 400: shape.badRequest, 204: z.undefined() }'))).toEqual([]);
    // A response field inside a schema is no route's reply map.
    expect(inlineResponses('a.ts', 'const s = z.object({ response: z.string() });')).toEqual([]);
  });
});
