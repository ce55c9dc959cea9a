// A centre's own scenario files in the data folder: read (none is undefined), written whole or not
// at all (no temporary file left behind, none the loader would read), deleted (none is false).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { centreScenarioPath, deleteCentreScenarioFile, readCentreScenarioText, scenarioFileText, writeCentreScenarioText, writeFileAtomic } from '../../../server/assessment/centre-scenario-files.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-centre-scenarios-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('centre scenario files', () => {
  it('are named after the attempt key in the folder', () => {
    expect(centreScenarioPath('/data/centre-scenarios', 's1-c4-leeds')).toBe(path.join('/data/centre-scenarios', 's1-c4-leeds.json'));
  });
  it('write creates the folder and the file; read gives the text back; a rewrite replaces it whole', () => {
    const dir = path.join(root, 'scenarios', 'centre');
    expect(readCentreScenarioText(dir, 's1-c4-leeds')).toBeUndefined();
    writeCentreScenarioText(dir, 's1-c4-leeds', '{"a":1}\n');
    expect(readCentreScenarioText(dir, 's1-c4-leeds')).toBe('{"a":1}\n');
    writeCentreScenarioText(dir, 's1-c4-leeds', '{"b":2}\n');
    expect(readCentreScenarioText(dir, 's1-c4-leeds')).toBe('{"b":2}\n');
    // Only the file itself: no temporary file is left beside it.
    expect(fs.readdirSync(dir)).toEqual(['s1-c4-leeds.json']);
    expect(fs.statSync(path.join(dir, 's1-c4-leeds.json')).mode & 0o777).toBe(0o644 & ~process.umask());
  });
  it('leaves no file open behind it, written or not', () => {
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 5; i++) writeCentreScenarioText(root, `s1-c1-x${i}`, 'x');
    const target = path.join(root, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'text')).toThrow();
    expect(open()).toBe(before);
  });
  it('a file that cannot be renamed into place leaves nothing behind and says why', () => {
    const target = path.join(root, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'text')).toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect(fs.readdirSync(root)).toEqual(['taken']);
  });
  it('read errors other than a missing file are not hidden', () => {
    fs.mkdirSync(path.join(root, 's2.json'));
    expect(() => readCentreScenarioText(root, 's2')).toThrow(/EISDIR/);
    expect(() => deleteCentreScenarioFile(root, 's2')).toThrow(/EISDIR|EPERM/);
  });
  it('delete removes the file once: true, then false', () => {
    writeCentreScenarioText(root, 's3-c1-x', 'x');
    expect(deleteCentreScenarioFile(root, 's3-c1-x')).toBe(true);
    expect(deleteCentreScenarioFile(root, 's3-c1-x')).toBe(false);
    expect(fs.existsSync(centreScenarioPath(root, 's3-c1-x'))).toBe(false);
  });
  it('scenario text is two-space JSON with a final newline', () => {
    expect(scenarioFileText({ key: 's1', rubric: [1] })).toBe('{\n  "key": "s1",\n  "rubric": [\n    1\n  ]\n}\n');
  });
});
