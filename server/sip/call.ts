// One call in the B2BUA: its legs, media and recorder, and its state machines (call-state.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { CallMedia, CallRecorder } from '../../media/index.js';
import type { Clock } from '../clock.js';
import { callMachine, callerInviteMachine, offerExchangeMachine, type CallPhase, type CallTimer, type CalleeInviteState, type CallerInviteState, type OfferExchangeState, type OfferExchangeTimer } from './call-state.js';
import type { User } from '../db/repositories/users.js';
import type { DialogLeg, LegRole } from './dialog-leg.js';
import type { HeaderList, SipRequest } from './message.js';
import type { PartyInvite } from './party-invite.js';
import type { SessionTimerOffer } from './session-timer.js';
import type { StateMachine } from './state-machine.js';

/** The direction of an offer we make to a leg (Call.offerDirectionTo). */
export type MediaDirection = 'sendonly' | 'sendrecv';

/** The offer exchange in progress with a leg is over (answered, refused, or its ACK came or never did). */
export function offerSettled(call: Call): void {
  if (!call.offers.is('idle')) call.offers.transition('idle');
  call.offerFrom = undefined;
}

/** A leg's offer (re-INVITE or UPDATE) starts being answered, or (`awaiting-ack`) our offer in the 200 to its offerless re-INVITE awaits its ACK. */
export function offerStarted(call: Call, leg: DialogLeg, state: 'answering' | 'awaiting-ack'): void {
  call.offers.transition(state);
  call.offerFrom = leg;
}

/** Whether a re-INVITE to this leg still makes sense: the call is up and the leg still in it. */
export function stillInCall(call: Call, leg: DialogLeg): boolean {
  return call.phase === 'answered' && call.legs().includes(leg) && leg.conn.isOpen;
}

export function dtmfDigit(body: string | undefined): string | undefined {
  const m = /Signal\s*=\s*([0-9A-D*#])/i.exec(body ?? '');
  return m?.[1];
}

/**
 * A party being brought into a live call: the target of a blind transfer, or a conference party.
 * From the REFER's 202 until our INVITE to them has its outcome; a second REFER meanwhile gets 491.
 */
export interface PendingParty {
  kind: 'blind' | 'conference';
  /** Who is being brought in. */
  target: User;
  /** Waiting in the offer queue for the target to be Ready (offer-queue.ts): not theirs yet, so not counted as busy. */
  queued: boolean;
  /** The target's dialog and our INVITE to them, once sent. */
  leg?: DialogLeg;
  invite?: PartyInvite;
}

export class Call {
  readonly id = randomUUID();
  /** setup → ringing → answered → ended (call-state.ts); owns the no-answer, PRACK and ACK timers. */
  readonly state: StateMachine<CallPhase, CallTimer>;
  /** The caller's INVITE: a second final response is never sent. */
  readonly callerTx: StateMachine<CallerInviteState>;
  /** Offers from the legs, answered one at a time. */
  readonly offers: StateMachine<OfferExchangeState, OfferExchangeTimer>;
  /** The leg whose offer exchange `offers` is in (set and cleared with it: offerStarted, offerSettled). */
  offerFrom: DialogLeg | undefined;
  callee: DialogLeg | undefined;
  /** The third party of a conference. */
  party: DialogLeg | undefined;
  pending: PendingParty | undefined;
  /** Names of added media legs: party-1, party-2… */
  partyCount = 0;
  media: CallMedia | undefined;
  recorder: CallRecorder | undefined;
  /** The callee's answer being applied to the media; ending the call frees the media only after it (b2bua.ts). */
  answering: Promise<unknown> | undefined;
  recordingFile: string | undefined;
  /** The recorder being started (from the answer); ending the call waits for it before freeing the media (b2bua.ts). */
  recordingStarting: Promise<void> | undefined;
  /** Our INVITE to the callee; `state` says whether a provisional came and whether it is (to be) CANCELled. */
  calleeInvite:
    | {
        branch: string;
        cseq: number;
        uri: string;
        headers: HeaderList;
        /** Our offer, or none (delayed offer): sent again with the INVITE after a 422. */
        body: string | undefined;
        /** The Session-Expires we asked for (RFC 4028 §7.1, https://www.rfc-editor.org/rfc/rfc4028#section-7.1): 1800 s, or the callee's Min-SE after a 422. */
        sessionExpiresS: number;
        state: StateMachine<CalleeInviteState>;
      }
    | undefined;
  heldBy: LegRole | null = null;
  /** The user whose phone this call rings or rang (set once it is offered, not while it waits in the queue). */
  offering: User | undefined;
  /** The customer number a candidate dialled, when the call was routed to their assessor. */
  dialledNumber: string | undefined;
  /** Reliable provisional responses to the caller (it sent Require: 100rel, RFC 3262): the last RSeq, and the one awaiting its PRACK. */
  reliable: { rseq: number; unacked?: { rseq: number } } | undefined;
  /** The caller's INVITE had no SDP (delayed-offer.ts): the callee offers in its 200, the caller answers in its ACK. */
  delayedOffer = false;
  /** Delayed offer: the callee's 200 (its offer) is being or has been used; a retransmission is not used again. */
  calleeOfferTaken = false;
  /** Delayed offer: the answer sent in our ACK to the callee's 200 (sent again for a retransmitted 200). */
  calleeAnswer: string | undefined;
  /** Delayed offer: the callee's 200 was ACKed without an answer, as the call could not go on. */
  calleeAckedEmpty = false;
  /** The session timer the caller's INVITE asked for, answered in our 200 (RFC 4028 §9). */
  callerTimer: SessionTimerOffer = { kind: 'none' };
  /** Re-INVITEs we send to tell a party about hold/resume, one after another. */
  relayChain: Promise<void> = Promise.resolve();
  readonly log: FastifyBaseLogger;

  constructor(
    public caller: DialogLeg,
    readonly callerInvite: SipRequest,
    /** The leg the recording puts on the left: the candidate's (a call between staff: the caller's, until a transfer brings a candidate in, transfer.ts). */
    public candidateRole: LegRole,
    logger: FastifyBaseLogger,
    readonly clock: Clock,
  ) {
    this.log = logger.child({ callId: this.id });
    this.state = callMachine(clock);
    this.callerTx = callerInviteMachine(clock);
    this.offers = offerExchangeMachine(clock);
  }

  get phase(): CallPhase {
    return this.state.state;
  }

  /** Re-read after every await: the call may have ended meanwhile (CANCEL, BYE, a lost connection). */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** The parties in the call now (two, or three in a conference). */
  legs(): DialogLeg[] {
    return [this.caller, this.callee, this.party].filter((l): l is DialogLeg => l !== undefined);
  }

  others(role: LegRole): DialogLeg[] {
    return this.legs().filter((l) => l.role !== role);
  }

  other(role: LegRole): DialogLeg | undefined {
    return this.others(role)[0];
  }

  /**
   * The direction of an offer we make to `leg` now, read when the offer is made (so one sent again
   * after glare says what is true then): sendonly while another party holds the call, RFC 3264 §8.4
   * (https://www.rfc-editor.org/rfc/rfc3264#section-8.4): "If the stream to be placed on hold was
   * previously a sendrecv media stream, it is placed on hold by marking it sendonly"; sendrecv
   * otherwise, to the holder too (its own offer said sendonly; the answer to ours narrows it).
   */
  offerDirectionTo(leg: DialogLeg): MediaDirection {
    return this.heldBy !== null && this.heldBy !== leg.role ? 'sendonly' : 'sendrecv';
  }
}
