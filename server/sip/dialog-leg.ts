// One dialog of a call, seen from the B2BUA: the caller's (we are its UAS), the callee's and an added
// party's (we are their UAC). RFC 3261 §12, https://www.rfc-editor.org/rfc/rfc3261#section-12: "A
// dialog is identified at each UA with a dialog ID, which consists of a Call-ID value, a local tag
// and a remote tag", and its state holds "the local sequence number, remote sequence number, local
// URI, remote URI, remote target".
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { User } from '../db/repositories/users.js';
import { ALLOW, B2BUA_CONTACT } from './capabilities.js';
import { ourOfferMachine, type OurOfferState } from './call-state.js';
import type { SipConnection } from './connection.js';
import type { HeaderList } from './message.js';
import type { SessionTimer } from './session-timer.js';
import type { StateMachine } from './state-machine.js';

/** 'party': the third party of a conference (call_events store it with leg null and say so in detail). */
export type LegRole = 'caller' | 'callee' | 'party';

/** The host of the B2BUA's Via and of the Call-IDs it generates. */
export const CONTACT_HOST = 'callmark.invalid';

export interface DialogLeg {
  /** Changes when a conference party takes the place of a party who left. */
  role: LegRole;
  /** The leg's name in CallMedia: 'caller', 'callee', or the name given to an added party. */
  mediaId: string;
  conn: SipConnection;
  user: User;
  sipCallId: string;
  localTag: string;
  remoteTag: string | undefined;
  /** Request-URI of in-dialog requests we send on this leg. */
  remoteTarget: string;
  /** From/To header values (without tags) as seen from our side of this dialog. */
  localUri: string;
  remoteUri: string;
  localCSeq: number;
  remoteCSeq: number;
  /** We generated this dialog's Call-ID (callee and party legs): RFC 3261 §14.1, https://www.rfc-editor.org/rfc/rfc3261#section-14.1 picks the glare back-off by it. */
  ownsCallId: boolean;
  /** Our re-INVITE on this leg, while it awaits its final response the leg's own re-INVITE gets 491 (§14.2). */
  ourOffer: StateMachine<OurOfferState>;
  /** Our re-INVITEs on this leg, one after another, glare retries included. */
  reinvites: Promise<void>;
  /** Our offer in the 200 to the leg's re-INVITE without SDP, waiting for its answer in the ACK of that CSeq. */
  answerInAck?: { cseq: number; accept: (answer: string | undefined) => void };
  /** The RSeq of the last reliable provisional response we PRACKed on this leg (RFC 3262 §4). */
  lastRSeq?: number;
  /** The RFC 4028 session timer of this leg's dialog, when one was negotiated (session-timer.ts). */
  sessionTimer: SessionTimer | undefined;
}

/** A fresh tag. RFC 3261 §19.3, https://www.rfc-editor.org/rfc/rfc3261#section-19.3: "it MUST be globally unique and cryptographically random with at least 32 bits of randomness". */
/** The refusal of an in-dialog request that came out of order (inOrder below): a 500 with a prompt Retry-After. */
export const OUT_OF_ORDER = { reason: 'CSeq out of order', headers: [['Retry-After', '1']] as HeaderList };

/**
 * Whether an in-dialog request is in order; if so its CSeq becomes the leg's remote sequence number.
 * RFC 3261 §12.2.2, https://www.rfc-editor.org/rfc/rfc3261#section-12.2.2: "If the remote sequence
 * number was not empty, but the sequence number of the request is lower than the remote sequence
 * number, the request is out of order and MUST be rejected with a 500 (Server Internal Error)
 * response." One equal to it is not new either: a retransmission is absorbed by its transaction
 * (transactions.ts) before it gets here. The caller answers false with OUT_OF_ORDER.
 */
export function inOrder(leg: DialogLeg, cseq: number): boolean {
  if (cseq <= leg.remoteCSeq) return false;
  leg.remoteCSeq = cseq;
  return true;
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

type LegFields = Pick<DialogLeg, 'role' | 'mediaId' | 'conn' | 'user' | 'remoteTarget' | 'localUri' | 'remoteUri'>;

/** The caller's dialog, from its INVITE: we are the UAS (our tag is new, its Call-ID and CSeq are the caller's). */
export function uasLeg(fields: LegFields & { sipCallId: string; remoteTag: string | undefined; remoteCSeq: number }, clock: Clock): DialogLeg {
  return { ...fields, localTag: newTag(), localCSeq: 0, ownsCallId: false, ourOffer: ourOfferMachine(clock), reinvites: Promise.resolve(), sessionTimer: undefined };
}

/** A dialog we open with an INVITE of ours (CSeq 1): a new Call-ID and tag, the remote tag comes with the answer. */
export function uacLeg(fields: LegFields, clock: Clock): DialogLeg {
  return {
    ...fields,
    sipCallId: `${randomUUID()}@${CONTACT_HOST}`,
    localTag: newTag(),
    remoteTag: undefined,
    localCSeq: 1,
    remoteCSeq: 0,
    ownsCallId: true,
    ourOffer: ourOfferMachine(clock),
    reinvites: Promise.resolve(),
    sessionTimer: undefined,
  };
}

/**
 * The Contact of every request and 2xx the B2BUA sends in a dialog. RFC 3261 §12.1.1
 * (https://www.rfc-editor.org/rfc/rfc3261#section-12.1.1): "the UAS MUST add a Contact header
 * field to the response"; §12.2.1.1: "A UAC MUST ... [include] a Contact header field in any
 * target refresh requests within a dialog".
 */
export function contactHeader(): [string, string] {
  return ['Contact', B2BUA_CONTACT];
}

/** Via, Max-Forwards, From, To, Call-ID and CSeq of a request we send within a leg's dialog. */
export function dialogHeaders(leg: DialogLeg, branch: string, cseq: string): HeaderList {
  return [
    ['Via', `SIP/2.0/WSS ${CONTACT_HOST};branch=${branch}`],
    ['Max-Forwards', '70'],
    ['From', `<${leg.localUri}>;tag=${leg.localTag}`],
    ['To', `<${leg.remoteUri}>${leg.remoteTag ? `;tag=${leg.remoteTag}` : ''}`],
    ['Call-ID', leg.sipCallId],
    ['CSeq', cseq],
  ];
}

/**
 * The headers of the INVITE that opens a UAC leg: From shows `displayName` (who the callee sees
 * calling), Contact and Allow (RFC 3261 §20.5, https://www.rfc-editor.org/rfc/rfc3261#section-20.5, from capabilities.ts), then `extra`.
 */
export function initialInviteHeaders(leg: DialogLeg, branch: string, displayName: string, extra: HeaderList = []): HeaderList {
  return [
    ['Via', `SIP/2.0/WSS ${CONTACT_HOST};branch=${branch}`],
    ['Max-Forwards', '70'],
    ['From', `"${displayName.replace(/["\\]/g, '')}" <${leg.localUri}>;tag=${leg.localTag}`],
    ['To', `<${leg.remoteUri}>`],
    ['Call-ID', leg.sipCallId],
    ['CSeq', '1 INVITE'],
    contactHeader(),
    ['Allow', ALLOW],
    ...extra,
  ];
}
