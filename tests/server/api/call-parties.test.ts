// Who each side of a call is on the staff's call list (issue 17): never an extension.
import { describe, expect, it } from 'vitest';
import { callParties, ROLE_PLAY, UNKNOWN_PHONE, type PartyUser } from '../../../server/api/call-parties.js';
import type { CallEvent, CallRecord } from '../../../server/db/repositories/calls.js';

const candidate: PartyUser = { id: 5, displayName: 'Jo Candidate', role: 'candidate' };
const assessor: PartyUser = { id: 3, displayName: 'Ann Assessor', role: 'assessor' };
const colleague: PartyUser = { id: 4, displayName: 'Sam Second', role: 'assessor' };

const call = (over: Partial<CallRecord>): CallRecord => ({
  id: 'c',
  centreId: 1,
  callerUserId: 3,
  calleeUserId: 5,
  callerExtension: '1003',
  calleeExtension: '1005',
  candidateUserId: 5,
  state: 'ended',
  invitedAt: 1,
  ringingAt: 2,
  answeredAt: 3,
  endedAt: 4,
  endReason: null,
  sipStatus: 200,
  recordingPath: null,
  recordingStatus: null,
  recordingStartedAt: null,
  recordingSha256: null,
  recordingDurationMs: null,
  recordingBytes: null,
  ...over,
});
const event = (type: string, detail: Record<string, unknown>): CallEvent => ({ id: 1, callId: 'c', at: 1, type, leg: 'caller', detail });
const shown = (c: CallRecord, users: { caller?: PartyUser; callee?: PartyUser }, events: CallEvent[] = []) => {
  const p = callParties(c, { caller: users.caller, callee: users.callee }, events);
  return [p.caller.shownAs, p.callee.shownAs];
};

describe('call parties in words', () => {
  it("an inbound role-play: the customer as the candidate's phone presented them, and the candidate by name", () => {
    expect(shown(call({}), { caller: assessor, callee: candidate }, [event('presented-number', { number: '0113 496 0412', name: 'Mrs Margaret Hughes' })])).toEqual([
      `Mrs Margaret Hughes, 0113 496 0412 · ${ROLE_PLAY}`,
      'Jo Candidate',
    ]);
    expect(shown(call({}), { caller: assessor, callee: candidate }, [event('presented-number', { number: '0113 496 0412' })])[0]).toBe(`0113 496 0412 · ${ROLE_PLAY}`);
    expect(shown(call({}), { caller: assessor, callee: candidate }, [event('presented-number', { number: ' ', name: 'Mrs Hughes' })])[0]).toBe(ROLE_PLAY);
    expect(shown(call({}), { caller: assessor, callee: candidate })[0]).toBe(ROLE_PLAY);
  });
  it('an outbound role-play: the assessor as the number the candidate dialled', () => {
    const outbound = call({ callerUserId: 5, calleeUserId: 3, callerExtension: '1005', calleeExtension: '1003' });
    expect(shown(outbound, { caller: candidate, callee: assessor }, [event('invite', { from: '1005', to: '1003', dialledNumber: '0131 496 0544' }), event('presented-number', { number: '0113 496 0412' })])).toEqual([
      'Jo Candidate',
      `0131 496 0544 · ${ROLE_PLAY}`,
    ]);
    expect(shown(outbound, { caller: candidate, callee: assessor }, [event('invite', { from: '1005', to: '1003' })])[1]).toBe(ROLE_PLAY);
  });
  it('a call between staff, or outside a sitting: each by name; a phone no account has is unknown', () => {
    expect(shown(call({ candidateUserId: null, calleeUserId: 4 }), { caller: assessor, callee: colleague }, [event('presented-number', { number: '0113 496 0412' })])).toEqual(['Ann Assessor', 'Sam Second']);
    // In a sitting's call, only an assessor plays a part: anyone else is named.
    expect(shown(call({ callerUserId: 5, calleeUserId: 4 }), { caller: candidate, callee: { ...colleague, role: 'iqa' } })).toEqual(['Jo Candidate', 'Sam Second']);
    const p = callParties(call({ callerUserId: null }), { caller: undefined, callee: candidate }, []);
    expect(p.caller).toEqual({ extension: '1003', displayName: '1003', shownAs: UNKNOWN_PHONE });
    expect(p.callee).toEqual({ extension: '1005', displayName: 'Jo Candidate', shownAs: 'Jo Candidate' });
  });
});
