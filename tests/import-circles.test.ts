// No import circles anywhere in the server, the client or the scripts (issue 15): a circle makes
// the order modules are evaluated in depend on which one is loaded first, and it hides which module
// is the lower layer. Type-only imports count too: a circle of types is the same tangle of concepts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCircles, importGraph, type ImportEdge } from './support/import-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('import circles', () => {
  it('finds none in server/, client/src/, scripts/ and media/', () => {
    const edges = importGraph(root, ['server', 'client/src', 'scripts', 'media']);
    expect(edges.length).toBeGreaterThan(1000);
    const unresolved = edges.filter((e) => e.target === null && e.packageName === null).map((e) => `${e.from}:${e.line} '${e.specifier}'`);
    expect(unresolved).toEqual([]);
    const circles = importCircles(edges).map((c) => `${c.cycle.join(' -> ')} (files in the circle: ${c.files.join(', ')})`);
    expect(circles).toEqual([]);
  });

  it('would report a loop of three files, a file importing itself, and not a diamond', () => {
    const edge = (from: string, target: string, typeOnly = false): ImportEdge => ({ from, specifier: target, target, packageName: null, typeOnly, line: 1 });
    const circles = importCircles([
      edge('a.ts', 'b.ts'),
      edge('b.ts', 'c.ts', true),
      edge('c.ts', 'a.ts'),
      edge('self.ts', 'self.ts'),
      edge('top.ts', 'left.ts'),
      edge('top.ts', 'right.ts'),
      edge('left.ts', 'bottom.ts'),
      edge('right.ts', 'bottom.ts'),
    ]);
    expect(circles).toEqual([
      { files: ['a.ts', 'b.ts', 'c.ts'], cycle: ['a.ts', 'b.ts', 'c.ts', 'a.ts'] },
      { files: ['self.ts'], cycle: ['self.ts', 'self.ts'] },
    ]);
  });
});
