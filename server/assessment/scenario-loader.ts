// Loads and validates the scenario files in scenarios/ (every *.json except demo-seed.json, which is
// a CRM seed only). Every problem comes back as file + JSON path + reason, e.g.
//   scenarios/s3-complaint.json: rubric: marks sum to 11, must be 12
//   scenarios/s1-home-move.json: answerKey.customers.0.postcode: The postcode "LS6" is not a valid UK postcode …
// A file with problems is left out of `scenarios`; the others still load.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { scenarioSchema } from './scenario-checks.js';
import { SCENARIO_KEYS, type Scenario, type ScenarioKey } from './scenario-schema.js';

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
  /** Absolute path of the file it was read from (a clone copies the file's own text). */
  sourcePath?: string;
  /** Set for a centre's customised variant (read from the data directory); absent for the shipped six. */
  centreId?: number;
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
  class Stop extends Error {
    constructor(readonly at: number) {
      super(`not JSON from offset ${at}`);
    }
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
    if (!m) fail();
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
    scenarios.push({ file, scenario: parsed.scenario, sourcePath: path.join(dir, name) });
  }
  // By key, then variant ('a' first): a file name sorts s1-home-move-b.json before s1-home-move.json.
  scenarios.sort((x, y) => x.scenario.key.localeCompare(y.scenario.key) || x.scenario.variant.localeCompare(y.scenario.variant));
  const present = new Set(scenarios.map((s) => s.scenario.key));
  return { scenarios, issues, missingKeys: SCENARIO_KEYS.filter((k) => !present.has(k)) };
}

/** Like loadScenarios, but throws ScenarioLoadError (every issue listed) when any file is invalid. */
export function loadScenariosOrThrow(dir?: string): LoadedScenario[] {
  const r = loadScenarios(dir);
  if (r.issues.length > 0) throw new ScenarioLoadError(r.issues);
  return r.scenarios;
}

// --- superseded versions ---------------------------------------------------------------------------
//
// A shipped file whose content changes gets a higher version; the file it replaces moves to
// scenarios/previous/<its file name>.v<old version>.json (e.g. previous/s1-home-move.v2.json), so
// an attempt sat on the old version is still marked, replayed and exported with the rubric, answer
// key and briefs it was sat on. A kept file is validated like a current one and must sit below the
// current file of its key and variant; it is never offered for a new attempt.

/** The folder of superseded versions, inside scenarios/. */
export const PREVIOUS_DIR = 'previous';
const PREVIOUS_NAME = /^(.+)\.v([1-9][0-9]{0,5})\.json$/;

/** Reads scenarios/previous/ (a missing folder is empty), checking each file against `current`. */
export function loadPreviousScenarios(dir: string, current: readonly LoadedScenario[]): { scenarios: LoadedScenario[]; issues: ScenarioIssue[] } {
  const scenarios: LoadedScenario[] = [];
  const issues: ScenarioIssue[] = [];
  if (!fs.existsSync(dir)) return { scenarios, issues };
  const shown = `${path.basename(path.dirname(dir))}/${path.basename(dir)}`;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = `${shown}/${name}`;
    const m = PREVIOUS_NAME.exec(name);
    if (!m) {
      issues.push({ file, path: '', message: 'a kept version is named <current file name>.v<version>.json, e.g. s1-home-move.v1.json' });
      continue;
    }
    const parsed = parseScenarioText(fs.readFileSync(path.join(dir, name), 'utf8'), file);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const s = parsed.scenario;
    const key = attemptKey(s);
    const now = current.find((l) => attemptKey(l.scenario) === key);
    const stem = now ? path.basename(now.file, '.json') : undefined;
    if (s.version !== Number(m[2])) {
      issues.push({ file, path: 'version', message: `is ${s.version}, but the file name says version ${m[2]}` });
    } else if (!now) {
      issues.push({ file, path: 'key', message: `no current file of ${s.key} variant "${s.variant}": a previous version is kept beside the current one` });
    } else if (s.version >= now.scenario.version) {
      issues.push({ file, path: 'version', message: `is ${s.version}; a previous version must be below the current file's (${now.file}: ${now.scenario.version})` });
    } else if (m[1] !== stem) {
      issues.push({ file, path: '', message: `is a version of ${now.file}: name it ${stem}.v${s.version}.json` });
    } else {
      // No second file can keep the same version: its name would be this one.
      scenarios.push({ file, scenario: s, sourcePath: path.join(dir, name) });
    }
  }
  return { scenarios, issues };
}

/** Like loadPreviousScenarios, but throws ScenarioLoadError (every issue listed) when any file is invalid. */
export function loadPreviousScenariosOrThrow(dir: string, current: readonly LoadedScenario[]): LoadedScenario[] {
  const r = loadPreviousScenarios(dir, current);
  if (r.issues.length > 0) throw new ScenarioLoadError(r.issues);
  return r.scenarios;
}

/** The key an attempt uses for a scenario: "s1" for variant a, "s1-b" for another variant. */
export function attemptKey(scenario: Pick<Scenario, 'key' | 'variant'>): string {
  return scenario.variant === 'a' ? scenario.key : `${scenario.key}-${scenario.variant}`;
}

// --- centres' customised variants ----------------------------------------------------------------
//
// A centre customises a scenario by cloning it into a new variant of the same key, stored as
// <data dir>/scenarios/<key>-<variant>.json with the variant c<centre id>-<name>: the file name
// alone says which centre owns it, even when its content is broken. These files are read at start
// and after every write through the API; a bad one is skipped with its issues (file, path,
// reason) and never stops the server, unlike a bad shipped scenario.

/** A centre's variant: c<centre id>-<name>, e.g. c3-acme. */
export const CENTRE_VARIANT_PATTERN = /^c([1-9][0-9]{0,8})-[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The centre a variant belongs to, or undefined for a shipped variant ('a', 'b', …). */
export function centreOfVariant(variant: string): number | undefined {
  const m = CENTRE_VARIANT_PATTERN.exec(variant);
  return m ? Number(m[1]) : undefined;
}

/** An attempt key split up: "s1" → s1/a, "s1-b" → s1/b, "s1-c3-acme" → s1/c3-acme (centre 3). */
export function parseAttemptKey(value: string): { key: ScenarioKey; variant: string; centreId: number | undefined } | undefined {
  const m = /^(s[1-6])(?:-([A-Za-z0-9][A-Za-z0-9_-]{0,63}))?$/.exec(value);
  if (!m) return undefined;
  const variant = m[2] ?? 'a';
  return { key: m[1] as ScenarioKey, variant, centreId: centreOfVariant(variant) };
}

/** How a file of a centre folder is named in issues: '<data dir>/scenarios/<name>'. */
export function centreFileLabel(dir: string, name: string): string {
  return `${path.basename(path.dirname(dir))}/${path.basename(dir)}/${name}`;
}

/** The JSON files of a centre folder (temporary files of an unfinished write start with '.'). */
function centreFileNames(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort();
}

/**
 * Checks a centre scenario beyond the schema: the file is named after its key and variant, the
 * variant is a centre's, and it does not clash with a shipped scenario. Returns the issues.
 */
export function centreNamingIssues(scenario: Pick<Scenario, 'key' | 'variant'>, name: string, file: string, builtIn: readonly LoadedScenario[]): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const key = attemptKey(scenario);
  if (centreOfVariant(scenario.variant) === undefined) {
    issues.push({ file, path: 'variant', message: `a centre's scenario needs a variant c<centre id>-<name>, e.g. c1-acme; "${scenario.variant}" is not one` });
  } else if (name !== `${key}.json`) {
    issues.push({ file, path: 'variant', message: `key "${scenario.key}" and variant "${scenario.variant}" belong in ${key}.json, not ${name}` });
  }
  const shipped = builtIn.find((l) => attemptKey(l.scenario) === key);
  if (shipped) issues.push({ file, path: 'variant', message: `${shipped.file} already defines ${scenario.key} variant "${scenario.variant}"` });
  return issues;
}

/** Reads a centre folder; bad files are left out with their issues. A missing folder is empty. */
export function loadCentreScenarios(dir: string, builtIn: readonly LoadedScenario[]): { scenarios: LoadedScenario[]; issues: ScenarioIssue[] } {
  const scenarios: LoadedScenario[] = [];
  const issues: ScenarioIssue[] = [];
  for (const name of centreFileNames(dir)) {
    const file = centreFileLabel(dir, name);
    let textValue: string;
    try {
      textValue = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch (err) {
      issues.push({ file, path: '', message: `cannot be read: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const parsed = parseScenarioText(textValue, file);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const naming = centreNamingIssues(parsed.scenario, name, file, builtIn);
    if (naming.length > 0) {
      issues.push(...naming);
      continue;
    }
    scenarios.push({ file, scenario: parsed.scenario, sourcePath: path.join(dir, name), centreId: centreOfVariant(parsed.scenario.variant)! });
  }
  return { scenarios, issues };
}

/** What tells a changed folder: names, sizes and modification times of its JSON files. */
function folderSignature(dir: string): string {
  return centreFileNames(dir)
    .map((n) => {
      try {
        const st = fs.statSync(path.join(dir, n));
        return `${n}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${n}:gone`;
      }
    })
    .join('|');
}

interface CentreSource {
  dir: string;
  scenarios: LoadedScenario[];
  issues: ScenarioIssue[];
  signature: string;
}

/** Where the shipped scenarios are read from: the repository's scenarios/ unless a test points elsewhere. */
const shippedDirs: string[] = [];
let builtIn: readonly LoadedScenario[] | undefined;
let previous: readonly LoadedScenario[] | undefined;
/**
 * Centre folders in use, the last one active. One app uses one folder; a stack (not a single
 * slot) lets a test build a second app and close it again without losing the first one's.
 */
const centreSources: CentreSource[] = [];
let combined: readonly LoadedScenario[] | undefined;

const activeSource = (): CentreSource | undefined => centreSources[centreSources.length - 1];

/** The shipped scenarios only, read and validated once per process (an invalid file throws, naming it). */
export function builtInScenarios(): readonly LoadedScenario[] {
  builtIn ??= loadScenariosOrThrow(shippedDirs[shippedDirs.length - 1]);
  return builtIn;
}

/**
 * The superseded versions of the shipped scenarios (scenarios/previous/), read and validated once
 * per process like the current ones (an invalid file throws, naming it). Never offered for a new
 * attempt: only an attempt sat on that version is marked, replayed and exported with it.
 */
export function previousScenarios(): readonly LoadedScenario[] {
  previous ??= loadPreviousScenariosOrThrow(path.join(shippedDirs[shippedDirs.length - 1] ?? defaultScenariosDir(), PREVIOUS_DIR), builtInScenarios());
  return previous;
}

/**
 * Reads the shipped scenarios (and their previous/ folder) from another folder until `release`
 * is called, e.g. a test that bumps a scenario's version. Everything loaded is read afresh.
 */
export function useShippedScenariosDir(dir: string): { release: () => void } {
  const resolved = path.resolve(dir);
  shippedDirs.push(resolved);
  const forget = () => {
    builtIn = undefined;
    previous = undefined;
    combined = undefined;
  };
  forget();
  return {
    release: () => {
      const i = shippedDirs.lastIndexOf(resolved);
      if (i >= 0) shippedDirs.splice(i, 1);
      forget();
    },
  };
}

/**
 * Every scenario: the shipped ones, then the valid centre variants of the active data folder (of
 * every centre: who may see which is the routes' business). A new array after every reload, so a
 * cache keyed on it knows when to rebuild.
 */
export function scenarioCatalogue(): readonly LoadedScenario[] {
  if (!combined) {
    const source = activeSource();
    combined = source ? [...builtInScenarios(), ...source.scenarios] : builtInScenarios();
  }
  return combined;
}

function readSource(source: CentreSource): void {
  const signature = folderSignature(source.dir);
  const r = loadCentreScenarios(source.dir, builtInScenarios());
  source.scenarios = r.scenarios;
  source.issues = r.issues;
  source.signature = signature;
  combined = undefined;
}

/**
 * Uses a data folder for the centres' variants (read now). `release` stops using it (the app's
 * onClose). Returns the issues of the files left out.
 */
export function useCentreScenarios(dir: string): { issues: ScenarioIssue[]; release: () => void } {
  const source: CentreSource = { dir: path.resolve(dir), scenarios: [], issues: [], signature: '' };
  readSource(source);
  centreSources.push(source);
  combined = undefined;
  return {
    issues: source.issues,
    release: () => {
      const i = centreSources.indexOf(source);
      if (i >= 0) centreSources.splice(i, 1);
      combined = undefined;
    },
  };
}

/** The active centre folder, if any. */
export function centreScenariosDir(): string | undefined {
  return activeSource()?.dir;
}

/** Re-reads the active centre folder now (after a write). Returns the issues of the files left out. */
export function reloadCentreScenarios(): readonly ScenarioIssue[] {
  const source = activeSource();
  if (!source) return [];
  readSource(source);
  return source.issues;
}

/**
 * Re-reads the active centre folder if a file in it was added, removed or changed since the last
 * read (a file edited by hand). Cheap: one stat per file. True if it re-read.
 */
export function refreshCentreScenarios(): boolean {
  const source = activeSource();
  if (!source || folderSignature(source.dir) === source.signature) return false;
  readSource(source);
  return true;
}

/** The issues of the active centre folder's files that were left out. */
export function centreScenarioIssues(): readonly ScenarioIssue[] {
  return activeSource()?.issues ?? [];
}

/** What an attempt records of its scenario: the attempt key and the version it was sat on. */
export interface AttemptScenarioRef {
  scenarioKey: string;
  /** Null for an attempt that recorded none (a practice attempt from before versions were recorded). */
  scenarioVersion: number | null;
}

/** An attempt's scenario version is neither the current file nor one kept in scenarios/previous/. */
export class ScenarioVersionMissingError extends Error {
  /** Read by the HTTP error handler (server/http/errors.ts): a 4xx status with its code shows this message. */
  readonly statusCode = 409;
  readonly code = 'scenario_version_missing';
  constructor(
    readonly scenarioKey: string,
    readonly version: number,
    readonly currentVersion: number | undefined,
  ) {
    super(
      `This attempt was sat on version ${version} of scenario ${scenarioKey.toUpperCase()}, and the server does not hold that version ` +
        (currentVersion === undefined ? '(no version of the scenario is loaded)' : `(the current file is version ${currentVersion})`) +
        `. It is never marked, replayed or exported against another version: put the file of version ${version} back in scenarios/${PREVIOUS_DIR}/ as <file name>.v${version}.json and restart the server.`,
    );
    this.name = 'ScenarioVersionMissingError';
  }
}

/**
 * The loaded scenario an existing attempt was sat on: the current file when its version is the
 * attempt's, else the kept file of that version in scenarios/previous/. Undefined for an attempt
 * key that is no scenario (e.g. "demo", which has no rubric) or, with no recorded version, whose
 * scenario is not loaded. Throws ScenarioVersionMissingError when the attempt's version is held
 * nowhere: an attempt is never marked against a rubric it was not sat on.
 */
export function scenarioSourceOfAttempt(attempt: AttemptScenarioRef): LoadedScenario | undefined {
  const key = attempt.scenarioKey;
  const current = scenarioCatalogue().find((l) => attemptKey(l.scenario) === key);
  if (attempt.scenarioVersion === null || current?.scenario.version === attempt.scenarioVersion) return current;
  const kept = previousScenarios().find((l) => attemptKey(l.scenario) === key && l.scenario.version === attempt.scenarioVersion);
  if (kept) return kept;
  if (!current && !parseAttemptKey(key)) return undefined;
  throw new ScenarioVersionMissingError(key, attempt.scenarioVersion, current?.scenario.version);
}

/** The scenario an existing attempt was sat on (see scenarioSourceOfAttempt). */
export function scenarioOfAttempt(attempt: AttemptScenarioRef): Scenario | undefined {
  return scenarioSourceOfAttempt(attempt)?.scenario;
}

/**
 * The current scenario of an attempt key, for a NEW attempt (its version is then recorded), or
 * undefined (e.g. "demo", which has no rubric). An existing attempt uses scenarioOfAttempt.
 */
export function scenarioForAttemptKey(key: string): Scenario | undefined {
  return scenarioCatalogue().find((l) => attemptKey(l.scenario) === key)?.scenario;
}
