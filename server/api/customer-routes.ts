// The customer records of an attempt, in the attempt scope (under /api/attempts/:id): search, the
// screen pop's look-up by the caller's number, the record with everything on it, edits, the
// identity check and notes. Each change is also marking evidence: the handler appends it to the
// attempt's timeline as a server-recorded event, from the stored rows, in the same transaction
// (server/realtime/evidence.ts). Who may do what: crm-inputs.ts (READERS, WRITER).
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { CustomerFields, CustomerSearch, CustomerUpdate } from '../db/repositories/crm.js';
import { EDITABLE_CUSTOMER_FIELDS, type CustomerDetail, type IdentityCheckAnswers, type IdentityCheckResult } from '../protocol/crm.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { identityOutcome, requiredQuestions } from '../assessment/identity.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import {
  compactPostcode,
  normaliseUkPhone,
  validateDateOfBirth,
  validateEmail,
  validateName,
  validateOptionalText,
  validatePostcode,
  validateText,
  validateUkMobile,
  validateUkPhone,
} from '../crm/validation.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { customerResponse, customersByPhoneResponse, customerSearchResponse, customerUpdatedResponse, identityCheckOutcome, noteResponse } from './attempt-responses.js';
import { READERS, WRITER, asKeyed, customerOf, customerParams, invalid, nullableStr, optionalRule, rule, str } from './crm-inputs.js';
import { accepts } from './exact-schema.js';
import { FieldProblems } from './input.js';

/** Answers compare without case, accents, punctuation or extra spaces: "St. Chad's" = "st chads". */
export function normaliseAnswer(answer: string): string {
  return answer
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Turns the search box text into what the repository looks for. */
export function searchTerms(q: string): CustomerSearch {
  const text = q.trim();
  let phoneDigits: string | null = null;
  if (/^[+0-9(][0-9\s().-]*$/.test(text)) {
    const digits = text.replace(/\D/g, '');
    if (digits.length >= 4) phoneDigits = normaliseUkPhone(text) ?? digits;
  }
  return { text, nameTokens: text.split(/[\s,]+/).filter(Boolean).slice(0, 5), postcode: compactPostcode(text), phoneDigits };
}


export function registerCustomerRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  scope.get(
    '/customers',
    { config: READERS, schema: { params: attemptParams, querystring: z.object({ q: str(100) }).strict(), response: { 200: customerSearchResponse } } },
    async (request) => {
      const attempt = attemptOf(request);
      const q = request.query.q.trim();
      if (q.length < 2) throw invalid('q', 'Type at least two characters to search: a name, phone number, postcode, account number or e-mail address.');
      const customers = crm.searchCustomers(attempt.id, searchTerms(q));
      return { query: q, count: customers.length, customers };
    },
  );

  scope.get(
    '/customers/by-phone/:phone',
    { config: READERS, schema: {
        params: attemptParams.extend({ phone: z.string().min(1).max(40) }),
        response: { 200: customersByPhoneResponse },
      },
    },
    async (request) => {
      const attempt = attemptOf(request);
      // Caller ID arrives in any format (or as an internal extension): no match is an answer, not an error.
      const national = normaliseUkPhone(request.params.phone);
      const customers = national ? crm.customersByPhone(attempt.id, national) : [];
      return { phone: national ?? null, count: customers.length, customers };
    },
  );

  scope.get('/customers/:cid', { config: READERS, schema: { params: customerParams, response: { 200: customerResponse } } }, async (request) => {
    const attempt = attemptOf(request);
    const customer = customerOf(crm, attempt, request.params.cid);
    const detail: { customer: CustomerDetail } = {
      customer: {
        ...customer,
        securityQuestions: crm.securityQuestions(attempt.id, customer.id),
        identityChecks: crm.identityChecks(attempt.id, customer.id),
        notes: crm.notesForCustomer(attempt.id, customer.id),
        orders: crm.ordersForCustomer(attempt.id, customer.id),
        cases: crm.casesForCustomer(attempt.id, customer.id),
        callbacks: crm.callbacksForCustomer(attempt.id, customer.id),
      },
    };
    return detail;
  });

  // Every field is checked before anything is written, and every bad one is named.
  const customerPatch = z
    .object({
      version: z.number().int().min(1),
      title: nullableStr(200).transform(rule((v) => validateOptionalText(v, 'title', 20))).optional(),
      firstName: str(200).transform(rule((v) => validateName(v, 'firstName'))).optional(),
      lastName: str(200).transform(rule((v) => validateName(v, 'lastName'))).optional(),
      dateOfBirth: nullableStr(40).transform(optionalRule((s) => validateDateOfBirth(s, clock.now(), 'dateOfBirth'))).optional(),
      addressLine1: str(200).transform(rule((v) => validateText(v, 'addressLine1', 120))).optional(),
      addressLine2: nullableStr(200).transform(rule((v) => validateOptionalText(v, 'addressLine2', 120))).optional(),
      town: str(200).transform(rule((v) => validateText(v, 'town', 60))).optional(),
      postcode: str(40).transform(rule((v) => validatePostcode(v, 'postcode'))).optional(),
      // Phone numbers are kept as keyed (trimmed); the normalised form is stored beside them.
      phone: str(40).transform(rule(asKeyed((v) => validateUkPhone(v, 'phone')))).optional(),
      mobile: nullableStr(40).transform(optionalRule(asKeyed((s) => validateUkMobile(s, 'mobile')))).optional(),
      email: nullableStr(300).transform(optionalRule((s) => validateEmail(s, 'email'))).optional(),
      contactPreference: z.enum(['phone', 'email', 'sms', 'post']).nullable().optional(),
      doNotCall: z.boolean().optional(),
    })
    .strict();

  scope.patch('/customers/:cid', { config: WRITER, schema: { params: customerParams, body: customerPatch, response: { 200: customerUpdatedResponse } } }, async (request) => {
    const attempt = attemptOf(request);
    const customer = customerOf(crm, attempt, request.params.cid);
    const body = request.body;
    const now = clock.now();
    const wanted: Partial<CustomerFields> = {};
    for (const field of EDITABLE_CUSTOMER_FIELDS) {
      if (body[field] === undefined) continue;
      (wanted as Record<string, unknown>)[field] = body[field];
    }
    if (body.version !== customer.version) {
      throw new HttpError(409, 'version_conflict', `This record was changed by someone else (you edited version ${body.version}, it is now at version ${customer.version}). Reload it and make your changes again.`, 'version');
    }
    // The same number written another way ('+44 113 496 0412' for '0113 496 0412') is no change.
    const sameNumber = (a: string | null | undefined, b: string | null): boolean => a != null && b !== null && normaliseUkPhone(a) === normaliseUkPhone(b);
    if (sameNumber(wanted.phone, customer.phone)) delete wanted.phone;
    if (sameNumber(wanted.mobile, customer.mobile)) delete wanted.mobile;
    const changes = EDITABLE_CUSTOMER_FIELDS.filter((f) => f in wanted && wanted[f] !== customer[f]).map((f) => ({ field: f, old: customer[f], new: wanted[f] }));
    if (changes.length > 0) {
      const update: CustomerUpdate = Object.fromEntries(changes.map((c) => [c.field, c.new]));
      if (update.phone !== undefined) update.phoneNorm = normaliseUkPhone(update.phone)!;
      if (update.mobile !== undefined) update.mobileNorm = update.mobile === null ? null : normaliseUkPhone(update.mobile)!;
      evidence.recorded(
        attempt,
        () => {
          if (!crm.updateCustomer(attempt.id, customer.id, body.version, update, now)) {
            throw new HttpError(409, 'version_conflict', 'This record was changed by someone else a moment ago. Reload it and make your changes again.', 'version');
          }
          return crm.findCustomer(attempt.id, customer.id)!.version;
        },
        (version) => changes.map((c) => ['field-changed', evidencePayload.fieldChanged(customer, c, version)]),
      );
    }
    return { customer: crm.findCustomer(attempt.id, customer.id)!, changes };
  });

  scope.post(
    '/customers/:cid/identity-check',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: accepts<IdentityCheckAnswers>()(z.object({ answers: z.array(z.object({ questionId: z.number().int().min(1), answer: str(200) }).strict()).min(1).max(6) }).strict()),
        response: { 201: identityCheckOutcome },
      },
    },
    async (request, reply) => {
      const attempt = attemptOf(request);
      const customer = customerOf(crm, attempt, request.params.cid);
      const questions = crm.securityAnswers(attempt.id, customer.id);
      // Every answer's problem is named together.
      const problems = new FieldProblems();
      const seen = new Set<number>();
      const results: IdentityCheckResult[] = [];
      request.body.answers.forEach((a, i) => {
        const q = questions.find((x) => x.id === a.questionId);
        if (!q) return problems.add(`answers.${i}.questionId`, `Question ${a.questionId} is not one of this customer's security questions.`);
        if (seen.has(q.id)) return problems.add(`answers.${i}.questionId`, `Question ${a.questionId} is answered twice.`);
        seen.add(q.id);
        const given = a.answer.trim();
        results.push({ questionId: q.id, question: q.question, given, correct: given !== '' && normaliseAnswer(given) === normaliseAnswer(q.answer) });
      });
      problems.throwIfAny();
      // The scenario says how many questions (default 2); an empty answer is a question not asked
      // (server/assessment/identity.ts, the one rule the auto-check and the replay use too).
      const required = requiredQuestions(scenarioOfAttempt(attempt)?.answerKey.identity.minFactors, questions.length);
      const outcome = identityOutcome(results.map((r) => ({ asked: r.given !== '', correct: r.correct })), required);
      const check = evidence.recorded(
        attempt,
        () => crm.insertIdentityCheck(attempt.id, customer.id, outcome.passed, results, clock.now()),
        (stored) => [['identity-check', evidencePayload.identityCheck(customer, stored, outcome)]],
      );
      return reply.status(201).send({ ...check, required, asked: outcome.asked, correct: outcome.correct, summary: outcome.summary });
    },
  );

  scope.post(
    '/customers/:cid/notes',
    { config: WRITER, schema: { params: customerParams, body: z.object({ body: str(4000).transform(rule((v) => validateText(v, 'body', 4000))) }).strict(), response: { 201: noteResponse } } },
    async (request, reply) => {
      const attempt = attemptOf(request);
      const customer = customerOf(crm, attempt, request.params.cid);
      const body = request.body.body;
      const note = evidence.recorded(attempt, () => crm.insertNote(attempt.id, { customerId: customer.id, body, origin: 'attempt', createdAt: clock.now() }), (n) => [['note-added', evidencePayload.note(customer, n)]]);
      return reply.status(201).send({ note });
    },
  );
}
