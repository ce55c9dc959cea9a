// Broken scenario files are refused with precise errors: the file, the JSON path of the bad value
// and the reason. Each case copies a shipped scenario into a temporary scenarios/ folder and
// breaks one thing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  centreOfVariant,
  formatIssue,
  jsonErrorOffset,
  loadCentreScenarios,
  loadPreviousScenarios,
  loadScenarios,
  loadScenariosOrThrow,
  parseAttemptKey,
  parseScenarioText,
  ScenarioLoadError,
} from '../../../server/assessment/scenario-loader.js';
import type { Json } from '../../support/json.js';

const real = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const S1 = 's1-home-move.json';
const S3 = 's3-complaint-missed-visit.json';
const S4 = 's4-inbound-sales-upgrade.json';
const S5 = 's5-outbound-contract-end.json';

let root: string;
let dir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-scenarios-'));
  dir = path.join(root, 'scenarios');
  fs.mkdirSync(dir);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const read = (name: string): Json => JSON.parse(fs.readFileSync(path.join(real, name), 'utf8')) as Json;
/** Writes a (changed) copy of a shipped scenario and returns the formatted issues of the folder. */
function broken(name: string, change: (s: Json) => void): string[] {
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  const s = read(name);
  change(s);
  fs.writeFileSync(path.join(dir, name), JSON.stringify(s, null, 2));
  return loadScenarios(dir).issues.map(formatIssue);
}

describe('loadScenarios', () => {
  it('loads an unchanged copy, skipping demo-seed.json, README and non-JSON files', () => {
    for (const n of [S1, S5]) fs.copyFileSync(path.join(real, n), path.join(dir, n));
    fs.copyFileSync(path.join(real, 'demo-seed.json'), path.join(dir, 'demo-seed.json'));
    fs.writeFileSync(path.join(dir, 'README.md'), '# notes\n');
    const r = loadScenarios(dir);
    expect(r.issues).toEqual([]);
    expect(r.scenarios.map((x) => x.file)).toEqual([`scenarios/${S1}`, `scenarios/${S5}`]);
    expect(r.missingKeys).toEqual(['s2', 's3', 's4', 's6']);
  });

  it('refuses a rubric whose marks do not sum to 12', () => {
    expect(
      broken(S3, (s) => {
        s.rubric = s.rubric.filter((c: Json) => c.criterionId !== 'U2-4.2-calm');
      }),
    ).toEqual([`scenarios/${S3}: rubric: marks sum to 11, must be 12`]);
    expect(
      broken(S3, (s) => {
        s.rubric[1].maxMarks = 2;
      }),
    ).toEqual([`scenarios/${S3}: rubric: marks sum to 13, must be 12`]);
  });

  it('refuses fractional or zero marks', () => {
    expect(broken(S1, (s) => (s.rubric[0].maxMarks = 0.5))).toContain(`scenarios/${S1}: rubric.0.maxMarks: Expected integer, received float`);
  });

  it('refuses a criterion id that is not in the catalogue, or listed twice', () => {
    // rubric[4] is U2-1.2-questioning, an assessor-judged line no auto-check names.
    expect(broken(S1, (s) => (s.rubric[4].criterionId = 'U2-4.2-telepathy'))).toEqual([
      `scenarios/${S1}: rubric.4.criterionId: "U2-4.2-telepathy" is not a criterion in the catalogue`,
    ]);
    expect(broken(S1, (s) => (s.rubric[5].criterionId = s.rubric[4].criterionId))).toEqual([
      `scenarios/${S1}: rubric.5.criterionId: criterion "U2-1.2-questioning" is listed twice`,
    ]);
    expect(broken(S1, (s) => (s.rubric[4].criterionId = 'U2-9.1-nothing'))[0]).toMatch(/^scenarios\/s1-home-move\.json: rubric\.4\.criterionId: must be a criterion id/);
  });

  it('refuses an answer key naming a customer, product, code or document the seed does not have', () => {
    expect(broken(S1, (s) => (s.answerKey.cases[0].accountNumber = 'BL999999'))).toEqual([
      `scenarios/${S1}: answerKey.cases.0.accountNumber: no customer in this scenario's seed has the account number "BL999999"`,
    ]);
    expect(broken(S1, (s) => (s.answerKey.customers[0].accountNumber = 'BL999999'))).toEqual(
      expect.arrayContaining([`scenarios/${S1}: answerKey.customers.0.accountNumber: no customer in this scenario's seed has the account number "BL999999"`]),
    );
    expect(broken(S4, (s) => (s.answerKey.orders[0].optionalLines[0].productCode = 'TV-SPORTS'))).toEqual([
      `scenarios/${S4}: answerKey.orders.0.optionalLines.0.productCode: no product in this scenario's seed has the code "TV-SPORTS"`,
    ]);
    expect(broken(S1, (s) => (s.answerKey.wrapUp.codes = ['MOVED']))).toEqual([`scenarios/${S1}: answerKey.wrapUp.codes.0: no wrap-up code "MOVED" in the seed`]);
    expect(broken(S4, (s) => (s.answerKey.followUps[0].attachments = ['terms']))).toEqual([`scenarios/${S4}: answerKey.followUps.0.attachments.0: no document "terms" in the seed`]);
  });

  it('refuses an invalid expected value with the validator message at its path', () => {
    const issues = broken(S1, (s) => (s.answerKey.customers[0].postcode = 'LS19 6E'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^scenarios\/s1-home-move\.json: answerKey\.customers\.0\.postcode: The postcode "LS19 6E" is not a valid UK postcode/);
  });

  it('refuses a planted error that does not match the seed', () => {
    expect(broken(S1, (s) => (s.answerKey.plantedErrors[0].seedValue = '07700 900999'))).toEqual([
      `scenarios/${S1}: answerKey.plantedErrors.0.seedValue: the seed's mobile of BL100231 is "07700 900412", not "07700 900999"`,
    ]);
  });

  it('refuses an inbound caller number that is not on the persona\'s record', () => {
    expect(broken(S1, (s) => (s.callerBrief.persona.phone = '0113 496 0999'))).toEqual([
      `scenarios/${S1}: callerBrief.persona.phone: the presented number 0113 496 0999 is not the phone or mobile of any seed customer`,
    ]);
    expect(broken(S1, (s) => (s.callerBrief.persona.phone = '0117 496 0785'))).toEqual([
      `scenarios/${S1}: callerBrief.persona.phone: the presented number 0117 496 0785 belongs to BL100232, not to the persona's account BL100231`,
    ]);
  });

  it('refuses an outbound number that is not on the call list, or is do-not-call, and a key that forgets a barred lead', () => {
    expect(broken(S5, (s) => (s.callerBrief.persona.phone = '0131 496 0999'))).toEqual([
      `scenarios/${S5}: callerBrief.persona.phone: the number 0131 496 0999 is not on the seed's call list`,
    ]);
    expect(
      broken(S5, (s) => {
        s.seed.callList = s.seed.callList.filter((e: Json) => e.accountNumber !== 'BL100903');
      }),
    ).toEqual(
      expect.arrayContaining([
        `scenarios/${S5}: callerBrief.persona.phone: the number 0131 496 0544 is not on the seed's call list`,
        `scenarios/${S5}: answerKey.dialling.mustDial.0: 0131 496 0544 is not on the seed's call list`,
      ]),
    );
    expect(broken(S5, (s) => (s.answerKey.dialling.mustNotDial = ['0121 496 0390']))).toEqual([
      `scenarios/${S5}: answerKey.dialling.mustNotDial: call-list entry 1 (Miss Chloe Bennett) is do-not-call but not in mustNotDial`,
    ]);
  });

  it('refuses auto-checks on subjective criteria, on criteria outside the rubric, or pointing past the answer key', () => {
    expect(broken(S1, (s) => s.autoChecks.push({ criterionId: 'U2-1.1-greeting', kind: 'wrap-up' }))).toEqual([
      `scenarios/${S1}: autoChecks.8.criterionId: "U2-1.1-greeting" is measured S+H, not from the event log or call timing, so it cannot be auto-checked`,
    ]);
    expect(broken(S1, (s) => s.autoChecks.push({ criterionId: 'U2-4.2-hold-recheck', kind: 'hold-recheck', maxHoldSeconds: 60 }))).toEqual([
      `scenarios/${S1}: autoChecks.8.criterionId: "U2-4.2-hold-recheck" is not in this scenario's rubric`,
    ]);
    expect(broken(S1, (s) => (s.autoChecks[6].index = 3))).toEqual([`scenarios/${S1}: autoChecks.6.index: answerKey.cases has 1 entry; there is no 3`]);
    expect(broken(S1, (s) => (s.autoChecks[2].kind = 'hold-max'))[0]).toMatch(/^scenarios\/s1-home-move\.json: autoChecks\.2\.kind: Invalid discriminator value/);
  });

  it('refuses a kind, direction or type that does not fit the assignment key', () => {
    expect(broken(S4, (s) => (s.direction = 'outbound'))).toEqual(
      expect.arrayContaining([`scenarios/${S4}: direction: s4 (S4 - Inbound sales with up-sell and cross-sell) is direction "inbound", not "outbound"`]),
    );
  });

  it('refuses unknown fields, placeholders that name nothing, and seed errors (with the seed path)', () => {
    expect(broken(S1, (s) => (s.colour = 'blue'))).toEqual([`scenarios/${S1}: Unrecognized key(s) in object: 'colour'`]);
    expect(broken(S1, (s) => (s.answerKey.followUps[0].mustMention = ['{{moveDay}}']))).toEqual([
      `scenarios/${S1}: answerKey.followUps.0.mustMention.0: {{moveDay}} is neither a caller-brief fact nor one of caseReference, orderReference, callbackDue`,
    ]);
    const seedIssues = broken(S1, (s) => (s.seed.customers[3].postcode = 'NOWHERE'));
    expect(seedIssues).toHaveLength(1);
    expect(seedIssues[0]).toMatch(/^scenarios\/s1-home-move\.json: seed\.customers\.3\.postcode: The postcode "NOWHERE" is not a valid UK postcode/);
  });

  it('reports bad JSON with the file and the line, and still loads the other files', () => {
    fs.copyFileSync(path.join(real, S5), path.join(dir, S5));
    const text = fs.readFileSync(path.join(real, S1), 'utf8');
    fs.writeFileSync(path.join(dir, S1), text.replace('"title": "Moving home', '"title": Moving home'));
    const r = loadScenarios(dir);
    expect(r.issues).toHaveLength(1);
    expect(formatIssue(r.issues[0]!)).toMatch(/^scenarios\/s1-home-move\.json: not valid JSON \(line 5, column 12\): /);
    expect(r.scenarios.map((x) => x.scenario.key)).toEqual(['s5']);
    expect(() => loadScenariosOrThrow(dir)).toThrow(ScenarioLoadError);
    expect(parseScenarioText('', 'x.json')).toMatchObject({ ok: false, issues: [{ file: 'x.json', path: '', message: expect.stringMatching(/^not valid JSON \(line 1, column 1\): /) }] });
  });

  it('refuses a second file with the same key and variant', () => {
    fs.copyFileSync(path.join(real, S1), path.join(dir, S1));
    fs.copyFileSync(path.join(real, S1), path.join(dir, 's1-zz-copy.json'));
    expect(loadScenarios(dir).issues.map(formatIssue)).toEqual([`scenarios/s1-zz-copy.json: variant: scenarios/${S1} already defines s1 variant "a"`]);
  });
});

describe('loadPreviousScenarios (scenarios/previous/: versions kept for the attempts sat on them)', () => {
  /** The current S1 in scenarios/ and `files` (name → change to a copy of S1) in scenarios/previous/. */
  function previous(files: Record<string, (s: Json) => void>): { loaded: string[]; issues: string[] } {
    fs.copyFileSync(path.join(real, S1), path.join(dir, S1));
    const prev = path.join(dir, 'previous');
    fs.rmSync(prev, { recursive: true, force: true });
    fs.mkdirSync(prev);
    for (const [name, change] of Object.entries(files)) {
      const s = read(S1);
      change(s);
      fs.writeFileSync(path.join(prev, name), JSON.stringify(s, null, 2));
    }
    const r = loadPreviousScenarios(prev, loadScenariosOrThrow(dir));
    return { loaded: r.scenarios.map((l) => `${l.file} v${l.scenario.version}`), issues: r.issues.map(formatIssue) };
  }
  const current = read(S1).version as number;
  const older = (s: Json) => (s.version = current - 1);

  it('loads a lower version named <current file name>.v<version>.json; a missing folder is empty', () => {
    expect(loadPreviousScenarios(path.join(dir, 'previous'), [])).toEqual({ scenarios: [], issues: [] });
    expect(previous({ [`s1-home-move.v${current - 1}.json`]: older })).toEqual({ loaded: [`scenarios/previous/s1-home-move.v${current - 1}.json v${current - 1}`], issues: [] });
  });

  it('skips what is not a JSON file', () => {
    fs.copyFileSync(path.join(real, S1), path.join(dir, S1));
    fs.mkdirSync(path.join(dir, 'previous'));
    fs.writeFileSync(path.join(dir, 'previous', 'README.md'), '# kept versions\n');
    fs.copyFileSync(path.join(real, 'previous', `s1-home-move.v${current - 1}.json`), path.join(dir, 'previous', `s1-home-move.v${current - 1}.json`));
    const r = loadPreviousScenarios(path.join(dir, 'previous'), loadScenariosOrThrow(dir));
    expect({ loaded: r.scenarios.map((l) => l.file), issues: r.issues }).toEqual({ loaded: [`scenarios/previous/s1-home-move.v${current - 1}.json`], issues: [] });
  });

  it('refuses a file whose name, version or content does not fit, naming the file and the reason', () => {
    expect(previous({ 's1-home-move.json': older }).issues).toEqual(['scenarios/previous/s1-home-move.json: a kept version is named <current file name>.v<version>.json, e.g. s1-home-move.v1.json']);
  });

  it('refuses a version the file name does not give, one not below the current file, one named after another file', () => {
    expect(previous({ [`s1-home-move.v${current + 5}.json`]: older }).issues).toEqual([`scenarios/previous/s1-home-move.v${current + 5}.json: version: is ${current - 1}, but the file name says version ${current + 5}`]);
    expect(previous({ [`s1-home-move.v${current}.json`]: () => {} }).issues).toEqual([
      `scenarios/previous/s1-home-move.v${current}.json: version: is ${current}; a previous version must be below the current file's (scenarios/s1-home-move.json: ${current})`,
    ]);
    expect(previous({ [`s1-moving.v${current - 1}.json`]: older }).issues).toEqual([`scenarios/previous/s1-moving.v${current - 1}.json: is a version of scenarios/s1-home-move.json: name it s1-home-move.v${current - 1}.json`]);
  });

  it('refuses a kept version with no current file of its key and variant, and a broken one with the JSON path', () => {
    expect(previous({ [`s1-home-move-b.v1.json`]: (s) => ((s.variant = 'b'), (s.version = 1)) }).issues).toEqual([
      'scenarios/previous/s1-home-move-b.v1.json: key: no current file of s1 variant "b": a previous version is kept beside the current one',
    ]);
    expect(previous({ [`s1-home-move.v${current - 1}.json`]: (s) => ((s.version = current - 1), (s.rubric[0].maxMarks = 2)) }).issues).toEqual([
      `scenarios/previous/s1-home-move.v${current - 1}.json: rubric: marks sum to 13, must be 12`,
    ]);
  });
});

describe('where a broken scenario file stops being JSON', () => {
  it.each([
    ['{"a": 1}', -1],
    ['{"a b": "c d"}', -1],
    ['[1.25, 1e+5, 2E-10, 1e25, 0.5]', -1],
    ['  [1, -2.5e3, true, false, null, "x\\n\\u00e9", {}, []]  ', -1],
    ['', 0],
    ['{', 1],
    ['{"a" 1}', 5],
    ['{"a": 1,}', 8],
    ['{"a": 1 "b": 2}', 8],
    ['[1, 2', 5],
    ['[1 2]', 3],
    ['[1,]', 3],
    ['{"a": tru}', 6 + 3],
    ['{"a": fals}', 6 + 4],
    ['{"a": nul}', 6 + 3],
    ['{"a": -}', 6],
    ['{"a": 01}', 7],
    ['"abc', 4],
    ['"a\tb"', 2],
    ['"a\\qb"', 3],
    ['"\\u12G4"', 2],
    ['"\\', 2],
    ['{} x', 3],
    ['{a: 1}', 1],
  ])('%j: offset %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });
  it('the issue gives the line and column of the offset', () => {
    const r = parseScenarioText('{\n  "key": "s1",\n  "variant": x\n}', 'scenarios/s1.json');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.message).toMatch(/^not valid JSON \(line 3, column 14\): /);
  });
});

describe('attempt keys and centre variants', () => {
  it('splits an attempt key into scenario, variant and centre', () => {
    expect(parseAttemptKey('s1')).toEqual({ key: 's1', variant: 'a', centreId: undefined });
    expect(parseAttemptKey('s6-b')).toEqual({ key: 's6', variant: 'b', centreId: undefined });
    expect(parseAttemptKey('s3-c12-leeds_2')).toEqual({ key: 's3', variant: 'c12-leeds_2', centreId: 12 });
    expect(parseAttemptKey(`s2-${'x'.repeat(64)}`)).toMatchObject({ key: 's2' });
  });
  it.each(['s7', 'S1', 'xs1', 's1-', 's1--b', `s2-${'x'.repeat(65)}`, 's1-b/../../etc', 's1 '])('refuses %j', (value) => {
    expect(parseAttemptKey(value)).toBeUndefined();
  });
  it('a centre variant is c<centre id>-<name>', () => {
    expect(centreOfVariant('c3-acme')).toBe(3);
    expect(centreOfVariant('c123456789-x')).toBe(123456789);
    for (const v of ['a', 'c0-acme', 'c3', 'c3-', 'c1234567890-x', 'c3-acme!', 'xc3-acme']) expect(centreOfVariant(v)).toBeUndefined();
  });
});

describe("a centre's own scenario folder", () => {
  const shipped = () => loadScenariosOrThrow(real);
  const variant = (name: string, variantName: string, change: (s: Json) => void = () => {}) => {
    const s = read(name);
    s.variant = variantName;
    change(s);
    return `${JSON.stringify(s, null, 2)}\n`;
  };
  it('loads the good files in name order, skipping temporary and non-JSON files; each bad one is left out with its reason', () => {
    fs.writeFileSync(path.join(dir, 's1-c4-leeds.json'), variant(S1, 'c4-leeds'));
    fs.writeFileSync(path.join(dir, 's3-c4-leeds.json'), variant(S3, 'c4-leeds'));
    fs.writeFileSync(path.join(dir, '.s1-c4-new.json'), 'half a file');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a scenario');
    fs.writeFileSync(path.join(dir, 's1-c4-wrong.json'), variant(S1, 'c4-leeds'));
    fs.writeFileSync(path.join(dir, 's1-b.json'), variant(S1, 'b'));
    fs.writeFileSync(path.join(dir, 's1-c4-broken.json'), '{');
    fs.mkdirSync(path.join(dir, 's1-c4-folder.json'));
    const { scenarios, issues } = loadCentreScenarios(dir, shipped());
    expect(scenarios.map((l) => [l.file, l.centreId, l.sourcePath])).toEqual([
      ['root/scenarios/s1-c4-leeds.json'.replace('root', path.basename(root)), 4, path.join(dir, 's1-c4-leeds.json')],
      ['root/scenarios/s3-c4-leeds.json'.replace('root', path.basename(root)), 4, path.join(dir, 's3-c4-leeds.json')],
    ]);
    const label = (n: string) => `${path.basename(root)}/scenarios/${n}`;
    expect(issues.map((i) => [i.file, i.path, i.message.split(':')[0]])).toEqual([
      [label('s1-b.json'), 'variant', 'a centre\'s scenario needs a variant c<centre id>-<name>, e.g. c1-acme; "b" is not one'],
      [label('s1-b.json'), 'variant', `${shipped().find((l) => l.scenario.key === 's1' && l.scenario.variant === 'b')!.file} already defines s1 variant "b"`],
      [label('s1-c4-broken.json'), '', 'not valid JSON (line 1, column 2)'],
      [label('s1-c4-folder.json'), '', 'cannot be read'],
      [label('s1-c4-wrong.json'), 'variant', 'key "s1" and variant "c4-leeds" belong in s1-c4-leeds.json, not s1-c4-wrong.json'],
    ]);
  });
  it('a missing folder holds no scenarios and no issues', () => {
    expect(loadCentreScenarios(path.join(root, 'none'), shipped())).toEqual({ scenarios: [], issues: [] });
  });
});
