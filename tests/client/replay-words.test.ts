// The moderator's replay timeline in words (issue 17): a call event never shows the extension the
// server's call record names a phone by; a number the candidate dialled is shown.
import { describe, expect, it } from 'vitest';
import { eventDetail } from '../../client/src/moderation/ReplayTimeline.js';
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
});
