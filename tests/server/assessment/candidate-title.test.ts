// The title a candidate sees for each assignment gives away nothing the caller brief keeps back: no
// word of the persona (name, account, number, description), of a fact given only when asked, of
// what is never volunteered, of the caller's situation, opening line, objections or buying signals,
// unless the candidate brief says it too. Checked over every shipped scenario, independently of
// the rule the schema applies, and the schema refuses a variant whose candidate title leaks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerOnlyWords, candidateTitleLeaks, candidateTitleOf, defaultCandidateTitle, titleWords, type TitledScenario } from '../../../server/assessment/candidate-title.js';
import { formatIssue, loadScenarios } from '../../../server/assessment/scenario-loader.js';
import { SCENARIO_KEYS, type Scenario } from '../../../server/assessment/scenario-schema.js';
import { addDays, formatLongDate, ukDate } from '../../../server/sittings/relative-dates.js';
import type { Json } from '../../support/json.js';

const real = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const shipped = loadScenarios(real);
/** By attempt key: "s1" is variant a, "s1-b" variant b. */
const byKey = new Map(shipped.scenarios.map((l) => [l.scenario.variant === 'a' ? l.scenario.key : `${l.scenario.key}-${l.scenario.variant}`, l.scenario]));
const scenario = (key: string): Scenario => byKey.get(key)!;

const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'dr']);
/** Words that say nothing about this caller. */
const FUNCTION_WORDS = new Set(['from', 'with', 'that', 'this', 'when', 'then', 'what', 'have', 'only', 'unless', 'asked', 'about', 'into', 'been', 'will', 'they', 'them', 'their', 'does', 'more', 'less', 'than', 'your', 'after', 'before']);
const lower = (s: string) => s.toLowerCase();
/** Words a fact, name or note holds (four letters or more, or any number), compared whole. */
const words = (s: string): string[] => (lower(s).match(/[\p{L}\p{N}£.,-]+/gu) ?? []).map((w) => w.replace(/[.,-]+$/, '')).filter((w) => w.length >= 4 || /\d/.test(w));
const candidateKnows = (s: Scenario): string => lower([s.candidateBrief.role, s.candidateBrief.situation, ...s.candidateBrief.tasks, ...s.candidateBrief.afterCall, s.seed.company.name].join(' '));

describe.each([...SCENARIO_KEYS])('%s: the candidate-facing title', (key) => {
  const s = scenario(key);
  const title = lower(candidateTitleOf(s));

  it('is its own title, differs from the staff title, and the schema finds no leak in it', () => {
    expect(s.candidateTitle, 'every shipped scenario names its candidate title').toBeDefined();
    expect(title).not.toBe(lower(s.title));
    expect(candidateTitleLeaks(s)).toEqual([]);
  });

  it('holds none of the caller-brief-only facts (persona, account, number, facts, never-volunteer items) the candidate brief does not say', () => {
    const b = s.callerBrief;
    const known = candidateKnows(s);
    const withheld = [
      ...b.persona.name.split(/\s+/).filter((w) => !HONORIFICS.has(lower(w))),
      ...(b.persona.accountNumber ? [b.persona.accountNumber] : []),
      b.persona.phone,
      b.persona.phone.replace(/\s/g, ''),
      ...b.facts.flatMap((f) => (f.value !== undefined ? [f.value, ...words(f.value)] : [])),
      ...b.neverVolunteer.flatMap(words),
      ...words(b.persona.description),
    ].filter((w) => !known.includes(lower(w)) && !FUNCTION_WORDS.has(lower(w)));
    const titleWords = new Set(words(title));
    for (const w of withheld) {
      if (/\s/.test(w)) expect(title, `"${w}" is for the caller only`).not.toContain(lower(w));
      else expect(titleWords.has(lower(w)), `"${w}" is for the caller only`).toBe(false);
    }
    // Dates the caller gives (worked out from a sitting day) are not in it either.
    for (const f of b.facts.filter((x) => x.date !== undefined)) {
      const d = formatLongDate(addDays(ukDate(Date.UTC(2026, 0, 5)), f.date!.days, f.date!.workingDays));
      expect(title).not.toContain(lower(d.split(' ').slice(1, 3).join(' ')));
    }
  });
});

describe('the leak rule', () => {
  it('finds what the staff titles give away', () => {
    const leaks = (key: string) => candidateTitleLeaks({ ...scenario(key), candidateTitle: scenario(key).title });
    expect(leaks('s1')).toEqual(expect.arrayContaining(['hughes', 'rawdon']));
    expect(leaks('s1-b')).toEqual(expect.arrayContaining(['brierley', 'saltaire']));
    expect(leaks('s2')).toEqual(expect.arrayContaining(['hearing']));
    expect(leaks('s4')).toEqual(['faster']);
  });

  it('gives the assignment type in words when a scenario names no candidate title', () => {
    expect(defaultCandidateTitle({ direction: 'inbound', type: 'service' })).toBe('Inbound service call');
    expect(candidateTitleOf({ direction: 'outbound', type: 'sales' })).toBe('Outbound sales call');
    expect(candidateTitleLeaks({ ...scenario('s1'), candidateTitle: undefined })).toEqual([]);
  });
});

describe('the schema', () => {
  let root: string;
  beforeEach(() => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-titles-')), 'scenarios');
    fs.mkdirSync(root);
  });
  afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));
  const issuesOf = (file: string, change: (s: Json) => void): string[] => {
    for (const f of fs.readdirSync(root)) fs.rmSync(path.join(root, f));
    const s = JSON.parse(fs.readFileSync(path.join(real, file), 'utf8')) as Json;
    change(s);
    fs.writeFileSync(path.join(root, file), JSON.stringify(s));
    return loadScenarios(root).issues.map(formatIssue);
  };

  it('refuses a candidate title that names the caller or what the candidate must find out', () => {
    expect(issuesOf('s1-home-move.json', (s) => (s.candidateTitle = 'Mrs Hughes moves to Rawdon'))).toEqual([
      'scenarios/s1-home-move.json: candidateTitle: the candidate would read "hughes", "moves", "rawdon" from the caller brief; say only what the candidate brief says',
    ]);
  });

  it('refuses an answer-key case category the desktop could not offer, and a folder the inbox does not have', () => {
    expect(issuesOf('s3-complaint-missed-visit.json', (s) => (s.answerKey.cases[0].category = 'LOST_PARCEL'))).toEqual([
      'scenarios/s3-complaint-missed-visit.json: answerKey.cases.0.category: "LOST_PARCEL" is not one of the seed\'s caseCategories, so the candidate could not choose it',
    ]);
    expect(issuesOf('s6-message-fault-follow-up.json', (s) => (s.answerKey.inbox.file[1].folder = 'Archive'))).toEqual([
      'scenarios/s6-message-fault-follow-up.json: answerKey.inbox.file.1.folder: "Archive" is not one of the seed\'s messageFolders, so the candidate could not file it there',
    ]);
    expect(issuesOf('s3-complaint-missed-visit.json', (s) => (s.seed.cases[0].category = 'LOST_PARCEL'))).toEqual([
      'scenarios/s3-complaint-missed-visit.json: seed.cases.0.category: "LOST_PARCEL" is not one of the seed\'s caseCategories',
    ]);
  });

  it('lets a seed without its own vocabulary offer the categories of its cases (and refuses the answer key a category none of them has)', () => {
    expect(issuesOf('s4-inbound-sales-upgrade.json', (s) => delete s.seed.caseCategories)).toEqual([]);
    const loaded = loadScenarios(root).scenarios[0]!.scenario;
    expect(loaded.seed.caseCategories).toEqual([
      { code: 'MISSED_APPOINTMENT', label: 'Missed appointment' },
      { code: 'BILLING', label: 'Billing' },
    ]);
    expect(issuesOf('s3-complaint-missed-visit.json', (s) => delete s.seed.caseCategories)).toEqual([
      'scenarios/s3-complaint-missed-visit.json: answerKey.cases.0.category: "MISSED_APPOINTMENT" is not one of the seed\'s caseCategories, so the candidate could not choose it',
    ]);
  });
});

describe('all shipped scenarios load', () => {
  it('with no issues', () => {
    expect(shipped.issues.map(formatIssue)).toEqual([]);
  });
});

describe('the leak rule on a scenario written by hand', () => {
  const hand = (title: string, patch: Partial<TitledScenario['callerBrief']> = {}, transfer?: Array<{ label: string }>): TitledScenario => ({
    key: 's1',
    candidateTitle: title,
    direction: 'inbound',
    type: 'service',
    candidateBrief: { role: 'Adviser at Brightline', situation: 'A customer rings about their account.', tasks: ['Update the record'], afterCall: ['Send a confirmation'], ...(transfer ? { transferTargets: transfer } : {}) },
    callerBrief: {
      persona: { name: 'Mrs. Zoë Hughes', accountNumber: null, phone: '0113 496 0777', description: 'Retired teacher' },
      situation: 'Moving to Rawdon next month',
      openingLine: 'Hello, I am calling about my move',
      facts: [{ label: 'new postcode', value: 'LS19 6AB' }, { label: 'move date' }],
      objections: [{ text: 'Worried about fees' }],
      buyingSignals: [{ text: 'Likes fibre' }],
      neverVolunteer: ['Second home in Otley'],
      ...patch,
    },
    seed: { company: { name: 'Brightline Telecom' } },
  });

  it('words: letters and digits, accents dropped, at least three letters or any number', () => {
    expect(titleWords('Zoë’s move: 2 doors to Rawdon, LS19 6AB!')).toEqual(['zoe', 'move', '2', 'doors', 'rawdon', 'ls19', '6ab']);
  });
  it("the caller-only words: name without the honorific, number's digits, facts with a value; never the candidate's or common words", () => {
    expect([...callerOnlyWords(hand('x'))].sort()).toEqual(
      ['01134960777', '6ab', 'fees', 'fibr', 'hello', 'hom', 'hugh', 'lik', 'ls19', 'month', 'mov', 'next', 'otley', 'rawdon', 'retir', 'second', 'teacher', 'worri', 'zoe'].sort(),
    );
  });
  it('a title leaks a word in any of its forms; the account number too when there is one', () => {
    expect(candidateTitleLeaks(hand('Mrs Hughes moves to Rawdon'))).toEqual(['hughes', 'moves', 'rawdon']);
    expect(candidateTitleLeaks(hand('A move request'))).toEqual(['move']);
    // Found by the mutation run: a four-letter word kept its final e, so "move" in a title did not
    // match "moving" in the caller brief, against this file's own rule ("moving", "moves" and "move" are one word).
    const moving = { situation: 'Moving to Rawdon', openingLine: 'Hello' };
    expect(candidateTitleLeaks(hand('A move request', moving))).toEqual(['move']);
    expect(candidateTitleLeaks(hand('Moved house', moving))).toEqual(['moved']);
    expect(candidateTitleLeaks(hand('She likes it', { buyingSignals: [{ text: 'Would like fibre' }] }))).toEqual(['likes']);
    expect(candidateTitleLeaks(hand('Account BL100231', { persona: { name: 'Jo Bloggs', accountNumber: 'BL100231', phone: '0', description: '' } }))).toEqual(['bl100231']);
    expect(candidateTitleLeaks(hand('Inbound service call for a Brightline customer'))).toEqual([]);
  });
  it('what the candidate brief names (a transfer target among it) is no leak', () => {
    expect(candidateTitleLeaks(hand('Second line', {}, [{ label: 'Second line support' }]))).toEqual([]);
    expect(candidateTitleLeaks(hand('Second line'))).toEqual(['second']);
  });
});
