// The checks of a scenario file that zod cannot express, run as the scenario schema's last step
// (`scenarioSchema`: scenario-schema.ts's shape plus `checkScenario`): marks sum to exactly 12, every
// criterion id is in the catalogue, the answer key names only customers, products, codes, templates
// and documents of the scenario's own seed, the inbound caller's number belongs to the persona's seed
// record, the outbound number is on the call list, every auto-check points at a rubric line, an
// objective criterion and an answer-key entry. Every problem is reported with the path of the bad
// value, e.g. answerKey.customers.0.postcode.
import { z } from 'zod';
import type { CrmSeed } from '../crm/seed-schema.js';
import { normaliseUkPhone, validateUkMobile } from '../crm/validation.js';
import { candidateTitleLeaks } from './candidate-title.js';
import { findCriterion } from './criteria-catalogue.js';
import { ASSIGNMENT_MAX_MARKS, GENERATED_PLACEHOLDERS, SCENARIO_TYPES, scenarioObjectSchema, type EditableCustomerField, type ExpectedCustomer, type Scenario } from './scenario-schema.js';

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
