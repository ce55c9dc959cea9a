// A scenario (scenario-schema.ts) as the assessment rules read it (server/assessment/types.ts):
// the rubric, the answer key with its field kinds and dates worked out, the auto-checks the rules
// evaluate (the others become assessor-judgement parts), and what the sitting's coverage warning needs.
import { channelWords } from '../protocol/words.js';
import { findCriterion } from './criteria-catalogue.js';
import type { AnswerKey as RulesAnswerKey, AutoCheckDefinition, CoverageScenario, ExpectedMessage, FieldExpectation, FieldKind, RubricCriterion as RulesRubricCriterion } from './types.js';
import type { AutoCheck, EditableCustomerField, ExpectedFollowUp, Scenario } from './scenario-schema.js';

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
  const templates = Object.fromEntries(s.seed.templates.map((t) => [t.key, t.name]));
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
    label: followUpLabel(f.channel, f.templateKey === null ? undefined : templates[f.templateKey]),
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
    names: {
      wrapUpOutcomes: Object.fromEntries(s.seed.wrapUpCodes.map((c) => [c.code, c.label])),
      caseCategories: Object.fromEntries(s.seed.caseCategories.map((c) => [c.code, c.label])),
      products: Object.fromEntries(s.seed.products.map((p) => [p.code, p.name])),
      templates,
      documents: Object.fromEntries(s.seed.documents.map((d) => [d.key, d.title])),
    },
  };
}

/** A follow-up as the evidence names it: the template's name and the channel ("\"Home move confirmation\" e-mail"), or the channel alone. */
export function followUpLabel(channel: string, templateName: string | undefined): string {
  return templateName === undefined ? channelWords(channel) : `"${templateName}" ${channelWords(channel)}`;
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
