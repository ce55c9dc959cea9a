// A scenario as the assessment rules read it (server/assessment/scenario-adapters.ts): the rubric,
// the answer key with field kinds, due dates and message labels worked out, the auto-checks the
// rules evaluate (follow-ups split per aspect, the others handed to the assessor in words) and the
// coverage entry. Expected values are written out from the scenario files by hand.
import { describe, expect, it } from 'vitest';
import { finalCustomerValue, followUpAddress, toCoverageScenario, toRulesAnswerKey, toRulesAutoChecks, toRulesRubric } from '../../../server/assessment/scenario-adapters.js';
import type { AutoCheck, Scenario } from '../../../server/assessment/scenario-schema.js';
import { shippedScenario } from './shipped-scenario.js';

const S1 = shippedScenario('s1-home-move.json');
const S5 = shippedScenario('s5-outbound-contract-end.json');
const S6 = shippedScenario('s6-message-fault-follow-up.json');
const changed = (base: Scenario, change: (s: Scenario) => void): Scenario => {
  const s = structuredClone(base);
  change(s);
  return s;
};
/** S1 with only these auto-checks. */
const withChecks = (checks: AutoCheck[]): Scenario => changed(S1, (s) => (s.autoChecks = checks));
/** A sitting-day function that says what it was asked. */
const sittingDay = (d: { days: number; workingDays: boolean }) => `day ${d.days}${d.workingDays ? ' working' : ''}`;

describe('toRulesRubric', () => {
  it('keeps the criterion and its marks of each line, in order', () => {
    const rubric = toRulesRubric(S1);
    expect(rubric).toHaveLength(12);
    expect(rubric[0]).toEqual({ criterionId: 'U2-1.1-answer-time', maxMarks: 1 });
    expect(rubric.map((c) => c.criterionId)).toEqual(S1.rubric.map((c) => c.criterionId));
  });
});

describe('finalCustomerValue and followUpAddress', () => {
  it("takes the answer key's value, else the seed's; an unknown account has none", () => {
    expect(finalCustomerValue(S1, 'BL100231', 'mobile')).toBe('07700 900871');
    expect(finalCustomerValue(S1, 'BL100231', 'email')).toBe('margaret.hughes@example.co.uk');
    expect(finalCustomerValue(S1, 'BL100232', 'town')).toBe(S1.seed.customers[1]!.town);
    expect(finalCustomerValue(S1, 'BL999999', 'town')).toBeUndefined();
    // A value the key clears is null, not the seed's.
    expect(finalCustomerValue(changed(S1, (s) => (s.answerKey.customers[0]!.email = null)), 'BL100231', 'email')).toBeNull();
  });
  it('gives the address of the channel, and says when there is none', () => {
    expect(followUpAddress(S6, S6.answerKey.followUps[0]!)).toBe('07700 900233');
    expect(followUpAddress(S6, S6.answerKey.followUps[1]!)).toBe('aisha.rahman@example.org');
    expect(() => followUpAddress(S1, { ...S1.answerKey.followUps[0]!, to: { accountNumber: 'BL100518' } })).toThrow(
      new Error('BL100518 has no e-mail address (the schema should have refused this)'),
    );
    expect(() => followUpAddress(S6, { ...S6.answerKey.followUps[0]!, to: { accountNumber: 'BL100518' } })).toThrow(new Error('BL100518 has no mobile (the schema should have refused this)'));
  });
});

describe('toRulesAnswerKey', () => {
  it('S1 in full: its field checks, wrap-up, identity, case, follow-up and planted error', () => {
    expect(toRulesAnswerKey(S1)).toEqual({
      fields: [
        { record: { type: 'customer', key: 'BL100231' }, field: 'addressLine1', kind: 'text', expected: '22 Larkfield Crescent' },
        { record: { type: 'customer', key: 'BL100231' }, field: 'addressLine2', kind: 'text', expected: 'Rawdon' },
        { record: { type: 'customer', key: 'BL100231' }, field: 'town', kind: 'text', expected: 'Leeds' },
        { record: { type: 'customer', key: 'BL100231' }, field: 'postcode', kind: 'postcode', expected: 'LS19 6EH' },
      ],
      requiredFields: [],
      wrapUp: { codes: ['MOVE'], notesRequired: true },
      followUps: [{ channel: 'email', to: 'margaret.hughes@example.co.uk', cc: [], attachments: [], templateKey: 'email-home-move', withinMinutes: 30, label: '"Home move confirmation" e-mail' }],
      identity: { accounts: ['BL100231'], questions: 2 },
      cases: [{ account: 'BL100231', type: 'query', category: 'HOME_MOVE', priorities: ['low', 'medium'], escalated: false, maxCreditPence: null, mentions: ['{{moveDate}}', 'LS19 6EH'] }],
      orders: [],
      callbacks: [],
      printouts: [],
      untouchedAccounts: ['BL100232', 'BL100240'],
      plantedErrors: [{ record: { type: 'customer', key: 'BL100231' }, field: 'mobile', kind: 'phone', expected: '07700 900871' }],
      // The seed's names for its codes, as the evidence reads them.
      names: {
        wrapUpOutcomes: { INFO: 'Information given', MOVE: 'Home move booked', SALE: 'Sale made', NO_SALE: 'No sale', COMPLAINT: 'Complaint logged', FAULT: 'Fault reported', CALLBACK: 'Callback arranged', ID_FAILED: 'Caller failed security', WRONG_NUMBER: 'Wrong number', BILLING: 'Billing query answered' },
        caseCategories: { HOME_MOVE: 'Home move', BILLING: 'Billing', FAULT: 'Fault', MISSED_APPOINTMENT: 'Missed appointment', SERVICE_QUALITY: 'Service quality', STAFF_CONDUCT: 'Staff conduct', SALES_ENQUIRY: 'Sales enquiry', OTHER: 'Other' },
        products: { 'BB-FIBRE-100': 'Fibre 100', 'BB-FIBRE-500': 'Full Fibre 500', 'BB-GIGA-900': 'Gigabit 900', 'TV-ESSENTIALS': 'TV Essentials', 'PH-ANYTIME': 'Anytime UK Calls', 'WIFI-MESH': 'Wi-Fi Mesh Extender' },
        templates: {
          'email-order-confirmation': 'Order confirmation',
          'email-complaint-acknowledgement': 'Complaint acknowledgement',
          'email-home-move': 'Home move confirmation',
          'email-info-pack': 'Information pack',
          'sms-appointment': 'Engineer appointment',
          'sms-callback': 'Callback time',
          'email-bill-explanation': 'Bill explanation',
          'email-fault-guide': 'Fault follow-up with guide',
        },
        documents: { 'terms-summary': 'Broadband terms summary', 'info-pack': 'Broadband information pack', 'troubleshooting-guide': 'Troubleshooting guide: broadband dropping' },
      },
    });
  });

  it('S5 with the sitting day: dialling, the callback due window and its hours', () => {
    const key = toRulesAnswerKey(S5, sittingDay);
    expect(key.dialling).toEqual({ mustNotDial: ['07700 900301', '0121 496 0390'] });
    expect(key.callbacks).toEqual([{ account: 'BL100903', kind: 'callback', priorities: ['normal', 'high'], dueFrom: 'day 42', dueTo: 'day 49', timeFrom: '18:00', timeTo: '20:00', mentions: ['Northwire'] }]);
    expect(key.followUps).toEqual([{ channel: 'email', to: 'rob.campbell@example.org', cc: [], attachments: ['info-pack'], templateKey: 'email-info-pack', withinMinutes: 30, label: '"Information pack" e-mail' }]);
    expect(key.identity).toEqual({ accounts: ['BL100903'], questions: 1 });
    expect(key).not.toHaveProperty('inbox');
  });

  it('without the sitting day a callback has no dates; without both hours, no time window', () => {
    expect(toRulesAnswerKey(S5).callbacks).toEqual([{ account: 'BL100903', kind: 'callback', priorities: ['normal', 'high'], timeFrom: '18:00', timeTo: '20:00', mentions: ['Northwire'] }]);
    const noEnd = changed(S5, (s) => delete s.answerKey.callbacks[0]!.due.timeTo);
    expect(toRulesAnswerKey(noEnd, sittingDay).callbacks).toEqual([{ account: 'BL100903', kind: 'callback', priorities: ['normal', 'high'], dueFrom: 'day 42', dueTo: 'day 49', mentions: ['Northwire'] }]);
    const noStart = changed(S5, (s) => delete s.answerKey.callbacks[0]!.due.timeFrom);
    expect(toRulesAnswerKey(noStart).callbacks).toEqual([{ account: 'BL100903', kind: 'callback', priorities: ['normal', 'high'], mentions: ['Northwire'] }]);
    expect(toRulesAnswerKey(S1)).not.toHaveProperty('dialling');
  });

  it('S6: an SMS without copy recipients, an e-mail with them, and the inbox with the attempt’s message ids', () => {
    const key = toRulesAnswerKey(S6, sittingDay, [501, 502, 503]);
    expect(key.followUps).toEqual([
      { channel: 'sms', to: '07700 900233', attachments: [], templateKey: 'sms-appointment', withinMinutes: 30, label: '"Engineer appointment" SMS' },
      { channel: 'email', to: 'aisha.rahman@example.org', cc: ['field.support@brightline.example.co.uk'], attachments: ['troubleshooting-guide'], templateKey: 'email-fault-guide', withinMinutes: 30, label: '"Fault follow-up with guide" e-mail' },
    ]);
    expect(key.callbacks).toEqual([{ account: 'BL100455', kind: 'task', priorities: ['normal', 'high'], dueFrom: 'day 1 working', dueTo: 'day 2 working', timeFrom: '08:00', timeTo: '13:00', mentions: ['engineer'] }]);
    expect(key.inbox).toEqual({
      actionFirst: { messageId: 501, label: 'e-mail "Broadband keeps dropping - account BL100445"', account: 'BL100455' },
      file: [
        { messageId: 501, label: 'e-mail "Broadband keeps dropping - account BL100445"', folder: 'Faults - actioned' },
        { messageId: 502, label: 'e-mail "Engineer slots this week"', folder: 'Team notices' },
        { messageId: 503, label: 'e-mail "New year quiz night"', folder: 'Team notices' },
      ],
    });
    expect(key.dialling).toEqual({ mustNotDial: [] });
    expect(key.untouchedAccounts).toEqual(['BL100445']);
  });

  it('labels an SMS and a message with no subject by the start of its body; a message the seed lacks by its number; no id without one', () => {
    const s = changed(S6, (x) => {
      x.seed.messages[1]!.channel = 'sms';
      x.seed.messages[1]!.subject = null;
      x.seed.messages[1]!.body = 'Engineer slots: Tuesday and Thursday mornings only this week, 8 to 1.';
      x.seed.messages[2]!.subject = null;
      x.answerKey.inbox!.file.push({ message: 7, folder: 'Team notices' });
    });
    const inbox = toRulesAnswerKey(s, undefined, [9]).inbox!;
    expect(inbox.file).toEqual([
      { messageId: 9, label: 'e-mail "Broadband keeps dropping - account BL100445"', folder: 'Faults - actioned' },
      { messageId: null, label: 'SMS "Engineer slots: Tuesday and Thursday mor"', folder: 'Team notices' },
      { messageId: null, label: `e-mail "${S6.seed.messages[2]!.body.slice(0, 40)}"`, folder: 'Team notices' },
      { messageId: null, label: 'message 8', folder: 'Team notices' },
    ]);
    expect(toRulesAnswerKey(S6).inbox!.actionFirst.messageId).toBeNull();
  });

  it('field checks: each account and field once, the seed’s value when the key gives none, null when neither has one', () => {
    const s = withChecks([
      { criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL100231', fields: ['postcode', 'lastName'] },
      { criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL100231', fields: ['postcode', 'doNotCall'] },
      { criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL100232', fields: ['postcode'] },
      { criterionId: 'U2-6.1-accurate-entry', kind: 'field-accuracy', accountNumber: 'BL999999', fields: ['email'] },
      { criterionId: 'U2-1.1-verify-id', kind: 'required-fields', accountNumber: 'BL100231', fields: ['email', 'mobile'] },
      { criterionId: 'U2-1.1-verify-id', kind: 'required-fields', accountNumber: 'BL100232', fields: ['email'] },
    ]);
    const key = toRulesAnswerKey(s);
    const customer = (key: string) => ({ type: 'customer', key });
    expect(key.fields).toEqual([
      { record: customer('BL100231'), field: 'postcode', kind: 'postcode', expected: 'LS19 6EH' },
      { record: customer('BL100231'), field: 'lastName', kind: 'name', expected: 'Hughes' },
      { record: customer('BL100231'), field: 'doNotCall', kind: 'boolean', expected: false },
      { record: customer('BL100232'), field: 'postcode', kind: 'postcode', expected: S1.seed.customers[1]!.postcode },
      { record: customer('BL999999'), field: 'email', kind: 'email', expected: null },
    ]);
    expect(key.requiredFields).toEqual([
      { record: customer('BL100231'), field: 'email' },
      { record: customer('BL100231'), field: 'mobile' },
      { record: customer('BL100232'), field: 'email' },
    ]);
  });

  it('no identity check required: no accounts; orders and print-outs copied; a follow-up without a template labelled by its channel', () => {
    const s = changed(S1, (x) => {
      x.answerKey.identity = { required: false, minFactors: 3 };
      x.answerKey.orders.push({ accountNumber: 'BL100231', lines: [{ productCode: 'BB-FIBRE-500', quantity: 2, saleType: 'upsell' }], optionalLines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] });
      x.answerKey.printouts.push({ kind: 'order', accountNumber: 'BL100231' });
      x.answerKey.followUps[0]!.templateKey = null;
      x.answerKey.plantedErrors.push({ accountNumber: 'BL100232', field: 'town', seedValue: 'x' });
    });
    const key = toRulesAnswerKey(s);
    expect(key.identity).toEqual({ accounts: [], questions: 3 });
    expect(key.orders).toEqual([{ account: 'BL100231', lines: [{ productCode: 'BB-FIBRE-500', quantity: 2, saleType: 'upsell' }], optionalLines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }]);
    expect(key.printouts).toEqual([{ kind: 'order', account: 'BL100231' }]);
    expect(key.followUps?.[0]).toMatchObject({ templateKey: null, label: 'e-mail' });
    expect(key.plantedErrors?.[1]).toEqual({ record: { type: 'customer', key: 'BL100232' }, field: 'town', kind: 'text', expected: S1.seed.customers[1]!.town });
    const none = changed(s, (x) => x.answerKey.plantedErrors.push({ accountNumber: 'BL999999', field: 'town', seedValue: 'x' }));
    expect(toRulesAnswerKey(none).plantedErrors?.[2]).toMatchObject({ expected: null });
  });
});

describe('toRulesAutoChecks', () => {
  it('hands each kind the rules evaluate over with its parameters, and the others to the assessor in words', () => {
    const id = 'U2-1.1-verify-id';
    const checks = toRulesAutoChecks(
      withChecks([
        { criterionId: id, kind: 'answer-time', maxRingSeconds: 15 },
        { criterionId: id, kind: 'hold-limit', maxHoldSeconds: 60 },
        { criterionId: id, kind: 'hold-recheck', maxHoldSeconds: 45 },
        { criterionId: 'U2-4.2-hold-max-60', kind: 'hold-recheck', maxHoldSeconds: 45, sameWaitGapSeconds: 20 },
        { criterionId: id, kind: 'identity-before-access', accountNumber: 'BL100231', minFactors: 2, flagOtherRecords: true },
        { criterionId: id, kind: 'field-accuracy', accountNumber: 'BL100231', fields: ['town'] },
        { criterionId: id, kind: 'required-fields', accountNumber: 'BL100231', fields: ['town'] },
        { criterionId: id, kind: 'wrap-up' },
        { criterionId: id, kind: 'do-not-call-respected' },
        { criterionId: id, kind: 'case-matches', index: 0 },
        { criterionId: id, kind: 'order-matches', index: 1 },
        { criterionId: id, kind: 'callback-matches', index: 2 },
        { criterionId: id, kind: 'credit-within-limit', accountNumber: 'BL100231', maxCreditPence: 2500 },
        { criterionId: id, kind: 'printout-made' },
        { criterionId: id, kind: 'no-unrelated-edits' },
        { criterionId: id, kind: 'prepared-before-dial', accountNumber: 'BL100231', noteRequired: true },
        { criterionId: id, kind: 'planted-error-corrected', accountNumber: 'BL100231', field: 'mobile' },
        { criterionId: id, kind: 'handle-time', maxSeconds: 480 },
        { criterionId: id, kind: 'messages-processed' },
        { criterionId: id, kind: 'retrieval-time', accountNumber: 'BL100231', maxSeconds: 30 },
        { criterionId: id, kind: 'search-count', minSearches: 3 },
        { criterionId: id, kind: 'notes-mention', accountNumber: 'BL100231', mustMention: ['move'] },
        { criterionId: id, kind: 'no-interrupt-opening', openingSeconds: 20 },
      ]),
    );
    // Strict: no stray keys (an index: undefined would say the check fell into another kind's case).
    expect(checks).toStrictEqual([
      { kind: 'answer-time', criterionId: id, maxRingSeconds: 15 },
      { kind: 'hold-limit', criterionId: id, maxHoldSeconds: 60 },
      { kind: 'hold-recheck', criterionId: id, maxHoldSeconds: 45 },
      { kind: 'hold-recheck', criterionId: 'U2-4.2-hold-max-60', maxHoldSeconds: 45, sameWaitGapSeconds: 20 },
      { kind: 'identity-before-access', criterionId: id, flagOtherRecords: true, minFactors: 2 },
      { kind: 'field-accuracy', criterionId: id },
      { kind: 'required-fields', criterionId: id },
      { kind: 'wrap-up', criterionId: id },
      { kind: 'do-not-call-respected', criterionId: id },
      { kind: 'case-matches', criterionId: id, index: 0 },
      { kind: 'order-matches', criterionId: id, index: 1 },
      { kind: 'callback-matches', criterionId: id, index: 2 },
      { kind: 'credit-within-limit', criterionId: id, account: 'BL100231', maxCreditPence: 2500 },
      { kind: 'printout-made', criterionId: id },
      { kind: 'no-unrelated-edits', criterionId: id },
      { kind: 'prepared-before-dial', criterionId: id, account: 'BL100231', noteRequired: true },
      { kind: 'planted-error-corrected', criterionId: id, account: 'BL100231', field: 'mobile' },
      { kind: 'handle-time', criterionId: id, maxSeconds: 480 },
      { kind: 'messages-processed', criterionId: id },
      { kind: 'assessor-judgement', criterionId: id, what: 'How quickly the right record was found (opening a record is reported by the browser)' },
      { kind: 'assessor-judgement', criterionId: id, what: 'The searches run (they are reported by the browser)' },
      { kind: 'assessor-judgement', criterionId: id, what: 'What the notes say' },
      { kind: 'assessor-judgement', criterionId: id, what: 'Whether the candidate let the caller finish the opening (heard on the recording)' },
    ]);
    expect(checks[2]).not.toHaveProperty('sameWaitGapSeconds');
  });

  it('splits a follow-up check per aspect: recipients once per criterion, the others per follow-up, content to the assessor', () => {
    const a = 'U2-7.2-recipients';
    const b = 'U2-7.2-compose';
    const checks = toRulesAutoChecks(
      withChecks([
        { criterionId: a, kind: 'follow-up-sent', index: 0, aspects: ['recipients', 'transmit', 'attachments', 'deadline', 'template', 'content'] },
        { criterionId: a, kind: 'follow-up-sent', index: 1, aspects: ['transmit', 'attachments', 'deadline', 'template', 'content'] },
        { criterionId: b, kind: 'follow-up-sent', index: 0, aspects: ['transmit', 'deadline'] },
      ]),
    );
    expect(checks).toEqual([
      { kind: 'follow-up-recipients', criterionId: a },
      { kind: 'follow-up-attachments', criterionId: a, index: 0 },
      { kind: 'follow-up-deadline', criterionId: a, index: 0 },
      { kind: 'follow-up-template', criterionId: a, index: 0 },
      { kind: 'assessor-judgement', criterionId: a, what: 'Whether the message says what the key asks for (facts, reference, dates)' },
      { kind: 'follow-up-attachments', criterionId: a, index: 1 },
      { kind: 'follow-up-deadline', criterionId: a, index: 1 },
      { kind: 'follow-up-template', criterionId: a, index: 1 },
      { kind: 'follow-up-recipients', criterionId: b },
      { kind: 'follow-up-deadline', criterionId: b, index: 0 },
    ]);
  });

  it('hands over a check repeated word for word once, but the same kind on two criteria twice', () => {
    const checks = toRulesAutoChecks(
      withChecks([
        { criterionId: 'U2-6.1-interaction-record', kind: 'wrap-up' },
        { criterionId: 'U2-6.1-interaction-record', kind: 'wrap-up' },
        { criterionId: 'U2-1.1-verify-id', kind: 'wrap-up' },
        { criterionId: 'U2-1.1-verify-id', kind: 'search-count', minSearches: 2 },
        { criterionId: 'U2-1.1-verify-id', kind: 'search-count', minSearches: 5 },
        { criterionId: 'U2-1.1-verify-id', kind: 'case-matches', index: 0 },
        { criterionId: 'U2-1.1-verify-id', kind: 'case-matches', index: 0 },
        { criterionId: 'U2-1.1-verify-id', kind: 'case-matches', index: 1 },
      ]),
    );
    expect(checks).toEqual([
      { kind: 'wrap-up', criterionId: 'U2-6.1-interaction-record' },
      { kind: 'wrap-up', criterionId: 'U2-1.1-verify-id' },
      { kind: 'assessor-judgement', criterionId: 'U2-1.1-verify-id', what: 'The searches run (they are reported by the browser)' },
      { kind: 'case-matches', criterionId: 'U2-1.1-verify-id', index: 0 },
      { kind: 'case-matches', criterionId: 'U2-1.1-verify-id', index: 1 },
    ]);
  });
});

describe('toCoverageScenario', () => {
  it('gives the key and variant, the title, the assignment in capitals, the direction and the subsections marked, sorted, once each', () => {
    expect(toCoverageScenario(S1)).toEqual({
      id: 's1/a',
      title: 'Moving home: Mrs Hughes moves to Rawdon',
      type: 'S1',
      direction: 'inbound',
      sections: ['1.1', '1.2', '1.3', '1.4', '4.2', '6.1', '7.2'],
    });
    const b = changed(S5, (s) => {
      s.variant = 'b';
      s.rubric[0]!.criterionId = 'U2-9.9-unknown';
    });
    expect(toCoverageScenario(b)).toMatchObject({ id: 's5/b', type: 'S5', direction: 'outbound' });
    expect(toCoverageScenario(b).sections).toEqual([...new Set(S5.rubric.slice(1).map((c) => c.criterionId.slice(3, 6)))].sort());
  });
});
