// The checks of a scenario file that zod cannot express (server/assessment/scenario-checks.ts), one
// rule at a time: a shipped scenario, parsed, with exactly one thing broken, must give exactly that
// rule's problem (path and words), and nothing else; the unbroken scenario and the variations the
// rules allow give none. The shipped files are the valid bases: S1 (inbound, a planted error, a
// case, an e-mail follow-up), S5 (outbound, a call list with do-not-call leads, a callback) and S6
// (outbound, an inbox, an SMS follow-up).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, scenarioSchema } from '../../../server/assessment/scenario-checks.js';
import type { AutoCheck, Scenario } from '../../../server/assessment/scenario-schema.js';
import { shippedScenario, shippedScenariosDir as real } from './shipped-scenario.js';

const S1 = shippedScenario('s1-home-move.json');
const S5 = shippedScenario('s5-outbound-contract-end.json');
const S6 = shippedScenario('s6-message-fault-follow-up.json');

/** The problems checkScenario reports for a copy of `base` changed by `change`, as 'path: message'. */
function problems(base: Scenario, change: (s: Scenario) => void = () => {}): string[] {
  const s = structuredClone(base);
  change(s);
  const out: string[] = [];
  checkScenario(s, (p, message) => out.push(`${p.join('.')}: ${message}`));
  return out;
}
/** Adds an auto-check to a copy of the scenario (its index is the current length). */
const withCheck = (check: AutoCheck) => (s: Scenario) => {
  s.autoChecks.push(check);
};

describe('checkScenario: the shipped files and what the rules allow', () => {
  it('finds nothing wrong with S1, S5 and S6 as shipped', () => {
    expect(problems(S1)).toEqual([]);
    expect(problems(S5)).toEqual([]);
    expect(problems(S6)).toEqual([]);
  });

  it('reports through the schema with the path of the bad value', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(real, 's1-home-move.json'), 'utf8')) as { rubric: Array<{ maxMarks: number }> };
    raw.rubric[0]!.maxMarks = 2;
    const r = scenarioSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }))).toEqual([{ code: 'custom', path: ['rubric'], message: 'marks sum to 13, must be 12' }]);
  });
});

describe('checkScenario: title, kind, direction and type', () => {
  it('refuses a candidate title that gives away what only the caller brief says', () => {
    expect(problems(S1, (s) => (s.candidateTitle = 'Inbound service call: moving to Rawdon'))).toEqual([
      'candidateTitle: the candidate would read "moving", "rawdon" from the caller brief; say only what the candidate brief says',
    ]);
  });

  it('refuses a kind or type the key does not have', () => {
    expect(problems(S1, (s) => (s.kind = 'complaint'))).toEqual(['kind: s1 (S1 - Routine inbound service request) is kind "routine-service", not "complaint"']);
    expect(problems(S1, (s) => (s.type = 'sales'))).toEqual(['type: s1 (S1 - Routine inbound service request) is type "service", not "sales"']);
    expect(problems(S5, (s) => (s.direction = 'inbound'))).toContain('direction: s5 (S5 - Outbound sales / lead generation) is direction "outbound", not "inbound"');
  });
});

describe('checkScenario: the rubric', () => {
  it('refuses an id of the right form that is not in the catalogue', () => {
    expect(problems(S1, (s) => (s.rubric[4]!.criterionId = 'U2-1.2-telepathy'))).toEqual(['rubric.4.criterionId: "U2-1.2-telepathy" is not a criterion in the catalogue']);
  });
  it('refuses a criterion listed twice, at the second line', () => {
    expect(problems(S1, (s) => (s.rubric[5]!.criterionId = 'U2-1.2-questioning'))).toEqual(['rubric.5.criterionId: criterion "U2-1.2-questioning" is listed twice']);
  });
  it('refuses marks summing to more or to less than 12', () => {
    expect(problems(S1, (s) => (s.rubric[4]!.maxMarks = 2))).toEqual(['rubric: marks sum to 13, must be 12']);
    expect(problems(S1, (s) => s.rubric.splice(4, 1))).toEqual(['rubric: marks sum to 11, must be 12']);
  });
});

describe('checkScenario: the resources the candidate is pointed to', () => {
  it('refuses each kind of resource the seed does not have, at its index', () => {
    expect(problems(S1, (s) => s.candidateBrief.resources.knowledgeBase.push('teleporting'))).toEqual(['candidateBrief.resources.knowledgeBase.3: no knowledge-base article "teleporting" in the seed']);
    expect(problems(S1, (s) => s.candidateBrief.resources.scripts.push('rap'))).toEqual(['candidateBrief.resources.scripts.1: no script "rap" in the seed']);
    expect(problems(S1, (s) => s.candidateBrief.resources.templates.push('email-nothing'))).toEqual(['candidateBrief.resources.templates.1: no template "email-nothing" in the seed']);
    expect(problems(S1, (s) => s.candidateBrief.resources.documents.push('map'))).toEqual(['candidateBrief.resources.documents.0: no document "map" in the seed']);
  });
  it('accepts every resource the seed has', () => {
    expect(
      problems(S1, (s) => {
        s.candidateBrief.resources = { knowledgeBase: s.seed.knowledgeBase.map((a) => a.slug), scripts: s.seed.scripts.map((x) => x.key), templates: s.seed.templates.map((t) => t.key), documents: s.seed.documents.map((d) => d.key) };
      }),
    ).toEqual([]);
  });
});

describe('checkScenario: the caller (inbound)', () => {
  it("accepts the persona's mobile as the presented number, and a caller with no account", () => {
    expect(problems(S1, (s) => (s.callerBrief.persona.phone = '07700 900412'))).toEqual([]);
    expect(problems(S1, (s) => (s.callerBrief.persona.accountNumber = null))).toEqual([]);
  });
  it("refuses a number no customer has, and one that is another customer's phone or mobile", () => {
    expect(problems(S1, (s) => (s.callerBrief.persona.phone = '0113 496 0999'))).toEqual(['callerBrief.persona.phone: the presented number 0113 496 0999 is not the phone or mobile of any seed customer']);
    expect(problems(S1, (s) => (s.callerBrief.persona.phone = '0117 496 0785'))).toEqual([
      "callerBrief.persona.phone: the presented number 0117 496 0785 belongs to BL100232, not to the persona's account BL100231",
    ]);
    expect(problems(S1, (s) => (s.callerBrief.persona.phone = '07700 900785'))).toEqual([
      "callerBrief.persona.phone: the presented number 07700 900785 belongs to BL100232, not to the persona's account BL100231",
    ]);
  });
  it('names every customer a shared number belongs to', () => {
    expect(
      problems(S1, (s) => {
        s.seed.customers.find((c) => c.accountNumber === 'BL100240')!.mobile = '07700 900785';
        s.callerBrief.persona.phone = '07700 900785';
      }),
    ).toEqual(["callerBrief.persona.phone: the presented number 07700 900785 belongs to BL100232, BL100240, not to the persona's account BL100231"]);
  });
  it("refuses a persona account the seed does not have (and the answer key's account no longer matches)", () => {
    expect(problems(S1, (s) => (s.callerBrief.persona.accountNumber = 'BL999999'))).toEqual([
      'callerBrief.persona.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"',
      'answerKey.primaryAccount: the persona is BL999999 but the answer key is about BL100231',
    ]);
  });
  it('leaves a number that is no UK number to the schema', () => {
    expect(problems(S1, (s) => (s.callerBrief.persona.phone = 'not a number'))).toEqual([]);
    expect(problems(S5, (s) => (s.callerBrief.persona.phone = 'not a number'))).toEqual([]);
  });
});

describe('checkScenario: the number dialled (outbound)', () => {
  it('refuses a number not on the call list, and one marked do-not-call', () => {
    expect(problems(S5, (s) => (s.callerBrief.persona.phone = '0131 496 0999'))).toEqual(["callerBrief.persona.phone: the number 0131 496 0999 is not on the seed's call list"]);
    expect(problems(S5, (s) => (s.callerBrief.persona.phone = '0121 496 0390'))).toEqual(['callerBrief.persona.phone: the call-list entry for 0121 496 0390 (Mrs Joan Ellis) is marked do-not-call']);
  });
  it("refuses a call-list entry of another account, or of none, for the persona's account", () => {
    expect(problems(S5, (s) => (s.callerBrief.persona.phone = '0161 496 0871'))).toEqual([
      "callerBrief.persona.phone: the call-list entry for 0161 496 0871 is not linked to an account, not the persona's account BL100903",
    ]);
    expect(
      problems(S5, (s) => {
        s.seed.callList[1]!.accountNumber = 'BL100910';
        s.seed.customers.find((c) => c.accountNumber === 'BL100815')!.doNotCall = false;
        s.answerKey.dialling!.mustNotDial = ['0121 496 0390'];
        s.callerBrief.persona.phone = '07700 900301';
      }),
    ).toEqual(["callerBrief.persona.phone: the call-list entry for 07700 900301 is BL100910, not the persona's account BL100903"]);
  });
  it('accepts a persona with no account dialled on an entry with one', () => {
    expect(problems(S5, (s) => (s.callerBrief.persona.accountNumber = null))).toEqual([]);
  });
  it('accepts a lead with no account dialled on an entry with no account', () => {
    expect(
      problems(S5, (s) => {
        s.callerBrief.persona.accountNumber = null;
        s.callerBrief.persona.phone = '0161 496 0871';
      }),
    ).toEqual([]);
  });
});

describe('checkScenario: facts, cues and placeholders', () => {
  it('refuses a fact key listed twice, at the second fact', () => {
    expect(problems(S1, (s) => (s.callerBrief.facts[2]!.key = 'moveDate'))).toEqual(['callerBrief.facts.2.key: fact "moveDate" is listed twice']);
  });
  it('refuses a cue testing a criterion not in the catalogue', () => {
    expect(problems(S1, (s) => s.callerBrief.cues[0]!.tests.push('U2-1.1-mind-reading'))).toEqual(['callerBrief.cues.0.tests.2: "U2-1.1-mind-reading" is not a criterion in the catalogue']);
  });
  it('accepts fact and generated placeholders, with or without spaces inside the braces', () => {
    expect(
      problems(S1, (s) => {
        s.answerKey.cases[0]!.mustMention = ['{{ moveDate }} then {{newAddress}}', '{{caseReference}}', '{{orderReference}} {{callbackDue}}', '{{not a placeholder}}'];
      }),
    ).toEqual([]);
  });
  it('refuses a placeholder that names nothing, in every list that takes them, each at its own path', () => {
    const nothing = (path: string) => `${path}: {{moveDay}} is neither a caller-brief fact nor one of caseReference, orderReference, callbackDue`;
    expect(problems(S1, (s) => (s.answerKey.cases[0]!.mustMention = ['LS19 6EH', 'on {{moveDate}} or {{ moveDay }}']))).toEqual([nothing('answerKey.cases.0.mustMention.1')]);
    expect(problems(S1, (s) => (s.answerKey.wrapUp.notesMustMention = ['{{moveDay}}']))).toEqual([nothing('answerKey.wrapUp.notesMustMention.0')]);
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.mustMention = ['{{moveDay}}']))).toEqual([nothing('answerKey.followUps.0.mustMention.0')]);
    expect(problems(S5, (s) => (s.answerKey.callbacks[0]!.mustMention = ['{{moveDay}}']))).toEqual([nothing('answerKey.callbacks.0.mustMention.0')]);
    expect(problems(S6, (s) => (s.answerKey.inbox!.autoReply.mustMention = ['{{moveDay}}']))).toEqual([nothing('answerKey.inbox.autoReply.mustMention.0')]);
    expect(problems(S5, (s) => ((s.autoChecks[4] as Extract<AutoCheck, { kind: 'notes-mention' }>).mustMention = ['{{competitor}}', '{{moveDay}}']))).toEqual([
      nothing('autoChecks.4.mustMention.1'),
    ]);
  });
});

describe('checkScenario: the answer key’s customers', () => {
  it('refuses a primary account that is not the persona’s, or not in the seed', () => {
    expect(problems(S1, (s) => (s.answerKey.primaryAccount = 'BL100455'))).toEqual(['answerKey.primaryAccount: the persona is BL100231 but the answer key is about BL100455']);
    expect(
      problems(S1, (s) => {
        s.callerBrief.persona.accountNumber = null;
        s.answerKey.primaryAccount = 'BL999999';
      }),
    ).toEqual(['answerKey.primaryAccount: no customer in this scenario\'s seed has the account number "BL999999"']);
  });
  it('refuses an expected customer listed twice', () => {
    expect(problems(S1, (s) => s.answerKey.customers.push({ ...s.answerKey.customers[0]! }))).toEqual(['answerKey.customers.1.accountNumber: account BL100231 is listed twice']);
  });
  it('refuses a planted error of an unknown account without further complaint', () => {
    expect(problems(S1, (s) => s.answerKey.plantedErrors.push({ accountNumber: 'BL999999', field: 'mobile', seedValue: 'x' }))).toEqual([
      'answerKey.plantedErrors.1.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"',
    ]);
  });
  it('refuses a planted error with no corrected value, or corrected to the same value', () => {
    expect(problems(S1, (s) => delete s.answerKey.customers[0]!.mobile)).toEqual(['answerKey.plantedErrors.0.field: answerKey.customers has no corrected mobile for BL100231']);
    expect(problems(S1, (s) => s.answerKey.plantedErrors.push({ accountNumber: 'BL100232', field: 'town', seedValue: s.seed.customers[1]!.town }))).toEqual([
      'answerKey.plantedErrors.1.field: answerKey.customers has no corrected town for BL100232',
    ]);
    expect(problems(S1, (s) => (s.answerKey.customers[0]!.mobile = '07700 900412'))).toEqual(['answerKey.plantedErrors.0.field: the corrected mobile equals the planted value']);
  });
  it('compares a planted boolean as text', () => {
    expect(
      problems(S1, (s) => {
        s.answerKey.plantedErrors.push({ accountNumber: 'BL100231', field: 'doNotCall', seedValue: 'false' });
        s.answerKey.customers[0]!.doNotCall = true;
      }),
    ).toEqual([]);
    expect(problems(S1, (s) => s.answerKey.plantedErrors.push({ accountNumber: 'BL100231', field: 'doNotCall', seedValue: 'true' }))).toEqual([
      'answerKey.plantedErrors.1.seedValue: the seed\'s doNotCall of BL100231 is "false", not "true"',
      'answerKey.plantedErrors.1.field: answerKey.customers has no corrected doNotCall for BL100231',
    ]);
  });
  it('refuses an untouched account that is unknown, the primary one, or expected to change', () => {
    expect(problems(S1, (s) => s.answerKey.untouchedAccounts.push('BL999999'))).toEqual(['answerKey.untouchedAccounts.2: no customer in this scenario\'s seed has the account number "BL999999"']);
    expect(problems(S1, (s) => s.answerKey.untouchedAccounts.push('BL100231'))).toEqual([
      'answerKey.untouchedAccounts.2: BL100231 is the primary account',
      'answerKey.untouchedAccounts.2: BL100231 also has expected changes in answerKey.customers',
    ]);
    expect(
      problems(S1, (s) => {
        s.answerKey.customers.push({ accountNumber: 'BL100232', town: 'Otley' });
      }),
    ).toEqual(['answerKey.untouchedAccounts.0: BL100232 also has expected changes in answerKey.customers']);
  });
});

describe('checkScenario: orders, cases, callbacks, wrap-up and print-outs', () => {
  const order = { accountNumber: 'BL100231', lines: [{ productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' as const }], optionalLines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' as const }] };
  it('accepts an order of seed products and refuses an unknown account or product, line by line', () => {
    expect(problems(S1, (s) => s.answerKey.orders.push(structuredClone(order)))).toEqual([]);
    expect(
      problems(S1, (s) =>
        s.answerKey.orders.push({ ...structuredClone(order), accountNumber: 'BL999999', lines: [order.lines[0]!, { productCode: 'TV-SPORTS', quantity: 1, saleType: 'standard' }] }),
      ),
    ).toEqual([
      'answerKey.orders.0.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"',
      'answerKey.orders.0.lines.1.productCode: no product in this scenario\'s seed has the code "TV-SPORTS"',
    ]);
    expect(problems(S1, (s) => s.answerKey.orders.push({ ...structuredClone(order), optionalLines: [{ productCode: 'TV-SPORTS', quantity: 1, saleType: 'cross_sell' }] }))).toEqual([
      'answerKey.orders.0.optionalLines.0.productCode: no product in this scenario\'s seed has the code "TV-SPORTS"',
    ]);
  });
  it('refuses a case category the candidate could not choose; no category is fine', () => {
    expect(problems(S1, (s) => (s.answerKey.cases[0]!.category = 'MOVING'))).toEqual([
      'answerKey.cases.0.category: "MOVING" is not one of the seed\'s caseCategories, so the candidate could not choose it',
    ]);
    expect(problems(S1, (s) => (s.answerKey.cases[0]!.category = null))).toEqual([]);
  });
  it('refuses a callback due window that ends before it starts, in days or in time', () => {
    const due = (change: (d: Scenario['answerKey']['callbacks'][number]['due']) => void) => (s: Scenario) => change(s.answerKey.callbacks[0]!.due);
    expect(problems(S5, due((d) => (d.latest.days = 41)))).toEqual(['answerKey.callbacks.0.due.latest: the latest day is before the earliest']);
    expect(problems(S5, due((d) => (d.latest.days = 42)))).toEqual([]);
    // 41 working days may well be later than 42 calendar days: not compared.
    expect(problems(S5, due((d) => ((d.latest.days = 41), (d.latest.workingDays = true))))).toEqual([]);
    expect(problems(S5, due((d) => (d.timeTo = '17:59')))).toEqual(['answerKey.callbacks.0.due.timeTo: the time window ends before it starts']);
    expect(problems(S5, due((d) => (d.timeTo = '18:00')))).toEqual(['answerKey.callbacks.0.due.timeTo: the time window ends before it starts']);
    expect(problems(S5, due((d) => (d.timeTo = '18:01')))).toEqual([]);
    expect(problems(S5, due((d) => ((d.timeTo = '08:00'), delete d.timeFrom)))).toEqual([]);
    expect(problems(S5, due((d) => delete d.timeTo))).toEqual([]);
  });
  it('refuses a callback for an unknown account', () => {
    expect(problems(S5, (s) => (s.answerKey.callbacks[0]!.accountNumber = 'BL999999'))).toEqual(['answerKey.callbacks.0.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"']);
  });
  it('refuses a wrap-up code not in the seed, at its index', () => {
    expect(problems(S1, (s) => s.answerKey.wrapUp.codes.push('MOVED'))).toEqual(['answerKey.wrapUp.codes.1: no wrap-up code "MOVED" in the seed']);
  });
  it('refuses a print-out of an unknown account', () => {
    expect(problems(S1, (s) => s.answerKey.printouts.push({ kind: 'customer', accountNumber: 'BL100231' }, { kind: 'case', accountNumber: 'BL999999' }))).toEqual([
      'answerKey.printouts.1.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"',
    ]);
  });
});

describe('checkScenario: follow-ups', () => {
  it('refuses an e-mail to a customer with no address after the call, and takes the address the key gives', () => {
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.to.accountNumber = 'BL100518'))).toEqual(['answerKey.followUps.0.to: BL100518 has no e-mail address after the call to send the e-mail to']);
    expect(
      problems(S1, (s) => {
        s.answerKey.followUps[0]!.to.accountNumber = 'BL100518';
        s.answerKey.customers.push({ accountNumber: 'BL100518', email: 'george.whitfield@example.co.uk' });
      }),
    ).toEqual([]);
  });
  it('refuses an e-mail to an address the key removes', () => {
    expect(problems(S1, (s) => (s.answerKey.customers[0]!.email = null))).toEqual(['answerKey.followUps.0.to: BL100231 has no e-mail address after the call to send the e-mail to']);
  });
  it('refuses a follow-up to an unknown account, once', () => {
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.to.accountNumber = 'BL999999'))).toEqual([
      'answerKey.followUps.0.to.accountNumber: no customer in this scenario\'s seed has the account number "BL999999"',
    ]);
  });
  it('refuses an SMS to a customer with no mobile, or to a mobile that cannot take one', () => {
    expect(problems(S6, (s) => (s.answerKey.followUps[0]!.to.accountNumber = 'BL100518'))).toEqual(['answerKey.followUps.0.to: BL100518 has no mobile number after the call to send the SMS to']);
    expect(problems(S6, (s) => s.answerKey.customers.push({ accountNumber: 'BL100455', mobile: '0161 496 0999' }))).toEqual([
      "answerKey.followUps.0.to: BL100455's mobile after the call, 0161 496 0999, cannot take an SMS",
    ]);
  });
  it('refuses an SMS with copy recipients or attachments', () => {
    expect(problems(S6, (s) => s.answerKey.followUps[0]!.cc.push('field.support@brightline.example.co.uk'))).toEqual(['answerKey.followUps.0.channel: an SMS has no copy recipients or attachments']);
    expect(problems(S6, (s) => s.answerKey.followUps[0]!.attachments.push('troubleshooting-guide'))).toEqual(['answerKey.followUps.0.channel: an SMS has no copy recipients or attachments']);
  });
  it('refuses a template the seed does not have, or of the other channel; none is fine', () => {
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.templateKey = 'email-moving'))).toEqual(['answerKey.followUps.0.templateKey: no template "email-moving" in the seed']);
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.templateKey = 'sms-callback'))).toEqual(['answerKey.followUps.0.templateKey: template "sms-callback" is for sms, not email']);
    expect(problems(S1, (s) => (s.answerKey.followUps[0]!.templateKey = null))).toEqual([]);
  });
  it('refuses an attachment the seed does not have, at its index', () => {
    expect(problems(S6, (s) => s.answerKey.followUps[1]!.attachments.push('terms'))).toEqual(['answerKey.followUps.1.attachments.1: no document "terms" in the seed']);
  });
});

describe('checkScenario: dialling (outbound)', () => {
  it('refuses an outbound scenario with no numbers to dial or no call list', () => {
    expect(problems(S5, (s) => delete s.answerKey.dialling)).toEqual([
      'answerKey.dialling: an outbound scenario needs the numbers to dial (and not to dial)',
      'autoChecks.2.kind: answerKey.dialling is missing',
    ]);
    expect(
      problems(S5, (s) => {
        s.seed.callList = [];
        delete s.answerKey.dialling;
      }),
    ).toEqual([
      "callerBrief.persona.phone: the number 0131 496 0544 is not on the seed's call list",
      'answerKey.dialling: an outbound scenario needs the numbers to dial (and not to dial)',
      'seed.callList: an outbound scenario needs a call list',
      'autoChecks.2.kind: answerKey.dialling is missing',
    ]);
  });
  it('accepts numbers to dial on an inbound scenario when they fit its call list', () => {
    expect(problems(S1, (s) => (s.answerKey.dialling = { mustDial: ['0161 496 0871'], mustNotDial: ['0121 496 0390', '07700 900301'] }))).toEqual([]);
  });
  it('refuses a number to dial that is not on the list, or is do-not-call on the list or on the record', () => {
    expect(problems(S5, (s) => s.answerKey.dialling!.mustDial.push('0131 496 0999'))).toEqual(["answerKey.dialling.mustDial.1: 0131 496 0999 is not on the seed's call list"]);
    expect(problems(S5, (s) => s.answerKey.dialling!.mustDial.push('0121 496 0390'))).toEqual(['answerKey.dialling.mustDial.1: 0121 496 0390 (Mrs Joan Ellis) is marked do-not-call']);
    expect(problems(S5, (s) => s.answerKey.dialling!.mustDial.push('07700 900301'))).toEqual(['answerKey.dialling.mustDial.1: 07700 900301 (Miss Chloe Bennett) is marked do-not-call']);
    expect(problems(S5, (s) => s.answerKey.dialling!.mustDial.push('0161 496 0871'))).toEqual([]);
  });
  it('refuses a number not to dial that is not on the list', () => {
    expect(problems(S5, (s) => s.answerKey.dialling!.mustNotDial.push('0131 496 0999'))).toEqual(["answerKey.dialling.mustNotDial.2: 0131 496 0999 is not on the seed's call list"]);
  });
  it('refuses a key that forgets a lead barred on the list or on its record, comparing numbers however written', () => {
    expect(problems(S5, (s) => (s.answerKey.dialling!.mustNotDial = ['07700900301']))).toEqual(['answerKey.dialling.mustNotDial: call-list entry 3 (Mrs Joan Ellis) is do-not-call but not in mustNotDial']);
    expect(problems(S5, (s) => (s.answerKey.dialling!.mustNotDial = ['+44 121 496 0390']))).toEqual([
      'answerKey.dialling.mustNotDial: call-list entry 1 (Miss Chloe Bennett) is do-not-call but not in mustNotDial',
    ]);
  });
});

describe('checkScenario: the inbox', () => {
  it('refuses a first message or a filed message past the seed’s messages, and a folder the seed does not have', () => {
    expect(problems(S6, (s) => (s.answerKey.inbox!.actionFirst = 3))).toEqual(['answerKey.inbox.actionFirst: the seed has 3 message(s); there is no message 3']);
    expect(problems(S6, (s) => (s.answerKey.inbox!.actionFirst = 2))).toEqual([]);
    expect(problems(S6, (s) => (s.answerKey.inbox!.file[1]!.message = 3))).toEqual(['answerKey.inbox.file.1.message: the seed has 3 message(s); there is no message 3']);
    expect(problems(S6, (s) => (s.answerKey.inbox!.file[1]!.message = 2))).toEqual([]);
    expect(problems(S6, (s) => (s.answerKey.inbox!.file[2]!.folder = 'Spam'))).toEqual([
      'answerKey.inbox.file.2.folder: "Spam" is not one of the seed\'s messageFolders, so the candidate could not file it there',
    ]);
  });
  it('compares folders ignoring case on both sides', () => {
    expect(problems(S6, (s) => (s.answerKey.inbox!.file[0]!.folder = 'FAULTS - Actioned'))).toEqual([]);
    expect(problems(S6, (s) => (s.seed.messageFolders = ['faults - ACTIONED', 'team notices']))).toEqual([]);
  });
});

describe('checkScenario: auto-checks', () => {
  it('refuses an unknown criterion (and so one outside the rubric)', () => {
    expect(problems(S1, withCheck({ criterionId: 'U2-6.1-telepathy', kind: 'wrap-up' }))).toEqual([
      'autoChecks.8.criterionId: "U2-6.1-telepathy" is not a criterion in the catalogue',
      'autoChecks.8.criterionId: "U2-6.1-telepathy" is not in this scenario\'s rubric',
    ]);
  });
  it('refuses a subjective criterion, saying how it is measured', () => {
    expect(problems(S1, withCheck({ criterionId: 'U2-1.4-close-style', kind: 'wrap-up' }))).toEqual([
      'autoChecks.8.criterionId: "U2-1.4-close-style" is measured S+H, not from the event log or call timing, so it cannot be auto-checked',
    ]);
  });
  it('refuses an answer-time check on an outbound call and a preparation check on an inbound one', () => {
    expect(problems(S5, withCheck({ criterionId: 'U2-3.2-comply', kind: 'answer-time', maxRingSeconds: 10 }))).toEqual(['autoChecks.8.kind: answer time applies to inbound calls only']);
    expect(problems(S1, withCheck({ criterionId: 'U2-1.1-verify-id', kind: 'prepared-before-dial', accountNumber: 'BL100231', noteRequired: false }))).toEqual([
      'autoChecks.8.kind: preparation before dialling applies to outbound calls only',
    ]);
  });
  it('refuses each account-based check on an unknown account', () => {
    const unknown = "autoChecks.8.accountNumber: no customer in this scenario's seed has the account number \"BL999999\"";
    const id = 'U2-1.1-verify-id';
    expect(problems(S1, withCheck({ criterionId: id, kind: 'identity-before-access', accountNumber: 'BL999999', minFactors: 2, flagOtherRecords: false }))).toEqual([unknown]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'required-fields', accountNumber: 'BL999999', fields: ['town'] }))).toEqual([unknown]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'retrieval-time', accountNumber: 'BL999999', maxSeconds: 30 }))).toEqual([unknown]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'credit-within-limit', accountNumber: 'BL999999', maxCreditPence: 100 }))).toEqual([unknown]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'notes-mention', accountNumber: 'BL999999', mustMention: ['move'] }))).toEqual([unknown]);
    expect(problems(S5, withCheck({ criterionId: 'U2-3.2-comply', kind: 'prepared-before-dial', accountNumber: 'BL999999', noteRequired: false }))).toEqual([unknown]);
  });
  it('refuses a field-accuracy check with no expected customer, or a field the key does not give', () => {
    expect(problems(S1, withCheck({ criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL100232', fields: ['town'] }))).toEqual([
      'autoChecks.8.accountNumber: answerKey.customers has no entry for BL100232',
    ]);
    expect(problems(S1, withCheck({ criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL100231', fields: ['town', 'email', 'mobile'] }))).toEqual([
      'autoChecks.8.fields.1: answerKey.customers gives no expected email for BL100231',
    ]);
  });
  it('refuses a planted-error check the key has no planted error for (account and field both count)', () => {
    expect(problems(S1, withCheck({ criterionId: 'U2-6.1-accurate-entry', kind: 'planted-error-corrected', accountNumber: 'BL100231', field: 'town' }))).toEqual([
      'autoChecks.8.field: answerKey.plantedErrors has no town for BL100231',
    ]);
    expect(problems(S1, withCheck({ criterionId: 'U2-6.1-accurate-entry', kind: 'planted-error-corrected', accountNumber: 'BL100232', field: 'mobile' }))).toEqual([
      'autoChecks.8.field: answerKey.plantedErrors has no mobile for BL100232',
    ]);
  });
  it('refuses a check of a part of the key that is empty or missing', () => {
    const id = 'U2-1.1-verify-id';
    expect(problems(S1, (s) => ((s.answerKey.untouchedAccounts = []), s.autoChecks.push({ criterionId: id, kind: 'no-unrelated-edits' })))).toEqual(['autoChecks.8.kind: answerKey.untouchedAccounts is empty']);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'no-unrelated-edits' }))).toEqual([]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'do-not-call-respected' }))).toEqual(['autoChecks.8.kind: answerKey.dialling is missing']);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'printout-made' }))).toEqual(['autoChecks.8.kind: answerKey.printouts is empty']);
    expect(problems(S1, (s) => (s.answerKey.printouts.push({ kind: 'case', accountNumber: 'BL100231' }), s.autoChecks.push({ criterionId: id, kind: 'printout-made' })))).toEqual([]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'messages-processed' }))).toEqual(['autoChecks.8.kind: answerKey.inbox is missing']);
  });
  it('refuses an index past the answer key’s list, saying how many entries it has', () => {
    const id = 'U2-1.1-verify-id';
    expect(problems(S1, withCheck({ criterionId: id, kind: 'case-matches', index: 1 }))).toEqual(['autoChecks.8.index: answerKey.cases has 1 entry; there is no 1']);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'case-matches', index: 0 }))).toEqual([]);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'order-matches', index: 0 }))).toEqual(['autoChecks.8.index: answerKey.orders has 0 entries; there is no 0']);
    expect(problems(S1, withCheck({ criterionId: id, kind: 'callback-matches', index: 2 }))).toEqual(['autoChecks.8.index: answerKey.callbacks has 0 entries; there is no 2']);
    expect(problems(S6, withCheck({ criterionId: 'U2-7.2-recipients', kind: 'follow-up-sent', index: 2, aspects: ['recipients'] }))).toEqual([
      'autoChecks.11.index: answerKey.followUps has 2 entries; there is no 2',
    ]);
  });
  it('accepts the checks that need nothing of the key', () => {
    const id = 'U2-1.1-verify-id';
    expect(
      problems(S1, (s) =>
        s.autoChecks.push(
          { criterionId: 'U2-4.2-hold-max-60', kind: 'hold-recheck', maxHoldSeconds: 60 },
          { criterionId: id, kind: 'search-count', minSearches: 2 },
          { criterionId: id, kind: 'handle-time', maxSeconds: 600 },
          { criterionId: id, kind: 'no-interrupt-opening', openingSeconds: 20 },
        ),
      ),
    ).toEqual([]);
  });
});
