// The six shipped LCCI Unit 2 scenario files (scenarios/s1-… … s6-…): each validates, its rubric
// carries exactly 12 marks of catalogue criteria, its answer key fits its own seed, the set covers
// inbound service, inbound sales and outbound sales, and the data stays fictitious and current.
// The facts are re-derived here from the raw files rather than trusted from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coverageWarnings } from '../../../server/assessment/coverage.js';
import { evaluateAutoChecks } from '../../../server/assessment/auto-checks.js';
import { validateRubric } from '../../../server/assessment/marks.js';
import { CRITERIA, CRITERIA_BY_ID } from '../../../server/assessment/criteria-catalogue.js';
import { attemptKey, formatIssue, loadPreviousScenarios, loadScenarios, PREVIOUS_DIR } from '../../../server/assessment/scenario-loader.js';
import { followUpLabel, toCoverageScenario, toRulesAnswerKey, toRulesAutoChecks, toRulesRubric } from '../../../server/assessment/scenario-adapters.js';
import { SCENARIO_KEYS, type Scenario } from '../../../server/assessment/scenario-schema.js';
import { seedCustomerSchema } from '../../../server/crm/seed-schema.js';
import { normaliseUkPhone } from '../../../server/crm/validation.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');
const loaded = loadScenarios(dir);
/** Every shipped scenario by its attempt key: "s1" (variant a), "s1-b" (variant b), "s1-c" (variant c). */
const byAttemptKey = new Map(loaded.scenarios.map((l) => [attemptKey(l.scenario), l.scenario]));
const scenario = (key: string): Scenario => {
  const s = byAttemptKey.get(key);
  if (!s) throw new Error(`no scenario ${key}`);
  return s;
};
/** Variant a of each key only (the set-of-six checks). */
const variantA = loaded.scenarios.filter((l) => l.scenario.variant === 'a');
const rawFiles = fs.readdirSync(dir).filter((n) => /^s[1-6]-.*\.json$/.test(n));

describe('the scenario files', () => {
  it('all validate, one per assignment key s1–s6, and demo-seed.json is not taken for one', () => {
    expect(loaded.issues.map(formatIssue)).toEqual([]);
    expect(rawFiles).toHaveLength(18);
    expect(loaded.scenarios.map((l) => l.file).sort()).toEqual(rawFiles.map((n) => `scenarios/${n}`).sort());
    expect(variantA.map((l) => l.scenario.key).sort()).toEqual([...SCENARIO_KEYS]);
    // Variants a, b and c of every key: a first attempt and two re-takes on facts not heard before.
    for (const key of SCENARIO_KEYS) expect(loaded.scenarios.filter((l) => l.scenario.key === key).map((l) => l.scenario.variant), key).toEqual(['a', 'b', 'c']);
    expect(loaded.missingKeys).toEqual([]);
  });

  it('the catalogue holds every criterion of the digest once, and the ids follow the id rule', () => {
    expect(CRITERIA).toHaveLength(186);
    expect(CRITERIA_BY_ID.size).toBe(CRITERIA.length);
    for (const c of CRITERIA) expect(c.id).toMatch(/^U2-[1-7]\.[0-9]+-[a-z0-9-]+$/);
    expect(CRITERIA_BY_ID.get('U2-4.2-hold-max-60')).toMatchObject({ section: 4, subsection: '4.2', autoCheckable: true });
    expect(CRITERIA_BY_ID.get('U2-2.1-verify-id')).toMatchObject({ how: 'L', autoCheckable: true });
    expect(CRITERIA_BY_ID.get('U2-4.2-calm')).toMatchObject({ how: 'H (T)', autoCheckable: false });
  });

  for (const key of [...byAttemptKey.keys()].sort()) {
    describe(key, () => {
      it('has a rubric of distinct catalogue criteria whose marks sum to exactly 12', () => {
        const s = scenario(key);
        const sum = s.rubric.reduce((a, c) => a + c.maxMarks, 0);
        expect(sum).toBe(12);
        for (const c of s.rubric) expect(CRITERIA_BY_ID.has(c.criterionId), c.criterionId).toBe(true);
        expect(new Set(s.rubric.map((c) => c.criterionId)).size).toBe(s.rubric.length);
        expect(() => validateRubric(toRulesRubric(s))).not.toThrow();
      });

      it('marks the opening and closing tasks its brief sets: the house greeting, the recording notice, closing the call', () => {
        const s = scenario(key);
        const tasks = s.candidateBrief.tasks.join(' ');
        const ids = s.rubric.map((c) => c.criterionId);
        const has = (re: RegExp) => ids.some((id) => re.test(id));
        if (/house greeting/i.test(tasks)) expect(has(/^U2-[12]\.1-greeting$/), 'greeting').toBe(true);
        if (/calls are recorded/i.test(tasks)) expect(has(/^U2-[12]\.1-recording-notice$/), 'recording notice').toBe(true);
        if (/close the call/i.test(tasks)) expect(has(/^U2-1\.4-close-style$/), 'close').toBe(true);
      });

      it('auto-checks only objective criteria that are in its rubric', () => {
        const s = scenario(key);
        expect(s.autoChecks.length).toBeGreaterThan(0);
        const inRubric = new Set(s.rubric.map((c) => c.criterionId));
        for (const a of s.autoChecks) {
          expect(inRubric.has(a.criterionId), a.criterionId).toBe(true);
          expect(CRITERIA_BY_ID.get(a.criterionId)?.autoCheckable, a.criterionId).toBe(true);
        }
      });

      it('has an answer key that refers only to records of its own seed, and fits the seed schema', () => {
        const s = scenario(key);
        const seed = s.seed;
        const account = new Map(seed.customers.map((c) => [c.accountNumber, c]));
        const ak = s.answerKey;
        expect(account.has(ak.primaryAccount)).toBe(true);
        for (const c of ak.customers) {
          const record = account.get(c.accountNumber);
          expect(record, c.accountNumber).toBeDefined();
          // The record after the call is still a valid seed customer.
          expect(seedCustomerSchema.safeParse({ ...record, ...c }).success).toBe(true);
        }
        for (const p of ak.plantedErrors) {
          expect(String(account.get(p.accountNumber)?.[p.field])).toBe(p.seedValue);
          expect(ak.customers.find((c) => c.accountNumber === p.accountNumber)?.[p.field]).not.toBe(p.seedValue);
        }
        for (const a of ak.untouchedAccounts) expect(account.has(a)).toBe(true);
        const products = new Set(seed.products.map((p) => p.code));
        for (const o of ak.orders) for (const l of [...o.lines, ...o.optionalLines]) expect(products.has(l.productCode), l.productCode).toBe(true);
        for (const c of [...ak.cases, ...ak.callbacks, ...ak.orders]) expect(account.has(c.accountNumber)).toBe(true);
        const codes = new Set(seed.wrapUpCodes.map((w) => w.code));
        for (const c of ak.wrapUp.codes) expect(codes.has(c), c).toBe(true);
        const templates = new Map(seed.templates.map((t) => [t.key, t.channel]));
        const documents = new Set(seed.documents.map((d) => d.key));
        expect(ak.followUps.length).toBeGreaterThan(0);
        for (const f of ak.followUps) {
          if (f.templateKey) expect(templates.get(f.templateKey)).toBe(f.channel);
          for (const d of f.attachments) expect(documents.has(d), d).toBe(true);
        }
      });

      it("presents (inbound) or dials (outbound) the persona's own number", () => {
        const s = scenario(key);
        const persona = s.callerBrief.persona;
        const n = normaliseUkPhone(persona.phone);
        expect(persona.accountNumber).toBe(s.answerKey.primaryAccount);
        if (s.direction === 'inbound') {
          const me = s.seed.customers.find((c) => c.accountNumber === persona.accountNumber)!;
          expect([normaliseUkPhone(me.phone), me.mobile && normaliseUkPhone(me.mobile)]).toContain(n);
        } else {
          const entry = s.seed.callList.find((e) => normaliseUkPhone(e.phone) === n);
          expect(entry?.doNotCall).toBe(false);
          expect(s.answerKey.dialling?.mustDial.map(normaliseUkPhone)).toContain(n);
        }
      });

      it('has enough look-alike customers to make search meaningful', () => {
        const s = scenario(key);
        expect(s.seed.customers.length).toBeGreaterThanOrEqual(12);
        const surnames = new Map<string, number>();
        for (const c of s.seed.customers) surnames.set(c.lastName, (surnames.get(c.lastName) ?? 0) + 1);
        expect([...surnames.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(3);
        const primary = s.seed.customers.find((c) => c.accountNumber === s.answerKey.primaryAccount)!;
        expect(surnames.get(primary.lastName), 'the persona has a same-surname look-alike').toBeGreaterThanOrEqual(2);
      });

      it('gives the assessment rules their inputs, and the rules accept them', () => {
        const s = scenario(key);
        const checks = toRulesAutoChecks(s);
        expect(checks.length).toBeGreaterThan(0);
        const answerKey = toRulesAnswerKey(s);
        const suggestions = evaluateAutoChecks({ checks, rubric: toRulesRubric(s), answerKey, call: null, timeline: [], records: [] });
        expect(suggestions.length).toBeGreaterThan(0);
        for (const sug of suggestions) expect(s.rubric.some((c) => c.criterionId === sug.criterionId)).toBe(true);
      });
    });
  }
});

describe('the versions kept in scenarios/previous/ for attempts sat on them', () => {
  it('validate like the current files and each sits below the current file of its key and variant', () => {
    const kept = loadPreviousScenarios(path.join(dir, PREVIOUS_DIR), loaded.scenarios);
    expect(kept.issues.map(formatIssue)).toEqual([]);
    expect(kept.scenarios.length).toBeGreaterThan(0);
    for (const k of kept.scenarios) expect(k.scenario.version).toBeLessThan(scenario(attemptKey(k.scenario)).version);
  });
});

describe('the variants for re-takes', () => {
  const others = loaded.scenarios.filter((l) => l.scenario.variant !== 'a');
  it.each(others.map((l) => [attemptKey(l.scenario), l.scenario] as const))('%s is the same assignment as variant a with another caller, other numbers and other answers', (_k, v) => {
    const a = scenario(v.key);
    // One rubric for every variant of an assignment (lines, bands, marks; the descriptions may name
    // the variant's caller) and the same auto-check kinds on each line, so a re-take is marked
    // exactly like the first attempt.
    const marks = (s: Scenario) => s.rubric.map((c) => [c.criterionId, c.band, c.maxMarks]);
    const checks = (s: Scenario) => s.autoChecks.map((c) => `${c.criterionId} ${c.kind}`);
    expect({ kind: v.kind, direction: v.direction, type: v.type, rubric: marks(v), checks: checks(v), candidateTitle: v.candidateTitle }).toEqual({
      kind: a.kind,
      direction: a.direction,
      type: a.type,
      rubric: marks(a),
      checks: checks(a),
      candidateTitle: a.candidateTitle,
    });
    const pa = a.callerBrief.persona;
    const pv = v.callerBrief.persona;
    expect(pv.name).not.toBe(pa.name);
    expect(pv.accountNumber).not.toBe(pa.accountNumber);
    expect(normaliseUkPhone(pv.phone)).not.toBe(normaliseUkPhone(pa.phone));
    // Nothing of variant a's persona is left in the variant (no half-renamed caller).
    const text = JSON.stringify(v);
    for (const word of [pa.name.split(' ').at(-1), pa.accountNumber, pa.phone]) if (word) expect(text, word).not.toContain(word);
    // The caller's security answers differ, so a candidate cannot reuse what they heard.
    const answers = (s: Scenario) => s.seed.customers.find((c) => c.accountNumber === s.answerKey.primaryAccount)!.securityAnswers.map((x) => x.answer);
    for (const ans of answers(v)) expect(answers(a)).not.toContain(ans);
    // The answer key differs beyond the renamed account: some caller fact or expected value is new.
    const facts = (s: Scenario) => JSON.stringify(s.callerBrief.facts.map((f) => f.value ?? f.date));
    const expected = (s: Scenario) => JSON.stringify({ ...s.answerKey, primaryAccount: '', untouchedAccounts: [] }).replaceAll(s.answerKey.primaryAccount, '');
    expect(facts(v) !== facts(a) || expected(v) !== expected(a)).toBe(true);
  });
});

describe('every variant of a key against every other', () => {
  /** Who the caller is: none of it may be shared between two variants of a key. */
  const callerOf = (s: Scenario) => {
    const me = s.seed.customers.find((c) => c.accountNumber === s.answerKey.primaryAccount)!;
    return {
      name: s.callerBrief.persona.name,
      surname: me.lastName,
      account: s.answerKey.primaryAccount,
      phone: normaliseUkPhone(s.callerBrief.persona.phone),
      // S2's caller has no e-mail on file: the one he gives on the call.
      email: me.email ?? s.answerKey.customers.find((c) => c.accountNumber === me.accountNumber)?.email,
      answers: (me.securityAnswers ?? []).map((a) => a.answer),
      lookAlikes: s.answerKey.untouchedAccounts,
    };
  };
  /** The caller's facts and what the answer key expects of them, account numbers masked. */
  const keyFields = (s: Scenario): Record<string, string> => {
    const ak = s.answerKey;
    const mask = (x: unknown) => JSON.stringify(x ?? null).replaceAll(ak.primaryAccount, '#').replace(/BL\d{6}/g, '#other');
    const message = ak.inbox ? s.seed.messages[ak.inbox.actionFirst] : undefined;
    return {
      ...Object.fromEntries(s.callerBrief.facts.map((f) => [`fact ${f.key}`, mask(f.value ?? f.date)])),
      'expected fields': mask(ak.customers),
      'planted errors': mask(ak.plantedErrors),
      'case wording': mask(ak.cases.map((c) => c.mustMention)),
      'callback windows': mask(ak.callbacks.map((c) => [c.due, c.mustMention])),
      'follow-up wording': mask(ak.followUps.map((f) => f.mustMention)),
      'must tell': mask(ak.mustTell),
      'caller message': mask(message && [message.subject, message.body]),
    };
  };
  /** Per key, the fields every two variants must hold different values in (the facts each assignment turns on). */
  const MUST_DIFFER: Record<string, string[]> = {
    s1: ['fact newAddress', 'fact moveDate', 'fact newMobile', 'expected fields', 'planted errors', 'case wording', 'follow-up wording', 'must tell'],
    s2: ['fact billTotal', 'fact email', 'fact daughter', 'expected fields', 'case wording', 'follow-up wording', 'must tell'],
    s3: ['fact demand', 'fact lostTime', 'case wording', 'must tell'],
    s4: ['fact usage', 'fact house'],
    s5: ['fact competitor', 'fact contractEnd', 'fact callbackTime', 'callback windows'],
    s6: ['caller message'],
  };
  const pairs = SCENARIO_KEYS.flatMap((key) => {
    const vs = loaded.scenarios.filter((l) => l.scenario.key === key).map((l) => l.scenario);
    return vs.flatMap((earlier, i) => vs.slice(i + 1).map((later) => [`${attemptKey(later)} against ${attemptKey(earlier)}`, earlier, later] as const));
  });

  it('pairs every variant with every other (a-b, a-c, b-c of each key)', () => {
    expect(pairs.map(([name]) => name)).toHaveLength(SCENARIO_KEYS.length * 3);
  });

  it.each(pairs)('%s: another caller, with nothing of the earlier one left', (_n, earlier, later) => {
    const e = callerOf(earlier);
    const l = callerOf(later);
    for (const field of ['name', 'surname', 'account', 'phone', 'email'] as const) expect(l[field], field).not.toBe(e[field]);
    for (const ans of l.answers) expect(e.answers, 'security answer').not.toContain(ans);
    for (const acc of l.lookAlikes) expect(e.lookAlikes, 'look-alike account').not.toContain(acc);
    const text = JSON.stringify(later);
    for (const word of [e.surname, e.account, earlier.callerBrief.persona.phone, e.email ?? '', ...e.lookAlikes].filter(Boolean)) expect(text, word).not.toContain(word);
  });

  it.each(pairs)("%s: the caller's facts and the answer key's values differ", (_n, earlier, later) => {
    const e = keyFields(earlier);
    const l = keyFields(later);
    const differ = Object.keys(l).filter((k) => l[k] !== e[k]);
    expect(differ).toEqual(expect.arrayContaining(MUST_DIFFER[later.key]!));
  });
});

describe('the set of six', () => {
  it('covers inbound service, inbound sales and outbound sales', () => {
    const kinds = variantA.map((l) => `${l.scenario.direction} ${l.scenario.type}`);
    expect(kinds.filter((k) => k === 'inbound service')).toHaveLength(3);
    expect(kinds).toContain('inbound sales');
    expect(kinds).toContain('outbound sales');
    expect(scenario('s6')).toMatchObject({ direction: 'outbound', type: 'service' });
    expect(coverageWarnings(variantA.map((l) => toCoverageScenario(l.scenario)))).toEqual([]);
    // Without the outbound sales call the rules warn.
    expect(coverageWarnings(['s1', 's2', 's4', 's6'].map((k) => toCoverageScenario(scenario(k)))).map((w) => w.area)).toEqual(['outbound-sales']);
  });

  it('marks Unit 2 sections 2 and 3 only in S4 and S5, and sections 4 and 6 in every scenario', () => {
    for (const l of loaded.scenarios) {
      const sections = new Set(l.scenario.rubric.map((c) => CRITERIA_BY_ID.get(c.criterionId)!.section));
      expect(sections.has(2), l.file).toBe(l.scenario.key === 's4');
      expect(sections.has(3), l.file).toBe(l.scenario.key === 's5');
      expect(sections.has(4) && sections.has(6), l.file).toBe(true);
    }
  });

  it('uses only Ofcom drama numbers and reserved example e-mail domains', () => {
    const drama = /^(0113496|0114496|0115496|0116496|0117496|0118496|0121496|0131496|0141496|0151496|0161496|020794600?|01632960|07700900|08081570|0306999)/;
    for (const l of loaded.scenarios) {
      const seed = l.scenario.seed;
      const phones = [
        seed.company.phone,
        l.scenario.callerBrief.persona.phone,
        ...seed.customers.flatMap((c) => [c.phone, ...(c.mobile ? [c.mobile] : [])]),
        ...seed.callList.map((e) => e.phone),
        ...l.scenario.answerKey.customers.flatMap((c) => [c.phone, c.mobile].filter((x): x is string => typeof x === 'string')),
      ];
      for (const p of phones) expect(normaliseUkPhone(p), `${l.file}: ${p}`).toMatch(drama);
      const text = JSON.stringify(l.scenario);
      for (const [, domain] of text.matchAll(/[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g)) {
        expect(domain!, l.file).toMatch(/(^|\.)example\.(co\.uk|com|org|net)$/);
      }
    }
  });

  it('keeps legal facts generic or current (nothing the digest flags as outdated)', () => {
    for (const name of rawFiles) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      for (const outdated of [/Data Protection Act 1998/i, /Distance Selling/i, /\b1988\b/, /\btapes?\b/i, /\bfax/i, /seven working days/i, /7 working days/i]) {
        expect(text, `${name} mentions ${outdated}`).not.toMatch(outdated);
      }
    }
    // The cancellation right quoted to customers is the current 14 days.
    expect(JSON.stringify(scenario('s4').answerKey.mustTell)).toMatch(/14 days/);
  });
});

describe('what the rules get from a scenario', () => {
  it('S1: the keyed address fields with their comparison kinds; the planted mobile has its own criterion', () => {
    const key = toRulesAnswerKey(scenario('s1'));
    expect(key.fields).toEqual([
      { record: { type: 'customer', key: 'BL100231' }, field: 'addressLine1', kind: 'text', expected: '22 Larkfield Crescent' },
      { record: { type: 'customer', key: 'BL100231' }, field: 'addressLine2', kind: 'text', expected: 'Rawdon' },
      { record: { type: 'customer', key: 'BL100231' }, field: 'town', kind: 'text', expected: 'Leeds' },
      { record: { type: 'customer', key: 'BL100231' }, field: 'postcode', kind: 'postcode', expected: 'LS19 6EH' },
    ]);
    expect(key.wrapUp).toEqual({ codes: ['MOVE'], notesRequired: true });
    expect(key.identity).toEqual({ accounts: ['BL100231'], questions: 2 });
    expect(key.followUps).toEqual([
      { channel: 'email', to: 'margaret.hughes@example.co.uk', cc: [], attachments: [], templateKey: 'email-home-move', withinMinutes: 30, label: '"Home move confirmation" e-mail' },
    ]);
    // The seed's own words for its codes and keys, for the evidence the assessor reads.
    expect(key.names).toMatchObject({
      wrapUpOutcomes: expect.objectContaining({ MOVE: 'Home move booked' }),
      caseCategories: expect.objectContaining({ HOME_MOVE: 'Home move' }),
      products: expect.objectContaining({ 'BB-FIBRE-500': 'Full Fibre 500' }),
      templates: expect.objectContaining({ 'email-home-move': 'Home move confirmation' }),
      documents: expect.objectContaining({ 'info-pack': 'Broadband information pack' }),
    });
    expect([followUpLabel('sms', undefined), followUpLabel('email', undefined), followUpLabel('email', 'Order confirmation')]).toEqual(['SMS', 'e-mail', '"Order confirmation" e-mail']);
  });

  it('S1: a mistyped postcode or the stale mobile left turns the accurate-entry suggestion to 0; both right, the full mark', () => {
    const s = scenario('s1');
    const record = (postcode: string, mobile: string) => [
      { type: 'customer', key: 'BL100231', fields: { addressLine1: '22 Larkfield Crescent', addressLine2: 'Rawdon', town: 'Leeds', postcode, mobile } },
    ];
    const run = (postcode: string, mobile = '07700 900871') =>
      evaluateAutoChecks({ checks: toRulesAutoChecks(s), rubric: toRulesRubric(s), answerKey: toRulesAnswerKey(s), call: null, timeline: [], records: record(postcode, mobile) }).find(
        (x) => x.criterionId === 'U2-6.1-accurate-entry',
      );
    expect(run('ls196eh')?.suggestedMarks).toBe(1);
    expect(run('LS19 6HE')?.suggestedMarks).toBe(0);
    expect(run('LS19 6EH', '07700 900412')?.suggestedMarks).toBe(0);
  });

  it('S2: the e-mail goes to the address the caller gave, which is not on the seed record', () => {
    const s = scenario('s2');
    expect(s.seed.customers.find((c) => c.accountNumber === 'BL100518')).toMatchObject({ email: null });
    expect(toRulesAnswerKey(s).followUps).toEqual([expect.objectContaining({ channel: 'email', to: 'george.whitfield@example.co.uk', cc: [], label: '"Bill explanation" e-mail' })]);
  });

  it('S6: SMS to the mobile on file and e-mail with Field Support in copy', () => {
    expect(toRulesAnswerKey(scenario('s6')).followUps).toEqual([
      expect.objectContaining({ channel: 'sms', to: '07700 900233', label: '"Engineer appointment" SMS' }),
      expect.objectContaining({ channel: 'email', to: 'aisha.rahman@example.org', cc: ['field.support@brightline.example.co.uk'], label: '"Fault follow-up with guide" e-mail' }),
    ]);
    expect(toRulesAnswerKey(scenario('s6')).followUps![0]).not.toHaveProperty('cc');
  });

  it('only the check kinds the rules know are handed over; follow-up-sent becomes one check per aspect', () => {
    const kinds = new Set(loaded.scenarios.flatMap((l) => toRulesAutoChecks(l.scenario).map((c) => c.kind)));
    expect([...kinds].sort()).toEqual([
      'answer-time',
      'assessor-judgement',
      'callback-matches',
      'case-matches',
      'credit-within-limit',
      'do-not-call-respected',
      'field-accuracy',
      'follow-up-attachments',
      'follow-up-deadline',
      'follow-up-recipients',
      'follow-up-template',
      'hold-limit',
      'identity-before-access',
      'messages-processed',
      'no-unrelated-edits',
      'order-matches',
      'planted-error-corrected',
      'prepared-before-dial',
      'printout-made',
      'wrap-up',
    ]);
    // Every rubric line with a scenario auto-check gets a rules check: none is silently dropped.
    for (const l of loaded.scenarios) {
      const checked = new Set(toRulesAutoChecks(l.scenario).map((c) => c.criterionId));
      for (const a of l.scenario.autoChecks) expect(checked.has(a.criterionId), `${l.scenario.key} ${a.criterionId} (${a.kind})`).toBe(true);
    }
    const s6 = toRulesAutoChecks(scenario('s6'));
    expect(s6.filter((c) => c.kind === 'follow-up-recipients').map((c) => c.criterionId)).toEqual(['U2-7.2-recipients']);
    // One deadline check per follow-up of the criterion, not one per criterion.
    expect(s6.filter((c) => c.kind === 'follow-up-deadline')).toEqual([
      { kind: 'follow-up-deadline', criterionId: 'U2-7.2-recipients', index: 0 },
      { kind: 'follow-up-deadline', criterionId: 'U2-7.2-recipients', index: 1 },
    ]);
    // S5: the information pack must be attached, and the do-not-call criterion is checked.
    const s5 = toRulesAutoChecks(scenario('s5'));
    expect(s5).toEqual(expect.arrayContaining([
      { kind: 'follow-up-attachments', criterionId: 'U2-7.2-recipients', index: 0 },
      { kind: 'do-not-call-respected', criterionId: 'U2-3.2-comply' },
      { kind: 'identity-before-access', criterionId: 'U2-3.2-verify-id', flagOtherRecords: false, minFactors: 1 },
    ]));
    expect(toRulesAnswerKey(scenario('s5')).dialling?.mustNotDial.length).toBeGreaterThan(0);
  });

  it('coverage: S6 marks section 1 as an outbound call, S4 marks section 2', () => {
    expect(toCoverageScenario(scenario('s6'))).toMatchObject({ id: 's6/a', type: 'S6', direction: 'outbound' });
    expect(toCoverageScenario(scenario('s6')).sections).toContain('1.3');
    expect(toCoverageScenario(scenario('s4')).sections).toEqual(expect.arrayContaining(['2.1', '2.2', '2.3']));
  });
});
