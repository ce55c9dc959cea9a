// Loads and validates the scenario files in scenarios/ (every *.json except demo-seed.json, which is
// a CRM seed only). Every problem comes back as file + JSON path + reason, e.g.
//   scenarios/s3-complaint.json: rubric: marks sum to 11, must be 12
//   scenarios/s1-home-move.json: answerKey.customers.0.postcode: The postcode "LS6" is not a valid UK postcode …
// A file with problems is left out of `scenarios`; the others still load.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { SCENARIO_KEYS, scenarioSchema, type Scenario, type ScenarioKey } from './scenario-schema.js';

/** Files in scenarios/ that are not scenario files. */
export const NON_SCENARIO_FILES: readonly string[] = ['demo-seed.json'];

export interface ScenarioIssue {
  /** As shown to people: 'scenarios/<name>.json'. */
  file: string;
  /** Dotted JSON path of the bad value, '' for the whole file. */
  path: string;
  message: string;
}

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

export interface LoadResult {
  scenarios: LoadedScenario[];
  issues: ScenarioIssue[];
  /** Assignment keys s1–s6 with no valid scenario. */
  missingKeys: ScenarioKey[];
}

export class ScenarioLoadError extends Error {
  constructor(readonly issues: ScenarioIssue[]) {
    super(`invalid scenario files:\n${issues.map(formatIssue).join('\n')}`);
  }
}

/** 'file: path: reason' (path left out when it is the whole file). */
export function formatIssue(i: ScenarioIssue): string {
  return i.path ? `${i.file}: ${i.path}: ${i.message}` : `${i.file}: ${i.message}`;
}

const zodPath = (p: Array<string | number>): string => p.join('.');

function zodIssues(file: string, error: z.ZodError): ScenarioIssue[] {
  return error.issues.map((i) => ({ file, path: zodPath(i.path), message: i.message }));
}

/** Line and column (1-based) of a character offset. */
function lineColumn(textValue: string, offset: number): { line: number; column: number } {
  const before = textValue.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Offset of the first character where the text stops being JSON (the text's length when it ends
 * too early). Used only to place a JSON.parse error, whose message does not always say where.
 */
export function jsonErrorOffset(t: string): number {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const ws = () => {
    while (i < t.length && ' \t\n\r'.includes(t[i]!)) i++;
  };
  const fail = (): never => {
    throw new Stop(i);
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (t[i] !== ch) fail();
      i++;
    }
  };
  const str = () => {
    if (t[i] !== '"') fail();
    i++;
    while (i < t.length && t[i] !== '"') {
      const c = t.charCodeAt(i);
      if (c < 0x20) fail();
      if (t[i] === '\\') {
        i++;
        if (t[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 1, i + 5))) fail();
          i += 5;
          continue;
        }
        if (i >= t.length || !'"\\/bfnrt'.includes(t[i]!)) fail();
      }
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(t.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (t[i] !== ':') fail();
        i++;
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return num();
  };
  try {
    value();
    ws();
    if (i < t.length) fail();
    return -1;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.at, t.length);
    throw e;
  }
}

/** Parses a scenario from its JSON text; `file` names it in the issues. */
export function parseScenarioText(textValue: string, file: string): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(textValue);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = jsonErrorOffset(textValue);
    const where = offset >= 0 ? lineColumn(textValue, offset) : undefined;
    return { ok: false, issues: [{ file, path: '', message: `not valid JSON${where ? ` (line ${where.line}, column ${where.column})` : ''}: ${message}` }] };
  }
  return parseScenario(raw, file);
}

/** Validates an already parsed scenario object. */
export function parseScenario(raw: unknown, file: string): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) return { ok: false, issues: zodIssues(file, result.error) };
  return { ok: true, scenario: result.data };
}

/** The repository's scenarios/ directory: the first folder up from this module holding package.json. */
export function defaultScenariosDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'scenarios');
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the scenarios directory (no package.json above server/assessment)');
}

/**
 * Reads every scenario file of a directory, in name order. Files named in NON_SCENARIO_FILES, and
 * anything not ending in .json, are skipped. Two files with the same key and variant: the second
 * is refused.
 */
export function loadScenarios(dir = defaultScenariosDir()): LoadResult {
  const shown = path.basename(dir);
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !NON_SCENARIO_FILES.includes(n))
    .sort();
  const scenarios: LoadedScenario[] = [];
  const issues: ScenarioIssue[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = `${shown}/${name}`;
    const parsed = parseScenarioText(fs.readFileSync(path.join(dir, name), 'utf8'), file);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const id = `${parsed.scenario.key}/${parsed.scenario.variant}`;
    const first = seen.get(id);
    if (first) {
      issues.push({ file, path: 'variant', message: `${first} already defines ${parsed.scenario.key} variant "${parsed.scenario.variant}"` });
      continue;
    }
    seen.set(id, file);
    scenarios.push({ file, scenario: parsed.scenario });
  }
  const present = new Set(scenarios.map((s) => s.scenario.key));
  return { scenarios, issues, missingKeys: SCENARIO_KEYS.filter((k) => !present.has(k)) };
}

/** Like loadScenarios, but throws ScenarioLoadError (every issue listed) when any file is invalid. */
export function loadScenariosOrThrow(dir?: string): LoadedScenario[] {
  const r = loadScenarios(dir);
  if (r.issues.length > 0) throw new ScenarioLoadError(r.issues);
  return r.scenarios;
}

/** The key an attempt uses for a scenario: "s1" for variant a, "s1-b" for another variant. */
export function attemptKey(scenario: Pick<Scenario, 'key' | 'variant'>): string {
  return scenario.variant === 'a' ? scenario.key : `${scenario.key}-${scenario.variant}`;
}

let catalogue: readonly LoadedScenario[] | undefined;

/** The shipped scenarios, read and validated once per process (an invalid file throws, naming it). */
export function scenarioCatalogue(): readonly LoadedScenario[] {
  catalogue ??= loadScenariosOrThrow();
  return catalogue;
}

/** The scenario behind an attempt's scenario key, or undefined (e.g. "demo", which has no rubric). */
export function scenarioForAttemptKey(key: string): Scenario | undefined {
  return scenarioCatalogue().find((l) => attemptKey(l.scenario) === key)?.scenario;
}
