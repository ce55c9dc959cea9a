// The process-wide scenario catalogue of server/assessment/scenario-loader.ts: the shipped files
// read once (from a folder a test points to), their superseded versions in previous/, a centre
// folder used, reloaded and refreshed when its files change, and the scenario an attempt was sat
// on (the current file, a kept version, or a refusal naming the missing version). Each test points
// the loader at its own temporary folders holding copies of S1 and S5 (and S1 version 2 in
// previous/), and releases them after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  builtInScenarios,
  centreScenarioIssues,
  centreScenariosDir,
  defaultScenariosDir,
  formatIssue,
  loadPreviousScenariosOrThrow,
  loadScenarios,
  previousScenarios,
  refreshCentreScenarios,
  reloadCentreScenarios,
  scenarioCatalogue,
  scenarioForAttemptKey,
  ScenarioLoadError,
  scenarioOfAttempt,
  scenarioSourceOfAttempt,
  ScenarioVersionMissingError,
  useCentreScenarios,
  useShippedScenariosDir,
} from '../../../server/assessment/scenario-loader.js';
import type { Json } from '../../support/json.js';

const real = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const S1 = 's1-home-move.json';
const S5 = 's5-outbound-contract-end.json';
const S1_VERSION = (JSON.parse(fs.readFileSync(path.join(real, S1), 'utf8')) as Json).version as number;
const S1_KEPT = `s1-home-move.v${S1_VERSION - 1}.json`;
const S5_VERSION = (JSON.parse(fs.readFileSync(path.join(real, S5), 'utf8')) as Json).version as number;

let root: string;
let shippedDir: string;
let centreDir: string;
const releases: Array<() => void> = [];
/** Uses a folder for the shipped scenarios until the test ends. */
const useShipped = (dir: string) => {
  const used = useShippedScenariosDir(dir);
  releases.push(used.release);
  return used;
};
/** Uses a centre folder until the test ends. */
const useCentre = (dir: string) => {
  const used = useCentreScenarios(dir);
  releases.push(used.release);
  return used;
};
/** A copy of a shipped file as a centre's variant, as the editor writes it. */
const centreVariant = (name: string, variant: string, change: (s: Json) => void = () => {}) => {
  const s = JSON.parse(fs.readFileSync(path.join(real, name), 'utf8')) as Json;
  s.variant = variant;
  change(s);
  return `${JSON.stringify(s, null, 2)}\n`;
};
const keys = (list: ReadonlyArray<{ scenario: { key: string; variant: string; version: number } }>) => list.map((l) => `${l.scenario.key}/${l.scenario.variant} v${l.scenario.version}`);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-catalogue-'));
  shippedDir = path.join(root, 'scenarios');
  centreDir = path.join(root, 'data', 'scenarios');
  fs.mkdirSync(path.join(shippedDir, 'previous'), { recursive: true });
  fs.mkdirSync(centreDir, { recursive: true });
  for (const n of [S1, S5]) fs.copyFileSync(path.join(real, n), path.join(shippedDir, n));
  fs.copyFileSync(path.join(real, 'previous', S1_KEPT), path.join(shippedDir, 'previous', S1_KEPT));
  useShipped(shippedDir);
});
afterEach(() => {
  while (releases.length > 0) releases.pop()!();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the shipped scenarios', () => {
  it('are read once from the folder in use, and afresh when another folder is used or released', () => {
    const first = builtInScenarios();
    expect(keys(first)).toEqual([`s1/a v${S1_VERSION}`, `s5/a v${S5_VERSION}`]);
    expect(first[0]!.sourcePath).toBe(path.join(shippedDir, S1));
    fs.rmSync(path.join(shippedDir, S5));
    expect(builtInScenarios()).toBe(first);

    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(real, S5), path.join(other, S5));
    const used = useShipped(other);
    expect(keys(builtInScenarios())).toEqual([`s5/a v${S5_VERSION}`]);
    used.release();
    used.release();
    expect(keys(builtInScenarios())).toEqual([`s1/a v${S1_VERSION}`]);
  });

  it('releasing an earlier folder keeps the later one in use', () => {
    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(real, S5), path.join(other, S5));
    const before = releases.pop()!;
    useShipped(other);
    before();
    expect(keys(builtInScenarios())).toEqual([`s5/a v${S5_VERSION}`]);
  });

  it('an invalid shipped file stops the catalogue, naming the file and the problem', () => {
    const s = JSON.parse(fs.readFileSync(path.join(real, S5), 'utf8')) as Json;
    s.rubric[0].maxMarks = 2;
    fs.writeFileSync(path.join(shippedDir, S5), JSON.stringify(s));
    expect(() => builtInScenarios()).toThrow(new ScenarioLoadError([{ file: `scenarios/${S5}`, path: 'rubric', message: 'marks sum to 13, must be 12' }]));
    expect(() => builtInScenarios()).toThrow(`invalid scenario files:\nscenarios/${S5}: rubric: marks sum to 13, must be 12`);
  });

  it('lists every invalid file in the error, one a line', () => {
    fs.writeFileSync(path.join(shippedDir, 's2-broken.json'), '{');
    fs.writeFileSync(path.join(shippedDir, 's3-broken.json'), '[');
    expect(() => builtInScenarios()).toThrow(/^invalid scenario files:\nscenarios\/s2-broken\.json: not valid JSON \(line 1, column 2\): .*\nscenarios\/s3-broken\.json: not valid JSON \(line 1, column 2\): /);
  });

  it('with no folder in use, the repository’s own are read', () => {
    releases.pop()!();
    expect(builtInScenarios().map((l) => l.file)).toEqual(
      fs
        .readdirSync(real)
        .filter((n) => /^s[1-6]-.*\.json$/.test(n))
        .map((n) => `scenarios/${n}`)
        .sort((x, y) => x.replace(/\.json$/, '').localeCompare(y.replace(/\.json$/, ''))),
    );
  });

  it('sorts by key and variant, not by file name; and lists the keys with no file', () => {
    fs.copyFileSync(path.join(real, 's1-home-move-b.json'), path.join(shippedDir, 's1-home-move-b.json'));
    const r = loadScenarios(shippedDir);
    expect(r.scenarios.map((l) => l.file)).toEqual(['scenarios/s1-home-move.json', 'scenarios/s1-home-move-b.json', `scenarios/${S5}`]);
    expect(r.missingKeys).toEqual(['s2', 's3', 's4', 's6']);
  });

  it('the default folder is the repository’s scenarios/', () => {
    expect(defaultScenariosDir()).toBe(real);
  });
});

describe('the superseded versions in previous/', () => {
  it('are read from the shipped folder in use, once', () => {
    const kept = previousScenarios();
    expect(kept.map((l) => l.file)).toEqual([`scenarios/previous/${S1_KEPT}`]);
    expect(keys(kept)).toEqual([`s1/a v${S1_VERSION - 1}`]);
    expect(previousScenarios()).toBe(kept);
  });

  it('an invalid kept file stops them, naming it', () => {
    fs.copyFileSync(path.join(real, 'previous', S1_KEPT), path.join(shippedDir, 'previous', 's1-moving.v1.json'));
    expect(() => previousScenarios()).toThrow(ScenarioLoadError);
    expect(() => loadPreviousScenariosOrThrow(path.join(shippedDir, 'previous'), builtInScenarios())).toThrow(
      `invalid scenario files:\nscenarios/previous/s1-moving.v1.json: version: is ${S1_VERSION - 1}, but the file name says version 1`,
    );
  });

  it('none when the folder has no previous/', () => {
    fs.rmSync(path.join(shippedDir, 'previous'), { recursive: true });
    expect(previousScenarios()).toEqual([]);
    expect(loadPreviousScenariosOrThrow(path.join(shippedDir, 'previous'), [])).toEqual([]);
  });
});

describe("a centre's folder", () => {
  it('adds its valid variants after the shipped ones while in use; its bad files are left out with their issues', () => {
    expect(scenarioCatalogue()).toBe(builtInScenarios());
    expect(centreScenariosDir()).toBeUndefined();
    expect(centreScenarioIssues()).toEqual([]);
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds'));
    fs.writeFileSync(path.join(centreDir, 's5-c4-x.json'), '{');
    const used = useCentre(centreDir);
    const label = `data/scenarios/s5-c4-x.json`;
    expect(used.issues.map(formatIssue)).toEqual([expect.stringMatching(new RegExp(`^${label}: not valid JSON \\(line 1, column 2\\): `))]);
    expect(centreScenarioIssues()).toEqual(used.issues);
    expect(centreScenariosDir()).toBe(centreDir);
    expect(scenarioCatalogue().map((l) => [l.file, l.centreId])).toEqual([
      [`scenarios/${S1}`, undefined],
      [`scenarios/${S5}`, undefined],
      ['data/scenarios/s1-c4-leeds.json', 4],
    ]);
    expect(scenarioCatalogue()).toBe(scenarioCatalogue());
    used.release();
    used.release();
    expect(scenarioCatalogue()).toBe(builtInScenarios());
    expect(centreScenariosDir()).toBeUndefined();
  });

  it('releasing a folder twice leaves the folders used after it alone', () => {
    const second = path.join(root, 'second', 'scenarios');
    fs.mkdirSync(second, { recursive: true });
    fs.writeFileSync(path.join(second, 's5-c9-york.json'), centreVariant(S5, 'c9-york'));
    const earlier = useCentre(centreDir);
    useCentre(second);
    earlier.release();
    earlier.release();
    expect(centreScenariosDir()).toBe(second);
    expect(scenarioCatalogue().slice(2).map((l) => l.file)).toEqual(['second/scenarios/s5-c9-york.json']);
  });

  it('the folder used last is the one in force; releasing it goes back to the one before', () => {
    const second = path.join(root, 'second', 'scenarios');
    fs.mkdirSync(second, { recursive: true });
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds'));
    fs.writeFileSync(path.join(second, 's5-c9-york.json'), centreVariant(S5, 'c9-york'));
    useCentre(centreDir);
    const later = useCentre(second);
    expect(scenarioCatalogue().slice(2).map((l) => l.file)).toEqual(['second/scenarios/s5-c9-york.json']);
    later.release();
    expect(scenarioCatalogue().slice(2).map((l) => l.file)).toEqual(['data/scenarios/s1-c4-leeds.json']);
    expect(centreScenariosDir()).toBe(centreDir);
  });

  it('reload reads the folder now and gives its issues; with no folder in use there is nothing to read', () => {
    expect(reloadCentreScenarios()).toEqual([]);
    useCentre(centreDir);
    const before = scenarioCatalogue();
    expect(before).toHaveLength(2);
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds'));
    fs.writeFileSync(path.join(centreDir, 's1-c4-wrong.json'), centreVariant(S1, 'c4-other'));
    expect(reloadCentreScenarios().map((i) => `${i.file}: ${i.path}: ${i.message}`)).toEqual([
      'data/scenarios/s1-c4-wrong.json: variant: key "s1" and variant "c4-other" belong in s1-c4-other.json, not s1-c4-wrong.json',
    ]);
    const after = scenarioCatalogue();
    expect(after).not.toBe(before);
    expect(after.map((l) => l.file)).toEqual([`scenarios/${S1}`, `scenarios/${S5}`, 'data/scenarios/s1-c4-leeds.json']);
  });

  it('refresh re-reads only when a file was added, changed or removed', () => {
    expect(refreshCentreScenarios()).toBe(false);
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds'));
    useCentre(centreDir);
    const first = scenarioCatalogue();
    expect(refreshCentreScenarios()).toBe(false);
    expect(scenarioCatalogue()).toBe(first);
    // A temporary file of an unfinished write and other files are not the folder's scenarios.
    fs.writeFileSync(path.join(centreDir, '.s5-c4-x.json.1.tmp.json'), '{');
    fs.writeFileSync(path.join(centreDir, 'notes.txt'), 'x');
    expect(refreshCentreScenarios()).toBe(false);

    fs.writeFileSync(path.join(centreDir, 's5-c4-leeds.json'), centreVariant(S5, 'c4-leeds'));
    expect(refreshCentreScenarios()).toBe(true);
    expect(scenarioCatalogue().slice(2).map((l) => l.file)).toEqual(['data/scenarios/s1-c4-leeds.json', 'data/scenarios/s5-c4-leeds.json']);
    expect(refreshCentreScenarios()).toBe(false);

    fs.writeFileSync(path.join(centreDir, 's5-c4-leeds.json'), centreVariant(S5, 'c4-leeds', (s) => (s.title = 'Contract end: a shorter title')));
    expect(refreshCentreScenarios()).toBe(true);
    expect(scenarioForAttemptKey('s5-c4-leeds')?.title).toBe('Contract end: a shorter title');

    fs.rmSync(path.join(centreDir, 's1-c4-leeds.json'));
    expect(refreshCentreScenarios()).toBe(true);
    expect(scenarioCatalogue().slice(2).map((l) => l.file)).toEqual(['data/scenarios/s5-c4-leeds.json']);
  });

  it('refresh notices a file rewritten with the same size', () => {
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds', (s) => (s.title = 'Title A')));
    useCentre(centreDir);
    const file = path.join(centreDir, 's1-c4-leeds.json');
    fs.writeFileSync(file, centreVariant(S1, 'c4-leeds', (s) => (s.title = 'Title B')));
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    expect(refreshCentreScenarios()).toBe(true);
    expect(scenarioForAttemptKey('s1-c4-leeds')?.title).toBe('Title B');
  });
});

describe('the scenario of an attempt', () => {
  it('is the current file when the attempt was sat on its version, or recorded none', () => {
    const current = builtInScenarios()[0]!;
    expect(scenarioSourceOfAttempt({ scenarioKey: 's1', scenarioVersion: S1_VERSION })).toBe(current);
    expect(scenarioSourceOfAttempt({ scenarioKey: 's1', scenarioVersion: null })).toBe(current);
    expect(scenarioOfAttempt({ scenarioKey: 's1', scenarioVersion: S1_VERSION })).toBe(current.scenario);
  });

  it('is the kept file of the version the attempt was sat on', () => {
    const kept = scenarioSourceOfAttempt({ scenarioKey: 's1', scenarioVersion: S1_VERSION - 1 });
    expect(kept?.file).toBe(`scenarios/previous/${S1_KEPT}`);
    expect(scenarioOfAttempt({ scenarioKey: 's1', scenarioVersion: S1_VERSION - 1 })?.version).toBe(S1_VERSION - 1);
  });

  it('is never a kept file of another key with the same version', () => {
    const s5 = JSON.parse(fs.readFileSync(path.join(real, S5), 'utf8')) as Json;
    s5.version = S1_VERSION;
    fs.writeFileSync(path.join(shippedDir, S5), JSON.stringify(s5));
    useShipped(shippedDir);
    expect(() => scenarioSourceOfAttempt({ scenarioKey: 's5', scenarioVersion: S1_VERSION - 1 })).toThrow(ScenarioVersionMissingError);
  });

  it("is a centre's variant by its attempt key", () => {
    fs.writeFileSync(path.join(centreDir, 's1-c4-leeds.json'), centreVariant(S1, 'c4-leeds'));
    useCentre(centreDir);
    expect(scenarioSourceOfAttempt({ scenarioKey: 's1-c4-leeds', scenarioVersion: S1_VERSION })?.file).toBe('data/scenarios/s1-c4-leeds.json');
  });

  it('is refused, saying which version is missing and how to put it back, when no file holds it', () => {
    const missing = (): unknown => {
      try {
        scenarioSourceOfAttempt({ scenarioKey: 's1', scenarioVersion: 1 });
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const err = missing();
    expect(err).toBeInstanceOf(ScenarioVersionMissingError);
    expect(err).toMatchObject({ name: 'ScenarioVersionMissingError', statusCode: 409, code: 'scenario_version_missing', scenarioKey: 's1', version: 1, currentVersion: S1_VERSION });
    expect((err as Error).message).toBe(
      `This attempt was sat on version 1 of scenario S1, and the server does not hold that version (the current file is version ${S1_VERSION}). ` +
        'It is never marked, replayed or exported against another version: put the file of version 1 back in scenarios/previous/ as <file name>.v1.json and restart the server.',
    );
    expect(() => scenarioSourceOfAttempt({ scenarioKey: 's2-b', scenarioVersion: 4 })).toThrow(
      new ScenarioVersionMissingError('s2-b', 4, undefined),
    );
    expect(new ScenarioVersionMissingError('s2-b', 4, undefined).message).toBe(
      'This attempt was sat on version 4 of scenario S2-B, and the server does not hold that version (no version of the scenario is loaded). ' +
        'It is never marked, replayed or exported against another version: put the file of version 4 back in scenarios/previous/ as <file name>.v4.json and restart the server.',
    );
  });

  it('is none for an attempt key that is no scenario, or one not loaded that recorded no version', () => {
    expect(scenarioSourceOfAttempt({ scenarioKey: 'demo', scenarioVersion: 1 })).toBeUndefined();
    expect(scenarioSourceOfAttempt({ scenarioKey: 'demo', scenarioVersion: null })).toBeUndefined();
    expect(scenarioSourceOfAttempt({ scenarioKey: 's2', scenarioVersion: null })).toBeUndefined();
    expect(scenarioOfAttempt({ scenarioKey: 'demo', scenarioVersion: 1 })).toBeUndefined();
  });

  it('a new attempt gets the current file of its key; none for a key with no file', () => {
    expect(scenarioForAttemptKey('s5')?.version).toBe(S5_VERSION);
    expect(scenarioForAttemptKey('s5')).toBe(builtInScenarios()[1]!.scenario);
    expect(scenarioForAttemptKey('s1-b')).toBeUndefined();
    expect(scenarioForAttemptKey('demo')).toBeUndefined();
  });
});
