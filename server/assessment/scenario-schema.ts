// The shape of one LCCI Unit 2 assignment scenario file (scenarios/s1-….json … s6-….json): what the
// candidate sees, what the assessor plays, the CRM seed every attempt gets a copy of, the answer key
// (expected end state of the records and the follow-ups), the 12-mark rubric and the auto-check
// definitions for its objective criteria. See shared/docs/assessment-domain.md sections 2 and 4.
//
// zod checks each value; `checkScenario` (run as the schema's last step) checks what zod cannot:
// marks sum to exactly 12, every criterion id is in the catalogue, the answer key names only
// customers, products, codes, templates and documents of the scenario's own seed, the inbound
// caller's number belongs to the persona's seed record, the outbound number is on the call list,
// every auto-check points at a rubric line, an objective criterion and an answer-key entry.
// Every problem is reported with the path of the bad value, e.g. answerKey.customers.0.postcode.
import { z } from 'zod';
import { completeSeedSchema, seedCustomerSchema, type CrmSeed } from '../crm/seed-schema.js';
import { normaliseUkPhone, validateEmail, validateUkMobile, validateUkPhone, type Checked } from '../crm/validation.js';
import { candidateTitleLeaks } from './candidate-title.js';
import { findCriterion } from './criteria-catalogue.js';
import type {
  AnswerKey as RulesAnswerKey,
  AutoCheckDefinition,
  CoverageScenario,
  ExpectedMessage,
  FieldExpectation,
  FieldKind,
  RubricCriterion as RulesRubricCriterion,
} from './types.js';

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

/** Fields of a customer record the candidate may change, with the seed's validators. */
const EDITABLE_CUSTOMER_FIELDS = {
  title: true,
  firstName: true,
  lastName: true,
  dateOfBirth: true,
  addressLine1: true,
  addressLine2: true,
  town: true,
  postcode: true,
  phone: true,
  mobile: true,
  email: true,
  contactPreference: true,
  doNotCall: true,
} as const;
export type EditableCustomerField = keyof typeof EDITABLE_CUSTOMER_FIELDS;
export const EDITABLE_CUSTOMER_FIELD_NAMES = Object.keys(EDITABLE_CUSTOMER_FIELDS) as EditableCustomerField[];

/** Expected values after the call; fields left out are not compared. */
const expectedCustomerSchema = seedCustomerSchema.pick(EDITABLE_CUSTOMER_FIELDS).partial().extend({ accountNumber });

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
    plantedErrors: z.array(z.object({ accountNumber, field: z.enum(EDITABLE_CUSTOMER_FIELD_NAMES as [EditableCustomerField, ...EditableCustomerField[]]), seedValue: z.string() }).strict()).default([]),
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
  ac('field-accuracy', { accountNumber, fields: z.array(z.enum(EDITABLE_CUSTOMER_FIELD_NAMES as [EditableCustomerField, ...EditableCustomerField[]])).min(1) }),
  /** The listed fields of the account are not empty at the end. */
  ac('required-fields', { accountNumber, fields: z.array(z.enum(EDITABLE_CUSTOMER_FIELD_NAMES as [EditableCustomerField, ...EditableCustomerField[]])).min(1) }),
  /** The planted wrong value (answerKey.plantedErrors) was changed to the expected one. */
  ac('planted-error-corrected', { accountNumber, field: z.enum(EDITABLE_CUSTOMER_FIELD_NAMES as [EditableCustomerField, ...EditableCustomerField[]]) }),
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

const scenarioObjectSchema = z
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

type Path = Array<string | number>;

/** The checks zod cannot express; `issue` receives the path of each problem. */
export function checkScenario(s: Scenario, issue: (path: Path, message: string) => void): void {
  const seed: CrmSeed = s.seed;
  const ak = s.answerKey;

  // The candidate's title gives nothing away that the caller brief keeps back.
  const leaks = candidateTitleLeaks(s);
  if (leaks.length > 0) issue(['candidateTitle'], `the candidate would read ${leaks.map((w) => `"${w}"`).join(', ')} from the caller brief; say only what the candidate brief says`);

  // Kind, direction and type follow from the key (digest section 4).
  const expected = SCENARIO_TYPES[s.key];
  for (const f of ['kind', 'direction', 'type'] as const) {
    if (s[f] !== expected[f]) issue([f], `${s.key} (${expected.digest}) is ${f} "${expected[f]}", not "${s[f]}"`);
  }

  // Rubric: catalogue ids, no repeats, 12 marks.
  const rubricIds = new Set<string>();
  s.rubric.forEach((c, i) => {
    const known = findCriterion(c.criterionId);
    if (!known) issue(['rubric', i, 'criterionId'], `"${c.criterionId}" is not a criterion in the catalogue`);
    if (rubricIds.has(c.criterionId)) issue(['rubric', i, 'criterionId'], `criterion "${c.criterionId}" is listed twice`);
    rubricIds.add(c.criterionId);
  });
  const total = s.rubric.reduce((sum, c) => sum + c.maxMarks, 0);
  if (total !== ASSIGNMENT_MAX_MARKS) issue(['rubric'], `marks sum to ${total}, must be ${ASSIGNMENT_MAX_MARKS}`);

  // Seed look-ups.
  const customers = new Map(seed.customers.map((c) => [c.accountNumber, c]));
  const products = new Set(seed.products.map((p) => p.code));
  const codes = new Set(seed.wrapUpCodes.map((w) => w.code));
  const templates = new Map(seed.templates.map((t) => [t.key, t]));
  const documents = new Set(seed.documents.map((d) => d.key));
  const kb = new Set(seed.knowledgeBase.map((a) => a.slug));
  const scripts = new Set(seed.scripts.map((x) => x.key));
  const customer = (acc: string, path: Path) => {
    const found = customers.get(acc);
    if (!found) issue(path, `no customer in this scenario's seed has the account number "${acc}"`);
    return found;
  };

  // Candidate brief resources.
  const res = s.candidateBrief.resources;
  res.knowledgeBase.forEach((x, i) => kb.has(x) || issue(['candidateBrief', 'resources', 'knowledgeBase', i], `no knowledge-base article "${x}" in the seed`));
  res.scripts.forEach((x, i) => scripts.has(x) || issue(['candidateBrief', 'resources', 'scripts', i], `no script "${x}" in the seed`));
  res.templates.forEach((x, i) => templates.has(x) || issue(['candidateBrief', 'resources', 'templates', i], `no template "${x}" in the seed`));
  res.documents.forEach((x, i) => documents.has(x) || issue(['candidateBrief', 'resources', 'documents', i], `no document "${x}" in the seed`));

  // Caller brief: persona and number.
  const persona = s.callerBrief.persona;
  const personaRecord = persona.accountNumber === null ? undefined : customer(persona.accountNumber, ['callerBrief', 'persona', 'accountNumber']);
  const dialled = normaliseUkPhone(persona.phone);
  if (dialled) {
    if (s.direction === 'inbound') {
      const owners = seed.customers.filter((c) => normaliseUkPhone(c.phone) === dialled || (c.mobile !== null && normaliseUkPhone(c.mobile) === dialled));
      if (owners.length === 0) issue(['callerBrief', 'persona', 'phone'], `the presented number ${persona.phone} is not the phone or mobile of any seed customer`);
      else if (personaRecord && !owners.includes(personaRecord)) {
        issue(['callerBrief', 'persona', 'phone'], `the presented number ${persona.phone} belongs to ${owners.map((o) => o.accountNumber).join(', ')}, not to the persona's account ${personaRecord.accountNumber}`);
      }
    } else {
      const entry = seed.callList.find((e) => normaliseUkPhone(e.phone) === dialled);
      if (!entry) issue(['callerBrief', 'persona', 'phone'], `the number ${persona.phone} is not on the seed's call list`);
      else if (entry.doNotCall) issue(['callerBrief', 'persona', 'phone'], `the call-list entry for ${persona.phone} (${entry.name}) is marked do-not-call`);
      else if (persona.accountNumber !== null && entry.accountNumber !== persona.accountNumber) {
        issue(['callerBrief', 'persona', 'phone'], `the call-list entry for ${persona.phone} is ${entry.accountNumber ?? 'not linked to an account'}, not the persona's account ${persona.accountNumber}`);
      }
    }
  }
  const factKeys = new Set<string>();
  s.callerBrief.facts.forEach((f, i) => {
    if (factKeys.has(f.key)) issue(['callerBrief', 'facts', i, 'key'], `fact "${f.key}" is listed twice`);
    factKeys.add(f.key);
  });
  s.callerBrief.cues.forEach((c, i) =>
    c.tests.forEach((id, j) => findCriterion(id) || issue(['callerBrief', 'cues', i, 'tests', j], `"${id}" is not a criterion in the catalogue`)),
  );

  // Placeholders in must-mention lists.
  const checkMentions = (list: string[], path: Path) =>
    list.forEach((m, i) => {
      for (const [, name] of m.matchAll(/\{\{\s*([A-Za-z0-9]+)\s*\}\}/g)) {
        if (!factKeys.has(name!) && !(GENERATED_PLACEHOLDERS as readonly string[]).includes(name!)) {
          issue([...path, i], `{{${name}}} is neither a caller-brief fact nor one of ${GENERATED_PLACEHOLDERS.join(', ')}`);
        }
      }
    });

  // Answer key.
  customer(ak.primaryAccount, ['answerKey', 'primaryAccount']);
  if (persona.accountNumber !== null && persona.accountNumber !== ak.primaryAccount) {
    issue(['answerKey', 'primaryAccount'], `the persona is ${persona.accountNumber} but the answer key is about ${ak.primaryAccount}`);
  }
  const expectedByAccount = new Map<string, ExpectedCustomer>();
  ak.customers.forEach((c, i) => {
    customer(c.accountNumber, ['answerKey', 'customers', i, 'accountNumber']);
    if (expectedByAccount.has(c.accountNumber)) issue(['answerKey', 'customers', i, 'accountNumber'], `account ${c.accountNumber} is listed twice`);
    expectedByAccount.set(c.accountNumber, c);
  });
  /** A field's value after the call: the answer key's, else the seed's. */
  const finalValue = (acc: string, field: EditableCustomerField): unknown => {
    const e = expectedByAccount.get(acc);
    if (e && e[field] !== undefined) return e[field];
    return customers.get(acc)?.[field];
  };
  ak.plantedErrors.forEach((p, i) => {
    const c = customer(p.accountNumber, ['answerKey', 'plantedErrors', i, 'accountNumber']);
    if (!c) return;
    if (String(c[p.field]) !== p.seedValue) issue(['answerKey', 'plantedErrors', i, 'seedValue'], `the seed's ${p.field} of ${p.accountNumber} is "${String(c[p.field])}", not "${p.seedValue}"`);
    const e = expectedByAccount.get(p.accountNumber);
    if (!e || e[p.field] === undefined) issue(['answerKey', 'plantedErrors', i, 'field'], `answerKey.customers has no corrected ${p.field} for ${p.accountNumber}`);
    else if (String(e[p.field]) === p.seedValue) issue(['answerKey', 'plantedErrors', i, 'field'], `the corrected ${p.field} equals the planted value`);
  });
  ak.untouchedAccounts.forEach((acc, i) => {
    customer(acc, ['answerKey', 'untouchedAccounts', i]);
    if (acc === ak.primaryAccount) issue(['answerKey', 'untouchedAccounts', i], `${acc} is the primary account`);
    if (expectedByAccount.has(acc)) issue(['answerKey', 'untouchedAccounts', i], `${acc} also has expected changes in answerKey.customers`);
  });
  ak.orders.forEach((o, i) => {
    customer(o.accountNumber, ['answerKey', 'orders', i, 'accountNumber']);
    const lines = (list: typeof o.lines, name: 'lines' | 'optionalLines') =>
      list.forEach((l, j) => products.has(l.productCode) || issue(['answerKey', 'orders', i, name, j, 'productCode'], `no product in this scenario's seed has the code "${l.productCode}"`));
    lines(o.lines, 'lines');
    lines(o.optionalLines, 'optionalLines');
  });
  const categories = new Set(seed.caseCategories.map((c) => c.code));
  ak.cases.forEach((c, i) => {
    customer(c.accountNumber, ['answerKey', 'cases', i, 'accountNumber']);
    if (c.category !== null && !categories.has(c.category)) issue(['answerKey', 'cases', i, 'category'], `"${c.category}" is not one of the seed's caseCategories, so the candidate could not choose it`);
    checkMentions(c.mustMention, ['answerKey', 'cases', i, 'mustMention']);
  });
  ak.callbacks.forEach((c, i) => {
    customer(c.accountNumber, ['answerKey', 'callbacks', i, 'accountNumber']);
    if (c.due.latest.days < c.due.earliest.days && c.due.latest.workingDays === c.due.earliest.workingDays) issue(['answerKey', 'callbacks', i, 'due', 'latest'], 'the latest day is before the earliest');
    if (c.due.timeFrom && c.due.timeTo && c.due.timeTo <= c.due.timeFrom) issue(['answerKey', 'callbacks', i, 'due', 'timeTo'], 'the time window ends before it starts');
    checkMentions(c.mustMention, ['answerKey', 'callbacks', i, 'mustMention']);
  });
  ak.wrapUp.codes.forEach((code, i) => codes.has(code) || issue(['answerKey', 'wrapUp', 'codes', i], `no wrap-up code "${code}" in the seed`));
  checkMentions(ak.wrapUp.notesMustMention, ['answerKey', 'wrapUp', 'notesMustMention']);
  ak.followUps.forEach((f, i) => {
    const path: Path = ['answerKey', 'followUps', i];
    const c = customer(f.to.accountNumber, [...path, 'to', 'accountNumber']);
    if (c) {
      const field = f.channel === 'email' ? 'email' : 'mobile';
      const value = finalValue(f.to.accountNumber, field);
      if (typeof value !== 'string') issue([...path, 'to'], `${f.to.accountNumber} has no ${field === 'email' ? 'e-mail address' : 'mobile number'} after the call to send the ${f.channel === 'email' ? 'e-mail' : 'SMS'} to`);
      else if (f.channel === 'sms' && !validateUkMobile(value).ok) issue([...path, 'to'], `${f.to.accountNumber}'s mobile after the call, ${value}, cannot take an SMS`);
    }
    if (f.channel === 'sms' && (f.cc.length > 0 || f.attachments.length > 0)) issue([...path, 'channel'], 'an SMS has no copy recipients or attachments');
    if (f.templateKey !== null) {
      const t = templates.get(f.templateKey);
      if (!t) issue([...path, 'templateKey'], `no template "${f.templateKey}" in the seed`);
      else if (t.channel !== f.channel) issue([...path, 'templateKey'], `template "${f.templateKey}" is for ${t.channel}, not ${f.channel}`);
    }
    f.attachments.forEach((d, j) => documents.has(d) || issue([...path, 'attachments', j], `no document "${d}" in the seed`));
    checkMentions(f.mustMention, [...path, 'mustMention']);
  });
  ak.printouts.forEach((p, i) => customer(p.accountNumber, ['answerKey', 'printouts', i, 'accountNumber']));
  if (s.direction === 'outbound') {
    if (!ak.dialling) issue(['answerKey', 'dialling'], 'an outbound scenario needs the numbers to dial (and not to dial)');
    if (seed.callList.length === 0) issue(['seed', 'callList'], 'an outbound scenario needs a call list');
  }
  if (ak.dialling) {
    const onList = (phone: string) => seed.callList.find((e) => normaliseUkPhone(e.phone) === normaliseUkPhone(phone));
    ak.dialling.mustDial.forEach((p, i) => {
      const e = onList(p);
      if (!e) issue(['answerKey', 'dialling', 'mustDial', i], `${p} is not on the seed's call list`);
      else if (e.doNotCall || (e.accountNumber !== null && customers.get(e.accountNumber)?.doNotCall)) issue(['answerKey', 'dialling', 'mustDial', i], `${p} (${e.name}) is marked do-not-call`);
    });
    ak.dialling.mustNotDial.forEach((p, i) => onList(p) || issue(['answerKey', 'dialling', 'mustNotDial', i], `${p} is not on the seed's call list`));
    // Every do-not-call entry must be in mustNotDial: the key follows the seed.
    const barred = new Set(ak.dialling.mustNotDial.map((p) => normaliseUkPhone(p)));
    seed.callList.forEach((e, i) => {
      const flagged = e.doNotCall || (e.accountNumber !== null && customers.get(e.accountNumber)?.doNotCall === true);
      if (flagged && !barred.has(normaliseUkPhone(e.phone))) issue(['answerKey', 'dialling', 'mustNotDial'], `call-list entry ${i} (${e.name}) is do-not-call but not in mustNotDial`);
    });
  }
  if (ak.inbox) {
    const n = seed.messages.length;
    if (ak.inbox.actionFirst >= n) issue(['answerKey', 'inbox', 'actionFirst'], `the seed has ${n} message(s); there is no message ${ak.inbox.actionFirst}`);
    const folders = new Set(seed.messageFolders.map((f) => f.toLowerCase()));
    ak.inbox.file.forEach((f, i) => {
      if (f.message >= n) issue(['answerKey', 'inbox', 'file', i, 'message'], `the seed has ${n} message(s); there is no message ${f.message}`);
      if (!folders.has(f.folder.toLowerCase())) issue(['answerKey', 'inbox', 'file', i, 'folder'], `"${f.folder}" is not one of the seed's messageFolders, so the candidate could not file it there`);
    });
    checkMentions(ak.inbox.autoReply.mustMention, ['answerKey', 'inbox', 'autoReply', 'mustMention']);
  }

  // Auto-checks: each for a rubric line whose criterion is objective, with resolvable parameters.
  s.autoChecks.forEach((a, i) => {
    const path: Path = ['autoChecks', i];
    const known = findCriterion(a.criterionId);
    if (!known) issue([...path, 'criterionId'], `"${a.criterionId}" is not a criterion in the catalogue`);
    else if (!known.autoCheckable) issue([...path, 'criterionId'], `"${a.criterionId}" is measured ${known.how}, not from the event log or call timing, so it cannot be auto-checked`);
    if (!rubricIds.has(a.criterionId)) issue([...path, 'criterionId'], `"${a.criterionId}" is not in this scenario's rubric`);
    const index = (list: unknown[], name: string) => {
      if ('index' in a && a.index >= list.length) issue([...path, 'index'], `answerKey.${name} has ${list.length} entr${list.length === 1 ? 'y' : 'ies'}; there is no ${a.index}`);
    };
    switch (a.kind) {
      case 'answer-time':
        if (s.direction !== 'inbound') issue([...path, 'kind'], 'answer time applies to inbound calls only');
        break;
      case 'identity-before-access':
      case 'required-fields':
      case 'retrieval-time':
      case 'credit-within-limit':
      case 'notes-mention':
      case 'prepared-before-dial':
        customer(a.accountNumber, [...path, 'accountNumber']);
        if (a.kind === 'notes-mention') checkMentions(a.mustMention, [...path, 'mustMention']);
        if (a.kind === 'prepared-before-dial' && s.direction !== 'outbound') issue([...path, 'kind'], 'preparation before dialling applies to outbound calls only');
        break;
      case 'field-accuracy': {
        const e = expectedByAccount.get(a.accountNumber);
        if (!e) issue([...path, 'accountNumber'], `answerKey.customers has no entry for ${a.accountNumber}`);
        else a.fields.forEach((f, j) => e[f] !== undefined || issue([...path, 'fields', j], `answerKey.customers gives no expected ${f} for ${a.accountNumber}`));
        break;
      }
      case 'planted-error-corrected':
        if (!ak.plantedErrors.some((p) => p.accountNumber === a.accountNumber && p.field === a.field)) {
          issue([...path, 'field'], `answerKey.plantedErrors has no ${a.field} for ${a.accountNumber}`);
        }
        break;
      case 'no-unrelated-edits':
        if (ak.untouchedAccounts.length === 0) issue([...path, 'kind'], 'answerKey.untouchedAccounts is empty');
        break;
      case 'case-matches':
        index(ak.cases, 'cases');
        break;
      case 'order-matches':
        index(ak.orders, 'orders');
        break;
      case 'callback-matches':
        index(ak.callbacks, 'callbacks');
        break;
      case 'follow-up-sent':
        index(ak.followUps, 'followUps');
        break;
      case 'do-not-call-respected':
        if (!ak.dialling) issue([...path, 'kind'], 'answerKey.dialling is missing');
        break;
      case 'printout-made':
        if (ak.printouts.length === 0) issue([...path, 'kind'], 'answerKey.printouts is empty');
        break;
      case 'messages-processed':
        if (!ak.inbox) issue([...path, 'kind'], 'answerKey.inbox is missing');
        break;
      default:
        break;
    }
  });
}

/** The scenario file schema: zod shape plus `checkScenario`. */
export const scenarioSchema = scenarioObjectSchema.superRefine((s, ctx) =>
  checkScenario(s, (path, message) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message })),
);

// --- what the assessment rules read (server/assessment/types.ts) -------------------------------

/** How the rules compare each editable customer field (types.ts FieldKind). */
export const CUSTOMER_FIELD_KINDS: Readonly<Record<EditableCustomerField, FieldKind>> = {
  title: 'text',
  firstName: 'name',
  lastName: 'name',
  dateOfBirth: 'date',
  addressLine1: 'text',
  addressLine2: 'text',
  town: 'text',
  postcode: 'postcode',
  phone: 'phone',
  mobile: 'phone',
  email: 'email',
  contactPreference: 'code',
  doNotCall: 'boolean',
};

/** The scenario auto-check kinds the rules (auto-checks.ts) evaluate; the others become assessor-judgement parts. */
export const RULES_AUTO_CHECK_KINDS = [
  'answer-time',
  'hold-limit',
  'hold-recheck',
  'identity-before-access',
  'field-accuracy',
  'required-fields',
  'wrap-up',
  'follow-up-sent',
  'do-not-call-respected',
  'case-matches',
  'credit-within-limit',
  'order-matches',
  'callback-matches',
  'printout-made',
  'no-unrelated-edits',
  'prepared-before-dial',
  'planted-error-corrected',
  'handle-time',
  'messages-processed',
] as const;

/**
 * Scenario checks no rule evaluates, and what the assessor looks for instead: each reads what only
 * the candidate's browser reports (searches, records opened), what a message or note says, or the
 * audio, none of which is marking evidence the server records.
 */
const ASSESSOR_JUDGES: Partial<Record<AutoCheck['kind'], string>> = {
  'retrieval-time': 'How quickly the right record was found (opening a record is reported by the browser)',
  'search-count': 'The searches run (they are reported by the browser)',
  'notes-mention': 'What the notes say',
  'no-interrupt-opening': "Whether the candidate let the caller finish the opening (heard on the recording)",
};

/** What each follow-up aspect the rules cannot read asks the assessor to look at. */
const FOLLOW_UP_ASPECT_WORDS: Partial<Record<string, string>> = {
  content: 'Whether the message says what the key asks for (facts, reference, dates)',
};

/** The rubric as the marking rules read it. */
export function toRulesRubric(s: Scenario): RulesRubricCriterion[] {
  return s.rubric.map((c) => ({ criterionId: c.criterionId, maxMarks: c.maxMarks }));
}

/** A customer field's value after the call: the answer key's, else the seed's. */
export function finalCustomerValue(s: Scenario, accountNumber: string, field: EditableCustomerField): unknown {
  const expected = s.answerKey.customers.find((c) => c.accountNumber === accountNumber);
  if (expected && expected[field] !== undefined) return expected[field];
  return s.seed.customers.find((c) => c.accountNumber === accountNumber)?.[field];
}

/** The recipient address of a follow-up (e-mail or mobile on file after the call). */
export function followUpAddress(s: Scenario, f: ExpectedFollowUp): string {
  const value = finalCustomerValue(s, f.to.accountNumber, f.channel === 'email' ? 'email' : 'mobile');
  if (typeof value !== 'string') throw new Error(`${f.to.accountNumber} has no ${f.channel === 'email' ? 'e-mail address' : 'mobile'} (the schema should have refused this)`);
  return value;
}

/** Works out a date relative to the sitting day as 'YYYY-MM-DD' (the server knows the sitting day). */
export type SittingDayDate = (relative: { days: number; workingDays: boolean }) => string;

/**
 * The answer key as the auto-checks read it. `fields` holds the fields named by the scenario's
 * field-accuracy checks (not every expected change: a planted error has its own criterion);
 * `requiredFields` those of its required-fields checks; every accepted wrap-up code counts.
 * Callbacks get their due window only when `sittingDay` is given; the inbox's messages get their ids
 * in the attempt from `seedMessageIds` (the ids of the attempt's copies of seed.messages, in the
 * seed's order), else null.
 */
export function toRulesAnswerKey(s: Scenario, sittingDay?: SittingDayDate, seedMessageIds: readonly number[] = []): RulesAnswerKey {
  const ak = s.answerKey;
  const seedMessage = (index: number) => {
    const m = s.seed.messages[index];
    return { messageId: seedMessageIds[index] ?? null, label: m ? `${m.channel === 'sms' ? 'SMS' : 'e-mail'} "${m.subject ?? m.body.slice(0, 40)}"` : `message ${index + 1}` };
  };
  const fields: FieldExpectation[] = [];
  const seen = new Set<string>();
  for (const a of s.autoChecks) {
    if (a.kind !== 'field-accuracy') continue;
    for (const field of a.fields) {
      const id = `${a.accountNumber}/${field}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const expected = finalCustomerValue(s, a.accountNumber, field);
      fields.push({
        record: { type: 'customer', key: a.accountNumber },
        field,
        kind: CUSTOMER_FIELD_KINDS[field],
        expected: expected === undefined ? null : (expected as string | boolean | null),
      });
    }
  }
  const requiredFields = s.autoChecks.flatMap((a) =>
    a.kind === 'required-fields' ? a.fields.map((field) => ({ record: { type: 'customer', key: a.accountNumber }, field })) : [],
  );
  const followUps: ExpectedMessage[] = ak.followUps.map((f) => ({
    channel: f.channel,
    to: followUpAddress(s, f),
    ...(f.channel === 'email' ? { cc: [...f.cc] } : {}),
    attachments: [...f.attachments],
    templateKey: f.templateKey,
    withinMinutes: f.withinMinutes,
    label: f.templateKey ?? `${f.channel} to ${f.to.accountNumber}`,
  }));
  return {
    fields,
    requiredFields,
    wrapUp: { codes: [...ak.wrapUp.codes], notesRequired: ak.wrapUp.notesRequired },
    followUps,
    identity: { accounts: ak.identity.required ? [ak.primaryAccount] : [], questions: ak.identity.minFactors },
    ...(ak.dialling ? { dialling: { mustNotDial: [...ak.dialling.mustNotDial] } } : {}),
    cases: ak.cases.map((c) => ({ account: c.accountNumber, type: c.type, category: c.category, priorities: [...c.priority], escalated: c.escalated, maxCreditPence: c.maxCreditPence, mentions: [...c.mustMention] })),
    orders: ak.orders.map((o) => ({ account: o.accountNumber, lines: o.lines.map((l) => ({ ...l })), optionalLines: o.optionalLines.map((l) => ({ ...l })) })),
    callbacks: ak.callbacks.map((c) => ({
      account: c.accountNumber,
      kind: c.kind,
      priorities: [...c.priority],
      ...(sittingDay ? { dueFrom: sittingDay(c.due.earliest), dueTo: sittingDay(c.due.latest) } : {}),
      ...(c.due.timeFrom && c.due.timeTo ? { timeFrom: c.due.timeFrom, timeTo: c.due.timeTo } : {}),
      mentions: [...c.mustMention],
    })),
    printouts: ak.printouts.map((p) => ({ kind: p.kind, account: p.accountNumber })),
    untouchedAccounts: [...ak.untouchedAccounts],
    plantedErrors: ak.plantedErrors.map((p) => {
      const expected = finalCustomerValue(s, p.accountNumber, p.field);
      return { record: { type: 'customer', key: p.accountNumber }, field: p.field, kind: CUSTOMER_FIELD_KINDS[p.field], expected: expected === undefined ? null : (expected as string | boolean | null) };
    }),
    ...(ak.inbox
      ? {
          inbox: {
            actionFirst: { ...seedMessage(ak.inbox.actionFirst), account: ak.primaryAccount },
            file: ak.inbox.file.map((f) => ({ ...seedMessage(f.message), folder: f.folder })),
          },
        }
      : {}),
  };
}

/**
 * The auto-checks the rules evaluate today. follow-up-sent becomes one rules check per aspect:
 * recipients (and transmit: sent at all) → follow-up-recipients (once per criterion),
 * attachments → follow-up-attachments, deadline → follow-up-deadline, template →
 * follow-up-template, content → assessor-judgement (so the criterion is never pre-filled with
 * full marks for a message nobody has read). The kinds no rule evaluates (ASSESSOR_JUDGES) become
 * assessor-judgement parts saying what to look for.
 */
export function toRulesAutoChecks(s: Scenario): AutoCheckDefinition[] {
  const out: AutoCheckDefinition[] = [];
  const once = new Set<string>();
  const push = (d: AutoCheckDefinition) => {
    const id = `${d.kind}/${d.criterionId}/${'index' in d ? String(d.index) : ''}/${'what' in d ? d.what : ''}`;
    if (once.has(id)) return;
    once.add(id);
    out.push(d);
  };
  for (const a of s.autoChecks) {
    switch (a.kind) {
      case 'answer-time':
        push({ kind: 'answer-time', criterionId: a.criterionId, maxRingSeconds: a.maxRingSeconds });
        break;
      case 'hold-limit':
        push({ kind: 'hold-limit', criterionId: a.criterionId, maxHoldSeconds: a.maxHoldSeconds });
        break;
      case 'hold-recheck':
        push({ kind: 'hold-recheck', criterionId: a.criterionId, maxHoldSeconds: a.maxHoldSeconds, ...(a.sameWaitGapSeconds === undefined ? {} : { sameWaitGapSeconds: a.sameWaitGapSeconds }) });
        break;
      case 'identity-before-access':
        push({ kind: 'identity-before-access', criterionId: a.criterionId, flagOtherRecords: a.flagOtherRecords, minFactors: a.minFactors });
        break;
      case 'field-accuracy':
      case 'required-fields':
      case 'wrap-up':
        push({ kind: a.kind, criterionId: a.criterionId });
        break;
      case 'follow-up-sent':
        for (const aspect of a.aspects) {
          if (aspect === 'recipients' || aspect === 'transmit') push({ kind: 'follow-up-recipients', criterionId: a.criterionId });
          else if (aspect === 'attachments') push({ kind: 'follow-up-attachments', criterionId: a.criterionId, index: a.index });
          else if (aspect === 'deadline') push({ kind: 'follow-up-deadline', criterionId: a.criterionId, index: a.index });
          else if (aspect === 'template') push({ kind: 'follow-up-template', criterionId: a.criterionId, index: a.index });
          else push({ kind: 'assessor-judgement', criterionId: a.criterionId, what: FOLLOW_UP_ASPECT_WORDS[aspect] ?? aspect });
        }
        break;
      case 'do-not-call-respected':
        push({ kind: 'do-not-call-respected', criterionId: a.criterionId });
        break;
      case 'case-matches':
      case 'order-matches':
      case 'callback-matches':
        push({ kind: a.kind, criterionId: a.criterionId, index: a.index });
        break;
      case 'credit-within-limit':
        push({ kind: 'credit-within-limit', criterionId: a.criterionId, account: a.accountNumber, maxCreditPence: a.maxCreditPence });
        break;
      case 'printout-made':
      case 'no-unrelated-edits':
        push({ kind: a.kind, criterionId: a.criterionId });
        break;
      case 'prepared-before-dial':
        push({ kind: 'prepared-before-dial', criterionId: a.criterionId, account: a.accountNumber, noteRequired: a.noteRequired });
        break;
      case 'planted-error-corrected':
        push({ kind: 'planted-error-corrected', criterionId: a.criterionId, account: a.accountNumber, field: a.field });
        break;
      case 'handle-time':
        push({ kind: 'handle-time', criterionId: a.criterionId, maxSeconds: a.maxSeconds });
        break;
      case 'messages-processed':
        push({ kind: 'messages-processed', criterionId: a.criterionId });
        break;
      default: {
        const what = ASSESSOR_JUDGES[a.kind];
        if (what) push({ kind: 'assessor-judgement', criterionId: a.criterionId, what });
        break;
      }
    }
  }
  return out;
}

/** What the sitting's coverage warning needs: direction and the Unit 2 subsections the rubric marks. */
export function toCoverageScenario(s: Scenario): CoverageScenario {
  const sections = [...new Set(s.rubric.map((c) => findCriterion(c.criterionId)?.subsection).filter((x): x is string => x !== undefined))].sort();
  return { id: `${s.key}/${s.variant}`, title: s.title, type: s.key.toUpperCase(), direction: s.direction, sections };
}
