// Each folder README's "May import" and "Imported only by" sentences, enforced over the real
// import graph (issue 15): the READMEs are the rules, this test reads them (support/import-rules.ts
// says how a sentence is read) and fails on any import that breaks one, naming file, line and rule.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, type ImportEdge } from './support/import-graph.js';
import { breach, readFolderRule, type FolderRule } from './support/import-rules.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where rules apply. client/ outside src/ is the Vite configuration, which runs in Node at build time. */
const CHECKED = ['server', 'client/src', 'scripts', 'media'];
const TOP_LEVEL_READMES = ['server/README.md', 'client/README.md', 'scripts/README.md', 'media/README.md'];

function readmesUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const rel = `${dir}/${name}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (name === 'README.md') found.push(rel);
    }
  };
  walk(folder);
  return found;
}

const rules: FolderRule[] = ['server', 'client', 'scripts', 'media'].flatMap(readmesUnder).map((readme) => readFolderRule(root, readme));
const ruleOf = (readme: string): FolderRule => {
  const rule = rules.find((r) => r.readme === readme);
  if (!rule) throw new Error(`no rule read from ${readme}`);
  return rule;
};
const breaches = (edges: readonly ImportEdge[]): string[] => edges.flatMap((edge) => rules.map((rule) => breach(rule, edge))).filter((b): b is string => b !== null);

describe('module boundaries written in the folder READMEs', () => {
  it('every top-level folder says what it may import, and every folder a rule names exists', () => {
    for (const readme of TOP_LEVEL_READMES) expect(ruleOf(readme).mayImport, readme).not.toBeNull();
    const named = rules.flatMap((r) => [...(r.mayImport?.allowed.flatMap((item) => [item.path, ...(item.through ?? [])]) ?? []), ...(r.importedOnlyBy ?? [])].map((p) => `${r.readme}: ${p}`));
    expect(named.length).toBeGreaterThan(10);
    const missing = named.filter((entry) => !existsSync(path.join(root, entry.split(': ')[1] ?? '')));
    expect(missing).toEqual([]);
  });

  it('reads the sentences as written', () => {
    expect(ruleOf('client/README.md').mayImport).toEqual({ allowed: [{ path: 'server/protocol/', typesOnly: false, through: null }], npmPackages: true, nodeBuiltins: false });
    expect(ruleOf('server/README.md').mayImport?.allowed[0]).toEqual({ path: 'media/', typesOnly: false, through: ['media/index.ts'] });
    expect(ruleOf('server/protocol/README.md').mayImport).toEqual({ allowed: [], npmPackages: false, nodeBuiltins: false });
    expect(ruleOf('server/db/README.md').mayImport?.allowed[0]).toEqual({ path: 'server/protocol/', typesOnly: true, through: null });
    expect(ruleOf('server/api/README.md').importedOnlyBy).toEqual(['server/app.ts']);
  });

  it('holds for every import of server/, client/src/, scripts/ and media/', () => {
    const edges = importGraph(root, CHECKED);
    expect(edges.length).toBeGreaterThan(1000);
    expect(breaches(edges)).toEqual([]);
  });

  it('would report imports that break each kind of rule', () => {
    const edge = (from: string, target: string | null, extra: Partial<ImportEdge> = {}): ImportEdge => ({ from, specifier: target ?? '', target, packageName: null, typeOnly: false, line: 7, ...extra });
    const found = breaches([
      edge('client/src/App.tsx', 'server/db/connection.ts'),
      edge('client/src/App.tsx', null, { specifier: 'node:fs', packageName: 'node:fs' }),
      edge('server/sip/b2bua.ts', 'media/recording/recorder.ts'),
      edge('server/db/repositories/crm.ts', 'server/protocol/crm.ts'),
      edge('server/db/repositories/crm.ts', 'server/protocol/crm.ts', { typeOnly: true }),
      edge('server/protocol/crm.ts', null, { specifier: 'zod', packageName: 'zod' }),
      edge('server/moderation/replay/replay-view.ts', 'server/api/printout-routes.ts', { typeOnly: true }),
      edge('server/app.ts', 'server/api/printout-routes.ts'),
    ]);
    expect(found).toEqual([
      "client/src/App.tsx:7 imports 'server/db/connection.ts': client/README.md does not list server/db/connection.ts under \"May import\"",
      "client/src/App.tsx:7 imports 'node:fs': client/README.md allows no Node built-ins",
      "server/sip/b2bua.ts:7 imports 'media/recording/recorder.ts': server/README.md allows `media/` only through media/index.ts",
      "server/sip/b2bua.ts:7 imports 'media/recording/recorder.ts': server/sip/README.md allows `media/` only through media/index.ts",
      "server/db/repositories/crm.ts:7 imports 'server/protocol/crm.ts': server/db/README.md allows only types from `server/protocol/`, and this import runs",
      "server/protocol/crm.ts:7 imports 'zod': server/protocol/README.md allows no npm packages",
      "server/moderation/replay/replay-view.ts:7 imports 'server/api/printout-routes.ts': server/api/README.md says server/api/ is imported only by server/app.ts",
    ]);
  });
});
