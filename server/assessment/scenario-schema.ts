// The shape of one LCCI Unit 2 assignment scenario file (scenarios/s1-….json … s6-….json): what the
// candidate sees, what the assessor plays, the CRM seed every attempt gets a copy of, the answer key
// (expected end state of the records and the follow-ups), the 12-mark rubric and the auto-check
// definitions for its objective criteria. See shared/docs/assessment-domain.md sections 2 and 4.
//
// zod checks each value here; what zod cannot check (marks summing to 12, references into the seed,
// the caller's number…) is in scenario-checks.ts, whose `scenarioSchema` is this shape plus those
// checks: read a scenario file with that. What the assessment rules read of a scenario is worked
// out in scenario-adapters.ts.
import { z } from 'zod';
import { EDITABLE_CUSTOMER_FIELDS, type EditableCustomerField } from '../protocol/crm.js';
import { completeSeedSchema, seedCustomerSchema } from '../crm/seed-schema.js';
import { validateEmail, validateUkPhone, type Checked } from '../crm/validation.js';

/** Total marks of one assignment (digest 1.2: 48 over four assignments). */
export const ASSIGNMENT_MAX_MARKS = 12;

// --- what each of the six assignment types is ---------------------------------------------------

export const SCENARIO_KEYS = ['s1', 's2', 's3', 's4', 's5', 's6'] as const;
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

export const SCENARIO_KINDS = ['routine-service', 'special-communication', 'complaint', 'inbound-sales', 'outbound-sales', 'message-follow-up'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export type Direction = 'inbound' | 'outbound';
/** Service or sales: with the direction, what the sitting's coverage warning looks at. */
export type ScenarioType = 'service' | 'sales';

/** Digest section 4: the fixed kind, direction and type of each assignment key. */
export const SCENARIO_TYPES: Readonly<Record<ScenarioKey, { kind: ScenarioKind; direction: Direction; type: ScenarioType; digest: string }>> = {
  s1: { kind: 'routine-service', direction: 'inbound', type: 'service', digest: 'S1 - Routine inbound service request' },
  s2: { kind: 'special-communication', direction: 'inbound', type: 'service', digest: 'S2 - Caller with special communication requirements + written follow-up' },
  s3: { kind: 'complaint', direction: 'inbound', type: 'service', digest: 'S3 - Complaint from a difficult customer' },
  s4: { kind: 'inbound-sales', direction: 'inbound', type: 'sales', digest: 'S4 - Inbound sales with up-sell and cross-sell' },
  s5: { kind: 'outbound-sales', direction: 'outbound', type: 'sales', digest: 'S5 - Outbound sales / lead generation' },
  s6: { kind: 'message-follow-up', direction: 'outbound', type: 'service', digest: 'S6 - Message-driven outbound service follow-up' },
};

// --- small pieces -------------------------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1).max(max);
const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be letters, digits, - or _ (at most 64)');
const checked = (fn: (input: string, field: string) => Checked<unknown>, field: string) =>
  z.string().superRefine((value, ctx) => {
    const r = fn(value, field);
    if (!r.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.message });
  });
const accountNumber = z.string().regex(/^[A-Z]{2}[0-9]{6}$/, 'must be two capital letters and six digits, e.g. BL100231');
const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time HH:MM (24-hour)');
const wrapUpCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'must be capitals, digits and _, e.g. MOVE');
/**
 * Something a message, note or case must contain. Literal text (compared ignoring case and
 * spacing), or with placeholders: {{<fact key>}} (a caller-brief fact) or {{caseReference}},
 * {{orderReference}}, {{callbackDue}} (values the attempt generates).
 */
const mention = text(300);
const mentions = z.array(mention).default([]);
export const GENERATED_PLACEHOLDERS = ['caseReference', 'orderReference', 'callbackDue'] as const;

/** A date relative to the sitting day (calendar days, or working days Monday–Friday). */
const relativeDate = z.object({ days: z.number().int().min(0).max(366), workingDays: z.boolean().default(false) }).strict();

// --- candidate brief ----------------------------------------------------------------------------

const candidateBriefSchema = z
  .object({
    /** Who the candidate is for this assignment, e.g. "Customer service adviser at Brightline". */
    role: text(200),
    /** The situation as the candidate knows it before the call. Never the caller's hidden facts. */
    situation: text(2000),
    /** What the candidate must do, in order. */
    tasks: z.array(text(500)).min(1),
    /** What must be done after the call (wrap-up, follow-up). */
    afterCall: z.array(text(500)).default([]),
    /** Where the policies and tools are: seed items the candidate is pointed to. */
    resources: z
      .object({
        knowledgeBase: z.array(slug).default([]),
        scripts: z.array(slug).default([]),
        templates: z.array(slug).default([]),
        documents: z.array(slug).default([]),
      })
      .strict()
      .default({}),
    /**
     * Parts the candidate may bring into the call by transfer or conference, played by staff of the
     * centre (e.g. "Team leader"). During a sitting the candidate's phone reaches the assessor and,
     * only for an assignment that names such a part, the centre's other staff (server/sip/call-policy.ts).
     */
    transferTargets: z.array(z.object({ label: text(80) }).strict()).default([]),
  })
  .strict();

// --- caller brief (assessor only) ---------------------------------------------------------------

const factSchema = z
  .object({
    /** Placeholder name, e.g. moveDate → {{moveDate}} in must-mention lists. */
    key: z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, 'must be camelCase letters and digits, e.g. moveDate'),
    label: text(200),
    /** The value the caller gives; or `date`, worked out from the sitting day by the console. */
    value: text(500).optional(),
    date: relativeDate.optional(),
    /** When the caller gives it, e.g. "only when asked for the new address". */
    giveWhen: text(500),
  })
  .strict()
  .superRefine((f, ctx) => {
    if ((f.value === undefined) === (f.date === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['value'], message: 'a fact needs exactly one of value or date' });
    }
  });

const cueSchema = z
  .object({
    id: slug,
    /** When the assessor plays it, e.g. "after the candidate first quotes the price". */
    when: text(500),
    /** The cue card, e.g. "Raise the price objection now: 'That's more than I pay now.'". */
    prompt: text(1000),
    /** Criteria the cue gives evidence for (catalogue ids). */
    tests: z.array(z.string()).default([]),
  })
  .strict();

const callerBriefSchema = z
  .object({
    persona: z
      .object({
        name: text(120),
        /** The seed record the persona is (null for a caller or lead with no account). */
        accountNumber: accountNumber.nullable(),
        /**
         * Inbound: the number the assessor's call presents (caller ID); it must be on the persona's
         * seed record. Outbound: the number the candidate dials; it must be on the call list.
         */
        phone: checked(validateUkPhone, 'phone'),
        /** Age, manner, background: how to play the part. */
        description: text(2000),
      })
      .strict(),
    situation: text(2000),
    openingLine: text(1000),
    /** Facts the caller knows (security answers are on the seed record). */
    facts: z.array(factSchema).default([]),
    /** Cue cards in the order they usually come up. */
    cues: z.array(cueSchema).default([]),
    objections: z.array(z.object({ text: text(500), when: text(500), overcomeBy: text(1000) }).strict()).default([]),
    buyingSignals: z.array(z.object({ text: text(500), when: text(500) }).strict()).default([]),
    /** How the caller's mood moves, and how it responds to good or poor handling. */
    emotionalArc: text(2000),
    holdTolerance: text(500),
    endWhen: text(1000),
    neverVolunteer: z.array(text(500)).default([]),
  })
  .strict();

// --- answer key ---------------------------------------------------------------------------------

/** The fields of a customer record the candidate may change (server/protocol/crm.ts), as a pick of the seed's customer schema. */
const EDITABLE_MASK = Object.fromEntries(EDITABLE_CUSTOMER_FIELDS.map((f) => [f, true])) as { [K in EditableCustomerField]: true };
export type { EditableCustomerField };

/** Expected values after the call; fields left out are not compared. */
const expectedCustomerSchema = seedCustomerSchema.pick(EDITABLE_MASK).partial().extend({ accountNumber });

const casePriority = z.enum(['low', 'medium', 'high', 'urgent']);
const orderLineSchema = z
  .object({ productCode: z.string(), quantity: z.number().int().min(1).max(99).default(1), saleType: z.enum(['standard', 'upsell', 'cross_sell']) })
  .strict();

const followUpSchema = z
  .object({
    channel: z.enum(['email', 'sms']),
    /** The customer whose address on file (after the call) receives it. */
    to: z.object({ accountNumber }).strict(),
    /** Further required recipients in copy (e-mail only), e.g. a named team. */
    cc: z.array(checked(validateEmail, 'cc')).default([]),
    templateKey: slug.nullable().default(null),
    /** Seed document keys that must be attached. */
    attachments: z.array(slug).default([]),
    mustMention: mentions,
    /** Sent within this many minutes of the call's end. */
    withinMinutes: z.number().int().min(1).max(24 * 60).default(30),
  })
  .strict();

const answerKeySchema = z
  .object({
    /** The customer the assignment is about (the persona's record or the lead's). */
    primaryAccount: accountNumber,
    identity: z
      .object({
        /** Identity must pass before any account data is disclosed or edited. */
        required: z.boolean(),
        /** How many security answers must be checked. */
        minFactors: z.number().int().min(1).max(6).default(2),
      })
      .strict(),
    /** Expected customer fields after the call (only the fields listed are compared). */
    customers: z.array(expectedCustomerSchema).default([]),
    /** Wrong values planted in the seed that the candidate must correct. */
    plantedErrors: z.array(z.object({ accountNumber, field: z.enum(EDITABLE_CUSTOMER_FIELDS), seedValue: z.string() }).strict()).default([]),
    /** Records that must not be opened for editing (look-alike customers, e.g. same surname). */
    untouchedAccounts: z.array(accountNumber).default([]),
    orders: z
      .array(
        z
          .object({
            accountNumber,
            lines: z.array(orderLineSchema).min(1),
            /** Lines that belong on the order only if the caller accepts them (cross-sell on a cue). */
            optionalLines: z.array(orderLineSchema).default([]),
          })
          .strict(),
      )
      .default([]),
    cases: z
      .array(
        z
          .object({
            accountNumber,
            type: z.enum(['complaint', 'query']),
            category: z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/).nullable(),
            /** Accepted priorities. */
            priority: z.array(casePriority).min(1),
            escalated: z.boolean().default(false),
            /** Highest goodwill credit within the candidate's authority (null: no credit expected). */
            maxCreditPence: z.number().int().min(0).nullable().default(null),
            mustMention: mentions,
          })
          .strict(),
      )
      .default([]),
    callbacks: z
      .array(
        z
          .object({
            accountNumber,
            kind: z.enum(['callback', 'task']),
            priority: z.array(z.enum(['low', 'normal', 'high'])).min(1),
            /** Due between these days after the sitting day, inclusive, and (optionally) these times. */
            due: z
              .object({ earliest: relativeDate, latest: relativeDate, timeFrom: hhmm.optional(), timeTo: hhmm.optional() })
              .strict(),
            mustMention: mentions,
          })
          .strict(),
      )
      .default([]),
    wrapUp: z
      .object({
        /** Accepted wrap-up codes (seed wrapUpCodes). */
        codes: z.array(wrapUpCode).min(1),
        notesRequired: z.boolean().default(true),
        notesMustMention: mentions,
      })
      .strict(),
    followUps: z.array(followUpSchema).default([]),
    /** Print-outs the candidate must make (server/printouts kinds). */
    printouts: z.array(z.object({ kind: z.enum(['customer', 'order', 'case']), accountNumber }).strict()).default([]),
    /** Outbound: numbers from the call list that must, or must never, be dialled. */
    dialling: z.object({ mustDial: z.array(checked(validateUkPhone, 'phone')).min(1), mustNotDial: z.array(checked(validateUkPhone, 'phone')).default([]) }).strict().optional(),
    /** Message-driven work: which seed messages (by index) come first, and where each is filed. */
    inbox: z
      .object({
        actionFirst: z.number().int().min(0),
        file: z.array(z.object({ message: z.number().int().min(0), folder: text(60) }).strict()).default([]),
        minSearches: z.number().int().min(0).max(20).default(0),
        autoReply: z.object({ required: z.boolean(), mustMention: mentions }).strict().default({ required: false }),
      })
      .strict()
      .optional(),
    /** Facts the candidate must tell the caller (spoken; assessor or speech recognition confirms). */
    mustTell: z.array(text(500)).default([]),
    brandPhrases: z.array(text(200)).default([]),
    jargon: z.array(text(100)).default([]),
    /** Things the candidate must not do (human-readable; the auto-checks cover some of them). */
    forbidden: z.array(text(500)).default([]),
  })
  .strict();

// --- rubric and auto-checks ---------------------------------------------------------------------

const criterionId = z.string().regex(/^U2-[1-7]\.[0-9]+-[a-z0-9-]+$/, 'must be a criterion id such as U2-4.2-hold-max-60');

const rubricCriterionSchema = z
  .object({
    criterionId,
    /** The digest's band (section 4) the line belongs to, e.g. "Opening & security". */
    band: text(120),
    /** What earns the marks in this scenario. */
    description: text(1000),
    maxMarks: z.number().int().min(1).max(4),
  })
  .strict();

const ac = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.object({ criterionId, kind: z.literal(kind), ...shape }).strict();

/**
 * The objective checks the marking form pre-fills (digest 2.8). Parameters name what to compare;
 * expected values come from the answer key, found by account number or list index.
 */
export const autoCheckSchema = z.discriminatedUnion('kind', [
  /** Ring start to answer, seconds. */
  ac('answer-time', { maxRingSeconds: z.number().int().min(1).max(120) }),
  /** Every hold segment at most this long. */
  ac('hold-limit', { maxHoldSeconds: z.number().int().min(1).max(600) }),
  /** No unbroken hold longer than the limit: longer waits are split by a check-in. */
  ac('hold-recheck', { maxHoldSeconds: z.number().int().min(1).max(600), sameWaitGapSeconds: z.number().int().min(1).max(600).optional() }),
  /** A passed identity check on the account comes before any edit or disclosure of it. */
  ac('identity-before-access', {
    accountNumber,
    minFactors: z.number().int().min(1).max(6),
    /** Also a breach: opening the record of any other customer (answerKey.identity.accounts). */
    flagOtherRecords: z.boolean().default(false),
  }),
  /** The listed fields equal answerKey.customers[accountNumber] after normalisation. */
  ac('field-accuracy', { accountNumber, fields: z.array(z.enum(EDITABLE_CUSTOMER_FIELDS)).min(1) }),
  /** The listed fields of the account are not empty at the end. */
  ac('required-fields', { accountNumber, fields: z.array(z.enum(EDITABLE_CUSTOMER_FIELDS)).min(1) }),
  /** The planted wrong value (answerKey.plantedErrors) was changed to the expected one. */
  ac('planted-error-corrected', { accountNumber, field: z.enum(EDITABLE_CUSTOMER_FIELDS) }),
  /** No record of these accounts was edited (look-alikes). Defaults to answerKey.untouchedAccounts. */
  ac('no-unrelated-edits', {}),
  /** The right record was on screen within this many seconds of the call being answered. */
  ac('retrieval-time', { accountNumber, maxSeconds: z.number().int().min(1).max(600) }),
  /** A wrap-up with an accepted code (and notes, notes mentions) per answerKey.wrapUp. */
  ac('wrap-up', {}),
  /** The attempt created answerKey.cases[index] (type, category, priority, escalation, credit, mentions). */
  ac('case-matches', { index: z.number().int().min(0) }),
  /** Goodwill credit on the account's new cases at most this much. */
  ac('credit-within-limit', { accountNumber, maxCreditPence: z.number().int().min(0) }),
  /** The attempt created answerKey.orders[index] with the required (and any accepted optional) lines. */
  ac('order-matches', { index: z.number().int().min(0) }),
  /** The attempt created answerKey.callbacks[index] with kind, priority, due window. */
  ac('callback-matches', { index: z.number().int().min(0) }),
  /** answerKey.followUps[index] was sent; which aspects the criterion is about. */
  ac('follow-up-sent', {
    index: z.number().int().min(0),
    aspects: z.array(z.enum(['recipients', 'attachments', 'content', 'transmit', 'deadline', 'template'])).min(1),
  }),
  /** Notes (record notes or wrap-up notes) on the account mention these. */
  ac('notes-mention', { accountNumber, mustMention: z.array(mention).min(1) }),
  /** The account's record was opened (and, optionally, a note added) before the first dial. */
  ac('prepared-before-dial', { accountNumber, noteRequired: z.boolean().default(false) }),
  /** No number flagged do-not-call (answerKey.dialling.mustNotDial) was dialled. */
  ac('do-not-call-respected', {}),
  /** At least this many searches were run. */
  ac('search-count', { minSearches: z.number().int().min(1).max(20) }),
  /** The print-outs in answerKey.printouts were made. */
  ac('printout-made', {}),
  /** answerKey.inbox: its first message dealt with before any other is filed; each filed in its folder. */
  ac('messages-processed', {}),
  /** Call length (answer to hang-up) at most this many seconds. */
  ac('handle-time', { maxSeconds: z.number().int().min(30).max(3600) }),
  /** Candidate does not speak over the caller during the caller's opening turn (two-channel audio). */
  ac('no-interrupt-opening', { openingSeconds: z.number().int().min(5).max(180) }),
]);
export type AutoCheck = z.infer<typeof autoCheckSchema>;
export type AutoCheckKind = AutoCheck['kind'];

// --- the whole scenario -------------------------------------------------------------------------

export const scenarioObjectSchema = z
  .object({
    key: z.enum(SCENARIO_KEYS),
    /** Bumped on every change; a sitting records the version it used. */
    version: z.number().int().min(1),
    /** Re-takes use another variant of the same key. */
    variant: slug.default('a'),
    /** The full title, for staff: it may name the caller and what the candidate must find out. */
    title: text(200),
    /**
     * The title the candidate sees: nothing the caller brief withholds (checked by
     * candidate-title.ts). Left out, the candidate sees the assignment type in words.
     */
    candidateTitle: text(120).optional(),
    kind: z.enum(SCENARIO_KINDS),
    direction: z.enum(['inbound', 'outbound']),
    type: z.enum(['service', 'sales']),
    summary: text(2000),
    timeTargets: z
      .object({
        maxRingSeconds: z.number().int().min(1).max(120),
        targetHandleSeconds: z.number().int().min(60).max(3600),
        followUpMinutes: z.number().int().min(1).max(24 * 60),
      })
      .strict(),
    candidateBrief: candidateBriefSchema,
    callerBrief: callerBriefSchema,
    seed: completeSeedSchema,
    answerKey: answerKeySchema,
    rubric: z.array(rubricCriterionSchema).min(1),
    autoChecks: z.array(autoCheckSchema).default([]),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioObjectSchema>;
export type ScenarioInput = z.input<typeof scenarioObjectSchema>;
export type AnswerKey = Scenario['answerKey'];
export type RubricCriterion = Scenario['rubric'][number];
export type CandidateBrief = Scenario['candidateBrief'];
export type CallerBrief = Scenario['callerBrief'];
export type ExpectedCustomer = AnswerKey['customers'][number];
export type ExpectedFollowUp = AnswerKey['followUps'][number];
