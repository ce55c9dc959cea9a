// The repository's import graph, read with the TypeScript compiler's own parser (no regexes): every
// `import`, `export … from`, `import x = require()`, `import()` call and `import('…')` type of the
// source files under the given folders, each resolved to a file of the repository or named as a
// package. An import is "type-only" when it is erased at run time (`import type`, `export type`,
// every named binding marked `type`, or an `import('…')` type): the node process and the browser
// never load those.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the repository root with forward slashes. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file (repository-relative) when it is one of ours, else null. */
  target: string | null;
  /** The npm package (or `node:` built-in) when the specifier is not a relative path. */
  packageName: string | null;
  typeOnly: boolean;
  /** 1-based line of the import, for messages. */
  line: number;
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];

export function sourceFilesUnder(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) {
        files.push(toRepoPath(root, full));
      }
    }
  };
  for (const folder of folders) walk(path.join(root, folder));
  return files;
}

function toRepoPath(root: string, full: string): string {
  return path.relative(root, full).split(path.sep).join('/');
}

/** A relative specifier as the NodeNext resolver and Vite see it here: `./x.js` names `./x.ts(x)`. */
function resolveRelative(root: string, fromFile: string, specifier: string): string | null {
  const base = path.resolve(root, path.dirname(fromFile), specifier);
  const candidates = [base];
  const jsExt = /\.(m?)js$/.exec(base);
  if (jsExt) {
    const stem = base.slice(0, -jsExt[0].length);
    candidates.push(`${stem}.${jsExt[1]}ts`, `${stem}.tsx`);
  }
  candidates.push(`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'));
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toRepoPath(root, candidate);
  }
  return null;
}

function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function importClauseIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return false;
  return clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : file.endsWith('.ts') || file.endsWith('.mts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const edges: ImportEdge[] = [];
  const add = (specifierNode: ts.Expression, typeOnly: boolean): void => {
    if (!ts.isStringLiteralLike(specifierNode)) return;
    const specifier = specifierNode.text;
    const relative = specifier.startsWith('.');
    edges.push({
      from: file,
      specifier,
      target: relative ? resolveRelative(root, file, specifier) : null,
      packageName: relative ? null : packageOf(specifier),
      typeOnly,
      line: source.getLineAndCharacterOfPosition(specifierNode.getStart(source)).line + 1,
    });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, importClauseIsTypeOnly(node.importClause));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, exportIsTypeOnly(node));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first) add(first, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

export function importGraph(root: string, folders: readonly string[]): ImportEdge[] {
  return sourceFilesUnder(root, folders).flatMap((file) => importsOf(root, file));
}

export interface ImportCircle {
  /** Every file of one strongly connected component: each reaches every other through imports. */
  files: string[];
  /** One concrete loop through the first of them, ending where it starts. */
  cycle: string[];
}

/**
 * The import circles (strongly connected components with more than one file, or a file importing
 * itself; Tarjan's algorithm), each with one concrete loop so a failure names the imports to cut.
 */
export function importCircles(edges: readonly ImportEdge[]): ImportCircle[] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.target === null) continue;
    const set = next.get(edge.from) ?? new Set<string>();
    set.add(edge.target);
    next.set(edge.from, set);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const strongConnect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        strongConnect(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = next.get(node)?.has(node) ?? false;
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) strongConnect(node);
  return components.map((files) => ({ files, cycle: cycleWithin(files, next) }));
}

/** A shortest cycle through the component's first file, staying inside the component. */
function cycleWithin(component: string[], next: Map<string, Set<string>>): string[] {
  const members = new Set(component);
  const start = component[0] ?? '';
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? '';
    for (const target of next.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const cycle = [node];
        while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0] ?? '') ?? start);
        return [...cycle, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return component;
}
