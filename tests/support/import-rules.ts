// The "May import:" and "Imported only by" sentences of the folder READMEs, read as rules and
// checked against the import graph (support/import-graph.ts).
//
// What a README sentence means here (every path in backticks is relative to the repository root; a
// path ending in `/` is a folder, anything else one file):
// - `May import: A, B, npm packages, Node built-ins.` Files under the README's folder may import
//   files of that same folder and the items listed, nothing else. `npm packages` allows bare
//   specifiers (`zod`, `@fastify/static`), `Node built-ins` allows `node:…`. `May import: nothing`
//   allows only the folder's own files. A parenthesis right after an item narrows it when it says
//   `only`: `(types only)` allows only imports erased at run time (`import type`), and
//   "(through `media/index.ts` only)" allows the folder only through the files named. Any other
//   parenthesis only explains.
// - `Imported only by A, B.` Files outside the README's folder may import it only if they are
//   (under) one of the items listed.
// A file under several READMEs (server/assurance/ is under server/ too) obeys all of them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ImportEdge } from './import-graph.js';

export interface AllowedItem {
  /** A folder (ends with `/`) or a file, repository-relative. */
  path: string;
  typesOnly: boolean;
  /** The only files of the folder that may be imported, when the README narrows it. */
  through: string[] | null;
}

export interface FolderRule {
  readme: string;
  /** The README's folder, with a trailing `/`. */
  folder: string;
  mayImport: { allowed: AllowedItem[]; npmPackages: boolean; nodeBuiltins: boolean } | null;
  importedOnlyBy: string[] | null;
}

/**
 * The sentence that starts with `opening` (at the start of a line or after a full stop, so a
 * sentence that only quotes the words is not read as a rule), up to the first full stop outside
 * backticks.
 */
function sentenceAfter(text: string, opening: string): string | null {
  const found = new RegExp(`(?:^|\\n|\\.\\s+)(${opening})`).exec(text);
  if (!found) return null;
  const start = found.index + found[0].length - opening.length;
  let inCode = false;
  for (let i = start + opening.length; i < text.length; i++) {
    const ch = text[i];
    if (ch === '`') inCode = !inCode;
    else if (!inCode && ch === '.' && (i + 1 === text.length || /\s/.test(text[i + 1] ?? ''))) {
      return text.slice(start + opening.length, i).replace(/\s+/g, ' ').trim();
    }
  }
  return text.slice(start + opening.length).replace(/\s+/g, ' ').trim();
}

const ITEM = /`([^`]+)`(?:\s*\(([^)]*)\))?/g;

function parseAllowed(sentence: string): AllowedItem[] {
  const items: AllowedItem[] = [];
  for (const match of sentence.matchAll(ITEM)) {
    const itemPath = match[1] ?? '';
    const note = match[2] ?? '';
    const narrows = /\bonly\b/.test(note);
    const through = narrows ? [...note.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '') : [];
    items.push({ path: itemPath, typesOnly: narrows && /\btypes only\b/.test(note), through: through.length > 0 ? through : null });
  }
  return items;
}

export function readFolderRule(root: string, readme: string): FolderRule {
  const text = readFileSync(path.join(root, readme), 'utf8');
  const folder = `${path.posix.dirname(readme)}/`;
  const mayImportSentence = sentenceAfter(text, 'May import:');
  const importedOnlyBySentence = sentenceAfter(text, 'Imported only by');
  const nothing = mayImportSentence !== null && /^nothing\b/.test(mayImportSentence);
  return {
    readme,
    folder,
    mayImport:
      mayImportSentence === null
        ? null
        : {
            allowed: nothing ? [] : parseAllowed(mayImportSentence),
            npmPackages: !nothing && /\bnpm packages\b/.test(mayImportSentence),
            nodeBuiltins: !nothing && /\bNode built-ins\b/.test(mayImportSentence),
          },
    importedOnlyBy: importedOnlyBySentence === null ? null : parseAllowed(importedOnlyBySentence).map((item) => item.path),
  };
}

const isUnder = (file: string, item: string): boolean => (item.endsWith('/') ? file.startsWith(item) : file === item);

/** Why `edge` breaks `rule`, or null when it keeps it. */
export function breach(rule: FolderRule, edge: ImportEdge): string | null {
  const where = `${edge.from}:${edge.line} imports '${edge.specifier}'`;
  const fromInside = edge.from.startsWith(rule.folder);
  if (fromInside && rule.mayImport) {
    const may = rule.mayImport;
    if (edge.target === null) {
      const builtin = (edge.packageName ?? '').startsWith('node:');
      if (builtin ? may.nodeBuiltins : may.npmPackages) return null;
      return `${where}: ${rule.readme} allows no ${builtin ? 'Node built-ins' : 'npm packages'}`;
    }
    if (edge.target.startsWith(rule.folder)) return null;
    const item = may.allowed.find((candidate) => isUnder(edge.target ?? '', candidate.path));
    if (!item) return `${where}: ${rule.readme} does not list ${edge.target} under "May import"`;
    if (item.typesOnly && !edge.typeOnly) return `${where}: ${rule.readme} allows only types from \`${item.path}\`, and this import runs`;
    if (item.through && !item.through.includes(edge.target)) return `${where}: ${rule.readme} allows \`${item.path}\` only through ${item.through.join(', ')}`;
    return null;
  }
  if (!fromInside && rule.importedOnlyBy && edge.target !== null && edge.target.startsWith(rule.folder)) {
    if (rule.importedOnlyBy.some((importer) => isUnder(edge.from, importer))) return null;
    return `${where}: ${rule.readme} says ${rule.folder} is imported only by ${rule.importedOnlyBy.join(', ')}`;
  }
  return null;
}
