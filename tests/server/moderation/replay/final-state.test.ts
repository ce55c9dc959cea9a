// The attempt's final CRM state against the answer key (server/moderation/replay/final-state.ts)
// over a real SQLite database and the shipped scenarios, without the app: which fields are listed
// and in what order (the key's expected changes, its planted errors, the fields its field-accuracy
// checks compare, each once), each with the expected, final and initial value and match by the
// marking's own normalising comparison; a record that is missing; and the expected follow-ups
// against the messages the candidate sent (recipient and copies, each sent message counted once,
// seed and incoming messages left out). tests/server/api/replay.test.ts shows the same through
// the replay route; this file is quick enough for `npm run mutation:replay`.
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../../server/assessment/scenario-schema.js';
import { copySeedToAttempt } from '../../../../server/crm/attempt-copy.js';
import type { Message } from '../../../../server/db/repositories/crm.js';
import type { Repositories } from '../../../../server/db/repositories/index.js';
import { finalStateView } from '../../../../server/moderation/replay/final-state.js';
import { useMemoryRepositories } from '../../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const scenario = (key: string): Scenario => builtInScenarios().find((l) => l.scenario.key === key && l.scenario.variant === 'a')!.scenario;
const S1 = scenario('s1');
const S2 = scenario('s2');
const S6 = scenario('s6');

interface World {
  repos: Repositories;
  attemptId: string;
}

/** An attempt of `s`, with its own copy of the scenario's CRM seed unless `copy` is false. */
function world(s: Scenario, opts: { copy?: boolean } = {}): World {
  const { repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'Centre' }, T0).id;
  const candidate = repos.users.create({ username: 'cand', displayName: 'Cara Candidate', role: 'candidate', centreId, passwordHash: 'x' }, T0).id;
  const attemptId = repos.attempts.create({ centreId, candidateUserId: candidate, scenarioKey: s.key, variant: 'a' }, T0).id;
  if (opts.copy !== false) copySeedToAttempt(repos, attemptId, s.seed, T0);
  return { repos, attemptId };
}

function edit(w: World, accountNumber: string, fields: Record<string, string>): void {
  const c = w.repos.crm.findCustomerByAccount(w.attemptId, accountNumber)!;
  expect(w.repos.crm.updateCustomer(w.attemptId, c.id, c.version, fields, T0 + 10_000)).toBe(true);
}

let clock = T0 + 20_000;
/** A message of the attempt, sent by the candidate unless said otherwise. */
function send(w: World, m: Partial<Message> & Pick<Message, 'channel' | 'to'>): number {
  clock += 1000;
  return w.repos.crm.insertMessage(w.attemptId, { customerId: null, direction: 'out', from: 'agent@brightline.example.co.uk', cc: [], subject: 'Follow-up', body: 'Body', templateKey: null, attachments: [], origin: 'attempt', createdAt: clock, ...m }).id;
}

const fieldsOf = (v: ReturnType<typeof finalStateView>) => v.fields.map((f) => `${f.accountNumber}/${f.field}`);

describe('finalStateView: the customer fields the key has an opinion on', () => {
  it('lists the key’s changes, then planted errors, then field-accuracy fields, each once, with what the record ended with', () => {
    const w = world(S1);
    const v = finalStateView(w.repos, w.attemptId, S1, false);
    // S1's key changes the address and the mobile; the planted mobile and the checked address are the same fields.
    expect(fieldsOf(v)).toEqual(['BL100231/addressLine1', 'BL100231/addressLine2', 'BL100231/town', 'BL100231/postcode', 'BL100231/mobile']);
    expect(v.fields[0]).toEqual({ accountNumber: 'BL100231', customerName: 'Margaret Hughes', field: 'addressLine1', kind: 'text', expected: '"22 Larkfield Crescent"', final: '"14 Ashgrove Road"', initial: '"14 Ashgrove Road"', match: false, planted: false });
    expect(v.fields[2]).toMatchObject({ field: 'town', kind: 'text', expected: '"Leeds"', final: '"Leeds"', match: true, planted: false });
    expect(v.fields[3]).toMatchObject({ field: 'postcode', kind: 'postcode', expected: '"LS19 6EH"', final: '"LS6 3HN"', match: false });
    expect(v.fields[4]).toEqual({ accountNumber: 'BL100231', customerName: 'Margaret Hughes', field: 'mobile', kind: 'phone', expected: '"07700 900871"', final: '"07700 900412"', initial: '"07700 900412"', match: false, planted: true });
    // Four fields wrong and the follow-up e-mail never sent.
    expect(v.followUps).toEqual([{ label: '"Home move confirmation" e-mail', channel: 'email', expectedTo: 'margaret.hughes@example.co.uk', expectedCc: [], messageId: null, sentTo: null, match: false, problem: 'no e-mail was sent' }]);
    expect(v).toMatchObject({ scenarioKey: 's1', mismatches: 5, anonymised: false });
    expect(finalStateView(w.repos, w.attemptId, S1, true).anonymised).toBe(true);
  });

  it('matches by the marking’s normalising comparison and shows the values as typed', () => {
    const w = world(S1);
    edit(w, 'BL100231', { addressLine1: '  22  LARKFIELD crescent ', addressLine2: 'rawdon', postcode: 'ls196eh', mobile: '+44 7700 900871' });
    send(w, { channel: 'email', to: '  Margaret.Hughes@Example.CO.UK ' });
    const v = finalStateView(w.repos, w.attemptId, S1, false);
    expect(v.fields.map((f) => [f.field, f.final, f.match])).toEqual([
      ['addressLine1', '"  22  LARKFIELD crescent "', true],
      ['addressLine2', '"rawdon"', true],
      ['town', '"Leeds"', true],
      ['postcode', '"ls196eh"', true],
      ['mobile', '"+44 7700 900871"', true],
    ]);
    expect(v.followUps[0]).toMatchObject({ sentTo: '  Margaret.Hughes@Example.CO.UK ', match: true, problem: null });
    expect(v.mismatches).toBe(0);
  });

  it('an expected value the seed left empty: "(empty)" before, the new value after', () => {
    const w = world(S2);
    const v = finalStateView(w.repos, w.attemptId, S2, false);
    expect(fieldsOf(v)).toEqual(['BL100518/email', 'BL100518/contactPreference']);
    expect(v.fields[0]).toMatchObject({ customerName: 'George Whitfield', kind: 'email', expected: '"george.whitfield@example.co.uk"', final: '(empty)', initial: '(empty)', match: false, planted: false });
    expect(v.fields[1]).toMatchObject({ kind: 'code', expected: '"email"', final: '"post"', initial: '"post"', match: false });
    edit(w, 'BL100518', { email: ' George.Whitfield@Example.co.uk', contactPreference: 'email' });
    expect(finalStateView(w.repos, w.attemptId, S2, false).fields.map((f) => f.match)).toEqual([true, true]);
  });

  it('a record the attempt does not hold: "(record missing)", never a match, even where the key expects an empty field', () => {
    // S1 with one more field-accuracy check, on a seed customer whose second address line is empty.
    const fa = S1.autoChecks.find((a) => a.kind === 'field-accuracy')!;
    const s: Scenario = { ...S1, autoChecks: [...S1.autoChecks, { ...fa, accountNumber: 'BL100602', fields: ['addressLine2'] }] };
    const w = world(s, { copy: false });
    const v = finalStateView(w.repos, w.attemptId, s, false);
    expect(fieldsOf(v)).toEqual(['BL100231/addressLine1', 'BL100231/addressLine2', 'BL100231/town', 'BL100231/postcode', 'BL100231/mobile', 'BL100602/addressLine2']);
    expect(v.fields[5]).toEqual({ accountNumber: 'BL100602', customerName: null, field: 'addressLine2', kind: 'text', expected: '(empty)', final: '(record missing)', initial: '(empty)', match: false, planted: false });
    expect(v.fields.every((f) => f.final === '(record missing)' && !f.match && f.customerName === null)).toBe(true);
    expect(v.mismatches).toBe(7);
  });

  it('an account the seed does not hold: no initial value, and the record is missing', () => {
    const fa = S1.autoChecks.find((a) => a.kind === 'field-accuracy')!;
    const s: Scenario = { ...S1, autoChecks: [...S1.autoChecks, { ...fa, accountNumber: 'BL999999', fields: ['town'] }] };
    const w = world(s);
    expect(finalStateView(w.repos, w.attemptId, s, false).fields.at(-1)).toEqual({ accountNumber: 'BL999999', customerName: null, field: 'town', kind: 'text', expected: '(empty)', final: '(record missing)', initial: '(empty)', match: false, planted: false });
  });
});

describe('finalStateView: the expected follow-ups against the messages sent', () => {
  const SMS = { label: '"Engineer appointment" SMS', channel: 'sms', expectedTo: '07700 900233', expectedCc: [] };
  const EMAIL = { label: '"Fault follow-up with guide" e-mail', channel: 'email', expectedTo: 'aisha.rahman@example.org', expectedCc: ['field.support@brightline.example.co.uk'] };

  it('nothing sent: each follow-up says which kind of message is missing', () => {
    const w = world(S6);
    const v = finalStateView(w.repos, w.attemptId, S6, false);
    expect(v.fields).toEqual([]);
    expect(v.followUps).toEqual([
      { ...SMS, messageId: null, sentTo: null, match: false, problem: 'no SMS was sent' },
      { ...EMAIL, messageId: null, sentTo: null, match: false, problem: 'no e-mail was sent' },
    ]);
    expect(v.mismatches).toBe(2);
  });

  it('a seed message or an incoming one is not the candidate’s follow-up', () => {
    const w = world(S6);
    send(w, { channel: 'sms', to: '07700 900233', origin: 'seed' });
    send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['field.support@brightline.example.co.uk'], direction: 'in' });
    expect(finalStateView(w.repos, w.attemptId, S6, false).followUps.map((f) => f.problem)).toEqual(['no SMS was sent', 'no e-mail was sent']);
  });

  it('finds the message to the right recipient among others: an SMS number in any UK form, an e-mail address in any case, copies as a set', () => {
    const w = world(S6);
    send(w, { channel: 'sms', to: '07700 900999' });
    const sms = send(w, { channel: 'sms', to: '+447700900233' });
    send(w, { channel: 'sms', to: '07700 900998' });
    send(w, { channel: 'email', to: 'someone.else@example.org', cc: ['field.support@brightline.example.co.uk'] });
    const email = send(w, { channel: 'email', to: ' Aisha.Rahman@Example.org', cc: ['FIELD.SUPPORT@brightline.example.co.uk ', 'field.support@brightline.example.co.uk'] });
    const v = finalStateView(w.repos, w.attemptId, S6, false);
    expect(v.followUps).toEqual([
      { ...SMS, messageId: sms, sentTo: '+447700900233', match: true, problem: null },
      { ...EMAIL, messageId: email, sentTo: ' Aisha.Rahman@Example.org', match: true, problem: null },
    ]);
    expect(v.mismatches).toBe(0);
  });

  it('the right recipient with the wrong copies: names the copies sent and expected', () => {
    const w = world(S6);
    const none = send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: [] });
    let v = finalStateView(w.repos, w.attemptId, S6, false);
    expect(v.followUps[1]).toEqual({ ...EMAIL, messageId: none, sentTo: 'aisha.rahman@example.org', match: false, problem: 'copied to nobody, expected field.support@brightline.example.co.uk' });
    // Newest first: the latest of the messages to the right address is named.
    const extra = send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['field.support@brightline.example.co.uk', 'manager@brightline.example.co.uk'] });
    v = finalStateView(w.repos, w.attemptId, S6, false);
    expect(v.followUps[1]).toMatchObject({ messageId: extra, match: false, problem: 'copied to field.support@brightline.example.co.uk, manager@brightline.example.co.uk, expected field.support@brightline.example.co.uk' });
    expect(v.mismatches).toBe(2);
  });

  it('only to the wrong recipient: names where it went and where it should have gone', () => {
    const w = world(S6);
    const sms = send(w, { channel: 'sms', to: '+1 555 0100' });
    const email = send(w, { channel: 'email', to: 'aisha@example.org', cc: ['field.support@brightline.example.co.uk'] });
    const v = finalStateView(w.repos, w.attemptId, S6, false);
    expect(v.followUps).toEqual([
      { ...SMS, messageId: sms, sentTo: '+1 555 0100', match: false, problem: 'sent to +1 555 0100, expected 07700 900233' },
      { ...EMAIL, messageId: email, sentTo: 'aisha@example.org', match: false, problem: 'sent to aisha@example.org, expected aisha.rahman@example.org' },
    ]);
  });

  it('an SMS needs no copies: one to the right number matches whatever its cc field holds', () => {
    const w = world(S6);
    const sms = send(w, { channel: 'sms', to: '07700900233', cc: ['someone@example.org'] });
    expect(finalStateView(w.repos, w.attemptId, S6, false).followUps[0]).toMatchObject({ messageId: sms, match: true });
  });

  it('one message answers one follow-up: two expected e-mails to the same customer need two, and the second says so', () => {
    const s: Scenario = { ...S1, answerKey: { ...S1.answerKey, followUps: [S1.answerKey.followUps[0]!, { ...S1.answerKey.followUps[0]!, templateKey: 'email-home-move-2' }] } };
    const w = world(s);
    const first = send(w, { channel: 'email', to: 'margaret.hughes@example.co.uk' });
    let v = finalStateView(w.repos, w.attemptId, s, false);
    expect(v.followUps.map((f) => [f.label, f.messageId, f.match, f.problem])).toEqual([
      ['"Home move confirmation" e-mail', first, true, null],
      // A template the seed does not have is named by its channel alone.
      ['e-mail', first, false, 'every e-mail sent to margaret.hughes@example.co.uk answers an earlier follow-up'],
    ]);
    const second = send(w, { channel: 'email', to: 'margaret.hughes@example.co.uk' });
    v = finalStateView(w.repos, w.attemptId, s, false);
    // Newest first: the later message answers the first follow-up, the earlier one the second.
    expect(v.followUps.map((f) => [f.messageId, f.match, f.problem])).toEqual([
      [second, true, null],
      [first, true, null],
    ]);
  });

  it('of two expected e-mails with copies, the one left over names the message not yet counted', () => {
    const guide = S6.answerKey.followUps[1]!;
    const s: Scenario = { ...S6, answerKey: { ...S6.answerKey, followUps: [guide, { ...guide, templateKey: 'email-fault-guide-2' }] } };
    const w = world(s);
    const bare = send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: [] });
    const copied = send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['field.support@brightline.example.co.uk'] });
    expect(finalStateView(w.repos, w.attemptId, s, false).followUps.map((f) => [f.messageId, f.match, f.problem])).toEqual([
      [copied, true, null],
      [bare, false, 'copied to nobody, expected field.support@brightline.example.co.uk'],
    ]);
  });

  it('copies compared as a set, in any order and case; a wrong one of the same number, or copies where none are expected, named', () => {
    const guide = S6.answerKey.followUps[1]!;
    // A key copying two people, the second written in capitals, in no particular order.
    const s: Scenario = { ...S6, answerKey: { ...S6.answerKey, followUps: [{ ...guide, cc: ['Manager@Brightline.example.co.uk', 'field.support@brightline.example.co.uk'] }] } };
    const w = world(s);
    const both = send(w, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['manager@brightline.example.co.uk', 'field.support@brightline.example.co.uk'] });
    expect(finalStateView(w.repos, w.attemptId, s, false).followUps[0]).toMatchObject({ messageId: both, match: true, problem: null });

    const w2 = world(s);
    send(w2, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['manager@brightline.example.co.uk', 'other@brightline.example.co.uk'] });
    expect(finalStateView(w2.repos, w2.attemptId, s, false).followUps[0]!.problem).toBe('copied to manager@brightline.example.co.uk, other@brightline.example.co.uk, expected Manager@Brightline.example.co.uk, field.support@brightline.example.co.uk');

    // One copy, to the wrong person.
    const w3 = world(S6);
    send(w3, { channel: 'email', to: 'aisha.rahman@example.org', cc: ['manager@brightline.example.co.uk'] });
    expect(finalStateView(w3.repos, w3.attemptId, S6, false).followUps[1]).toMatchObject({ match: false, problem: 'copied to manager@brightline.example.co.uk, expected field.support@brightline.example.co.uk' });

    // S1 expects no copies.
    const w4 = world(S1);
    send(w4, { channel: 'email', to: 'margaret.hughes@example.co.uk', cc: ['manager@brightline.example.co.uk'] });
    expect(finalStateView(w4.repos, w4.attemptId, S1, false).followUps[0]).toMatchObject({ match: false, problem: 'copied to manager@brightline.example.co.uk, expected nobody' });
  });
});
