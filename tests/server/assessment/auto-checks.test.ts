// Pre-filled suggestions from hand-built calls and timelines (issue 5: a hold of 61 s, identity
// checked after a record change, a mistyped postcode), and every boundary of each check.
import { describe, expect, it } from 'vitest';
import { evaluateAutoChecks, marksFor } from '../../../server/assessment/auto-checks.js';
import type { AnswerKey, AutoCheckDefinition, CallFacts } from '../../../server/assessment/types.js';
import { ACCOUNT, ANSWER, at, CUSTOMER_ID, customer, inboundCall, one, run, timeline } from './auto-check-inputs.js';
import { ruleError } from './support.js';

const ref = { type: 'customer', key: ACCOUNT };

describe('marksFor', () => {
  it('maps outcomes to marks', () => {
    expect(marksFor('met', 2)).toBe(2);
    expect(marksFor('not-applicable', 3)).toBe(3);
    expect(marksFor('not-met', 2)).toBe(0);
    expect(marksFor('no-data', 2)).toBeNull();
  });
  it('partly: at least 1, below the maximum, rounded down; a 1-mark criterion has no partly', () => {
    expect(marksFor('partly', 2, 0.01)).toBe(1);
    expect(marksFor('partly', 2, 0.99)).toBe(1);
    expect(marksFor('partly', 3, 0.66)).toBe(1);
    expect(marksFor('partly', 3, 0.67)).toBe(2);
    expect(marksFor('partly', 3, 0.99)).toBe(2);
    expect(marksFor('partly', 4, 0.5)).toBe(2);
    expect(marksFor('partly', 1, 0.9)).toBe(0);
  });
});

describe('answer-time', () => {
  const check: AutoCheckDefinition = { kind: 'answer-time', criterionId: 'U2-1.1-answer-time', maxRingSeconds: 10 };
  it('answered at exactly the limit: full marks', () => {
    expect(one(check, { call: inboundCall({ ringSec: 10 }) })).toEqual({
      criterionId: 'U2-1.1-answer-time',
      suggestedMarks: 2,
      maxMarks: 2,
      outcome: 'met',
      evidence: ['Answered 10.0 s after it started ringing; the limit is 10 s.'],
      checks: ['answer-time'],
    });
  });
  it('1 ms over the limit: 0', () => {
    const call = { ...inboundCall({ ringSec: 10 }), ringingAt: ANSWER - 10_001 };
    expect(one(check, { call })).toMatchObject({ suggestedMarks: 0, outcome: 'not-met', evidence: ['Answered 10.0 s after it started ringing; the limit is 10 s.'] });
  });
  it('never answered: 0; no call: no suggestion', () => {
    expect(one(check, { call: inboundCall({ answered: false }) })).toMatchObject({ suggestedMarks: 0, evidence: ['The call was not answered.'] });
    expect(one(check, { call: null })).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it('no ringing time: measured from the set-up, and says so; nothing at all: no suggestion', () => {
    const call = { ...inboundCall({ ringSec: 4 }), ringingAt: null };
    expect(one(check, { call }).evidence[0]).toBe('Answered 5.0 s after it started ringing (measured from the call set-up: no ringing time recorded); the limit is 10 s.');
    expect(one(check, { call: { ...call, invitedAt: null } })).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it('a missing or bad limit is a scenario error', () => {
    expect(ruleError(() => one({ kind: 'answer-time', criterionId: 'c', maxRingSeconds: 0 })).code).toBe('bad-check-definition');
    expect(ruleError(() => one({ kind: 'answer-time', criterionId: 'c' } as unknown as AutoCheckDefinition)).message).toContain('maxRingSeconds');
  });
});

describe('hold-limit and hold-recheck', () => {
  const limit: AutoCheckDefinition = { kind: 'hold-limit', criterionId: 'U2-4.2-hold-max-60' };
  const recheck: AutoCheckDefinition = { kind: 'hold-recheck', criterionId: 'U2-4.2-hold-recheck' };
  const both = (call: CallFacts, asOf?: number) => run([limit, recheck], { call, ...(asOf === undefined ? {} : { asOf }) });

  it('a hold of 61 s: 0 on both, with when and how long', () => {
    const [l, r] = both(inboundCall({ holds: [[65, 126]] }));
    expect(l).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(l!.evidence).toEqual(['1 hold; the longest 61.0 s; the limit is 60.0 s each.', 'Over the limit: hold starting at 1:05 lasted 61.0 s.']);
    expect(r).toMatchObject({ suggestedMarks: 0, outcome: 'not-met', evidence: ['No check-back within 60.0 s: hold starting at 1:05 lasted 61.0 s.'] });
  });
  it('a hold of exactly 60 s: full marks; no check-back was needed', () => {
    const [l, r] = both(inboundCall({ holds: [[65, 125]] }));
    expect(l).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(r).toMatchObject({ suggestedMarks: 2, outcome: 'not-applicable' });
  });
  it('60.001 s is over', () => {
    const call = inboundCall({ holds: [[65, 125]] });
    call.events = call.events.map((e) => (e.type === 'resume' ? { ...e, at: e.at + 1 } : e));
    expect(both(call).map((s) => s.suggestedMarks)).toEqual([0, 0]);
  });
  it('a long wait split by a check-back (50 s, back for 5 s, 45 s): full marks on both', () => {
    const [l, r] = both(inboundCall({ holds: [[60, 110], [115, 160]] }));
    expect(l).toMatchObject({ suggestedMarks: 2, evidence: ['2 holds; the longest 50.0 s; the limit is 60.0 s each.'] });
    expect(r).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(r!.evidence[0]).toBe(
      'The caller waited 95.0 s in all, starting at 1:00, in 2 holds (50.0 s, 45.0 s), checked back after each within 60.0 s (back on the line for 5.0 s); whether they were asked to keep holding is for the assessor.',
    );
  });
  it('no holds: hold limit met, check-back not needed', () => {
    const [l, r] = both(inboundCall());
    expect(l).toMatchObject({ suggestedMarks: 2, outcome: 'met', evidence: ['The caller was never put on hold.'] });
    expect(r).toMatchObject({ suggestedMarks: 2, outcome: 'not-applicable' });
  });
  it("the assessor's own 90 s hold is not the candidate's", () => {
    expect(both(inboundCall({ assessorHolds: [[30, 120]] })).map((s) => s.suggestedMarks)).toEqual([2, 2]);
  });
  it('a hold the candidate never came back from, ended by the call after 70 s: 0', () => {
    const call = inboundCall({ endSec: 140 });
    call.events = [{ at: at(70), type: 'hold', leg: 'callee' }, { at: at(140), type: 'hangup', leg: 'caller' }];
    const [l] = both(call);
    expect(l).toMatchObject({ suggestedMarks: 0 });
    expect(l!.evidence[1]).toBe('Over the limit: hold starting at 1:10 lasted 70.0 s, ended by the call ending.');
  });
  it('a hold still open on a live call: no suggestion until it is known, 0 once it passes 60 s', () => {
    const call = inboundCall({ endSec: null });
    call.events = [{ at: at(70), type: 'hold', leg: 'callee' }];
    expect(both(call).map((s) => s.suggestedMarks)).toEqual([null, null]);
    expect(both(call, at(100)).map((s) => s.suggestedMarks)).toEqual([2, 2]);
    expect(both(call, at(131)).map((s) => s.suggestedMarks)).toEqual([0, 0]);
  });
  it('another limit from the definition', () => {
    const [l] = run([{ kind: 'hold-limit', criterionId: 'c', maxHoldSeconds: 30 }], { call: inboundCall({ holds: [[10, 41]] }) });
    expect(l!.suggestedMarks).toBe(0);
  });
  it('without a call, the desktop timeline holds are used; with neither, no suggestion', () => {
    const tl = timeline(['hold', 10], ['resume', 71]);
    expect(run([limit], { call: null, timeline: tl })[0]).toMatchObject({ suggestedMarks: 0 });
    expect(run([limit], { call: null })[0]).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
});

describe('identity-before-access', () => {
  const check: AutoCheckDefinition = { kind: 'identity-before-access', criterionId: 'U2-1.1-verify-id' };
  const key: AnswerKey = { identity: { accounts: [ACCOUNT] } };
  const opened: [string, number, Record<string, unknown>] = ['record-opened', 8, { recordType: 'customer', customerId: CUSTOMER_ID, accountNumber: ACCOUNT }];

  it('identity checked after a record change: 0, naming the change and the late check', () => {
    const tl = timeline(opened, ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'postcode', old: 'M1 1AA', new: 'M1 1AE' }], ['identity-check', 55, { customerId: CUSTOMER_ID, passed: true }]);
    const s = one(check, { timeline: tl, answerKey: key });
    expect(s).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(s.evidence.slice(0, 2)).toEqual([
      'Postcode changed for customer BL100231 at 0:40, before any passed identity check for that customer.',
      'Identity for customer BL100231 was only passed later, at 0:55.',
    ]);
  });
  it('identity checked first: full marks; opening the record before the check is allowed', () => {
    const tl = timeline(opened, ['identity-check', 30, { customerId: CUSTOMER_ID, passed: true }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'postcode', old: 'a', new: 'b' }], ['case-created', 60, { customerId: CUSTOMER_ID }]);
    const s = one(check, { timeline: tl, answerKey: key });
    expect(s).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(s.evidence[0]).toBe('Every change to or sending of account data during the call (2) came after a passed identity check for that customer.');
  });
  it('a failed check does not count', () => {
    const tl = timeline(['identity-check', 30, { customerId: CUSTOMER_ID, passed: false }], ['order-created', 40, { customerId: CUSTOMER_ID }]);
    const s = one(check, { timeline: tl });
    expect(s.suggestedMarks).toBe(0);
    expect(s.evidence).toContain('Identity check for a customer record with no known account number at 0:30: not verified.');
  });
  it('verifying one customer does not clear changes to another', () => {
    const tl = timeline(['identity-check', 30, { customerId: CUSTOMER_ID, passed: true }], ['note-added', 40, { customerId: 99 }]);
    expect(one(check, { timeline: tl }).evidence[0]).toBe('Note added for a customer record with no known account number at 0:40, before any passed identity check for that customer.');
  });
  it('the key names the caller, who was never verified: 0 even with no changes', () => {
    expect(one(check, { timeline: timeline(opened), answerKey: key })).toMatchObject({ suggestedMarks: 0, evidence: ['The identity of customer BL100231 was never verified.'] });
  });
  it('the snapshot id maps customerId to the account number', () => {
    const tl = timeline(['identity-check', 30, { customerId: CUSTOMER_ID, passed: true }]);
    expect(one(check, { timeline: tl, answerKey: key, records: [customer({})] })).toMatchObject({ suggestedMarks: 2 });
  });
  it('a message sent to an unverified customer counts as disclosure', () => {
    const tl = timeline(['message-sent', 200, { customerId: CUSTOMER_ID, channel: 'email', to: 'jo@example.co.uk' }]);
    expect(one(check, { timeline: tl }).suggestedMarks).toBe(0);
  });
  it('an action naming no customer needs some passed check before it', () => {
    expect(one(check, { timeline: timeline(['callback-created', 10, {}]) }).suggestedMarks).toBe(0);
    expect(one(check, { timeline: timeline(['identity-check', 5, { passed: true }], ['callback-created', 10, {}]) }).suggestedMarks).toBe(2);
  });
  it('nothing changed and no check asked for: not applicable', () => {
    expect(one(check, { timeline: timeline(opened) })).toMatchObject({ suggestedMarks: 2, outcome: 'not-applicable' });
  });
  it("flagOtherRecords: acting on the record of a customer who is not the caller is a breach, even once verified", () => {
    const other = { customerId: 8, accountNumber: 'BL100999' };
    const tl = timeline(['identity-check', 5, { customerId: CUSTOMER_ID, passed: true }], ['identity-check', 8, { ...other, passed: true }], ['note-added', 10, other]);
    const flagged = one({ ...check, flagOtherRecords: true }, { timeline: tl, answerKey: key, records: [customer({})] });
    expect(flagged).toMatchObject({ suggestedMarks: 0 });
    expect(flagged.evidence[0]).toBe("Note added on the record of customer BL100999, not the caller's, at 0:10.");
    expect(one(check, { timeline: tl, answerKey: key, records: [customer({})] }).suggestedMarks).toBe(2);
  });
  it('minFactors: a pass on fewer answers does not count; a pass reporting no counts does', () => {
    const strict: AutoCheckDefinition = { ...check, minFactors: 2 };
    const weak = timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: true, questions: 1, correct: 1 }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]);
    const s = one(strict, { timeline: weak });
    expect(s.suggestedMarks).toBe(0);
    expect(s.evidence).toContain('Identity check for a customer record with no known account number at 0:20: 1 asked, 1 correct: not verified (2 questions must be asked and answered correctly).');
    const enough = timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: true, questions: 2, correct: 2 }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]);
    expect(one(strict, { timeline: enough }).suggestedMarks).toBe(2);
    const bare = timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: true }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]);
    expect(one(strict, { timeline: bare }).suggestedMarks).toBe(2);
    expect(ruleError(() => one({ ...check, minFactors: 0 })).code).toBe('bad-check-definition');
  });
  it('a narrower list of protected actions', () => {
    const tl = timeline(['note-added', 10, { customerId: CUSTOMER_ID }]);
    expect(one({ ...check, protectedEvents: ['field-changed'] }, { timeline: tl }).outcome).toBe('not-applicable');
  });
});

describe('field-accuracy', () => {
  const check: AutoCheckDefinition = { kind: 'field-accuracy', criterionId: 'U2-6.1-accurate-entry' };
  const key: AnswerKey = {
    fields: [
      { record: ref, field: 'addressLine1', kind: 'text', expected: '14 Canal Street', label: 'new address' },
      { record: ref, field: 'postcode', kind: 'postcode', expected: 'M1 1AE', label: 'new postcode' },
      { record: ref, field: 'mobile', kind: 'phone', expected: '07700 900123' },
    ],
  };
  it('a mistyped postcode: partly, reporting field, expected and keyed value', () => {
    const s = one(check, { answerKey: key, records: [customer({ addressLine1: '14 canal street', postcode: 'M1 1EA', mobile: '+44 7700 900123' })] });
    expect(s).toMatchObject({ suggestedMarks: 1, outcome: 'partly' });
    expect(s.evidence).toEqual([
      '2 of 3 keyed fields match the answer key.',
      'Correct: new address (customer BL100231): expected "14 Canal Street", keyed "14 canal street".',
      'Wrong: new postcode (customer BL100231): expected "M1 1AE", keyed "M1 1EA".',
      'Correct: mobile (customer BL100231): expected "07700 900123", keyed "+44 7700 900123".',
    ]);
  });
  it('all right in other spellings: full marks', () => {
    expect(one(check, { answerKey: key, records: [customer({ addressLine1: '14 Canal Street ', postcode: 'm11ae', mobile: '07700900123' })] })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
  });
  it('all wrong: 0', () => {
    expect(one(check, { answerKey: key, records: [customer({ addressLine1: '1 Canal St', postcode: 'M1 1EA', mobile: null })] })).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
  });
  it('without a snapshot, the last field-changed for that customer gives the value', () => {
    const tl = timeline(
      ['record-opened', 1, { recordType: 'customer', customerId: CUSTOMER_ID, accountNumber: ACCOUNT }],
      ['field-changed', 30, { customerId: CUSTOMER_ID, field: 'postcode', old: 'X', new: 'M1 1EA' }],
      ['field-changed', 35, { customerId: CUSTOMER_ID, field: 'postcode', old: 'M1 1EA', new: 'M1 1AE' }],
      ['field-changed', 36, { customerId: 99, field: 'postcode', old: 'M1 1AE', new: 'ZZ1 1ZZ' }],
    );
    const s = one(check, { answerKey: { fields: [key.fields![1]!] }, timeline: tl });
    expect(s).toMatchObject({ suggestedMarks: 2 });
  });
  it('a field never keyed: "nothing recorded"', () => {
    const s = one(check, { answerKey: { fields: [key.fields![1]!] } });
    expect(s.evidence[1]).toBe('Wrong: new postcode (customer BL100231): expected "M1 1AE", nothing recorded.');
  });
  it('a key with no fields: not applicable', () => {
    expect(one(check)).toMatchObject({ outcome: 'not-applicable', evidence: ['The answer key lists no keyed fields.'] });
  });
});

describe('required-fields', () => {
  const check: AutoCheckDefinition = { kind: 'required-fields', criterionId: 'U2-6.1-all-details' };
  const key: AnswerKey = { requiredFields: [{ record: ref, field: 'email' }, { record: ref, field: 'mobile' }, { record: ref, field: 'doNotCall', label: 'do-not-call flag' }] };
  it('all filled (false is a value): full; one blank: partly; all empty: 0', () => {
    expect(one(check, { answerKey: key, records: [customer({ email: 'a@b.co', mobile: '07700900123', doNotCall: false })] }).suggestedMarks).toBe(2);
    const partly = one(check, { answerKey: key, records: [customer({ email: 'a@b.co', mobile: '  ', doNotCall: false })] });
    expect(partly).toMatchObject({ suggestedMarks: 1, evidence: ['2 of 3 required fields are filled in.', 'Empty: mobile (customer BL100231).'] });
    expect(one(check, { answerKey: key, records: [customer({})] }).suggestedMarks).toBe(0);
  });
});

describe('wrap-up', () => {
  const check: AutoCheckDefinition = { kind: 'wrap-up', criterionId: 'U2-6.1-interaction-record' };
  const key: AnswerKey = { wrapUp: { code: 'MOVE', notesRequired: true } };
  it('right code with notes: full', () => {
    const s = one(check, { answerKey: key, timeline: timeline(['wrap-up', 320, { code: 'move', customerId: CUSTOMER_ID, notesLength: 42 }]) });
    expect(s).toMatchObject({ suggestedMarks: 2, evidence: ['Wrap-up completed at 5:20 with the outcome "Move" and 42 characters of notes.'] });
  });
  it('wrong code: partly, naming the right one', () => {
    const s = one(check, { answerKey: key, timeline: timeline(['wrap-up', 320, { code: 'GENERAL', notesLength: 10 }]) });
    expect(s).toMatchObject({ suggestedMarks: 1, outcome: 'partly' });
    expect(s.evidence[1]).toBe('The wrap-up outcome should be "Move".');
  });
  it('notes required and missing: partly; the protocol form { outcome, notes } is read too', () => {
    expect(one(check, { answerKey: key, timeline: timeline(['wrap-up', 320, { outcome: 'MOVE', notes: '   ' }]) })).toMatchObject({ suggestedMarks: 1 });
    expect(one(check, { answerKey: key, timeline: timeline(['wrap-up', 320, { outcome: 'MOVE', notes: 'moved' }]) })).toMatchObject({ suggestedMarks: 2 });
  });
  it('no wrap-up: 0; the last wrap-up is the one read', () => {
    expect(one(check, { answerKey: key })).toMatchObject({ suggestedMarks: 0, evidence: ['No wrap-up was completed.'] });
    const tl = timeline(['wrap-up', 300, { code: 'GENERAL', notesLength: 0 }], ['wrap-up', 330, { code: 'MOVE', notesLength: 5 }]);
    expect(one(check, { answerKey: key, timeline: tl }).suggestedMarks).toBe(2);
  });
  it('several accepted codes: any one is right', () => {
    const several: AnswerKey = { wrapUp: { codes: ['CALLBACK', 'SALE'], code: 'IGNORED' } };
    expect(one(check, { answerKey: several, timeline: timeline(['wrap-up', 320, { code: 'sale' }]) }).suggestedMarks).toBe(2);
    const wrong = one(check, { answerKey: several, timeline: timeline(['wrap-up', 320, { code: 'IGNORED' }]) });
    expect(wrong).toMatchObject({ suggestedMarks: 1 });
    expect(wrong.evidence[1]).toBe('The wrap-up outcome should be one of "Callback", "Sale".');
  });
  it('any code when the key names none', () => {
    expect(one(check, { timeline: timeline(['wrap-up', 320, { code: 'ANY', notesLength: 0 }]) }).suggestedMarks).toBe(2);
  });
});

describe('follow-up-recipients', () => {
  const check: AutoCheckDefinition = { kind: 'follow-up-recipients', criterionId: 'U2-7.2-recipients' };
  const key: AnswerKey = { followUps: [{ channel: 'email', to: 'jo.bloggs@example.co.uk', label: 'confirmation e-mail' }] };
  const sent = (to: string, extra: Record<string, unknown> = {}, sec = 400): [string, number, Record<string, unknown>] => ['message-sent', sec, { channel: 'email', to, ...extra }];

  it('sent to the right person (case ignored): full', () => {
    const s = one(check, { answerKey: key, timeline: timeline(sent('Jo.Bloggs@example.co.uk')) });
    expect(s).toMatchObject({ suggestedMarks: 2, evidence: ['Sent: confirmation e-mail to jo.bloggs@example.co.uk at 6:40.'] });
  });
  it('sent to the wrong customer only: 0', () => {
    const s = one(check, { answerKey: key, timeline: timeline(sent('jo.blogs@example.co.uk')) });
    expect(s).toMatchObject({ suggestedMarks: 0 });
    expect(s.evidence).toEqual(['Not sent: confirmation e-mail to jo.bloggs@example.co.uk.', 'Sent to a recipient the key does not expect: an e-mail to "jo.blogs@example.co.uk" at 6:40.']);
  });
  it('right person and a wrong one too: partly', () => {
    expect(one(check, { answerKey: key, timeline: timeline(sent('jo.bloggs@example.co.uk'), sent('someone@else.com', {}, 410)) })).toMatchObject({ suggestedMarks: 1, outcome: 'partly' });
  });
  it('sent twice to the right person is not a wrong recipient', () => {
    expect(one(check, { answerKey: key, timeline: timeline(sent('jo.bloggs@example.co.uk'), sent('jo.bloggs@example.co.uk', {}, 410)) }).suggestedMarks).toBe(2);
  });
  it('cc must match when the key gives one', () => {
    const withCc: AnswerKey = { followUps: [{ channel: 'email', to: 'jo.bloggs@example.co.uk', cc: ['Repairs@brightline.example'] }] };
    expect(one(check, { answerKey: withCc, timeline: timeline(sent('jo.bloggs@example.co.uk', { cc: ['repairs@brightline.example'] })) }).suggestedMarks).toBe(2);
    const wrongCc = one(check, { answerKey: withCc, timeline: timeline(sent('jo.bloggs@example.co.uk', { cc: ['sales@brightline.example'] })) });
    expect(wrongCc).toMatchObject({ suggestedMarks: 0 });
    expect(wrongCc.evidence[0]).toBe('The e-mail to jo.bloggs@example.co.uk was sent with cc sales@brightline.example; the key\'s cc is repairs@brightline.example.');
  });
  it('SMS numbers compare in any writing; the channel must match', () => {
    const sms: AnswerKey = { followUps: [{ channel: 'sms', to: '07700 900123' }] };
    expect(one(check, { answerKey: sms, timeline: timeline(['message-sent', 400, { channel: 'sms', to: '+447700900123' }]) }).suggestedMarks).toBe(2);
    expect(one(check, { answerKey: sms, timeline: timeline(['message-sent', 400, { channel: 'email', to: '07700 900123' }]) }).suggestedMarks).toBe(0);
  });
  it('nothing expected, nothing sent: not applicable; nothing expected but something sent: 0', () => {
    expect(one(check)).toMatchObject({ outcome: 'not-applicable' });
    expect(one(check, { timeline: timeline(sent('x@y.com')) })).toMatchObject({ suggestedMarks: 0 });
  });
});

describe('follow-up attachments, deadline and template', () => {
  const key: AnswerKey = { followUps: [{ channel: 'email', to: 'ian.campbell@example.co.uk', attachments: ['info-pack'], withinMinutes: 30, templateKey: 'info-pack-email', label: 'information pack e-mail' }] };
  const pack = { kind: 'document', key: 'info-pack', name: 'Brightline information pack.pdf' };
  const sent = (sec: number, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['message-sent', sec, { channel: 'email', to: 'ian.campbell@example.co.uk', ...extra }];
  const attachments: AutoCheckDefinition = { kind: 'follow-up-attachments', criterionId: 'U2-7.2-recipients' };

  it('an information pack e-mail sent without its attachment is not credited', () => {
    const without = one(attachments, { answerKey: key, timeline: timeline(sent(400, { attachments: [] })) });
    expect(without).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(without.evidence).toEqual(['The information pack e-mail to ian.campbell@example.co.uk was sent at 6:40 without "Info pack", which it had to carry.']);
    expect(one(attachments, { answerKey: key, timeline: timeline(sent(400, { attachments: [pack] })) })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(one(attachments, { answerKey: key })).toMatchObject({ suggestedMarks: 0 });
    expect(one(attachments, { answerKey: { followUps: [{ channel: 'email', to: 'x@y.uk' }] } })).toMatchObject({ outcome: 'not-applicable' });
  });
  it('with the recipients check on the same criterion: the right person without the pack still gets 0', () => {
    const out = run([{ kind: 'follow-up-recipients', criterionId: 'U2-7.2-recipients' }, attachments], { answerKey: key, timeline: timeline(sent(400)) });
    expect(out[0]).toMatchObject({ suggestedMarks: 0, checks: ['follow-up-recipients', 'follow-up-attachments'] });
  });
  it('deadline: within the minutes after the call ended, measured from the server stamps', () => {
    const deadline: AutoCheckDefinition = { kind: 'follow-up-deadline', criterionId: 'c' };
    // The call ends at 5:00 (300 s).
    expect(one(deadline, { answerKey: key, timeline: timeline(sent(300 + 29 * 60)) })).toMatchObject({ suggestedMarks: 2 });
    const late = one(deadline, { answerKey: key, timeline: timeline(sent(300 + 31 * 60)) });
    expect(late).toMatchObject({ suggestedMarks: 0 });
    expect(late.evidence[0]).toMatch(/31:00 after the call ended; the limit is 30 minutes: too late/);
    expect(one(deadline, { answerKey: key, call: inboundCall({ endSec: null }) })).toMatchObject({ outcome: 'no-data' });
  });
  it('template: made from the key\'s template', () => {
    const template: AutoCheckDefinition = { kind: 'follow-up-template', criterionId: 'c' };
    expect(one(template, { answerKey: key, timeline: timeline(sent(400, { templateKey: 'info-pack-email' })) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(template, { answerKey: key, timeline: timeline(sent(400, { templateKey: null })) })).toMatchObject({ suggestedMarks: 0 });
  });
});

describe('do-not-call-respected', () => {
  const check: AutoCheckDefinition = { kind: 'do-not-call-respected', criterionId: 'U2-3.2-comply' };
  const key: AnswerKey = { dialling: { mustNotDial: ['0113 496 0777'] } };
  const dialled = (sec: number, dialledNumber: string): [string, number, Record<string, unknown>] => ['call-started', sec, { direction: 'outbound', dialledNumber }];
  it('a do-not-call number dialled (in any writing): 0, naming it', () => {
    const s = one(check, { answerKey: key, timeline: timeline(dialled(-60, '+441134960777'), dialled(0, '01134960903')) });
    expect(s).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(s.evidence).toEqual(['Dialled +441134960777, which is marked do-not-call, 1:00 before the answer.']);
  });
  it('only permitted numbers dialled: full marks; nothing dialled: the assessor decides', () => {
    expect(one(check, { answerKey: key, timeline: timeline(dialled(0, '01134960903')) })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(one(check, { answerKey: key })).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
    expect(one(check)).toMatchObject({ outcome: 'not-applicable' });
  });
});

describe('records the candidate created', () => {
  const acc = ACCOUNT;
  const who = { customerId: CUSTOMER_ID, accountNumber: acc };
  const key: AnswerKey = {
    cases: [{ account: acc, type: 'complaint', category: 'MISSED_APPOINTMENT', priorities: ['high'], escalated: true, maxCreditPence: 2000, mentions: [] }],
    orders: [{ account: acc, lines: [{ productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' }], optionalLines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }],
    callbacks: [{ account: acc, kind: 'task', priorities: ['high'], dueFrom: '2026-03-03', dueTo: '2026-03-04', timeFrom: '08:00', timeTo: '13:00', mentions: [] }],
    printouts: [{ kind: 'case', account: acc }],
    untouchedAccounts: ['BL100232'],
    plantedErrors: [{ record: { type: 'customer', key: acc }, field: 'mobile', kind: 'phone', expected: '07700 900123' }],
  };
  const aCase = (extra: Record<string, unknown>): [string, number, Record<string, unknown>] => ['case-created', 100, { ...who, caseId: 5, reference: 'CAS-000005', type: 'complaint', category: 'MISSED_APPOINTMENT', priority: 'high', escalated: true, creditPence: 2000, ...extra }];

  it('case-matches: earned by the right case, failed naming each difference', () => {
    const check: AutoCheckDefinition = { kind: 'case-matches', criterionId: 'U2-5.2-priority', index: 0 };
    expect(one(check, { answerKey: key, timeline: timeline(aCase({})) })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    const wrong = one(check, { answerKey: key, timeline: timeline(aCase({ category: 'BILLING', priority: 'low', creditPence: 5000 })) });
    expect(wrong).toMatchObject({ suggestedMarks: 0 });
    expect(wrong.evidence[0]).toBe('The case CAS-000005 raised at 1:40 does not match the key (a complaint (missed appointment), priority high, escalated): category "billing", not missed appointment; priority "low", not high; a goodwill credit of £50.00, over the £20.00 limit.');
    expect(one(check, { answerKey: key })).toMatchObject({ suggestedMarks: 0 });
    // What its description must say is for the assessor: never pre-filled in full.
    const withMentions: AnswerKey = { ...key, cases: [{ ...key.cases![0]!, mentions: ['{{moveDate}}'] }] };
    expect(one(check, { answerKey: withMentions, timeline: timeline(aCase({})) })).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it('credit-within-limit: none or within the limit earns it; over it fails', () => {
    const check: AutoCheckDefinition = { kind: 'credit-within-limit', criterionId: 'U2-5.2-assertive', account: acc, maxCreditPence: 2000 };
    expect(one(check, { timeline: timeline(aCase({ creditPence: null })) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { timeline: timeline(aCase({ creditPence: 2000 })) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { timeline: timeline(aCase({ creditPence: 20000 })) })).toMatchObject({ suggestedMarks: 0, evidence: ['Goodwill credit over the £20.00 limit: £200.00 at 1:40.'] });
  });
  it('order-matches: the required line, the optional one allowed; a product not agreed fails', () => {
    const check: AutoCheckDefinition = { kind: 'order-matches', criterionId: 'U2-2.2-needs-match', index: 0 };
    const order = (lines: Array<Record<string, unknown>>): [string, number, Record<string, unknown>] => ['order-created', 200, { ...who, orderId: 3, reference: 'ORD-000003', lines }];
    const fibre = { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' };
    expect(one(check, { answerKey: key, timeline: timeline(order([fibre])) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { answerKey: key, timeline: timeline(order([fibre, { productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }])) })).toMatchObject({ suggestedMarks: 2 });
    const extra = one(check, { answerKey: key, timeline: timeline(order([fibre, { productCode: 'TV-SPORT', quantity: 1, saleType: 'cross_sell' }])) });
    expect(extra).toMatchObject({ suggestedMarks: 0 });
    expect(extra.evidence[0]).toMatch(/1 × TV-SPORT is not a product the key allows/);
    expect(one(check, { answerKey: key, timeline: timeline(order([{ productCode: 'BB-FIBRE-900', quantity: 1, saleType: 'upsell' }])) }).evidence[0]).toMatch(/1 × BB-FIBRE-500 is missing/);
  });
  it('callback-matches: kind, priority and the due window', () => {
    const check: AutoCheckDefinition = { kind: 'callback-matches', criterionId: 'U2-7.1-update-system', index: 0 };
    const cb = (dueAt: string, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['callback-created', 300, { ...who, callbackId: 2, kind: 'task', priority: 'high', dueAt, ...extra }];
    expect(one(check, { answerKey: key, timeline: timeline(cb('2026-03-04T09:30')) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { answerKey: key, timeline: timeline(cb('2026-03-04T14:00')) }).evidence[0]).toMatch(/due at 14:00, outside 08:00 to 13:00/);
    expect(one(check, { answerKey: key, timeline: timeline(cb('2026-03-06T09:00')) }).evidence[0]).toMatch(/due on Fri 6 Mar 2026, outside Tue 3 Mar 2026 to Wed 4 Mar 2026/);
    expect(one(check, { answerKey: key, timeline: timeline(cb('2026-03-04T09:30', { kind: 'callback' })) })).toMatchObject({ suggestedMarks: 0 });
  });
  it('printout-made: the case of the right customer', () => {
    const check: AutoCheckDefinition = { kind: 'printout-made', criterionId: 'U2-7.3-produce' };
    expect(one(check, { answerKey: key, timeline: timeline(aCase({}), ['printout', 400, { kind: 'case', subjectId: 5, title: 'Case form CAS-000005' }]) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { answerKey: key, timeline: timeline(aCase({}), ['printout', 400, { kind: 'customer', subjectId: CUSTOMER_ID, title: 'Customer record' }]) })).toMatchObject({ suggestedMarks: 0 });
  });
  it('no-unrelated-edits: a change to a look-alike fails; otherwise the assessor decides', () => {
    const check: AutoCheckDefinition = { kind: 'no-unrelated-edits', criterionId: 'U2-6.2-retrieve-accurately' };
    expect(one(check, { answerKey: key, timeline: timeline(['note-added', 50, { customerId: 9, accountNumber: 'BL100232' }]) })).toMatchObject({ suggestedMarks: 0, evidence: ['Note added on look-alike account BL100232 at 0:50.'] });
    expect(one(check, { answerKey: key, timeline: timeline(['note-added', 50, who]) })).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it('prepared-before-dial: a note on the lead before the first dial', () => {
    const check: AutoCheckDefinition = { kind: 'prepared-before-dial', criterionId: 'U2-3.1-objectives', account: acc, noteRequired: true };
    const dial: [string, number, Record<string, unknown>] = ['call-started', -10, { direction: 'outbound', dialledNumber: '01314960544' }];
    expect(one(check, { timeline: timeline(['note-added', -60, who], dial) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { timeline: timeline(dial, ['note-added', 60, who]) })).toMatchObject({ suggestedMarks: 0 });
    expect(one({ ...check, noteRequired: false }, { timeline: timeline(dial) })).toMatchObject({ suggestedMarks: null });
  });
  it('planted-error-corrected and handle-time', () => {
    const planted: AutoCheckDefinition = { kind: 'planted-error-corrected', criterionId: 'U2-6.1-correct-errors', account: acc, field: 'mobile' };
    expect(one(planted, { answerKey: key, records: [customer({ mobile: '+44 7700 900123' })] })).toMatchObject({ suggestedMarks: 2 });
    expect(one(planted, { answerKey: key, records: [customer({ mobile: '07700 900412' })] })).toMatchObject({ suggestedMarks: 0 });
    const handle: AutoCheckDefinition = { kind: 'handle-time', criterionId: 'U2-1.3-resolution-time', maxSeconds: 480 };
    expect(one(handle, { call: inboundCall({ endSec: 300 }) })).toMatchObject({ suggestedMarks: 2 });
    expect(one(handle, { call: inboundCall({ endSec: 600 }) })).toMatchObject({ suggestedMarks: 0, evidence: ['The call lasted 10:00 from answer to hang-up; the target is 8:00.'] });
  });
});

describe('messages-processed', () => {
  const who = { customerId: CUSTOMER_ID, accountNumber: ACCOUNT };
  const check: AutoCheckDefinition = { kind: 'messages-processed', criterionId: 'U2-7.2-process-received' };
  const key: AnswerKey = {
    inbox: {
      actionFirst: { messageId: 11, label: 'e-mail "Broadband keeps dropping"', account: ACCOUNT },
      file: [
        { messageId: 11, label: 'e-mail "Broadband keeps dropping"', folder: 'Faults - actioned' },
        { messageId: 12, label: 'e-mail "Engineer slots"', folder: 'Team notices' },
      ],
    },
  };
  const filed = (sec: number, messageId: number, folder: string | null): [string, number, Record<string, unknown>] => ['message-filed', sec, { messageId, customerId: null, folder }];

  it('the fault dealt with first (an identity check on its account), each message in its folder: full marks', () => {
    const s = one(check, { answerKey: key, timeline: timeline(['identity-check', 10, { ...who, passed: true }], filed(200, 11, 'faults - actioned'), filed(210, 12, 'Team notices')) });
    expect(s).toMatchObject({ suggestedMarks: 2 });
    expect(s.evidence[0]).toMatch(/dealt with first \(identity check/);
  });
  it('a reply to the fault counts as dealing with it; a message filed and then moved counts where it ended', () => {
    const s = one(check, { answerKey: key, timeline: timeline(['message-sent', 5, { inReplyTo: 11, channel: 'email', to: 'x@example.org' }], filed(20, 12, 'Faults - actioned'), filed(30, 12, 'Team notices'), filed(40, 11, 'Faults - actioned')) });
    expect(s.suggestedMarks).toBe(2);
  });
  it('another message filed before the fault was touched: not first', () => {
    const s = one(check, { answerKey: key, timeline: timeline(filed(5, 12, 'Team notices'), ['case-created', 10, { ...who, caseId: 1 }], filed(200, 11, 'Faults - actioned')) });
    expect(s.suggestedMarks).toBe(1);
    expect(s.evidence[0]).toBe('The e-mail "Engineer slots" was filed at 0:05, before the e-mail "Broadband keeps dropping" was dealt with at 0:10.');
  });
  it('wrong folder, nothing filed, nothing done: 0, saying what happened to each', () => {
    const wrong = one(check, { answerKey: key, timeline: timeline(filed(5, 11, 'Team notices')) });
    expect(wrong.evidence).toContain('The e-mail "Broadband keeps dropping" was filed in "Team notices", not "Faults - actioned".');
    const none = one(check, { answerKey: key, timeline: [] });
    expect(none).toMatchObject({ suggestedMarks: 0 });
    expect(none.evidence).toEqual([
      `The e-mail "Broadband keeps dropping" was never dealt with: not filed, not answered, and nothing was done on account ${ACCOUNT}.`,
      'Not filed: the e-mail "Broadband keeps dropping" (it belongs in "Faults - actioned").',
      'Not filed: the e-mail "Engineer slots" (it belongs in "Team notices").',
    ]);
  });
  it('no inbox in the key: not applicable', () => {
    expect(one(check, { answerKey: {} })).toMatchObject({ suggestedMarks: 2, outcome: 'not-applicable' });
  });
});

describe('server records only', () => {
  it('a passed identity check and a wrap-up reported by the browser earn nothing', () => {
    const forged = timeline(['identity-check', 30, { customerId: CUSTOMER_ID, passed: true, questions: 2, correct: 2 }], ['wrap-up', 400, { code: 'MOVE', notesLength: 20 }]).map((e) => ({ ...e, source: 'browser' as const }));
    const real = timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: false }])[0]!;
    const out = run([{ kind: 'identity-before-access', criterionId: 'id' }, { kind: 'wrap-up', criterionId: 'wrap' }], { answerKey: { identity: { accounts: [ACCOUNT] } }, records: [customer({})], timeline: [{ ...real, seq: 9, source: 'server' }, ...forged] });
    expect(out.map((s) => [s.criterionId, s.suggestedMarks])).toEqual([['id', 0], ['wrap', 0]]);
    expect(out[0]!.evidence).toEqual(['The identity of customer BL100231 was never verified.', 'Identity check for customer BL100231 at 0:20: not verified.']);
  });
  it("without call facts, the server's hold entries count only the candidate's holds", () => {
    const tl = timeline(['hold', 10, { leg: 'caller', byCandidate: false }], ['resume', 100, { leg: 'caller', byCandidate: false }], ['hold', 120, { leg: 'callee', byCandidate: true }], ['resume', 150, { leg: 'callee', byCandidate: true }]);
    expect(one({ kind: 'hold-limit', criterionId: 'U2-4.2-hold-max-60' }, { call: null, timeline: tl })).toMatchObject({ suggestedMarks: 2, evidence: ['1 hold; the longest 30.0 s; the limit is 60.0 s each.'] });
  });
  it('the identity rule decides from the questions the server recorded: one left empty is not asked', () => {
    const questions = [{ asked: true, correct: true }, { asked: true, correct: true }, { asked: false, correct: false }];
    const tl = timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: true, questions }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]);
    const s = one({ kind: 'identity-before-access', criterionId: 'c', minFactors: 2 }, { timeline: tl });
    expect(s).toMatchObject({ suggestedMarks: 2 });
    expect(s.evidence).toContain('Identity check for a customer record with no known account number at 0:20: 2 asked, 2 correct: verified.');
    const wrong = [{ asked: true, correct: true }, { asked: true, correct: false }, { asked: false, correct: false }];
    const failed = one({ kind: 'identity-before-access', criterionId: 'c', minFactors: 2 }, { timeline: timeline(['identity-check', 20, { customerId: CUSTOMER_ID, passed: true, questions: wrong }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]) });
    expect(failed.suggestedMarks).toBe(0);
  });
  it("an outbound call plan written before dialling is preparation, not account data before identity", () => {
    const call = { ...inboundCall(), candidateLeg: 'caller' as const };
    const tl = timeline(['note-added', -120, { customerId: CUSTOMER_ID }], ['identity-check', 20, { customerId: CUSTOMER_ID, passed: true }], ['note-added', 200, { customerId: CUSTOMER_ID }]);
    const s = one({ kind: 'identity-before-access', criterionId: 'U2-3.2-verify-id' }, { call, timeline: tl, answerKey: { identity: { accounts: [ACCOUNT] } }, records: [customer({})] });
    expect(s).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
    expect(s.evidence).toContain('Note added for customer BL100231 2:00 before the answer: preparation before the call, not account data given to a caller.');
    // Stamped in the same millisecond, the server's own call-answered entry still orders them.
    const sameInstant = timeline(['note-added', 0, { customerId: CUSTOMER_ID }], ['call-answered', 0, {}], ['identity-check', 0, { customerId: CUSTOMER_ID, passed: true }]);
    expect(one({ kind: 'identity-before-access', criterionId: 'c' }, { call, timeline: sameInstant, records: [customer({})] }).suggestedMarks).toBe(2);
    // The same note during the call, before the check, is a breach.
    const during = timeline(['note-added', 10, { customerId: CUSTOMER_ID }], ['identity-check', 20, { customerId: CUSTOMER_ID, passed: true }]);
    expect(one({ kind: 'identity-before-access', criterionId: 'c' }, { call, timeline: during, records: [customer({})] }).suggestedMarks).toBe(0);
  });
});

describe('evaluateAutoChecks', () => {
  it('one suggestion per criterion; two checks on one criterion: the lower mark, evidence joined', () => {
    const checks: AutoCheckDefinition[] = [
      { kind: 'identity-before-access', criterionId: 'U2-6.3-data-protection' },
      { kind: 'hold-limit', criterionId: 'U2-4.2-hold-max-60' },
      { kind: 'follow-up-recipients', criterionId: 'U2-6.3-data-protection' },
    ];
    const tl = timeline(['identity-check', 5, { customerId: CUSTOMER_ID, passed: true }], ['message-sent', 400, { customerId: CUSTOMER_ID, channel: 'email', to: 'wrong@example.com' }]);
    const out = run(checks, { timeline: tl, answerKey: { followUps: [{ channel: 'email', to: 'jo@example.com' }] } });
    expect(out.map((s) => s.criterionId)).toEqual(['U2-6.3-data-protection', 'U2-4.2-hold-max-60']);
    expect(out[0]).toMatchObject({ suggestedMarks: 0, outcome: 'not-met', checks: ['identity-before-access', 'follow-up-recipients'] });
    expect(out[0]!.evidence.length).toBeGreaterThan(2);
  });
  it('a part nobody checked keeps a criterion from being pre-filled, unless a decided part already gives 0', () => {
    // Met where it could be decided, undecided elsewhere: the assessor decides.
    const out = run([{ kind: 'answer-time', criterionId: 'c', maxRingSeconds: 10 }, { kind: 'wrap-up', criterionId: 'c' }], { call: null, timeline: timeline(['wrap-up', 1, { code: 'X' }]) });
    expect(out[0]).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
    expect(out[0]!.evidence.join(' ')).toMatch(/Wrap-up completed/);
    // A failed part is decisive: 0 whatever the undecided part would say.
    const failed = run([{ kind: 'assessor-judgement', criterionId: 'c', what: 'What the e-mail says' }, { kind: 'wrap-up', criterionId: 'c' }], { timeline: [] });
    expect(failed[0]).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(failed[0]!.evidence).toContain('What the e-mail says: for the assessor to judge (no automatic check reads it).');
    const none = run([{ kind: 'answer-time', criterionId: 'c', maxRingSeconds: 10 }], { call: null });
    expect(none[0]).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it('takes maxMarks from the rubric', () => {
    const out = evaluateAutoChecks({
      checks: [{ kind: 'hold-limit', criterionId: 'U2-4.2-hold-max-60' }],
      rubric: [{ criterionId: 'U2-4.2-hold-max-60', maxMarks: 3 }],
      answerKey: {},
      call: inboundCall(),
      timeline: [],
      records: [],
    });
    expect(out[0]).toMatchObject({ suggestedMarks: 3, maxMarks: 3 });
  });
  it('refuses a check for a criterion the rubric does not have, and an unknown kind', () => {
    const err = ruleError(() => evaluateAutoChecks({ checks: [{ kind: 'wrap-up', criterionId: 'U2-9-nope' }], rubric: [], answerKey: {}, call: null, timeline: [], records: [] }));
    expect(err).toMatchObject({ code: 'unknown-criterion', path: 'checks[0].criterionId' });
    expect(ruleError(() => run([{ kind: 'vibes', criterionId: 'c' } as unknown as AutoCheckDefinition])).code).toBe('unknown-check');
  });
  it('reads the timeline in seq order, not array order', () => {
    const tl = timeline(['identity-check', 30, { customerId: CUSTOMER_ID, passed: true }], ['field-changed', 40, { customerId: CUSTOMER_ID, field: 'town' }]);
    const shuffled = [tl[1]!, tl[0]!];
    expect(one({ kind: 'identity-before-access', criterionId: 'c' }, { timeline: shuffled }).suggestedMarks).toBe(2);
  });
});
