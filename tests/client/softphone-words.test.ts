// The words a phone shows for a call or transfer that waited for a candidate: the same sentence for
// a call dialled to them and for a transfer or conference to them, and a refusal in words when
// their sitting ended while it waited (the server's own reason phrase, server/sip/offer-queue.ts).
import { describe, expect, it } from 'vitest';
import { notReadyYetWords, referralWords, refusalWords } from '../../client/src/softphone/phone.js';
import { SIP_STATUS_WORDS } from '../../server/protocol/telephony.js';
import { AGENT_LEFT } from '../../server/sip/offer-queue.js';

describe('softphone words for a call that waits for a candidate', () => {
  it('says the candidate is not Ready yet, by name', () => {
    expect(notReadyYetWords('Demo Candidate')).toBe('Demo Candidate is not Ready yet: their phone rings as soon as they are.');
  });

  it('says so when the sitting ended while it waited, from the reason phrase the server sends', () => {
    expect(refusalWords(AGENT_LEFT.status, AGENT_LEFT.reason)).toBe('Not available (their sitting has ended)');
  });

  it('gives every other refusal its usual words, a 480 for a phone not signed in included', () => {
    expect(refusalWords(480, 'Temporarily Unavailable (not registered)')).toBe(SIP_STATUS_WORDS[480]);
    expect(refusalWords(486, 'Busy Here')).toBe(SIP_STATUS_WORDS[486]);
    expect(refusalWords(699, 'Odd')).toBeUndefined();
  });
});

// The name comes from the directory the server sends (GET /api/directory, the same users-table name
// the replay shows); a target the directory does not list is not named, and never by extension.
describe('softphone words for a transfer or conference', () => {
  it('names the person the call goes to, as the replay does', () => {
    expect(referralWords('blind', 'pending', 'Jane Hughes')).toBe('Transferring to Jane Hughes…');
    expect(referralWords('blind', 'done', 'Jane Hughes')).toBe('Transferred to Jane Hughes.');
    expect(referralWords('conference', 'pending', 'Jane Hughes')).toBe('Adding Jane Hughes to the call…');
    expect(referralWords('blind', 'queued', 'Jane Hughes')).toBe(`Waiting… ${notReadyYetWords('Jane Hughes')}`);
  });

  it('says what happened without a name when the directory has none, never the extension', () => {
    expect(referralWords('blind', 'pending', undefined)).toBe('Transferring the call…');
    expect(referralWords('blind', 'done', undefined)).toBe('Call transferred.');
    expect(referralWords('conference', 'pending', undefined)).toBe('Adding them to the call…');
    expect(referralWords('conference', 'queued', undefined)).toBe('Waiting… They are not Ready yet: their phone rings as soon as they are.');
  });
});
