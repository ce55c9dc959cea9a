// The moderator's replay timeline in words (issue 17): a call event never shows the extension the
// server's call record names a phone by; a number the candidate dialled is shown.
import { describe, expect, it } from 'vitest';
import { eventDetail, eventTitle } from '../../client/src/moderation/ReplayTimeline.js';
import type { ReplayEvent } from '../../server/protocol/moderation.js';

const callEvent = (type: string, payload: Record<string, unknown>, leg: 'caller' | 'callee' | null = 'caller', byCandidate = false): ReplayEvent => ({ id: `call-1`, source: 'call', recordedBy: 'server', type, at: 0, offsetMs: 0, leg, byCandidate, payload });

describe('call events on the replay', () => {
  it('a call offered names no extension; a dialled number is shown', () => {
    expect(eventDetail(callEvent('invite', { from: '1003', to: '1002' }))).toBe('by the caller');
    expect(eventDetail(callEvent('invite', { from: '1002', to: '1003', dialledNumber: '0131 496 0544' }, 'caller', true))).toBe('by the candidate · to 0131 496 0544');
  });
  it('transfers and conferences name no extension; a key pressed and a reason are kept', () => {
    expect(eventDetail(callEvent('transfer-requested', { by: '1002', target: '1004' }, 'callee', true))).toBe('by the candidate');
    expect(eventDetail(callEvent('transferred', { from: '1002', to: '1004' }, 'callee'))).toBe('by the callee');
    expect(eventDetail(callEvent('conference-party-left', { extension: '1004', reason: 'hung up', remaining: 2 }, null))).toBe('hung up');
    expect(eventDetail(callEvent('dtmf', { digit: '5' }, 'caller'))).toBe('by the caller · 5');
  });
  it('a transfer names its target as the server recorded them from the directory; one stored before names nobody', () => {
    expect(eventTitle(callEvent('transferred', { from: '1002', to: '1004', fromName: 'Test candidate', toName: 'Jane Hughes' }, 'callee'))).toBe('Transferred to Jane Hughes');
    expect(eventTitle(callEvent('transferred', { from: '1002', to: '1004' }, 'callee'))).toBe('Transferred');
    expect(eventTitle(callEvent('transfer-requested', { by: '1002', target: '1004', targetName: 'Jane Hughes' }, 'callee', true))).toBe('Transfer to Jane Hughes requested');
    expect(eventTitle(callEvent('transfer-failed', { target: '1004', targetName: 'Jane Hughes', status: 486, reason: 'Busy Here' }, 'callee', true))).toBe('Transfer to Jane Hughes failed');
    expect(eventDetail(callEvent('transfer-failed', { target: '1004', targetName: 'Jane Hughes', status: 486, reason: 'Busy Here' }, 'callee', true))).toBe('by the candidate · busy');
    expect(eventTitle(callEvent('transfer-failed', { target: '99999', status: 404, reason: 'Not Found' }, 'callee', true))).toBe('Transfer failed');
    expect(eventTitle(callEvent('conference-started', { by: '1002', party: '1004', partyName: 'Jane Hughes', parties: 3 }, 'callee', true))).toBe('Conference started with Jane Hughes');
    for (const e of [callEvent('transferred', { from: '1002', to: '1004', toName: 'Jane Hughes' }), callEvent('transferred', { from: '1002', to: '1004' })]) expect(`${eventTitle(e)} ${eventDetail(e)}`).not.toMatch(/100[24]/);
  });
  it('a call or party that waited for a candidate names them as the server recorded them; one stored before names nobody', () => {
    // A call dialled to them (the callee's leg) and a transfer to them (no leg; target is their extension).
    expect(eventTitle(callEvent('queued', { targetName: 'Jane Hughes', reason: 'the agent is not ready' }, 'callee'))).toBe('Waiting for Jane Hughes (not Ready yet)');
    expect(eventTitle(callEvent('offered', { targetName: 'Jane Hughes' }, 'callee'))).toBe('Offered to Jane Hughes when Ready');
    expect(eventTitle(callEvent('queued', { target: '1004', targetName: 'Jane Hughes', kind: 'blind', reason: 'the agent is not ready' }, null))).toBe('Waiting for Jane Hughes (not Ready yet)');
    expect(eventTitle(callEvent('offered', { target: '1004', targetName: 'Jane Hughes' }, null))).toBe('Offered to Jane Hughes when Ready');
    expect(eventTitle(callEvent('queued', { reason: 'the agent is not ready' }, 'callee'))).toBe('Waiting (not Ready yet)');
    expect(eventTitle(callEvent('offered', { target: '1004' }, null))).toBe('Offered when Ready');
    for (const e of [callEvent('queued', { target: '1004', targetName: 'Jane Hughes', reason: 'the agent is not ready' }, null), callEvent('offered', { target: '1004' }, null)]) {
      expect(`${eventTitle(e)} ${eventDetail(e)}`).not.toMatch(/1004/);
    }
  });
  it('the server\'s transfer entry on the timeline reads "Transferred to …", never an extension', () => {
    const server = (payload: Record<string, unknown>): ReplayEvent => ({ id: 'desktop-1', source: 'desktop', recordedBy: 'server', type: 'transfer', at: 0, offsetMs: 0, payload });
    expect(eventDetail(server({ outcome: 'transferred', target: '1004', targetName: 'Jane Hughes' }))).toBe('Transferred to Jane Hughes');
    expect(eventDetail(server({ outcome: 'transferred', target: '1004' }))).toBe('Transferred');
    expect(eventDetail(server({ outcome: 'failed', target: '1004', targetName: 'Jane Hughes', status: 486, reason: 'Busy Here' }))).toBe('Not transferred to Jane Hughes · busy');
    expect(eventDetail(server({ outcome: 'failed', target: '99999', status: 404, reason: 'Not Found' }))).toBe('Not transferred · no such number');
    expect(eventDetail({ ...server({ outcome: 'joined', target: '1004', targetName: 'Jane Hughes', parties: 3 }), type: 'conference' })).toBe('Jane Hughes joined');
    expect(eventDetail({ ...server({ outcome: 'joined', target: '1004', parties: 3 }), type: 'conference' })).toBe('A third party joined');
  });
});
