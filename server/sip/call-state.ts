// The states of a call in the B2BUA and of the exchanges within it, each with its transition table
// (state-machine.ts throws on any change not listed here). A call holds four machines: the call
// itself, the caller's INVITE (we are its UAS), our INVITE to the callee (we are its UAC), and the
// offer/answer exchanges in progress (one for offers the legs make, one per leg for ours).
import type { Clock } from '../clock.js';
import { StateMachine, type TransitionTable } from './state-machine.js';

/**
 * The call as a whole.
 *
 * | from       | to                          | when                                                   |
 * | ---------- | --------------------------- | ------------------------------------------------------ |
 * | `setup`    | `ringing`                   | the callee sent 180 or 183                             |
 * | `setup`    | `answered`                  | the callee answered (200) without ringing first        |
 * | `setup`    | `ended`                     | refused, cancelled, failed, no answer, disconnected    |
 * | `ringing`  | `answered`                  | the callee answered and its SDP answer was usable      |
 * | `ringing`  | `ended`                     | as from `setup`                                        |
 * | `answered` | `ended`                     | hang-up (BYE, lost connection, session timer, server)  |
 * | `ended`    | (none)                      | final                                                  |
 *
 * Timers: `no-answer` (setup, ringing: the callee's time to answer); `prack` (setup, ringing: the
 * retransmission of the reliable 182 Queued or 180 until its PRACK, RFC 3262 §3); `ack` (answered: our 200 awaits
 * the caller's ACK). Entering `ended` stops them all.
 */
export type CallPhase = 'setup' | 'ringing' | 'answered' | 'ended';
export type CallTimer = 'no-answer' | 'prack' | 'ack';
export const CALL_TRANSITIONS: TransitionTable<CallPhase, CallTimer> = {
  setup: { to: ['ringing', 'answered', 'ended'], timers: ['no-answer', 'prack'] },
  ringing: { to: ['answered', 'ended'], timers: ['no-answer', 'prack'] },
  answered: { to: ['ended'], timers: ['ack'] },
  ended: { to: [], timers: [] },
};

/**
 * The caller's INVITE, of which the B2BUA is the UAS. RFC 3261 §17.2.1
 * (https://www.rfc-editor.org/rfc/rfc3261#section-17.2.1): "If, while in the 'Proceeding' state,
 * the TU passes a 2xx response to the server transaction, the server transaction MUST pass this
 * response to the transport layer for transmission" and "While in the 'Proceeding' state, if the
 * TU passes a response with status code from 300 to 699 to the server transaction, the response
 * MUST be passed to the transport layer for transmission, and the state machine MUST enter the
 * 'Completed' state": one final response, never a second.
 *
 * | from         | to          | when                          |
 * | ------------ | ----------- | ----------------------------- |
 * | `proceeding` | `completed` | a final response (2xx–6xx) was sent |
 * | `completed`  | (none)      | final                         |
 */
export type CallerInviteState = 'proceeding' | 'completed';
export const CALLER_INVITE_TRANSITIONS: TransitionTable<CallerInviteState, never> = {
  proceeding: { to: ['completed'], timers: [] },
  completed: { to: [], timers: [] },
};

/**
 * Our INVITE to the callee, of which the B2BUA is the UAC, as far as CANCEL is concerned. RFC 3261
 * §9.1 (https://www.rfc-editor.org/rfc/rfc3261#section-9.1): "If no provisional response has been
 * received, the CANCEL request MUST NOT be sent; rather, the client MUST wait for the arrival of a
 * provisional response before sending the request."
 *
 * | from             | to               | when                                              |
 * | ---------------- | ---------------- | ------------------------------------------------- |
 * | `calling`        | `proceeding`     | a provisional response came                       |
 * | `calling`        | `cancel-pending` | the INVITE is to be cancelled before any 1xx      |
 * | `cancel-pending` | `cancelled`      | a provisional response came: the CANCEL is sent   |
 * | `proceeding`     | `cancelled`      | the INVITE is to be cancelled: the CANCEL is sent |
 * | `cancelled`      | (none)           | final                                             |
 */
export type CalleeInviteState = 'calling' | 'proceeding' | 'cancel-pending' | 'cancelled';
export const CALLEE_INVITE_TRANSITIONS: TransitionTable<CalleeInviteState, never> = {
  calling: { to: ['proceeding', 'cancel-pending'], timers: [] },
  'cancel-pending': { to: ['cancelled'], timers: [] },
  proceeding: { to: ['cancelled'], timers: [] },
  cancelled: { to: [], timers: [] },
};

/**
 * An offer from a leg in the confirmed call (re-INVITE or UPDATE), one at a time per call. RFC 3261
 * §14.2 (https://www.rfc-editor.org/rfc/rfc3261#section-14.2): "A UAS that receives a second
 * re-INVITE before it sends the final response to a first re-INVITE with a lower CSeq sequence
 * number on the same dialog MUST return a 500 (Server Internal Error) response to the second
 * re-INVITE"; an offer from another leg meanwhile gets 491 (reinvite.ts, `offerPendingRefusal`).
 *
 * | from                | to                  | when                                                            |
 * | ------------------- | ------------------- | --------------------------------------------------------------- |
 * | `idle`              | `answering`         | a re-INVITE or UPDATE with an offer is being answered           |
 * | `idle`              | `awaiting-ack`      | a re-INVITE without SDP: our offer is in the 200, its answer due in the ACK (§13.2.1) |
 * | `answering`         | `idle`              | answered (or refused)                                           |
 * | `awaiting-ack`      | `idle`              | the ACK came, or `ack-answer` expired                           |
 *
 * Timer: `ack-answer` (awaiting-ack: 32 s for the ACK that carries the answer).
 */
export type OfferExchangeState = 'idle' | 'answering' | 'awaiting-ack';
export type OfferExchangeTimer = 'ack-answer';
export const OFFER_EXCHANGE_TRANSITIONS: TransitionTable<OfferExchangeState, OfferExchangeTimer> = {
  idle: { to: ['answering', 'awaiting-ack'], timers: [] },
  answering: { to: ['idle'], timers: [] },
  'awaiting-ack': { to: ['idle'], timers: ['ack-answer'] },
};

/**
 * A re-INVITE of ours on one leg. RFC 3261 §14.2, https://www.rfc-editor.org/rfc/rfc3261#section-14.2: "A UAS that receives an INVITE on a dialog while
 * an INVITE it had sent on that dialog is in progress MUST return a 491 (Request Pending) response
 * to the received INVITE."
 *
 * | from       | to         | when                                                       |
 * | ---------- | ---------- | ---------------------------------------------------------- |
 * | `idle`     | `offering` | our re-INVITE was sent                                     |
 * | `offering` | `idle`     | its final response came and its answer was applied (or it timed out) |
 */
export type OurOfferState = 'idle' | 'offering';
export const OUR_OFFER_TRANSITIONS: TransitionTable<OurOfferState, never> = {
  idle: { to: ['offering'], timers: [] },
  offering: { to: ['idle'], timers: [] },
};

export const callMachine = (clock: Clock) => new StateMachine('call', CALL_TRANSITIONS, 'setup', clock);
export const callerInviteMachine = (clock: Clock) => new StateMachine('caller INVITE', CALLER_INVITE_TRANSITIONS, 'proceeding', clock);
export const calleeInviteMachine = (clock: Clock) => new StateMachine('callee INVITE', CALLEE_INVITE_TRANSITIONS, 'calling', clock);
export const offerExchangeMachine = (clock: Clock) => new StateMachine('offer exchange', OFFER_EXCHANGE_TRANSITIONS, 'idle', clock);
export const ourOfferMachine = (clock: Clock) => new StateMachine('our re-INVITE', OUR_OFFER_TRANSITIONS, 'idle', clock);
