// Plain-data shapes the assessment rules read. The scenario schema (scenario-schema.ts, written
// separately) produces AnswerKey, AutoCheckDefinition[], RubricCriterion[] and CoverageScenario
// from each scenario file; the server fills CallFacts, TimelineEntry[] and RecordSnapshot[] from
// the database (calls.ts, the attempt timeline and the attempt's CRM copy). Nothing here does I/O.
//
// "Digest" below is shared/docs/assessment-domain.md.

import type { TimelineEvent } from '../protocol/timeline.js';

export type Direction = 'inbound' | 'outbound';
export type CallLeg = 'caller' | 'callee';

// --- rubric ------------------------------------------------------------------------------------

/** One rubric line of a scenario: a criterion id from digest section 2 and the marks it carries. */
export interface RubricCriterion {
  /** e.g. 'U2-4.2-hold-max-60'. */
  criterionId: string;
  /** Whole marks, at least 1; a scenario's criteria add up to 12 (digest 1.2, 4.0). */
  maxMarks: number;
}

// --- what happened in the attempt --------------------------------------------------------------

/**
 * The call of an assignment attempt, from server/db/repositories/calls.ts (CallRecord plus its
 * CallEvents). All times are server ms since the epoch.
 */
export interface CallFacts {
  /** CallRecord.invitedAt; used for the ring time only when no ringing time was recorded. */
  invitedAt?: number | null;
  /** CallRecord.ringingAt: when the candidate's phone started ringing. */
  ringingAt: number | null;
  /** CallRecord.answeredAt. */
  answeredAt: number | null;
  /** CallRecord.endedAt (null while the call is still up). */
  endedAt: number | null;
  /**
   * CallEvents in stored order. Read here: 'hold' and 'resume' (with the leg that held), and
   * 'hangup' / 'end' as the end of a hold that was never resumed. Other types are ignored.
   */
  events: ReadonlyArray<{ at: number; type: string; leg: CallLeg | null }>;
  /**
   * The candidate's leg: 'callee' on an inbound assignment (the assessor calls the candidate),
   * 'caller' on an outbound one. Holds by the other leg (the assessor playing the customer) are
   * not the candidate's and are ignored. null counts every leg's holds.
   */
  candidateLeg: CallLeg | null;
}

/**
 * One stored timeline event (server/protocol/timeline.ts TimelineEvent). Only events the SERVER
 * recorded are evidence: entries with source 'browser' (what the candidate's browser reported)
 * are dropped before any check runs, so they never earn (or cost) a mark. Read here:
 *   identity-check { customerId?, passed, questions?: [{ asked, correct }] }  (identity.ts)
 *   field-changed  { customerId?, field, old, new }
 *   note-added / order-created / case-created / callback-created { customerId? }
 *   message-sent   { channel: 'email' | 'sms', to, cc?: string[], attachments?: [{ kind, key? }], customerId? }
 *   wrap-up        { code, notesLength? | notes? }
 *   call-started   { dialledNumber? }  (the number a candidate dialled, from the SIP call)
 *   hold / resume  (only when no CallFacts are given)
 * Order is `seq` (the order the server stored them). `source` absent: taken as server-recorded
 * (the rules' own unit tests build timelines by hand).
 */
export type TimelineEntry = Pick<TimelineEvent, 'seq' | 'at' | 'offsetMs' | 'type' | 'payload'> & Partial<Pick<TimelineEvent, 'source'>>;

/** A CRM record as it stands at the end of the attempt, named as the answer key names it. */
export interface RecordSnapshot {
  /** 'customer' (the only type the desktop edits today). */
  type: string;
  /** The business key the answer key uses: the account number for a customer. */
  key: string;
  /** The attempt-local row id that timeline payloads carry (customerId), if known. */
  id?: number | string | null;
  /** Field name → final value, e.g. { postcode: 'M1 1AE', mobile: '07700900123' }. */
  fields: Readonly<Record<string, unknown>>;
}

// --- answer key --------------------------------------------------------------------------------

/** Names a record in the answer key: type and business key (account number for a customer). */
export interface RecordRef {
  type: string;
  key: string;
}

/**
 * How a keyed value is compared with the key (digest 2.8 item 5: "normalised: case, spaces,
 * postcode and phone formats, dates"):
 *   text     trimmed, inner spaces collapsed, case ignored
 *   name     as text, and ’ ‘ read as '
 *   exact    character for character
 *   code     trimmed, case ignored (wrap-up codes, product codes, enum values)
 *   postcode UK postcode, spacing and case ignored ('m11ae' = 'M1 1AE')
 *   phone    UK number in any usual writing ('+44 7700 900123' = '07700 900123')
 *   email    trimmed, case ignored
 *   date     calendar date; YYYY-MM-DD or DD/MM/YYYY
 *   money    pence; a number is pence, a string is pounds ('£12.50' = 1250)
 *   number   numeric value ('3' = 3)
 *   boolean  true/false, yes/no, 1/0
 */
export type FieldKind = 'text' | 'name' | 'exact' | 'code' | 'postcode' | 'phone' | 'email' | 'date' | 'money' | 'number' | 'boolean';

/** One field the candidate must leave with a given value. `expected: null` = must be empty. */
export interface FieldExpectation {
  record: RecordRef;
  field: string;
  kind: FieldKind;
  expected: string | number | boolean | null;
  /** For people: 'new postcode'. Defaults to the field name. */
  label?: string;
}

/** A field that must not be empty at the end (digest U2-6.1-all-details). */
export interface RequiredField {
  record: RecordRef;
  field: string;
  label?: string;
}

/** The contact record the candidate must complete (digest U2-6.1-interaction-record). */
export interface ExpectedWrapUp {
  /** The wrap-up code the key expects (compared as a code); absent (and no `codes`): any code will do. */
  code?: string;
  /** Several accepted codes (any one of them is right); when given, `code` is ignored. */
  codes?: readonly string[];
  /** Notes must not be empty. */
  notesRequired?: boolean;
}

/** A follow-up the candidate must send (digest U2-7.2-recipients: "to/cc = key; no wrong customer"). */
export interface ExpectedMessage {
  channel: 'email' | 'sms';
  /** E-mail address or UK mobile number. */
  to: string;
  /** When given, the cc list must be exactly this (order and case ignored). */
  cc?: readonly string[];
  /** Documents (seed keys) the message must carry, e.g. the information pack it promises. */
  attachments?: readonly string[];
  /** The template it must be made from (seed template key). */
  templateKey?: string | null;
  /** Sent within this many minutes of the call's end. */
  withinMinutes?: number;
  label?: string;
}

/** Identity verification the key expects (digest U2-1.1-verify-id, U2-6.3-data-protection). */
export interface ExpectedIdentity {
  /** Account numbers whose holder must pass an identity check in this attempt (the caller's). */
  accounts: readonly string[];
  /** Security questions a check must have asked and had answered correctly (identity.ts; default 2). */
  questions?: number;
}

/** Outbound work: numbers that must never be dialled (digest U2-3.2-comply, do-not-call). */
export interface ExpectedDialling {
  mustNotDial: readonly string[];
}

/**
 * Incoming messages to process (digest U2-7.2-process-received, "each seeded message actioned as
 * key says"): the one to deal with first and the folder each must end in. Messages are named by
 * their id in the attempt's copy of the inbox (null: the attempt has no such message).
 */
export interface ExpectedInbox {
  /** The message to deal with before any other is filed, and the account it is about. */
  actionFirst: { messageId: number | null; label: string; account: string };
  file: ReadonlyArray<{ messageId: number | null; label: string; folder: string }>;
}

/** A case the candidate must raise (digest U2-1.4-confirmation, U2-5.2-priority). */
export interface ExpectedCase {
  account: string;
  type: string;
  /** null: any category. */
  category: string | null;
  /** Accepted priorities. */
  priorities: readonly string[];
  escalated: boolean;
  /** Highest goodwill credit within authority; null: no credit expected. */
  maxCreditPence: number | null;
  /** What its description must say (free text: for the assessor). */
  mentions: readonly string[];
}

export interface ExpectedOrderLine {
  productCode: string;
  quantity: number;
  saleType: string;
}

/** An order the candidate must place (digest U2-2.2-needs-match, U2-2.3-agree-product). */
export interface ExpectedOrder {
  account: string;
  lines: readonly ExpectedOrderLine[];
  /** Lines that may be on it (a cross-sell the caller accepts on a cue) but need not be. */
  optionalLines: readonly ExpectedOrderLine[];
}

/** A callback or task the candidate must book (digest U2-3.3-next-stage, U2-5.2-follow-up). */
export interface ExpectedCallback {
  account: string;
  kind: string;
  priorities: readonly string[];
  /** The due date window, 'YYYY-MM-DD' inclusive, worked out from the sitting day; absent: not checked. */
  dueFrom?: string;
  dueTo?: string;
  /** The due time window, 'HH:MM' inclusive. */
  timeFrom?: string;
  timeTo?: string;
  mentions: readonly string[];
}

/**
 * What the scenario's seed calls the codes and keys the evidence names (code or key → words), so an
 * assessor reads "Home move booked" or "Broadband information pack", never MOVE or info-pack. A code
 * a table does not name is put in words (server/protocol/words.ts codeWords); a product code is kept.
 */
export interface AnswerKeyNames {
  /** Wrap-up outcome code → its label (seed wrapUpCodes). */
  wrapUpOutcomes?: Readonly<Record<string, string>>;
  /** Case category code → its label (seed caseCategories). */
  caseCategories?: Readonly<Record<string, string>>;
  /** Product code → product name (seed products). */
  products?: Readonly<Record<string, string>>;
  /** Message template key → its name (seed templates). */
  templates?: Readonly<Record<string, string>>;
  /** Document key → its title (seed documents). */
  documents?: Readonly<Record<string, string>>;
}

/**
 * A scenario's answer key, as far as the automatic checks read it (digest 4.0 "Answer key").
 * The schema derives it from the scenario's CRM seed and caller brief (digest 1.3 step 1).
 */
export interface AnswerKey {
  fields?: readonly FieldExpectation[];
  requiredFields?: readonly RequiredField[];
  wrapUp?: ExpectedWrapUp;
  followUps?: readonly ExpectedMessage[];
  identity?: ExpectedIdentity;
  dialling?: ExpectedDialling;
  cases?: readonly ExpectedCase[];
  orders?: readonly ExpectedOrder[];
  callbacks?: readonly ExpectedCallback[];
  /** Print-outs the candidate must make, of what and whose. */
  printouts?: ReadonlyArray<{ kind: string; account: string }>;
  /** Look-alike accounts nobody may change (digest U2-6.2-retrieve-accurately). */
  untouchedAccounts?: readonly string[];
  /** Wrong values planted in the seed, with the value each field must end with. */
  plantedErrors?: readonly FieldExpectation[];
  inbox?: ExpectedInbox;
  /** The seed's words for the codes and keys above and for those the candidate chose. */
  names?: AnswerKeyNames;
}

// --- auto-check definitions --------------------------------------------------------------------

/** Actions that show or change a customer's account data (the default for identity-before-access). */
export const DEFAULT_PROTECTED_EVENTS = ['field-changed', 'note-added', 'order-created', 'case-created', 'callback-created', 'message-sent'] as const;

/**
 * One automatic check a scenario asks for, pre-filling the criterion `criterionId` (whose marks
 * come from the scenario's rubric). Kinds, with the digest rows they serve (section 2.8):
 *   answer-time            ringing → answered <= maxRingSeconds          U2-1.1/2.1-answer-time
 *   hold-limit             every hold segment <= maxHoldSeconds (60)     U2-4.2-hold-max-60
 *   hold-recheck           no unbroken hold over 60 s; long waits split  U2-4.2-hold-recheck
 *                          by check-backs (see holds.ts)
 *   identity-before-access identity passed before any protected action   U2-1.1-verify-id,
 *                          for that customer                             U2-6.3-data-protection
 *   field-accuracy         answerKey.fields, normalised per kind         U2-6.1-accurate-entry
 *   required-fields        answerKey.requiredFields not empty            U2-6.1-all-details
 *   wrap-up                wrap-up done; code = key; notes if required   U2-6.1-interaction-record
 *   follow-up-recipients   answerKey.followUps sent to the right to/cc   U2-7.2-recipients
 *   follow-up-attachments  each follow-up carries the key's documents    U2-7.2-recipients/attachments
 *   follow-up-deadline     each follow-up sent within its minutes of     U2-7.2 (deadline aspect)
 *                          the call's end
 *   follow-up-template     each follow-up made from the key's template   U2-7.2/7.3 (template aspect)
 *   do-not-call-respected  no number in answerKey.dialling.mustNotDial   U2-3.2-comply
 *                          was dialled (the server's call record)
 *   case-matches           the case raised: type, category, priority,    U2-1.4-confirmation,
 *                          escalation, credit within the limit           U2-5.2-priority
 *   credit-within-limit    goodwill credit on the account's new cases     U2-5.2-assertive
 *                          at most maxCreditPence
 *   order-matches          the order: every required line, no line the   U2-2.2-needs-match,
 *                          key does not allow                            U2-2.3-cross-up-sell
 *   callback-matches       the callback/task: kind, priority, due window U2-3.3-next-stage,
 *                                                                        U2-5.2-follow-up
 *   printout-made          answerKey.printouts made, of the right record U2-7.3-produce
 *   no-unrelated-edits     no change to a look-alike account             U2-6.2-retrieve-accurately
 *                          (fails only: finding the right one is seen by the assessor)
 *   prepared-before-dial   a note on the lead's record before the first  U2-3.1-objectives
 *                          number was dialled (noteRequired)
 *   planted-error-corrected the planted wrong value ends corrected        U2-6.1-correct-errors
 *   messages-processed     the key's first message dealt with before any U2-7.2-process-received
 *                          other is filed; each message in its folder
 *   handle-time            answer to hang-up at most maxSeconds          U2-1.3-resolution-time
 *   assessor-judgement     a part no rule reads: no-data, with what to   any
 *                          look for
 */
export type AutoCheckDefinition =
  | { kind: 'answer-time'; criterionId: string; maxRingSeconds: number }
  | { kind: 'hold-limit'; criterionId: string; maxHoldSeconds?: number }
  | {
      kind: 'hold-recheck';
      criterionId: string;
      maxHoldSeconds?: number;
      /** A re-hold this soon after a resume belongs to the same wait (default 30 s). */
      sameWaitGapSeconds?: number;
    }
  | {
      kind: 'identity-before-access';
      criterionId: string;
      /** Timeline types that show or change account data; default DEFAULT_PROTECTED_EVENTS. */
      protectedEvents?: readonly string[];
      /**
       * Also a breach: any server-recorded action on the record of a customer not in
       * answerKey.identity.accounts (opening a record is reported by the browser, so it is not used).
       */
      flagOtherRecords?: boolean;
      /**
       * Questions a check must have asked and had answered correctly (identity.ts); default
       * answerKey.identity.questions, else 2. The check's verdict is worked out again from the
       * questions the server recorded, with the same rule the check route used.
       */
      minFactors?: number;
    }
  | { kind: 'field-accuracy'; criterionId: string }
  | { kind: 'required-fields'; criterionId: string }
  | { kind: 'wrap-up'; criterionId: string }
  | { kind: 'follow-up-recipients'; criterionId: string }
  /** Only answerKey.followUps[index] when given, else every follow-up. */
  | { kind: 'follow-up-attachments'; criterionId: string; index?: number }
  | { kind: 'follow-up-deadline'; criterionId: string; index?: number }
  | { kind: 'follow-up-template'; criterionId: string; index?: number }
  | { kind: 'do-not-call-respected'; criterionId: string }
  | { kind: 'case-matches'; criterionId: string; index: number }
  | { kind: 'credit-within-limit'; criterionId: string; account: string; maxCreditPence: number }
  | { kind: 'order-matches'; criterionId: string; index: number }
  | { kind: 'callback-matches'; criterionId: string; index: number }
  | { kind: 'printout-made'; criterionId: string }
  | { kind: 'no-unrelated-edits'; criterionId: string }
  | { kind: 'prepared-before-dial'; criterionId: string; account: string; noteRequired: boolean }
  | { kind: 'planted-error-corrected'; criterionId: string; account: string; field: string }
  | { kind: 'handle-time'; criterionId: string; maxSeconds: number }
  | { kind: 'messages-processed'; criterionId: string }
  /**
   * Something the criterion asks for that no rule reads (e.g. what a message says): always
   * 'no-data', so a criterion with such a part is never pre-filled with full marks.
   */
  | { kind: 'assessor-judgement'; criterionId: string; what: string };

export type AutoCheckKind = AutoCheckDefinition['kind'];

// --- coverage ----------------------------------------------------------------------------------

/** What the coverage warning needs to know about one chosen scenario. */
export interface CoverageScenario {
  id: string;
  title?: string;
  /** 'S1'…'S6' (digest section 4); two chosen scenarios of one type are refused. */
  type?: string;
  direction: Direction;
  /**
   * Unit 2 content sections the scenario marks (the X cells of digest 4.7), e.g.
   * ['1', '4', '6.1', '6.2', '6.3', '7.1']; a sub-section like '1.2' counts for section 1.
   */
  sections: readonly string[];
}
