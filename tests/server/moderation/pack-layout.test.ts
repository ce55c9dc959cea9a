// The files a pack of a scope must and may hold (server/moderation/pack-layout.ts), checked directly
// on hand-built file sets: a complete attempt has no problem; each required file absent is named
// unless the manifest lists it (the manifest check reports that) or says why it is missing (where
// that is allowed); what attempt.json names is read strictly (call ids, print-out files, the CRM
// state file, the scenario's key, SHA-256 and version), and anything else a pack holds and lists is
// "no part of" it. The verifier runs the same check over uploads (pack-verify.test.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { packLayoutProblems } from '../../../server/moderation/pack-layout.js';
import { packFilesOf } from '../../../server/moderation/pack-verify.js';
import type { PackProblem } from '../../../server/protocol/moderation.js';

const sha = (b: string): string => createHash('sha256').update(b).digest('hex');
const ATT = '11111111-2222-4333-8444-555555555555';
const SIT = '99999999-2222-4333-8444-555555555555';
const D = `attempts/${ATT}`;
const SCENARIO_TEXT = '{"key":"s1"}';
const ATTEMPT_JSON = { calls: ['c1'], printouts: [{ file: `${ATT}/p1-customer.pdf` }], crmState: 'crm-state.json', scenario: { key: 's1', version: 2, sha256: sha(SCENARIO_TEXT) } };

type Contents = Record<string, string>;
function complete(attemptJson: unknown = ATTEMPT_JSON): Contents {
  return {
    'audit-log.json': '[]',
    [`sittings/${SIT}/sitting.json`]: '{}',
    [`sittings/${SIT}/assurance.json`]: '{}',
    [`sittings/${SIT}/mark-sheet.pdf`]: '%PDF',
    [`${D}/attempt.json`]: JSON.stringify(attemptJson),
    [`${D}/timeline.json`]: '{}',
    [`${D}/timeline.csv`]: 'seq',
    [`${D}/calls/c1.json`]: '{}',
    [`${D}/calls/c1.ogg`]: 'OggS',
    [`${D}/printouts/p1-customer.pdf`]: '%PDF',
    [`${D}/crm-state.json`]: '{}',
    'scenarios/s1.v2.json': SCENARIO_TEXT,
  };
}

function problems(contents: Contents, opts: { missing?: string[]; listed?: string[]; scope?: { sittings: string[]; attempts: string[] } } = {}): PackProblem[] {
  const files = packFilesOf(new Map(Object.entries(contents).map(([p, t]) => [p, Buffer.from(t)])));
  return packLayoutProblems({ files, scope: opts.scope ?? { sittings: [SIT], attempts: [ATT] }, missing: new Set(opts.missing ?? []), listed: new Set(opts.listed ?? Object.keys(contents)) });
}
const without = (c: Contents, ...paths: string[]): Contents => Object.fromEntries(Object.entries(c).filter(([p]) => !paths.includes(p)));
const missingProblem = (file: string): PackProblem => ({ file, message: 'is missing: a pack of this scope always holds it, and the manifest does not say why it is not there' });
const notPart = (file: string): PackProblem => ({ file, message: 'is not part of a moderation pack of this scope (added after export)' });

describe('packLayoutProblems', () => {
  it('a complete pack of a sitting and its attempt: no problem; without the optional assurance.json and recording: none either', () => {
    expect(problems(complete())).toEqual([]);
    expect(problems(without(complete(), `sittings/${SIT}/assurance.json`, `${D}/calls/c1.ogg`))).toEqual([]);
  });

  it('each required file absent, neither listed nor said to be missing: named', () => {
    const required = ['audit-log.json', `sittings/${SIT}/sitting.json`, `sittings/${SIT}/mark-sheet.pdf`, `${D}/attempt.json`, `${D}/timeline.json`, `${D}/timeline.csv`, `${D}/calls/c1.json`, `${D}/printouts/p1-customer.pdf`, `${D}/crm-state.json`, 'scenarios/s1.v2.json'];
    for (const p of required) {
      const c = without(complete(), p);
      // With attempt.json gone nothing it names has a place either.
      const named = [`${D}/calls/c1.json`, `${D}/calls/c1.ogg`, `${D}/printouts/p1-customer.pdf`, `${D}/crm-state.json`, 'scenarios/s1.v2.json'];
      const expected = p === `${D}/attempt.json` ? [missingProblem(p), ...named.map(notPart)] : [missingProblem(p)];
      expect(problems(c), p).toEqual(expected);
      // Listed in the manifest: the manifest check names it, not the layout.
      expect(problems(c, { listed: [...Object.keys(c), p] }).filter((x) => x.file === p), p).toEqual([]);
    }
  });

  it('absences the manifest may explain: the mark sheet, a print-out, the scenario file; not the others', () => {
    for (const p of [`sittings/${SIT}/mark-sheet.pdf`, `${D}/printouts/p1-customer.pdf`, 'scenarios/s1.v2.json']) {
      expect(problems(without(complete(), p), { missing: [p] }), p).toEqual([]);
    }
    for (const p of ['audit-log.json', `sittings/${SIT}/sitting.json`, `${D}/timeline.json`, `${D}/calls/c1.json`, `${D}/crm-state.json`]) {
      expect(problems(without(complete(), p), { missing: [p] }), p).toEqual([missingProblem(p)]);
    }
  });

  it('files a pack of this scope has no place for, when listed; unlisted ones are the manifest check’s', () => {
    const c = { ...complete(), [`${D}/notes.txt`]: 'x', 'readme.txt': 'x', [`${D}/calls/c2.ogg`]: 'x', [`sittings/${SIT}/extra.pdf`]: 'x' };
    expect(problems(c)).toEqual([notPart(`${D}/notes.txt`), notPart('readme.txt'), notPart(`${D}/calls/c2.ogg`), notPart(`sittings/${SIT}/extra.pdf`)]);
    expect(problems(c, { listed: Object.keys(complete()) })).toEqual([]);
    // manifest.json is always in its place.
    expect(problems({ ...complete(), 'manifest.json': '{}' })).toEqual([]);
  });

  it('an attempt.json that is not JSON: said once; what it would have named is then not required', () => {
    const c = { ...without(complete(), `${D}/calls/c1.json`, `${D}/calls/c1.ogg`, `${D}/printouts/p1-customer.pdf`, `${D}/crm-state.json`, 'scenarios/s1.v2.json'), [`${D}/attempt.json`]: '{"calls": [' };
    expect(problems(c)).toEqual([{ file: `${D}/attempt.json`, message: 'is not valid JSON' }]);
  });

  it('calls: only the string ids of a list', () => {
    const base = without(complete(), `${D}/calls/c1.ogg`);
    expect(problems(base, {})).toEqual([]);
    // Not a list: no call is named, so the call's file has no place.
    const notList = { ...base, [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, calls: 'c1' }) };
    expect(problems(notList)).toEqual([notPart(`${D}/calls/c1.json`)]);
    const mixed = { ...base, [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, calls: ['c1', 5, null] }) };
    expect(problems(mixed)).toEqual([]);
  });

  it('print-outs: only entries with a file name, by its base name', () => {
    const c = { ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, printouts: [null, 'x.pdf', { file: 5 }, { title: 'no file' }, { file: `${ATT}/p1-customer.pdf` }] }) };
    expect(problems(c)).toEqual([]);
    const notList = { ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, printouts: { file: 'p1-customer.pdf' } }) };
    expect(problems(notList)).toEqual([notPart(`${D}/printouts/p1-customer.pdf`)]);
  });

  it('the CRM state: only under its own name', () => {
    const other = { ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, crmState: 'other.json' }) };
    expect(problems(other)).toEqual([notPart(`${D}/crm-state.json`)]);
  });

  it('the scenario: a key as the loader spells it', () => {
    const named = (key: string) => {
      const file = `scenarios/${key}.json`;
      const c = { ...without(complete(), 'scenarios/s1.v2.json'), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, scenario: { key, sha256: null } }) };
      return problems(c).some((p) => p.file === file && /is missing/.test(p.message));
    };
    for (const key of ['s1', 's6', 's1-a', 's2-Z9', 's3-a_b-c', `s1-${'a'.repeat(64)}`]) expect(named(key), key).toBe(true);
    for (const key of ['s0', 's7', 'x1', 'xs1', 's1!', 's1-', 's1-_a', 's1--', `s1-${'a'.repeat(65)}`, 's1-a.b']) expect(named(key), key).toBe(false);
    // Not a string: no scenario.
    const c = { ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, scenario: { key: 1, sha256: null } }) };
    expect(problems(c)).toEqual([notPart('scenarios/s1.v2.json')]);
    const none = { ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, scenario: 's1' }) };
    expect(problems(none)).toEqual([notPart('scenarios/s1.v2.json')]);
  });

  it('the scenario: its SHA-256 in lower-case hex, or null', () => {
    const withSha = (sha256: unknown) => problems({ ...complete(), [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, scenario: { key: 's1', version: 2, sha256 } }) });
    const good = sha(SCENARIO_TEXT);
    expect(withSha(good)).toEqual([]);
    // Well formed but not the file's: named.
    const other = sha('another file');
    expect(withSha(other)).toEqual([{ file: 'scenarios/s1.v2.json', message: `is not the scenario file the attempt was exported with: ${D}/attempt.json gives its SHA-256 as ${other}` }]);
    expect(withSha(null)).toEqual([{ file: 'scenarios/s1.v2.json', message: `is not the scenario file the attempt was exported with: ${D}/attempt.json gives its SHA-256 as unreadable` }]);
    // Malformed: attempt.json names no scenario, so the file has no place.
    for (const bad of [good.toUpperCase(), good.slice(1), `${good}0`, `x${good}`, 5]) expect(withSha(bad), String(bad)).toEqual([notPart('scenarios/s1.v2.json')]);
  });

  it('the scenario: a whole version from 1, or none (scenarios/<key>.json)', () => {
    const withVersion = (version: unknown, file: string) =>
      problems({ ...without(complete(), 'scenarios/s1.v2.json'), [file]: SCENARIO_TEXT, [`${D}/attempt.json`]: JSON.stringify({ ...ATTEMPT_JSON, scenario: { key: 's1', version, sha256: sha(SCENARIO_TEXT) } }) });
    expect(withVersion(undefined, 'scenarios/s1.json')).toEqual([]);
    expect(withVersion(1, 'scenarios/s1.v1.json')).toEqual([]);
    expect(withVersion(7, 'scenarios/s1.v7.json')).toEqual([]);
    for (const [bad, file] of [[0, 'scenarios/s1.v0.json'], [1.5, 'scenarios/s1.v1.5.json'], ['2', 'scenarios/s1.v2.json'], [-1, 'scenarios/s1.v-1.json']] as const) expect(withVersion(bad, file), String(bad)).toEqual([notPart(file)]);
  });

  it('two attempts naming the same scenario file with the wrong hash: said once', () => {
    const other = '22222222-2222-4333-8444-555555555555';
    const wrong = { ...ATTEMPT_JSON, calls: [], printouts: [], scenario: { ...ATTEMPT_JSON.scenario, sha256: sha('x') } };
    const c: Contents = { 'audit-log.json': '[]', 'scenarios/s1.v2.json': SCENARIO_TEXT };
    for (const id of [ATT, other]) Object.assign(c, { [`attempts/${id}/attempt.json`]: JSON.stringify(wrong), [`attempts/${id}/timeline.json`]: '{}', [`attempts/${id}/timeline.csv`]: 's', [`attempts/${id}/crm-state.json`]: '{}' });
    expect(problems(c, { scope: { sittings: [], attempts: [ATT, other] } })).toEqual([
      { file: 'scenarios/s1.v2.json', message: `is not the scenario file the attempt was exported with: ${D}/attempt.json gives its SHA-256 as ${sha('x')}` },
    ]);
  });
});
