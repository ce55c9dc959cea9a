// The client's one formatting module: en-GB dates, money, codes in words, and every timeline event
// type (server and browser) described in words, never as JSON, with ids left out.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BROWSER_EVENT_TYPES, SERVER_EVENT_TYPES } from '../../server/protocol/timeline.js';
import { EVENT_WORDS } from '../../server/protocol/words.js';
import { callOutcome, changeWords, clock, codeWords, criterionReference, criterionWords, dateTimeGB, eventLabel, eventSummary, money, orderPrice, sentences, timeGB } from '../../client/src/format.js';

const AT = Date.UTC(2026, 11, 6, 10, 19, 23);

describe('format', () => {
  it('a criterion is its description and the qualification\'s number, never its id', () => {
    expect(criterionReference('U2-1.1-greeting')).toBe('criterion 1.1');
    expect(criterionReference('U2-4.12-hold-max-60')).toBe('criterion 4.12');
    expect(criterionReference('something-else')).toBe('criterion');
    const criteria = [{ criterionId: 'U2-1.1-greeting', description: 'Greets the caller' }];
    expect(criterionWords('U2-1.1-greeting', criteria)).toBe('Greets the caller (criterion 1.1)');
    expect(criterionWords('U2-1.2-courtesy', criteria)).toBe('criterion 1.2');
  });

  it('a call\'s state and end are in the words of the timeline\'s call-ended event', () => {
    expect(callOutcome({ state: 'answered', endReason: null })).toBe('In progress');
    expect(callOutcome({ state: 'ended', endReason: 'completed: hung up by the callee' })).toBe('Completed · hung up by the callee');
    expect(callOutcome({ state: 'ended', endReason: 'no-answer: no answer after 30 s' })).toBe('No answer · no answer after 30 s');
    expect(callOutcome({ state: 'interrupted', endReason: 'interrupted: the server stopped during the call' })).toBe('Interrupted · the server stopped during the call');
    expect(callOutcome({ state: 'ended', endReason: 'ended-by-server' })).toBe('Ended by server');
    // The SIP status a phone refused with is not shown: the outcome already says busy, declined…
    expect(callOutcome({ state: 'ended', endReason: 'busy: callee answered 486 Busy Here' })).toBe('Busy');
    expect(callOutcome({ state: 'ended', endReason: 'declined: callee answered 603 Decline' })).toBe('Declined');
    expect(callOutcome({ state: 'ended', endReason: 'failed: callee answered 488 Not Acceptable Here' })).toBe('Failed · the phone called could not take the call');
    expect(eventSummary({ type: 'call-ended', payload: { outcome: 'unavailable', reason: 'callee answered 480 Temporarily Unavailable' } })).toBe('unavailable');
  });

  it('dates and times are en-GB, day before month', () => {
    process.env.TZ = 'UTC';
    expect(dateTimeGB(AT)).toBe('6 Dec 2026, 10:19');
    expect(timeGB(AT)).toBe('10:19:23');
    expect(dateTimeGB(null)).toBe('—');
  });

  it('money, durations and codes in words', () => {
    expect(money(2800)).toBe('£28.00');
    expect(orderPrice({ monthlyPence: 2800, oneOffPence: 5999, totalPence: 8799 })).toBe('£28.00 a month + £59.99 one-off');
    expect(clock(65_000)).toBe('01:05');
    expect(clock(-5_000)).toBe('−00:05');
    expect(codeWords('HOME_MOVE')).toBe('Home move');
    expect(codeWords('not-ready')).toBe('Not ready');
  });

  it('every event type has a label in words', () => {
    for (const type of [...SERVER_EVENT_TYPES, ...BROWSER_EVENT_TYPES]) expect(EVENT_WORDS[type], type).toMatch(/^[A-Z][a-z -]+$/);
    expect(eventLabel('some-new-type')).toBe('Some new type');
  });

  it('describes events in words: no JSON, no ids, agent states and codes in words', () => {
    expect(eventSummary({ type: 'agent-state', payload: { from: 'not-ready', to: 'on-call' } })).toBe('Not ready → On a call');
    expect(eventSummary({ type: 'wrap-up', payload: { wrapUpId: 7, code: 'HOME_MOVE', notesLength: 12 } })).toBe('Home move · notes of 12 characters');
    expect(eventSummary({ type: 'field-changed', payload: { customerId: 3, accountNumber: 'BL100231', field: 'addressLine1', old: '14 Ashgrove Road', new: '22 Larkfield Crescent' } })).toBe(
      'BL100231: Address line 1 "14 Ashgrove Road" → "22 Larkfield Crescent"',
    );
    expect(eventSummary({ type: 'case-created', payload: { customerId: 3, accountNumber: 'BL100231', caseId: 9, reference: 'CAS-0042', category: 'HOME_MOVE' } })).toBe('CAS-0042 (BL100231)');
    expect(eventSummary({ type: 'callback-created', payload: { callbackId: 'x', customerId: 3, accountNumber: 'BL100231', dueAt: '2026-12-08T10:00' } })).toBe('due Tue 8 Dec 2026, 10:00 (BL100231)');
    expect(eventSummary({ type: 'note-added', payload: { noteId: 4, customerId: 3, accountNumber: 'BL100231' } })).toBe('BL100231');
    const odd = { a: { nested: [1, 2] }, callEventId: '7f9d5729-5b0e-4c5e-a7a1-4f64fd0c8a11' };
    for (const type of [...SERVER_EVENT_TYPES, ...BROWSER_EVENT_TYPES, 'unknown']) {
      const text = eventSummary({ type, payload: odd });
      expect(text, type).not.toMatch(/[{}[\]]|7f9d5729/);
    }
  });

  it('an audited change in words, without ids or hashes', () => {
    expect(changeWords({ mark: 3 }, { mark: 4, attemptId: '7f9d5729-5b0e-4c5e-a7a1-4f64fd0c8a11', sha256: 'ab' })).toBe('Mark: 3 → 4');
    expect(changeWords(null, { position: 1, scenarioKey: 's1', retakeOf: null })).toBe('Position: 1 · Scenario key: s1 · Retake of: —');
  });

  it('sentences are joined as sentences: one full stop each, never ".;" or ".."', () => {
    const reasons = ['Only 2 of the 4 assignments are in the sitting; 2 more must be taken.', 'Assignment S1 is not marked yet (the first attempt is not marked yet).'];
    expect(sentences(reasons)).toBe('Only 2 of the 4 assignments are in the sitting; 2 more must be taken. Assignment S1 is not marked yet (the first attempt is not marked yet).');
    expect(sentences(['the total is below the Pass mark', 'Is it marked?', ' Done! ', ''])).toBe('The total is below the Pass mark. Is it marked? Done!');
    expect(sentences(['Checked...'])).toBe('Checked...');
    expect(sentences([])).toBe('');
  });
});

// Lists of sentences (a sitting result's reasons) are written through sentences(), never joined by
// hand: a separator after a sentence's own full stop reads ".;" or "..".
describe('no list of sentences joined by hand', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  it.each(['client/src', 'server'])('%s joins result reasons with sentences()', (dir) => {
    const byHand = sources(path.join(root, dir)).flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${path.relative(root, file)}:${i + 1}` }))
        .filter(({ line }) => /reasons\.join\(/.test(line))
        .map(({ at }) => at),
    );
    expect(byHand).toEqual([]);
  });
});
