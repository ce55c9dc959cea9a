// What the assessor reads beside each pre-filled mark: every sentence each automatic check writes,
// for each way an attempt can go, with the marks that follow (issue 16: the mutation run showed
// evidence wording, boundaries and the less travelled branches unasserted). Calls, timelines and
// records are built as the server hands them over (auto-check-inputs.ts).
import { describe, expect, it } from 'vitest';
import { evaluateAutoChecks } from '../../../server/assessment/auto-checks.js';
import type { AnswerKey, AutoCheckDefinition, TimelineEntry } from '../../../server/assessment/types.js';
import { ACCOUNT, ANSWER, at, CUSTOMER_ID, customer, inboundCall, one, run, timeline } from './auto-check-inputs.js';
import { ruleError } from './support.js';

const who = { customerId: CUSTOMER_ID, accountNumber: ACCOUNT };
const ref = { type: 'customer', key: ACCOUNT };

describe('marks from outcomes, several checks on one line', () => {
  it('a 3-mark line with 1 of 3 keyed fields right gets 1, with 2 of 3 gets 2', () => {
    const key: AnswerKey = {
      fields: [
        { record: ref, field: 'town', kind: 'text', expected: 'Leeds' },
        { record: ref, field: 'postcode', kind: 'postcode', expected: 'LS1 4AP' },
        { record: ref, field: 'mobile', kind: 'phone', expected: '07700 900123' },
      ],
    };
    const marks = (fields: Record<string, unknown>) =>
      evaluateAutoChecks({ checks: [{ kind: 'field-accuracy', criterionId: 'c' }], rubric: [{ criterionId: 'c', maxMarks: 3 }], answerKey: key, call: null, timeline: [], records: [customer(fields)] })[0]!.suggestedMarks;
    expect(marks({ town: 'Leeds', postcode: 'X', mobile: 'Y' })).toBe(1);
    expect(marks({ town: 'Leeds', postcode: 'LS14AP', mobile: 'Y' })).toBe(2);
  });
  it('met by one check and not needed by the other: the line is "met"', () => {
    const [s] = run([{ kind: 'hold-recheck', criterionId: 'c' }, { kind: 'hold-limit', criterionId: 'c' }]);
    expect(s).toEqual({
      criterionId: 'c',
      suggestedMarks: 2,
      maxMarks: 2,
      outcome: 'met',
      evidence: ['The caller was never put on hold, so no check-back was needed.', 'The caller was never put on hold.'],
      checks: ['hold-recheck', 'hold-limit'],
    });
  });
  it('partly by one check, undecided by another: not pre-filled, and the outcome says why', () => {
    const key: AnswerKey = { wrapUp: { code: 'MOVE', notesRequired: true } };
    const [s] = run([{ kind: 'wrap-up', criterionId: 'c' }, { kind: 'assessor-judgement', criterionId: 'c', what: 'The tone of the notes' }], { answerKey: key, timeline: timeline(['wrap-up', 320, { code: 'MOVE' }]) });
    expect(s).toMatchObject({ suggestedMarks: null, outcome: 'no-data' });
  });
  it("a check for a line the rubric lacks is named by its place and kind", () => {
    const err = ruleError(() => evaluateAutoChecks({ checks: [{ kind: 'wrap-up', criterionId: 'a' }, { kind: 'hold-limit', criterionId: 'U2-9-nope' }], rubric: [{ criterionId: 'a', maxMarks: 2 }], answerKey: {}, call: null, timeline: [], records: [] }));
    expect(err.message).toBe("Auto-check 2 (hold-limit) is for U2-9-nope, which is not in the scenario's rubric.");
    expect(err.path).toBe('checks[1].criterionId');
    expect(ruleError(() => run([{ kind: 'vibes', criterionId: 'c' } as unknown as AutoCheckDefinition])).message).toBe('Unknown auto-check kind vibes.');
  });
});

describe('limits in a check definition', () => {
  it('each limit is named in the error, with what was given', () => {
    const bad = (def: AutoCheckDefinition) => ruleError(() => one(def));
    expect(bad({ kind: 'hold-limit', criterionId: 'h', maxHoldSeconds: -5 })).toMatchObject({
      code: 'bad-check-definition',
      path: 'maxHoldSeconds',
      message: 'The maxHoldSeconds of the check for h must be a positive number of seconds; got -5.',
    });
    expect(bad({ kind: 'hold-limit', criterionId: 'h', maxHoldSeconds: Infinity }).message).toBe('The maxHoldSeconds of the check for h must be a positive number of seconds; got Infinity.');
    expect(bad({ kind: 'hold-recheck', criterionId: 'h', maxHoldSeconds: 0 }).path).toBe('maxHoldSeconds');
    expect(bad({ kind: 'hold-recheck', criterionId: 'h', sameWaitGapSeconds: -1 })).toMatchObject({
      path: 'sameWaitGapSeconds',
      message: 'The sameWaitGapSeconds of the check for h must be a non-negative number of seconds; got -1.',
    });
    expect(bad({ kind: 'handle-time', criterionId: 'h', maxSeconds: 0 })).toMatchObject({ path: 'maxSeconds', message: 'The maxSeconds of the check for h must be a positive number of seconds; got 0.' });
    expect(bad({ kind: 'answer-time', criterionId: 'h', maxRingSeconds: -1 }).path).toBe('maxRingSeconds');
    expect(bad({ kind: 'identity-before-access', criterionId: 'h', minFactors: 1.5 })).toMatchObject({
      path: 'minFactors',
      message: 'The minFactors of the check for h must be a whole number of at least 1; got 1.5.',
    });
  });
  it('a gap of 0 s (every hold its own wait) and a single identity question are allowed', () => {
    expect(one({ kind: 'hold-recheck', criterionId: 'h', sameWaitGapSeconds: 0 }, { call: inboundCall({ holds: [[10, 60], [61, 100]] }) })).toMatchObject({
      outcome: 'not-applicable',
      evidence: ['No wait went past 60.0 s in all, so no check-back was needed.'],
    });
    const tl = timeline(['identity-check', 10, { ...who, passed: true, questions: 1, correct: 1 }], ['note-added', 20, who]);
    expect(one({ kind: 'identity-before-access', criterionId: 'h', minFactors: 1 }, { timeline: tl })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
  });
  it('by default a re-hold more than 30 s after a resume starts a new wait', () => {
    // 50 s on hold, back for 40 s, 45 s on hold: two waits, neither over 60 s.
    expect(one({ kind: 'hold-recheck', criterionId: 'h' }, { call: inboundCall({ holds: [[10, 60], [100, 145]] }) })).toMatchObject({
      outcome: 'not-applicable',
      evidence: ['No wait went past 60.0 s in all, so no check-back was needed.'],
    });
  });
});

describe('answer-time', () => {
  const check: AutoCheckDefinition = { kind: 'answer-time', criterionId: 'a', maxRingSeconds: 10 };
  it('no call, or a ringing time after the answer: the assessor decides, told why', () => {
    expect(one(check, { call: null })).toMatchObject({ suggestedMarks: null, evidence: ['No call is linked to this attempt, so the time to answer is unknown.'] });
    const skewed = { ...inboundCall(), ringingAt: ANSWER + 1 };
    expect(one(check, { call: skewed })).toMatchObject({ suggestedMarks: null, outcome: 'no-data', evidence: ['No ringing time was recorded for the call, so the time to answer is unknown.'] });
  });
  it('answered the instant it rang: 0.0 s, met', () => {
    expect(one(check, { call: { ...inboundCall(), ringingAt: ANSWER } })).toMatchObject({ suggestedMarks: 2, evidence: ['Answered 0.0 s after it started ringing; the limit is 10 s.'] });
  });
});

describe('hold-limit and hold-recheck evidence', () => {
  const limit: AutoCheckDefinition = { kind: 'hold-limit', criterionId: 'l' };
  const recheck: AutoCheckDefinition = { kind: 'hold-recheck', criterionId: 'r' };
  const both = (parts: Parameters<typeof run>[1]) => run([limit, recheck], parts);

  it('two holds: the longer one is reported, whichever came first', () => {
    const [l] = both({ call: inboundCall({ holds: [[10, 30], [100, 140]] }) });
    expect(l!.evidence).toEqual(['2 holds; the longest 40.0 s; the limit is 60.0 s each.']);
    const [first] = both({ call: inboundCall({ holds: [[10, 50], [100, 120]] }) });
    expect(first!.evidence).toEqual(['2 holds; the longest 40.0 s; the limit is 60.0 s each.']);
  });
  it('a hold still open with nothing to measure it by: its length unknown, no longest', () => {
    const call = { ...inboundCall({ endSec: null }), events: [{ at: at(70), type: 'hold', leg: 'callee' as const }] };
    const [l, r] = both({ call });
    expect(l).toMatchObject({ outcome: 'no-data', evidence: ['1 hold; the limit is 60.0 s each.', 'The hold starting at 1:10, still on hold; its length is not known yet.'] });
    expect(r).toMatchObject({ outcome: 'no-data', evidence: ['The hold starting at 1:10, still on hold; whether it goes past 60.0 s is not known yet.'] });
  });
  it('a hold still open, measured up to now', () => {
    const call = { ...inboundCall({ endSec: null }), events: [{ at: at(70), type: 'hold', leg: 'callee' as const }] };
    const [l, r] = both({ call, asOf: at(140) });
    expect(l!.evidence).toEqual(['1 hold; the longest 70.0 s; the limit is 60.0 s each.', 'Over the limit: hold starting at 1:10 lasted 70.0 s so far, still on hold.']);
    expect(r!.evidence).toEqual(['No check-back within 60.0 s: hold starting at 1:10 lasted 70.0 s so far, still on hold.']);
  });
  it('a hold ended by the call ending, and one the candidate came back from', () => {
    const call = inboundCall({ endSec: 200 });
    call.events = [{ at: at(10), type: 'hold', leg: 'callee' }, { at: at(20), type: 'resume', leg: 'callee' }, { at: at(130), type: 'hold', leg: 'callee' }, { at: at(200), type: 'hangup', leg: 'caller' }];
    const [l] = both({ call });
    expect(l!.evidence).toEqual(['2 holds; the longest 70.0 s; the limit is 60.0 s each.', 'Over the limit: hold starting at 2:10 lasted 70.0 s, ended by the call ending.']);
  });
  it('no call and no hold entries: the assessor decides on both', () => {
    const [l, r] = both({ call: null });
    expect(l).toMatchObject({ suggestedMarks: null, evidence: ['No call is linked to this attempt, so holds are unknown.'] });
    expect(r).toMatchObject({ suggestedMarks: null, outcome: 'no-data', evidence: ['No call is linked to this attempt, so holds are unknown.'] });
  });
  it('a wait split by two check-backs lists each hold and each return', () => {
    const [, r] = both({ call: inboundCall({ holds: [[10, 50], [55, 95], [105, 130]] }) });
    expect(r).toMatchObject({
      outcome: 'met',
      evidence: [
        'The caller waited 105.0 s in all, starting at 0:10, in 3 holds (40.0 s, 40.0 s, 25.0 s), checked back after each within 60.0 s (back on the line for 5.0 s, 10.0 s); whether they were asked to keep holding is for the assessor.',
      ],
    });
  });
});

describe('identity-before-access evidence', () => {
  const check: AutoCheckDefinition = { kind: 'identity-before-access', criterionId: 'i' };
  const key: AnswerKey = { identity: { accounts: [ACCOUNT] } };

  it('the whole story of a passed check before two changes', () => {
    const tl = timeline(['identity-check', 30, { ...who, passed: true }], ['field-changed', 40, { ...who, field: 'postcode' }], ['note-added', 50, who]);
    expect(one(check, { timeline: tl, answerKey: key })).toMatchObject({
      suggestedMarks: 2,
      outcome: 'met',
      evidence: [
        'Every change to or sending of account data during the call (2) came after a passed identity check for that customer.',
        'Identity check for customer BL100231 at 0:30: verified.',
      ],
    });
  });
  it('the key sets the number of questions when the check does not', () => {
    const tl = timeline(['identity-check', 30, { ...who, passed: true, questions: 1, correct: 1 }], ['note-added', 50, who]);
    const s = one(check, { timeline: tl, answerKey: { identity: { accounts: [ACCOUNT], questions: 2 } } });
    expect(s.suggestedMarks).toBe(0);
    expect(s.evidence).toContain('Identity check for customer BL100231 at 0:30: 1 asked, 1 correct: not verified (2 questions must be asked and answered correctly).');
  });
  it('without call facts the timeline alone decides', () => {
    const tl = timeline(['identity-check', 30, { ...who, passed: true }], ['note-added', 50, who]);
    expect(one(check, { call: null, timeline: tl })).toMatchObject({ suggestedMarks: 2, outcome: 'met' });
  });
  it("after the server's call-answered entry nothing is preparation", () => {
    const call = { ...inboundCall(), answeredAt: null };
    const tl = timeline(['note-added', -30, who], ['call-answered', 0], ['note-added', 20, who], ['identity-check', 30, { ...who, passed: true }]);
    const s = one(check, { call, timeline: tl });
    expect(s).toMatchObject({ suggestedMarks: 0, outcome: 'not-met' });
    expect(s.evidence).toEqual([
      'Note added for customer BL100231 at 0:20, before any passed identity check for that customer.',
      'Identity for customer BL100231 was only passed later, at 0:30.',
      'Note added for customer BL100231 0:30 before the answer: preparation before the call, not account data given to a caller.',
      'Identity check for customer BL100231 at 0:30: verified.',
    ]);
  });
  it('without a call-answered entry, an action at the very instant of the answer is during the call', () => {
    const s = one(check, { timeline: timeline(['note-added', 0, who], ['identity-check', 30, { ...who, passed: true }]) });
    expect(s).toMatchObject({ suggestedMarks: 0 });
    expect(s.evidence[0]).toBe('Note added for customer BL100231 at 0:00, before any passed identity check for that customer.');
  });
  it('two actions before the call: counted as preparation in the summary', () => {
    const tl = timeline(['note-added', -90, who], ['field-changed', -60, { ...who }], ['identity-check', 30, { ...who, passed: true }], ['note-added', 40, who]);
    expect(one(check, { timeline: tl }).evidence).toEqual([
      'Every change to or sending of account data during the call (1) came after a passed identity check for that customer (2 actions before the call were preparation).',
      'Note added for customer BL100231 1:30 before the answer: preparation before the call, not account data given to a caller.',
      'Field changed for customer BL100231 1:00 before the answer: preparation before the call, not account data given to a caller.',
      'Identity check for customer BL100231 at 0:30: verified.',
    ]);
    const single = timeline(['note-added', -90, who], ['identity-check', 30, { ...who, passed: true }]);
    expect(one(check, { timeline: single }).evidence[0]).toBe(
      'Every change to or sending of account data during the call (0) came after a passed identity check for that customer (1 action before the call were preparation).',
    );
  });
  it('a check naming no customer covers every customer; a named check covers an action naming none', () => {
    const anyone = timeline(['identity-check', 10, { passed: true }], ['note-added', 20, who]);
    expect(one(check, { timeline: anyone, answerKey: key })).toMatchObject({
      suggestedMarks: 2,
      evidence: [
        'Every change to or sending of account data during the call (1) came after a passed identity check for that customer.',
        'Identity check for an unnamed customer at 0:10: verified.',
      ],
    });
    const named = timeline(['identity-check', 10, { ...who, passed: true }], ['callback-created', 20, {}]);
    expect(one(check, { timeline: named })).toMatchObject({ suggestedMarks: 2 });
  });
  it('an unnamed action before an unnamed check: both said in the evidence', () => {
    const s = one(check, { timeline: timeline(['callback-created', 10, {}], ['identity-check', 20, { passed: true }]) });
    expect(s.evidence).toEqual([
      'Callback booked for an unnamed customer at 0:10, before any passed identity check for that customer.',
      'Identity for an unnamed customer was only passed later, at 0:20.',
      'Identity check for an unnamed customer at 0:20: verified.',
    ]);
  });
  it('a second failed action on the same customer adds one breach and one "passed later" line', () => {
    const tl = timeline(['note-added', 10, who], ['field-changed', 15, { ...who, field: 'town' }], ['identity-check', 20, { ...who, passed: true }]);
    expect(one(check, { timeline: tl }).evidence).toEqual([
      'Note added for customer BL100231 at 0:10, before any passed identity check for that customer.',
      'Town changed for customer BL100231 at 0:15, before any passed identity check for that customer.',
      'Identity for customer BL100231 was only passed later, at 0:20.',
      'Identity check for customer BL100231 at 0:20: verified.',
    ]);
  });
  it('an event the server could not place in the call is named by its number', () => {
    const tl: TimelineEntry[] = [{ seq: 4, at: at(10), offsetMs: null, type: 'note-added', payload: { ...who } }];
    expect(one(check, { timeline: tl }).evidence).toEqual(['Note added for customer BL100231 at 09:05:10, before any passed identity check for that customer.']);
  });
  it('a passed check alone, with no key and nothing changed, is still "met" (it was done)', () => {
    expect(one(check, { timeline: timeline(['identity-check', 10, { ...who, passed: true }]) })).toMatchObject({
      outcome: 'met',
      evidence: ['Every change to or sending of account data during the call (0) came after a passed identity check for that customer.', 'Identity check for customer BL100231 at 0:10: verified.'],
    });
    expect(one(check, { timeline: timeline(['identity-check', 10, { ...who, passed: false }]) })).toMatchObject({
      outcome: 'not-applicable',
      evidence: ['No account data was changed or sent and the key asks for no identity check.', 'Identity check for customer BL100231 at 0:10: not verified.'],
    });
  });
  it('flagOtherRecords: a customer known only by id is not taken for another account', () => {
    const tl = timeline(['identity-check', 5, { ...who, passed: true }], ['note-added', 10, { customerId: 99 }]);
    expect(one({ ...check, flagOtherRecords: true }, { timeline: tl, answerKey: key }).evidence[0]).toBe('Note added for a customer record with no known account number at 0:10, before any passed identity check for that customer.');
    const caller = timeline(['identity-check', 5, { ...who, passed: true }], ['note-added', 10, who]);
    expect(one({ ...check, flagOtherRecords: true }, { timeline: caller, answerKey: key }).suggestedMarks).toBe(2);
  });
  it('a field-changed without a field name, and a note whose payload happens to carry one', () => {
    const tl = timeline(['field-changed', 10, { ...who }], ['note-added', 12, { ...who, field: 'town' }]);
    expect(one(check, { timeline: tl }).evidence.slice(0, 2)).toEqual([
      'Field changed for customer BL100231 at 0:10, before any passed identity check for that customer.',
      'Note added for customer BL100231 at 0:12, before any passed identity check for that customer.',
    ]);
  });
});

describe('keyed and required fields', () => {
  const accuracy: AutoCheckDefinition = { kind: 'field-accuracy', criterionId: 'f' };
  const postcode: AnswerKey = { fields: [{ record: ref, field: 'postcode', kind: 'postcode', expected: 'M1 1AE' }] };
  it("the caller's own record is read, not another customer's listed before it", () => {
    const other = { type: 'customer', key: 'BL100232', id: 8, fields: { postcode: 'M1 1AE' } };
    expect(one(accuracy, { answerKey: postcode, records: [other, customer({ postcode: 'M1 1EA' })] }).evidence).toEqual([
      '0 of 1 keyed fields match the answer key.',
      'Wrong: postcode (customer BL100231): expected "M1 1AE", keyed "M1 1EA".',
    ]);
    const lead = { type: 'lead', key: ACCOUNT, id: 3, fields: { postcode: 'M1 1AE' } };
    expect(one(accuracy, { answerKey: postcode, records: [lead] }).evidence[1]).toBe('Wrong: postcode (customer BL100231): expected "M1 1AE", nothing recorded.');
  });
  it('from the timeline: the last change of that field, not of another field', () => {
    const tl = timeline(['field-changed', 10, { ...who, field: 'postcode', new: 'M1 1AE' }], ['field-changed', 20, { ...who, field: 'town', new: 'Salford' }]);
    expect(one(accuracy, { answerKey: postcode, timeline: tl }).evidence[1]).toBe('Correct: postcode (customer BL100231): expected "M1 1AE", keyed "M1 1AE".');
    const notes = timeline(['note-added', 10, { ...who, field: 'postcode', new: 'ZZ9 9ZZ' }]);
    expect(one(accuracy, { answerKey: postcode, timeline: notes }).evidence[1]).toBe('Wrong: postcode (customer BL100231): expected "M1 1AE", nothing recorded.');
  });
  it('a record other than a customer: any change of the field counts', () => {
    const key: AnswerKey = { fields: [{ record: { type: 'lead', key: 'LD-1' }, field: 'status', kind: 'code', expected: 'QUALIFIED' }] };
    expect(one(accuracy, { answerKey: key, timeline: timeline(['field-changed', 10, { leadId: 1, field: 'status', new: 'qualified' }]) })).toMatchObject({
      suggestedMarks: 2,
      evidence: ['1 of 1 keyed fields match the answer key.', 'Correct: status (lead LD-1): expected "QUALIFIED", keyed "qualified".'],
    });
  });
  it('required fields: none in the key is not applicable; null is empty', () => {
    const required: AutoCheckDefinition = { kind: 'required-fields', criterionId: 'r' };
    expect(one(required)).toMatchObject({ suggestedMarks: 2, outcome: 'not-applicable', evidence: ['The answer key lists no required fields.'] });
    const key: AnswerKey = { requiredFields: [{ record: ref, field: 'email', label: 'e-mail address' }] };
    expect(one(required, { answerKey: key, records: [customer({ email: null })] })).toMatchObject({
      suggestedMarks: 0,
      evidence: ['0 of 1 required fields are filled in.', 'Empty: e-mail address (customer BL100231).'],
    });
    expect(one(required, { answerKey: key, records: [customer({ email: 'jo@example.co.uk' })] }).evidence).toEqual(['1 of 1 required fields are filled in.']);
  });
});

describe('wrap-up evidence', () => {
  const check: AutoCheckDefinition = { kind: 'wrap-up', criterionId: 'w' };
  it('no notes, and notes required: both said', () => {
    const names = { wrapUpOutcomes: { MOVE: 'Home move booked' } };
    const s = one(check, { answerKey: { wrapUp: { code: 'MOVE', notesRequired: true }, names }, timeline: timeline(['wrap-up', 320, { code: 'move' }]) });
    expect(s).toMatchObject({ suggestedMarks: 1, outcome: 'partly', evidence: ['Wrap-up completed at 5:20 with the outcome "Home move booked" and no notes.', 'Notes are required and were left empty.'] });
    const wrong = one(check, { answerKey: { wrapUp: { code: 'MOVE' }, names }, timeline: timeline(['wrap-up', 320, { code: 'INFO', notesLength: 1 }]) });
    expect(wrong.evidence).toEqual(['Wrap-up completed at 5:20 with the outcome "Info" and 1 characters of notes.', 'The wrap-up outcome should be "Home move booked".']);
  });
  it('a code that is not text counts as no code', () => {
    const s = one(check, { answerKey: { wrapUp: { code: 'MOVE' } }, timeline: timeline(['wrap-up', 320, { code: 42, notesLength: 3 }]) });
    expect(s.evidence).toEqual(['Wrap-up completed at 5:20 with no outcome and 3 characters of notes.', 'The wrap-up outcome should be "Move".']);
  });
});

describe('follow-up recipients evidence', () => {
  const check: AutoCheckDefinition = { kind: 'follow-up-recipients', criterionId: 'f' };
  it('other desktop actions are not messages: nothing expected, nothing sent', () => {
    expect(one(check, { timeline: timeline(['note-added', 10, who]) })).toMatchObject({ outcome: 'not-applicable', evidence: ['No follow-up message was expected or sent.'] });
  });
  it('an SMS with no label is named as an SMS; an address with spaces around it still matches', () => {
    const key: AnswerKey = { followUps: [{ channel: 'sms', to: '07700 900123' }, { channel: 'email', to: 'jo@example.co.uk' }] };
    const s = one(check, { answerKey: key, timeline: timeline(['message-sent', 400, { channel: 'email', to: '  Jo@Example.co.uk ' }]) });
    expect(s).toMatchObject({ suggestedMarks: 1, evidence: ['Not sent: SMS to 07700 900123.', 'Sent: e-mail to jo@example.co.uk at 6:40.'] });
  });
  it('cc compared whatever the order, case and spacing; said in the evidence', () => {
    const key: AnswerKey = { followUps: [{ channel: 'email', to: 'jo@example.co.uk', cc: ['Sales@brightline.example', 'repairs@brightline.example'] }] };
    const tl = timeline(['message-sent', 400, { channel: 'email', to: 'jo@example.co.uk', cc: [' repairs@brightline.example', 'SALES@brightline.example', 5] }]);
    expect(one(check, { answerKey: key, timeline: tl })).toMatchObject({ suggestedMarks: 2, evidence: ['Sent: e-mail to jo@example.co.uk (cc repairs@brightline.example, sales@brightline.example) at 6:40.'] });
  });
  it('a cc where the key has none, and none where the key has one', () => {
    const none: AnswerKey = { followUps: [{ channel: 'email', to: 'jo@example.co.uk', cc: [] }] };
    expect(one(check, { answerKey: none, timeline: timeline(['message-sent', 400, { channel: 'email', to: 'jo@example.co.uk', cc: ['x@example.com'] }]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: ["The e-mail to jo@example.co.uk was sent with cc x@example.com; the key's cc is (none)."],
    });
    const some: AnswerKey = { followUps: [{ channel: 'email', to: 'jo@example.co.uk', cc: ['x@example.com'] }] };
    expect(one(check, { answerKey: some, timeline: timeline(['message-sent', 400, { channel: 'email', to: 'jo@example.co.uk' }]) }).evidence).toEqual([
      "The e-mail to jo@example.co.uk was sent with cc (none); the key's cc is x@example.com.",
    ]);
    expect(one(check, { answerKey: none, timeline: timeline(['message-sent', 400, { channel: 'email', to: 'jo@example.co.uk', cc: [] }]) }).evidence).toEqual(['Sent: e-mail to jo@example.co.uk at 6:40.']);
  });
  it('a message to a recipient the key does not expect is named by its channel', () => {
    const key: AnswerKey = { followUps: [{ channel: 'email', to: 'jo@example.co.uk' }] };
    const tl = timeline(['message-sent', 400, { channel: 'sms', to: '07700 900999' }], ['message-sent', 410, { channel: 'fax', to: '0113 496 0000' }]);
    expect(one(check, { answerKey: key, timeline: tl }).evidence).toEqual([
      'Not sent: e-mail to jo@example.co.uk.',
      'Sent to a recipient the key does not expect: an SMS to "07700 900999" at 6:40.',
      'Sent to a recipient the key does not expect: a message to "0113 496 0000" at 6:50.',
    ]);
  });
  it('a message with no address is a recipient the key does not expect', () => {
    const key: AnswerKey = { followUps: [{ channel: 'email', to: 'jo@example.co.uk' }] };
    expect(one(check, { answerKey: key, timeline: timeline(['message-sent', 400, { channel: 'email', to: null }]) }).evidence).toEqual([
      'Not sent: e-mail to jo@example.co.uk.',
      'Sent to a recipient the key does not expect: an e-mail to (empty) at 6:40.',
    ]);
  });
});

describe('follow-up attachments, deadline and template evidence', () => {
  const info = { channel: 'email' as const, to: 'ian@example.co.uk', label: 'information pack e-mail', attachments: ['info-pack', 'price-list'], withinMinutes: 30, templateKey: 'info-pack-email' };
  const text = { channel: 'sms' as const, to: '07700 900123', attachments: ['map'], withinMinutes: 10, templateKey: 'visit-sms' };
  // The seed names the pack, the price list and the e-mail's template; the map and the SMS template it leaves unnamed (said in words).
  const key: AnswerKey = { followUps: [info, text], names: { documents: { 'info-pack': 'Broadband information pack', 'price-list': 'Price list' }, templates: { 'info-pack-email': 'Information pack', general: 'General enquiry' } } };
  const doc = (k: string) => ({ kind: 'document', key: k, name: `${k}.pdf` });
  const email = (sec: number, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['message-sent', sec, { channel: 'email', to: 'ian@example.co.uk', ...extra }];
  const attachments = (index?: number): AutoCheckDefinition => ({ kind: 'follow-up-attachments', criterionId: 'a', ...(index === undefined ? {} : { index }) });

  it('every attachment must be on one message; what is missing is named', () => {
    const partial = one(attachments(0), { answerKey: key, timeline: timeline(email(400, { attachments: [doc('info-pack'), 'price-list', null] })) });
    expect(partial).toMatchObject({ suggestedMarks: 0, evidence: ['The information pack e-mail to ian@example.co.uk was sent at 6:40 without "Price list", which it had to carry.'] });
    const full = one(attachments(0), { answerKey: key, timeline: timeline(email(400, { attachments: [doc('price-list'), doc('info-pack')] })) });
    expect(full).toMatchObject({ suggestedMarks: 2, evidence: ['The information pack e-mail to ian@example.co.uk at 6:40 carried "Broadband information pack", "Price list".'] });
    const notList = one(attachments(0), { answerKey: key, timeline: timeline(email(400, { attachments: 'info-pack' })) });
    expect(notList.evidence).toEqual(['The information pack e-mail to ian@example.co.uk was sent at 6:40 without "Broadband information pack", "Price list", which it had to carry.']);
  });
  it('all follow-ups without an index: one of two carried, partly; the unsent SMS says what did not go', () => {
    const s = one(attachments(), { answerKey: key, timeline: timeline(['note-added', 10, who], email(400, { attachments: [doc('info-pack'), doc('price-list')] })) });
    expect(s).toMatchObject({
      suggestedMarks: 1,
      outcome: 'partly',
      evidence: ['The information pack e-mail to ian@example.co.uk at 6:40 carried "Broadband information pack", "Price list".', 'Not sent: SMS to 07700 900123, so its attachment ("Map") did not go either.'],
    });
    expect(one(attachments(0), { answerKey: key }).evidence).toEqual(['Not sent: information pack e-mail to ian@example.co.uk, so its attachments ("Broadband information pack", "Price list") did not go either.']);
  });
  it('a follow-up the key gives no attachments, or an index past the key: not applicable', () => {
    expect(one(attachments(0), { answerKey: { followUps: [{ ...info, attachments: [] }] } })).toMatchObject({ outcome: 'not-applicable', evidence: ['The key asks for no attachment on the follow-up.'] });
    expect(one(attachments(2), { answerKey: key })).toMatchObject({ outcome: 'not-applicable' });
    expect(one(attachments(0))).toMatchObject({ outcome: 'not-applicable' });
  });
  it('the SMS by index: an e-mail to the same person is not it', () => {
    const sms = one(attachments(1), { answerKey: key, timeline: timeline(['message-sent', 400, { channel: 'email', to: '07700 900123', attachments: [doc('map')] }]) });
    expect(sms.evidence).toEqual(['Not sent: SMS to 07700 900123, so its attachment ("Map") did not go either.']);
    const sent = one(attachments(1), { answerKey: key, timeline: timeline(['message-sent', 400, { channel: 'sms', to: '+447700900123', attachments: [doc('map')] }]) });
    expect(sent).toMatchObject({ suggestedMarks: 2, evidence: ['The SMS to 07700 900123 at 6:40 carried "Map".'] });
  });

  const deadline = (index?: number): AutoCheckDefinition => ({ kind: 'follow-up-deadline', criterionId: 'd', ...(index === undefined ? {} : { index }) });
  it('deadline: sent exactly at the limit is in time; before the call ended says so; not sent says when it was due', () => {
    // The call ends at 5:00 (300 s).
    expect(one(deadline(0), { answerKey: key, timeline: timeline(email(300 + 30 * 60)) })).toMatchObject({ suggestedMarks: 2, evidence: ['The information pack e-mail to ian@example.co.uk was sent 30:00 after the call ended; the limit is 30 minutes.'] });
    expect(one(deadline(0), { answerKey: key, timeline: timeline(email(300)) }).evidence).toEqual(['The information pack e-mail to ian@example.co.uk was sent before the call ended; the limit is 30 minutes.']);
    expect(one(deadline(0), { answerKey: key, timeline: timeline(email(301)) }).evidence).toEqual(['The information pack e-mail to ian@example.co.uk was sent 0:01 after the call ended; the limit is 30 minutes.']);
    expect(one(deadline(), { answerKey: key, timeline: timeline(email(200)) })).toMatchObject({
      suggestedMarks: 1,
      evidence: ['The information pack e-mail to ian@example.co.uk was sent before the call ended; the limit is 30 minutes.', "Not sent: SMS to 07700 900123 (due within 10 minutes of the call's end)."],
    });
  });
  it('deadline: no deadline in the key, or no call at all', () => {
    expect(one(deadline(0), { answerKey: { followUps: [{ channel: 'email', to: 'x@example.com' }] } })).toMatchObject({ outcome: 'not-applicable', evidence: ['The key sets no deadline for the follow-up.'] });
    expect(one(deadline(0), { answerKey: key, call: null })).toMatchObject({
      suggestedMarks: null,
      evidence: ['The call has not ended (or none is linked to this attempt), so the time to the follow-up cannot be measured.'],
    });
  });

  const template = (index?: number): AutoCheckDefinition => ({ kind: 'follow-up-template', criterionId: 't', ...(index === undefined ? {} : { index }) });
  it('template: which templates were used instead, or that nothing was sent', () => {
    const wrong = one(template(0), { answerKey: key, timeline: timeline(email(400, { templateKey: 'general' }), email(410)) });
    expect(wrong).toMatchObject({ suggestedMarks: 0, evidence: ['The information pack e-mail to ian@example.co.uk was not made from the template "Information pack" (sent from the template "General enquiry", no template).'] });
    expect(one(template(), { answerKey: key, timeline: timeline(email(400, { templateKey: 'info-pack-email' })) })).toMatchObject({
      suggestedMarks: 1,
      evidence: ['The information pack e-mail to ian@example.co.uk was made from the template "Information pack".', 'Not sent: SMS to 07700 900123.'],
    });
    expect(one(template(0), { answerKey: { followUps: [{ channel: 'email', to: 'x@example.com' }] } })).toMatchObject({ outcome: 'not-applicable', evidence: ['The key names no template for the follow-up.'] });
  });
});

describe('do-not-call evidence', () => {
  const check: AutoCheckDefinition = { kind: 'do-not-call-respected', criterionId: 'd' };
  const dialled = (sec: number, dialledNumber: unknown): [string, number, Record<string, unknown>] => ['call-started', sec, { direction: 'outbound', dialledNumber }];
  it('each number dialled once in the summary, with the barred list', () => {
    const s = one(check, { answerKey: { dialling: { mustNotDial: ['0113 496 0777', '0113 496 0778'] } }, timeline: timeline(dialled(-60, '01134960903'), dialled(0, '01134960903'), dialled(5, '01134960904')) });
    expect(s).toMatchObject({ suggestedMarks: 2, evidence: ['Dialled 01134960903, 01134960904; no number marked do-not-call (0113 496 0777, 0113 496 0778) was dialled.'] });
  });
  it('an empty barred list says none; calls with no dialled number are not dials', () => {
    expect(one(check, { answerKey: { dialling: { mustNotDial: [] } }, timeline: timeline(dialled(0, '01134960903')) }).evidence).toEqual(['Dialled 01134960903; no number marked do-not-call (none) was dialled.']);
    expect(one(check, { answerKey: { dialling: { mustNotDial: [] } }, timeline: timeline(dialled(0, ''), dialled(1, 42), ['note-added', 2, { dialledNumber: '01134960903' }]) })).toMatchObject({
      suggestedMarks: null,
      evidence: ['No call was dialled from this attempt, so there is no dialled number to check.'],
    });
    expect(one(check)).toMatchObject({ evidence: ['The key lists no numbers that must not be dialled.'] });
  });
  it('a number that is not a UK phone number is compared by its digits', () => {
    const s = one(check, { answerKey: { dialling: { mustNotDial: ['+1 (555) 010-0000'] } }, timeline: timeline(dialled(0, '1-555-010-0000')) });
    expect(s).toMatchObject({ suggestedMarks: 0, evidence: ['Dialled 1-555-010-0000, which is marked do-not-call, at 0:00.'] });
  });
});

describe('times when the call was never answered', () => {
  // Found by the mutation run: with no answer to count from, the evidence printed the raw
  // millisecond clock ("at 1772442300000"). It now gives the UK time of day.
  it('a do-not-call number dialled and not answered: the time of day it was dialled', () => {
    const call = { ...inboundCall({ answered: false }), candidateLeg: 'caller' as const };
    const s = one({ kind: 'do-not-call-respected', criterionId: 'd' }, { call, answerKey: { dialling: { mustNotDial: ['0113 496 0777'] } }, timeline: timeline(['call-started', 10, { dialledNumber: '01134960777' }]) });
    expect(s.evidence).toEqual(['Dialled 01134960777, which is marked do-not-call, at 09:05:10.']);
    // In British Summer Time the clock on the wall is an hour ahead of UTC.
    const summer: TimelineEntry[] = [{ seq: 1, at: Date.UTC(2026, 6, 1, 13, 0, 5), offsetMs: null, type: 'call-started', payload: { dialledNumber: '01134960777' } }];
    expect(one({ kind: 'do-not-call-respected', criterionId: 'd' }, { call: null, answerKey: { dialling: { mustNotDial: ['0113 496 0777'] } }, timeline: summer }).evidence).toEqual([
      'Dialled 01134960777, which is marked do-not-call, at 14:00:05.',
    ]);
  });
  it("holds from the server's timeline entries, with no call facts: the time of day each began", () => {
    const tl = timeline(['hold', 10, { byCandidate: true }], ['resume', 81, { byCandidate: true }]);
    expect(one({ kind: 'hold-limit', criterionId: 'h' }, { call: null, timeline: tl }).evidence).toEqual(['1 hold; the longest 71.0 s; the limit is 60.0 s each.', 'Over the limit: hold starting at 09:05:10 lasted 71.0 s.']);
  });
  it('a note before a dial that nobody answered', () => {
    const check: AutoCheckDefinition = { kind: 'prepared-before-dial', criterionId: 'p', account: ACCOUNT, noteRequired: true };
    const s = one(check, { call: null, timeline: timeline(['note-added', -60, who], ['call-started', -10, { dialledNumber: '01314960544' }]) });
    expect(s.evidence).toEqual([`A note was added to the record of ${ACCOUNT} at 09:04:00, before the first number was dialled.`]);
  });
});

describe('cases and goodwill credit evidence', () => {
  const complaint = { account: ACCOUNT, type: 'complaint', category: 'MISSED_APPOINTMENT', priorities: ['high', 'urgent'], escalated: true, maxCreditPence: 2000, mentions: [] };
  const aCase = (sec: number, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['case-created', sec, { ...who, caseId: 5, reference: 'CAS-000005', type: 'complaint', category: 'MISSED_APPOINTMENT', priority: 'high', escalated: true, creditPence: 2000, ...extra }];
  const check = (index = 0): AutoCheckDefinition => ({ kind: 'case-matches', criterionId: 'c', index });

  it('the matching case, and what the description must say left to the assessor', () => {
    expect(one(check(), { answerKey: { cases: [complaint] }, timeline: timeline(aCase(100)) })).toMatchObject({
      suggestedMarks: 2,
      evidence: ['The case CAS-000005 raised at 1:40 matches the key: a complaint (missed appointment), priority high or urgent, escalated.'],
    });
    const mentions = one(check(), { answerKey: { cases: [{ ...complaint, mentions: ['the missed visit', 'a new date'] }] }, timeline: timeline(aCase(100, { reference: undefined })) });
    expect(mentions.evidence).toEqual([
      'The case raised at 1:40 matches the key: a complaint (missed appointment), priority high or urgent, escalated.',
      'Whether the case description says "the missed visit", "a new date" is for the assessor to judge.',
    ]);
  });
  it("categories by the seed's names, the candidate's choice too (case ignored); one the seed does not name, in words", () => {
    const names = { caseCategories: { MISSED_APPOINTMENT: 'Engineer did not come', BILLING: 'Billing query' } };
    expect(one(check(), { answerKey: { cases: [complaint], names }, timeline: timeline(aCase(100, { category: 'billing' })) }).evidence).toEqual([
      'The case CAS-000005 raised at 1:40 does not match the key (a complaint (engineer did not come), priority high or urgent, escalated): category "billing query", not engineer did not come.',
    ]);
    expect(one(check(), { answerKey: { cases: [complaint], names }, timeline: timeline(aCase(100, { category: 'SERVICE_QUALITY' })) }).evidence[0]).toMatch(/: category "service quality", not engineer did not come\.$/);
    expect(one(check(), { answerKey: { cases: [complaint], names }, timeline: timeline(aCase(100, { category: ' ' })) }).evidence[0]).toMatch(/: category \(empty\), not engineer did not come\.$/);
  });
  it('of several cases, the one closest to the key is reported', () => {
    const tl = timeline(aCase(100, { type: 'query', priority: 'low' }), aCase(120, { reference: 'CAS-000006', escalated: false }), ['case-created', 130, { customerId: 99, type: 'complaint' }]);
    expect(one(check(), { answerKey: { cases: [complaint] }, timeline: tl }).evidence).toEqual([
      'The case CAS-000006 raised at 2:00 does not match the key (a complaint (missed appointment), priority high or urgent, escalated): not escalated.',
    ]);
  });
  it('each difference in words; any category; no credit expected', () => {
    const plain = { account: ACCOUNT, type: 'query', category: null, priorities: ['normal'], escalated: false, maxCreditPence: null, mentions: [] };
    const s = one(check(), { answerKey: { cases: [plain] }, timeline: timeline(aCase(100, { type: 'complaint', category: 'ANY', priority: undefined, escalated: true, creditPence: 500 })) });
    expect(s.evidence).toEqual([
      'The case CAS-000005 raised at 1:40 does not match the key (a query, priority normal): type "complaint", not query; priority (empty), not normal; escalated when it need not be; a goodwill credit of £5.00, where none is expected.',
    ]);
    expect(one(check(), { answerKey: { cases: [plain] }, timeline: timeline(aCase(100, { type: ' Query ', priority: 'NORMAL', escalated: false, creditPence: 0 })) }).suggestedMarks).toBe(2);
    expect(one(check(), { answerKey: { cases: [plain] }, timeline: timeline(aCase(100, { type: 'query', priority: 'normal', escalated: false, creditPence: Number.NaN })) }).suggestedMarks).toBe(2);
  });
  it('no case, another customer\'s case, or no such case in the key', () => {
    expect(one(check(), { answerKey: { cases: [complaint] }, timeline: timeline(['case-created', 100, { customerId: 99, type: 'complaint' }]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: [`No case was raised for customer ${ACCOUNT}; the key expects a complaint (missed appointment), priority high or urgent, escalated.`],
    });
    expect(one(check(1), { answerKey: { cases: [complaint] } })).toMatchObject({ suggestedMarks: null, evidence: ['The key has no case 2.'] });
    expect(one(check(), { answerKey: {} })).toMatchObject({ suggestedMarks: null, evidence: ['The key has no case 1.'] });
  });

  const credit: AutoCheckDefinition = { kind: 'credit-within-limit', criterionId: 'g', account: ACCOUNT, maxCreditPence: 2000 };
  it('credit: none given, each within the limit, and only the ones over it named', () => {
    expect(one(credit, { timeline: timeline(aCase(100, { creditPence: 0 }), aCase(110, { creditPence: -500 })) })).toMatchObject({
      suggestedMarks: 2,
      evidence: [`No goodwill credit was given to customer ${ACCOUNT}; the limit is £20.00.`],
    });
    expect(one(credit, { timeline: timeline(aCase(100, { creditPence: 1500 }), aCase(110, { creditPence: 500 })) }).evidence).toEqual(['Goodwill credit £15.00 at 1:40, £5.00 at 1:50, within the £20.00 limit.']);
    expect(one(credit, { timeline: timeline(aCase(100, { creditPence: 1500 }), aCase(110, { creditPence: 2001 }), ['case-created', 120, { customerId: 99, creditPence: 9999 }]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: ['Goodwill credit over the £20.00 limit: £20.01 at 1:50.'],
    });
  });
});

describe('order evidence', () => {
  const order = { account: ACCOUNT, lines: [{ productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' }, { productCode: 'ROUTER', quantity: 2, saleType: 'upsell' }], optionalLines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] };
  const check = (index = 0): AutoCheckDefinition => ({ kind: 'order-matches', criterionId: 'o', index });
  const placed = (sec: number, lines: unknown, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['order-created', sec, { ...who, orderId: 3, reference: 'ORD-000003', lines, ...extra }];
  const fibre = { productCode: 'bb-fibre-500', quantity: 1, saleType: 'upsell' };
  const router = { productCode: 'ROUTER', quantity: 2, saleType: 'UPSELL' };

  it('the agreed lines, with the optional one, in words', () => {
    expect(one(check(), { answerKey: { orders: [order] }, timeline: timeline(placed(200, [fibre, router])) })).toMatchObject({
      suggestedMarks: 2,
      evidence: ['The order ORD-000003 placed at 3:20 holds 1 × BB-FIBRE-500, 2 × ROUTER, nothing the key does not allow.'],
    });
    expect(one(check(), { answerKey: { orders: [order] }, timeline: timeline(placed(200, [fibre, router, { productCode: 'WIFI-MESH', quantity: 1, saleType: 'upsell' }], { reference: 7 })) }).evidence).toEqual([
      'The order placed at 3:20 holds 1 × BB-FIBRE-500, 2 × ROUTER and the optional 1 × WIFI-MESH, nothing the key does not allow.',
      'WIFI-MESH is marked "up-sell" (the key says cross-sell).',
    ]);
  });
  it("products by the seed's names; a code the seed does not name stays as the catalogue writes it", () => {
    const names = { products: { 'BB-FIBRE-500': 'Full Fibre 500', ROUTER: 'Brightline Hub 4', 'WIFI-MESH': 'Wi-Fi Mesh' } };
    expect(one(check(), { answerKey: { orders: [order], names }, timeline: timeline(placed(200, [fibre, { productCode: 'TV', quantity: 1, saleType: 'cross_sell' }, { productCode: 'wifi-mesh', quantity: 1, saleType: 'standard' }])) }).evidence).toEqual([
      'The order ORD-000003 placed at 3:20 does not match the key: 2 × Brightline Hub 4 is missing; 1 × TV is not a product the key allows (not agreed).',
      'Wi-Fi Mesh is marked "standard" (the key says cross-sell).',
    ]);
    expect(one(check(), { answerKey: { orders: [order], names }, timeline: timeline(placed(200, [fibre, { ...router, quantity: 3 }])) }).evidence).toEqual([
      'The order ORD-000003 placed at 3:20 does not match the key: Brightline Hub 4 quantity 3, not 2.',
    ]);
  });
  it('a wrong quantity, a missing line, a line not agreed; the closest order reported', () => {
    const tl = timeline(placed(200, [{ productCode: 'TV', quantity: 1 }]), placed(210, [fibre, { ...router, quantity: 1, saleType: null }], { reference: 'ORD-000004' }));
    expect(one(check(), { answerKey: { orders: [order] }, timeline: tl })).toMatchObject({
      suggestedMarks: 0,
      evidence: ['The order ORD-000004 placed at 3:30 does not match the key: ROUTER quantity 1, not 2.', 'ROUTER is marked with no sale type (the key says up-sell).'],
    });
    expect(one(check(), { answerKey: { orders: [order] }, timeline: timeline(placed(200, [fibre, { productCode: 'TV', quantity: 1 }])) }).evidence).toEqual([
      'The order ORD-000003 placed at 3:20 does not match the key: 2 × ROUTER is missing; 1 × TV is not a product the key allows (not agreed).',
    ]);
    expect(one(check(), { answerKey: { orders: [order] }, timeline: timeline(placed(200, 'not a list of lines')) }).evidence).toEqual([
      'The order ORD-000003 placed at 3:20 does not match the key: 1 × BB-FIBRE-500 is missing; 2 × ROUTER is missing.',
    ]);
  });
  it('no order for the customer, or none in the key', () => {
    expect(one(check(), { answerKey: { orders: [order] }, timeline: timeline(['order-created', 200, { customerId: 99, lines: [fibre, router] }]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: [`No order was placed for customer ${ACCOUNT}; the key expects 1 × BB-FIBRE-500, 2 × ROUTER.`],
    });
    expect(one(check(1), { answerKey: { orders: [order] } })).toMatchObject({ suggestedMarks: null, evidence: ['The key has no order 2.'] });
    expect(one(check(), { answerKey: {} })).toMatchObject({ evidence: ['The key has no order 1.'] });
  });
});

describe('callback evidence', () => {
  const task = { account: ACCOUNT, kind: 'task', priorities: ['high'], dueFrom: '2026-03-03', dueTo: '2026-03-04', timeFrom: '08:00', timeTo: '13:00', mentions: [] };
  const check = (index = 0): AutoCheckDefinition => ({ kind: 'callback-matches', criterionId: 'b', index });
  const booked = (sec: number, extra: Record<string, unknown> = {}): [string, number, Record<string, unknown>] => ['callback-created', sec, { ...who, callbackId: 2, kind: 'task', priority: 'high', dueAt: '2026-03-04T09:30', ...extra }];

  it('in the window, on its edges, and in words', () => {
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300)) })).toMatchObject({
      suggestedMarks: 2,
      evidence: ['The task booked at 5:00 for Wed 4 Mar 2026, 09:30 matches the key: a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00.'],
    });
    for (const dueAt of ['2026-03-03T08:00', '2026-03-04T13:00']) expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300, { dueAt })) }).suggestedMarks).toBe(2);
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300, { dueAt: '2026-03-02T07:59' })) }).evidence).toEqual([
      'The task booked at 5:00 for Mon 2 Mar 2026, 07:59 does not match the key (a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00): due on Mon 2 Mar 2026, outside Tue 3 Mar 2026 to Wed 4 Mar 2026; due at 07:59, outside 08:00 to 13:00.',
    ]);
  });
  it('one day and no time window; mentions for the assessor', () => {
    const oneDay = { ...task, dueFrom: '2026-03-04', dueTo: '2026-03-04', timeFrom: undefined, timeTo: undefined, mentions: ['the engineer visit'] };
    expect(one(check(), { answerKey: { callbacks: [oneDay] }, timeline: timeline(booked(300, { dueAt: '2026-03-04T18:00' })) })).toMatchObject({
      suggestedMarks: null,
      evidence: [
        'The task booked at 5:00 for Wed 4 Mar 2026, 18:00 matches the key: a task, priority high, due Wed 4 Mar 2026.',
        "Whether the task's reason says \"the engineer visit\" is for the assessor to judge.",
      ],
    });
    const anyDay = { ...task, dueFrom: undefined, dueTo: undefined, timeFrom: '08:00', timeTo: undefined };
    expect(one(check(), { answerKey: { callbacks: [anyDay] }, timeline: timeline(booked(300, { dueAt: '2027-01-01T23:00' })) }).evidence).toEqual([
      'The task booked at 5:00 for Fri 1 Jan 2027, 23:00 matches the key: a task, priority high.',
    ]);
  });
  it('wrong kind, priority and a due time that is not a date and time', () => {
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300, { kind: 'callback', priority: 'low', dueAt: 'tomorrow 09:30' })) }).evidence).toEqual([
      'The task booked at 5:00 for tomorrow 09:30 does not match the key (a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00): a "callback", not a task; priority "low", not high; no due date and time.',
    ]);
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300, { dueAt: 'x2026-03-04T09:30' }), booked(310, { dueAt: '2026-03-04T09:30x', kind: undefined })) }).evidence).toEqual([
      'The task booked at 5:00 for x2026-03-04T09:30 does not match the key (a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00): no due date and time.',
    ]);
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(booked(300, { dueAt: null })) }).evidence).toEqual([
      'The task booked at 5:00 does not match the key (a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00): no due date and time.',
    ]);
  });
  it('none booked for the customer, or none in the key', () => {
    expect(one(check(), { answerKey: { callbacks: [task] }, timeline: timeline(['callback-created', 300, { customerId: 99, kind: 'task' }]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: [`No task was booked for customer ${ACCOUNT}; the key expects a task, priority high, due Tue 3 Mar 2026 to Wed 4 Mar 2026 between 08:00 and 13:00.`],
    });
    expect(one(check(1), { answerKey: { callbacks: [task] } })).toMatchObject({ suggestedMarks: null, evidence: ['The key has no callback 2.'] });
    expect(one(check(), { answerKey: {} })).toMatchObject({ evidence: ['The key has no callback 1.'] });
  });
});

describe('print-outs, look-alike accounts, preparation, planted errors, handle time', () => {
  const printout: AutoCheckDefinition = { kind: 'printout-made', criterionId: 'p' };
  const caseOf = (customerId: number, caseId: number): [string, number, Record<string, unknown>] => ['case-created', 100, { customerId, caseId }];
  const orderOf = (customerId: number, orderId: number): [string, number, Record<string, unknown>] => ['order-created', 110, { customerId, orderId }];
  const printed = (sec: number, kind: string, subjectId: unknown, title?: string): [string, number, Record<string, unknown>] => ['printout', sec, { kind, subjectId, ...(title ? { title } : {}) }];

  it("print-outs: each of the right customer's records, and what was printed instead", () => {
    const key: AnswerKey = { printouts: [{ kind: 'case', account: ACCOUNT }, { kind: 'order', account: ACCOUNT }, { kind: 'customer', account: ACCOUNT }] };
    const s = one(printout, { answerKey: key, records: [customer({})], timeline: timeline(caseOf(CUSTOMER_ID, 5), orderOf(99, 5), orderOf(CUSTOMER_ID, 6), printed(400, 'case', 5), printed(410, 'order', 5, 'Order ORD-000005'), printed(420, 'customer', 99)) });
    expect(s).toMatchObject({
      suggestedMarks: 1,
      evidence: [
        `Printed: the case of customer ${ACCOUNT} at 6:40.`,
        `Not printed: the order of customer ${ACCOUNT} (printed: case, Order ORD-000005, customer record).`,
        `Not printed: the customer record of customer ${ACCOUNT} (printed: case, Order ORD-000005, customer record).`,
      ],
    });
    expect(one(printout, { answerKey: key, records: [customer({})], timeline: timeline(caseOf(CUSTOMER_ID, 5), orderOf(CUSTOMER_ID, 6), printed(400, 'case', 5), printed(410, 'order', 6), printed(420, 'customer', CUSTOMER_ID)) }).suggestedMarks).toBe(2);
    expect(one(printout, { answerKey: key }).evidence).toEqual([`Not printed: the case of customer ${ACCOUNT}.`, `Not printed: the order of customer ${ACCOUNT}.`, `Not printed: the customer record of customer ${ACCOUNT}.`]);
    expect(one(printout)).toMatchObject({ outcome: 'not-applicable', evidence: ['The key asks for no print-out.'] });
  });
  it("print-outs: a case with no customer, or no case id, belongs to nobody", () => {
    const key: AnswerKey = { printouts: [{ kind: 'case', account: ACCOUNT }] };
    expect(one(printout, { answerKey: key, timeline: timeline(['case-created', 100, { caseId: 5 }], ['case-created', 101, { ...who }], printed(400, 'case', 5)) }).suggestedMarks).toBe(0);
    expect(one(printout, { answerKey: key, timeline: timeline(['note-added', 100, { ...who, caseId: 5 }], printed(400, 'case', 5)) }).suggestedMarks).toBe(0);
    expect(one(printout, { answerKey: { printouts: [{ kind: 'order', account: ACCOUNT }] }, timeline: timeline(['case-created', 100, { ...who, orderId: 5 }], printed(400, 'order', 5)) }).suggestedMarks).toBe(0);
    expect(one(printout, { answerKey: key, timeline: timeline(caseOf(CUSTOMER_ID, 5), ['note-added', 300, { kind: 'case', subjectId: 5 }]) }).evidence).toEqual([`Not printed: the case of customer ${ACCOUNT}.`]);
  });

  const lookAlike: AutoCheckDefinition = { kind: 'no-unrelated-edits', criterionId: 'u' };
  it('look-alike accounts: none in the key; untouched (reading them is fine)', () => {
    expect(one(lookAlike)).toMatchObject({ outcome: 'not-applicable', evidence: ['The key names no look-alike accounts.'] });
    const key: AnswerKey = { untouchedAccounts: ['BL100232', 'BL100233'] };
    expect(one(lookAlike, { answerKey: key, timeline: timeline(['identity-check', 10, { customerId: 9, accountNumber: 'BL100232' }], ['note-added', 20, {}]) })).toMatchObject({
      suggestedMarks: null,
      evidence: ['No look-alike account (BL100232, BL100233) was changed; whether the right customer was found is for the assessor to judge.'],
    });
  });

  const prepared: AutoCheckDefinition = { kind: 'prepared-before-dial', criterionId: 'q', account: ACCOUNT, noteRequired: true };
  it('preparation: what the assessor reads each way', () => {
    expect(one({ ...prepared, noteRequired: false })).toMatchObject({ evidence: [`Opening and reading the record of ${ACCOUNT} before dialling happens in the browser: for the assessor to judge.`] });
    expect(one(prepared, { timeline: timeline(['note-added', -60, who], ['call-started', -10, {}]) })).toMatchObject({ suggestedMarks: null, evidence: ['No call was dialled from this attempt.'] });
    expect(one(prepared, { timeline: timeline(['note-added', -60, who], ['note-added', -40, { dialledNumber: '0131' }], ['call-started', -10, { dialledNumber: '01314960544' }]) })).toMatchObject({
      suggestedMarks: 2,
      evidence: [`A note was added to the record of ${ACCOUNT} 1:00 before the answer, before the first number was dialled.`],
    });
    expect(one(prepared, { timeline: timeline(['call-started', -10, { dialledNumber: '01314960544' }], ['note-added', 60, who]) })).toMatchObject({
      suggestedMarks: 0,
      evidence: [`No note was added to the record of ${ACCOUNT} before the first number was dialled 0:10 before the answer.`],
    });
  });

  it('planted errors: corrected, left, never touched, or not in the key', () => {
    const planted = (field: string): AutoCheckDefinition => ({ kind: 'planted-error-corrected', criterionId: 'e', account: ACCOUNT, field });
    const key: AnswerKey = {
      plantedErrors: [
        { record: { type: 'customer', key: 'BL100232' }, field: 'mobile', kind: 'phone', expected: '07700 900999' },
        { record: ref, field: 'email', kind: 'text', expected: 'x@example.com' },
        { record: ref, field: 'mobile', kind: 'phone', expected: '07700 900123', label: 'mobile number' },
      ],
    };
    expect(one(planted('mobile'), { answerKey: key, records: [customer({ mobile: '+447700900123' })] })).toMatchObject({ suggestedMarks: 2, evidence: ['Corrected: mobile number (customer BL100231) is "+447700900123".'] });
    expect(one(planted('mobile'), { answerKey: key, records: [customer({ mobile: '07700 900412' })] })).toMatchObject({
      suggestedMarks: 0,
      evidence: ['Not corrected: mobile number (customer BL100231) should be "07700 900123", it is "07700 900412".'],
    });
    expect(one(planted('email'), { answerKey: key }).evidence).toEqual(['Not corrected: e-mail (customer BL100231) should be "x@example.com", nothing recorded.']);
    expect(one(planted('town'), { answerKey: key })).toMatchObject({ suggestedMarks: null, evidence: [`The key plants no wrong town on ${ACCOUNT}.`] });
    expect(one(planted('mobile'))).toMatchObject({ suggestedMarks: null, evidence: [`The key plants no wrong mobile on ${ACCOUNT}.`] });
  });

  it('handle time: exactly the target is met; unanswered, still up or no call: the assessor decides', () => {
    const handle: AutoCheckDefinition = { kind: 'handle-time', criterionId: 'h', maxSeconds: 300 };
    expect(one(handle, { call: inboundCall({ endSec: 300 }) })).toMatchObject({ suggestedMarks: 2, evidence: ['The call lasted 5:00 from answer to hang-up; the target is 5:00.'] });
    expect(one(handle, { call: inboundCall({ answered: false }) })).toMatchObject({ suggestedMarks: null, evidence: ['No answered call is linked to this attempt.'] });
    expect(one(handle, { call: null })).toMatchObject({ suggestedMarks: null, evidence: ['No answered call is linked to this attempt.'] });
    expect(one(handle, { call: inboundCall({ endSec: null }) })).toMatchObject({ suggestedMarks: null, evidence: ['The call has not ended yet.'] });
  });
});

describe('incoming messages evidence', () => {
  const check: AutoCheckDefinition = { kind: 'messages-processed', criterionId: 'm' };
  const key: AnswerKey = {
    inbox: {
      actionFirst: { messageId: 11, label: 'fault e-mail', account: ACCOUNT },
      file: [
        { messageId: 11, label: 'fault e-mail', folder: 'Faults' },
        { messageId: 12, label: 'notice e-mail', folder: 'Notices' },
      ],
    },
  };
  const filed = (sec: number, messageId: unknown, folder: string | null): [string, number, Record<string, unknown>] => ['message-filed', sec, { messageId, folder }];

  it('filing the first message itself counts as dealing with it', () => {
    expect(one(check, { answerKey: key, timeline: timeline(filed(5, 11, 'Faults'), filed(6, 12, 'Notices')) })).toMatchObject({
      suggestedMarks: 2,
      evidence: ['The fault e-mail was dealt with first (message filed at 0:05).', 'Filed in "Faults": the fault e-mail.', 'Filed in "Notices": the notice e-mail.'],
    });
  });
  it('a reply to another message, or an action on another account, is not dealing with it', () => {
    const s = one(check, { answerKey: key, timeline: timeline(['message-sent', 3, { inReplyTo: 12 }], ['note-added', 4, { customerId: 99 }], ['message-sent', 5, { inReplyTo: 11 }], filed(6, 12, 'Notices')) });
    expect(s.evidence[0]).toBe('The fault e-mail was dealt with first (message sent at 0:05).');
    expect(one(check, { answerKey: key, timeline: timeline(['message-filed', 3, { messageId: 12, folder: 'Notices' }], ['message-sent', 5, { inReplyTo: 11 }]) }).evidence[0]).toBe(
      'The notice e-mail was filed at 0:03, before the fault e-mail was dealt with at 0:05.',
    );
  });
  it('un-filing another message first (back to no folder) does not count against the order', () => {
    const s = one(check, { answerKey: key, timeline: timeline(filed(3, 12, null), filed(5, 11, 'Faults'), filed(6, 12, 'Notices')) });
    expect(s).toMatchObject({ suggestedMarks: 2 });
  });
  it('a message the key does not list, filed first, is named by its number', () => {
    expect(one(check, { answerKey: key, timeline: timeline(filed(3, 13, 'Junk'), filed(5, 11, 'Faults')) }).evidence.slice(0, 2)).toEqual([
      'A message the key does not list was filed at 0:03, before the fault e-mail was dealt with at 0:05.',
      'Filed in "Faults": the fault e-mail.',
    ]);
  });
  it("a message the attempt does not have (no id) is never filed, and nothing else is taken for it", () => {
    const missing: AnswerKey = { inbox: { actionFirst: { messageId: null, label: 'fault e-mail', account: ACCOUNT }, file: [{ messageId: null, label: 'fault e-mail', folder: 'Faults' }] } };
    const s = one(check, { answerKey: missing, timeline: timeline(filed(3, null, 'Faults'), ['message-sent', 4, { inReplyTo: null }], ['identity-check', 5, { ...who, passed: true }]) });
    expect(s.evidence).toEqual(['The fault e-mail was dealt with first (identity check at 0:05).', 'Not filed: the fault e-mail (it belongs in "Faults").']);
    expect(s.suggestedMarks).toBe(1);
  });
  it('no inbox in the key', () => {
    expect(one(check)).toMatchObject({ outcome: 'not-applicable', evidence: ['The key names no incoming messages to process.'] });
  });
});

describe('who an action is about, as the evidence names them', () => {
  const check: AutoCheckDefinition = { kind: 'identity-before-access', criterionId: 'i' };
  const firstLine = (tl: TimelineEntry[], records: Parameters<typeof run>[1] = {}) => one(check, { timeline: tl, ...records }).evidence[0];
  const breach = (name: string, sec = 10) => `Note added for ${name} at 0:${String(sec).padStart(2, '0')}, before any passed identity check for that customer.`;

  it('the account number of a customer id comes from the final customer records, not other record types', () => {
    const lead = { type: 'lead', key: 'LD-7', id: CUSTOMER_ID, fields: {} };
    expect(firstLine(timeline(['note-added', 10, { customerId: CUSTOMER_ID }]), { records: [lead] })).toBe(breach('a customer record with no known account number'));
    expect(firstLine(timeline(['note-added', 10, { customerId: CUSTOMER_ID }]), { records: [customer({})] })).toBe(breach(`customer ${ACCOUNT}`));
    const noId = { type: 'customer', key: 'BL100999', id: null, fields: {} };
    expect(firstLine(timeline(['note-added', 10, { customerId: CUSTOMER_ID }]), { records: [noId] })).toBe(breach('a customer record with no known account number'));
  });
  it('or from an earlier entry that carried both (string ids too); the final records win over it', () => {
    const opened: [string, number, Record<string, unknown>] = ['record-opened', 5, { customerId: '7', accountNumber: ACCOUNT }];
    expect(firstLine(timeline(opened, ['note-added', 10, { customerId: '7' }]))).toBe(breach(`customer ${ACCOUNT}`));
    expect(firstLine(timeline(['record-opened', 5, { customerId: CUSTOMER_ID, accountNumber: 'BL000001' }], ['note-added', 10, { customerId: CUSTOMER_ID }]), { records: [customer({})] })).toBe(
      breach(`customer ${ACCOUNT}`),
    );
    // The first entry to name an id settles it.
    expect(firstLine(timeline(['record-opened', 5, { customerId: 8, accountNumber: 'BL000008' }], ['record-opened', 6, { customerId: 8, accountNumber: 'BL000009' }], ['note-added', 10, { customerId: 8 }]))).toBe(
      breach('customer BL000008'),
    );
    // An entry with an account number but no usable id maps nothing.
    expect(firstLine(timeline(['record-opened', 5, { customerId: { id: 8 }, accountNumber: 'BL000008' }], ['record-opened', 6, { accountNumber: 'BL000009' }], ['note-added', 10, { customerId: 8 }]))).toBe(breach('a customer record with no known account number'));
  });
  it('an action naming only an account number, an unusable id, or an empty one', () => {
    expect(firstLine(timeline(['note-added', 10, { accountNumber: ACCOUNT }]))).toBe(breach(`customer ${ACCOUNT}`));
    expect(firstLine(timeline(['note-added', 10, { customerId: true, accountNumber: ACCOUNT }]))).toBe(breach(`customer ${ACCOUNT}`));
    expect(firstLine(timeline(['note-added', 10, { customerId: null, accountNumber: '' }]))).toBe(breach('an unnamed customer'));
    expect(firstLine(timeline(['note-added', 10, { accountNumber: 42 }]))).toBe(breach('an unnamed customer'));
  });
  it('a check named by account number covers actions named by id only once the records link the two', () => {
    const tl = timeline(['identity-check', 5, { accountNumber: ACCOUNT, passed: true }], ['note-added', 10, { customerId: CUSTOMER_ID }]);
    expect(one(check, { timeline: tl, records: [customer({})] })).toMatchObject({ suggestedMarks: 2 });
    expect(one(check, { timeline: tl })).toMatchObject({ suggestedMarks: 0 });
  });
});
