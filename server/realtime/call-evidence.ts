// Call events as marking evidence: when the B2BUA stores a call event (server/sip/b2bua.ts,
// call_events) that says what the candidate did or what happened to the call, the same transaction
// appends it to the timeline of the attempt the call belongs to, as a server-recorded event
// (CallRepository.onEvent). The desktop no longer reports holds, transfers or conferences: the
// server saw them on the SIP dialogs. Call events of a call outside any attempt go nowhere.
//
//   invite              → call-started  { direction, from, to, dialledNumber }  (the number a
//                                         candidate dialled: the do-not-call check reads it)
//   answered            → call-answered
//   hold / resume       → hold / resume { leg, byCandidate }
//   transferred         → transfer      { outcome: 'transferred', target, targetName }
//   transfer-failed     → transfer      { outcome: 'failed', target, targetName, status, reason }
//   conference-started  → conference    { outcome: 'joined', target, targetName, parties }
//   conference-failed   → conference    { outcome: 'failed', target, targetName, status, reason }
// target is the extension the REFER named; targetName the directory's name for it (server/sip/transfer.ts),
// null in events stored before names were recorded or for a number that is nobody of the centre.
//   end                 → call-ended    { outcome, reason, status }
// Each entry names its call event (callEventId); its client id 'call-event:<id>' stores it once.
import type { CallEvent, CallLeg, CallRecord } from '../db/repositories/calls.js';
import type { Repositories } from '../db/repositories/index.js';
import type { ServerEventType } from '../protocol/timeline.js';
import type { Evidence } from './evidence.js';

type Mapped = { type: ServerEventType; payload: Record<string, unknown> };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** The timeline entry a call event becomes, or undefined for one that is not evidence (ringing, DTMF, recording…). */
export function callEvidence(e: CallEvent, call: CallRecord, candidateLeg: CallLeg | null): Mapped | undefined {
  const d = e.detail ?? {};
  const base = { callEventId: e.id };
  switch (e.type) {
    case 'invite':
      return { type: 'call-started', payload: { ...base, direction: candidateLeg === 'caller' ? 'outbound' : 'inbound', from: str(d.from), to: str(d.to), dialledNumber: str(d.dialledNumber) } };
    case 'answered':
      return { type: 'call-answered', payload: base };
    case 'hold':
    case 'resume':
      return { type: e.type, payload: { ...base, leg: e.leg, byCandidate: e.leg !== null && e.leg === candidateLeg } };
    case 'transferred':
      return { type: 'transfer', payload: { ...base, outcome: 'transferred', target: str(d.to), targetName: str(d.toName), from: str(d.from) } };
    case 'transfer-failed':
      return { type: 'transfer', payload: { ...base, outcome: 'failed', target: str(d.target), targetName: str(d.targetName), status: d.status ?? null, reason: str(d.reason) } };
    case 'conference-started':
      return { type: 'conference', payload: { ...base, outcome: 'joined', target: str(d.party), targetName: str(d.partyName), parties: d.parties ?? null } };
    case 'conference-failed':
      return { type: 'conference', payload: { ...base, outcome: 'failed', target: str(d.target), targetName: str(d.targetName), status: d.status ?? null, reason: str(d.reason) } };
    case 'end':
      return { type: 'call-ended', payload: { ...base, outcome: str(d.outcome), reason: str(d.reason), status: d.status ?? null } };
    default:
      return undefined;
  }
}

export const callEventClientId = (callEventId: number): string => `call-event:${callEventId}`;

/** Registers the hook: every call event stored from now on that is evidence enters its attempt's timeline. */
export function recordCallEvidence(repos: Pick<Repositories, 'calls' | 'attempts' | 'attemptEvents'>, evidence: Evidence): void {
  repos.calls.onEvent((e) => {
    const call = repos.calls.find(e.callId);
    if (!call || call.candidateUserId === null) return;
    const mapped = callEvidence(e, call, repos.calls.candidateLeg(call));
    if (!mapped) return;
    const attemptId = repos.attemptEvents.attemptForCall(call);
    const attempt = attemptId ? repos.attempts.findById(attemptId) : undefined;
    if (!attempt) return;
    // The answer event may be stored before the call row has its answer time: then it is the answer.
    const answeredAt = call.answeredAt ?? (e.type === 'answered' ? e.at : null);
    evidence.record(attempt, mapped.type, mapped.payload, { at: e.at, clientId: callEventClientId(e.id), call: { id: call.id, answeredAt } });
  });
}
