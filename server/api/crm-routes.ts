// The agent desktop's CRM API, under /api/attempts. Each attempt works on its own copy of the
// scenario's CRM data (server/crm/attempt-copy.ts). Every change the candidate makes here is also
// marking evidence: the handler appends it to the attempt's timeline as a server-recorded event,
// from the stored rows, in the same transaction (`recorded` below; server/realtime/evidence.ts).
// Who may do what:
//   - the attempt's candidate reads and writes, while the attempt is open (closed: 409);
//   - an assessor of the attempt's centre reads, and creates practice attempts for the centre's candidates;
//   - moderators and admins read;
//   - anyone else gets 404, the same answer as for an unknown id, so ids cannot be probed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Attachment, Customer, CustomerFields, CustomerSearch, CustomerUpdate } from '../db/repositories/crm.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { copySeedToAttempt, scenarioSeeds } from '../crm/attempt-copy.js';
import { centreOfVariant, parseAttemptKey, scenarioForAttemptKey, scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { identityOutcome, requiredQuestions } from '../assessment/identity.js';
import type { ServerEventType } from '../protocol/timeline.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import {
  compactPostcode,
  normaliseUkPhone,
  parseMoney,
  validateDateOfBirth,
  validateDueDateTime,
  validateEmail,
  validateName,
  validateOptionalText,
  validatePence,
  validatePostcode,
  validateText,
  validateUkMobile,
  validateUkPhone,
  type Checked,
} from '../crm/validation.js';

export interface CrmRouteOptions {
  repos: Repositories;
  clock: Clock;
  /** Appends the server-recorded evidence of each change to the attempt's timeline. */
  evidence: Evidence;
}

const READERS = { access: ['candidate', 'assessor', 'moderator', 'admin'] } as const;
const WRITER = { access: ['candidate'] } as const;
const ASSESSOR = { access: ['assessor'] } as const;

const ID = { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } as const;
const ROW_ID = { type: 'string', pattern: '^[1-9][0-9]{0,12}$' } as const;
const attemptParams = { type: 'object', required: ['id'], properties: { id: ID } } as const;
const customerParams = { type: 'object', required: ['id', 'cid'], properties: { id: ID, cid: ROW_ID } } as const;
const str = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const nullableStr = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

type AttemptParams = { id: string };
type CustomerParams = { id: string; cid: string };

/** The fields of a customer record the PATCH accepts, in the order changes are reported. */
const EDITABLE = [
  'title', 'firstName', 'lastName', 'dateOfBirth', 'addressLine1', 'addressLine2', 'town', 'postcode',
  'phone', 'mobile', 'email', 'contactPreference', 'doNotCall',
] as const satisfies ReadonlyArray<keyof CustomerFields>;
type Editable = (typeof EDITABLE)[number];

function fail(checked: Extract<Checked<unknown>, { ok: false }>): never {
  throw new HttpError(400, 'validation', checked.message, checked.field);
}
function must<T>(checked: Checked<T>): T {
  if (!checked.ok) fail(checked);
  return checked.value;
}
const invalid = (field: string, message: string): HttpError => new HttpError(400, 'validation', message, field);

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

export function registerCrmRoutes(app: FastifyInstance, opts: CrmRouteOptions): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  /** Does the action and records its evidence on the attempt's timeline, in one transaction. */
  const recorded = <T>(attempt: Attempt, act: () => T, evidenceOf: (result: T) => Array<[ServerEventType, Record<string, unknown>]>): T => evidence.recorded(attempt, act, evidenceOf);

  const access = new AttemptAccess(repos, clock);
  const readable = (request: FastifyRequest<{ Params: AttemptParams }>): { attempt: Attempt; user: SessionUser } => {
    const user = requireSession(request).user;
    return { attempt: access.readable(user, request.params.id), user };
  };
  const writable = (request: FastifyRequest<{ Params: AttemptParams }>): Attempt =>
    access.writable(requireSession(request).user, request.params.id, 'This attempt is closed; its records can be read but no longer changed.');
  const customerOf = (attempt: Attempt, cid: string): Customer => {
    const customer = crm.findCustomer(attempt.id, Number(cid));
    if (!customer) throw new HttpError(404, 'not_found', 'There is no such customer in this attempt.');
    return customer;
  };

  // --- attempts ----------------------------------------------------------------------------------

  app.post<{ Body: { candidateUserId: number; scenarioKey?: string } }>(
    '/api/attempts',
    {
      config: ASSESSOR,
      schema: {
        body: {
          type: 'object',
          required: ['candidateUserId'],
          additionalProperties: false,
          properties: {
            candidateUserId: { type: 'integer', minimum: 1 },
            // Checked in the handler: the list changes when a centre customises a scenario.
            scenarioKey: { type: 'string', maxLength: 80 },
          },
        },
      },
    },
    async (request, reply) => {
      const me = requireSession(request).user;
      const { candidateUserId } = request.body;
      const scenarioKey = request.body.scenarioKey ?? 'demo';
      const candidate = repos.users.findById(candidateUserId);
      // Unknown users, other roles and other centres' candidates get the same answer.
      if (!candidate || candidate.role !== 'candidate' || candidate.centreId === null || candidate.centreId !== me.centreId) {
        throw invalid('candidateUserId', `There is no candidate with id ${candidateUserId} in your centre.`);
      }
      if (candidate.disabled) throw invalid('candidateUserId', `The candidate ${candidate.username} is disabled.`);
      // A centre's customised variant (s1-c3-acme) is for its own centre; to others it does not exist.
      const owner = centreOfVariant(parseAttemptKey(scenarioKey)?.variant ?? '');
      const seeds = scenarioSeeds();
      const seedOf = Object.hasOwn(seeds, scenarioKey) ? seeds[scenarioKey] : undefined;
      if (!seedOf || (owner !== undefined && owner !== candidate.centreId)) throw invalid('scenarioKey', `There is no scenario "${scenarioKey}" for this centre.`);
      const seed = seedOf();
      const now = clock.now();
      const { attempt, copied } = repos.transaction(() => {
        // The version it is sat on, so it is marked and replayed with that version after a bump.
        const attempt = repos.attempts.create({ centreId: candidate.centreId!, candidateUserId, assessorUserId: me.id, scenarioKey, scenarioVersion: scenarioForAttemptKey(scenarioKey)?.version ?? null }, now);
        return { attempt, copied: copySeedToAttempt(repos, attempt.id, seed, now) };
      });
      request.log.info({ by: me.id, attemptId: attempt.id, candidateUserId, scenarioKey }, 'practice attempt created');
      return reply.status(201).send({ attempt, copied });
    },
  );

  app.get('/api/attempts/current', { config: { access: ['candidate'] } }, async (request) => {
    const me = requireSession(request).user;
    // Having no assignment open is the desktop's usual state between assignments: an answer, not a 404.
    const attempt = repos.attempts.openForCandidate(me.id)[0];
    if (!attempt) return { attempt: null, company: null };
    return { attempt, company: crm.company(attempt.id) ?? null };
  });

  app.get<{ Params: AttemptParams }>('/api/attempts/:id', { config: READERS, schema: { params: attemptParams } }, async (request) => {
    const { attempt } = readable(request);
    return { attempt, company: crm.company(attempt.id) ?? null };
  });

  // --- customers ---------------------------------------------------------------------------------

  app.get<{ Params: AttemptParams; Querystring: { q: string } }>(
    '/api/attempts/:id/customers',
    {
      config: READERS,
      schema: {
        params: attemptParams,
        querystring: { type: 'object', required: ['q'], additionalProperties: false, properties: { q: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request) => {
      const { attempt } = readable(request);
      const q = request.query.q.trim();
      if (q.length < 2) throw invalid('q', 'Type at least two characters to search: a name, phone number, postcode, account number or e-mail address.');
      const customers = crm.searchCustomers(attempt.id, searchTerms(q));
      return { query: q, count: customers.length, customers };
    },
  );

  app.get<{ Params: AttemptParams & { phone: string } }>(
    '/api/attempts/:id/customers/by-phone/:phone',
    {
      config: READERS,
      schema: { params: { type: 'object', required: ['id', 'phone'], properties: { id: ID, phone: { type: 'string', minLength: 1, maxLength: 40 } } } },
    },
    async (request) => {
      const { attempt } = readable(request);
      // Caller ID arrives in any format (or as an internal extension): no match is an answer, not an error.
      const national = normaliseUkPhone(request.params.phone);
      const customers = national ? crm.customersByPhone(attempt.id, national) : [];
      return { phone: national ?? null, count: customers.length, customers };
    },
  );

  app.get<{ Params: CustomerParams }>('/api/attempts/:id/customers/:cid', { config: READERS, schema: { params: customerParams } }, async (request) => {
    const { attempt } = readable(request);
    const customer = customerOf(attempt, request.params.cid);
    return {
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
  });

  type PatchBody = { version: number } & Partial<Record<Editable, unknown>>;
  app.patch<{ Params: CustomerParams; Body: PatchBody }>(
    '/api/attempts/:id/customers/:cid',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: {
          type: 'object',
          required: ['version'],
          additionalProperties: false,
          properties: {
            version: { type: 'integer', minimum: 1 },
            title: nullableStr(200),
            firstName: str(200),
            lastName: str(200),
            dateOfBirth: nullableStr(40),
            addressLine1: str(200),
            addressLine2: nullableStr(200),
            town: str(200),
            postcode: str(40),
            phone: str(40),
            mobile: nullableStr(40),
            email: nullableStr(300),
            contactPreference: { type: ['string', 'null'], enum: ['phone', 'email', 'sms', 'post', null] },
            doNotCall: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const body = request.body;
      const now = clock.now();
      const optional = <T>(v: unknown, check: (s: string) => Checked<T>): T | null => (v === null || (v as string).trim() === '' ? null : must(check(v as string)));
      // Every field is checked before anything is written; the first bad one is named.
      const rules: { [K in Editable]: (v: unknown) => CustomerFields[K] } = {
        title: (v) => must(validateOptionalText(v as string | null, 'title', 20)),
        firstName: (v) => must(validateName(v as string, 'firstName')),
        lastName: (v) => must(validateName(v as string, 'lastName')),
        dateOfBirth: (v) => optional(v, (s) => validateDateOfBirth(s, now, 'dateOfBirth')),
        addressLine1: (v) => must(validateText(v as string, 'addressLine1', 120)),
        addressLine2: (v) => must(validateOptionalText(v as string | null, 'addressLine2', 120)),
        town: (v) => must(validateText(v as string, 'town', 60)),
        postcode: (v) => must(validatePostcode(v as string, 'postcode')),
        phone: (v) => (must(validateUkPhone(v as string, 'phone')), (v as string).trim()),
        mobile: (v) => (optional(v, (s) => validateUkMobile(s, 'mobile')) === null ? null : (v as string).trim()),
        email: (v) => optional(v, (s) => validateEmail(s, 'email')),
        contactPreference: (v) => v as CustomerFields['contactPreference'],
        doNotCall: (v) => v as boolean,
      };
      const wanted: Partial<CustomerFields> = {};
      for (const field of EDITABLE) {
        if (field in body) (wanted as Record<string, unknown>)[field] = rules[field](body[field]);
      }
      if (body.version !== customer.version) {
        throw new HttpError(409, 'version_conflict', `This record was changed by someone else (you edited version ${body.version}, it is now at version ${customer.version}). Reload it and make your changes again.`, 'version');
      }
      // The same number written another way ('+44 113 496 0412' for '0113 496 0412') is no change.
      const sameNumber = (a: string | null | undefined, b: string | null): boolean => a != null && b !== null && normaliseUkPhone(a) === normaliseUkPhone(b);
      if (sameNumber(wanted.phone, customer.phone)) delete wanted.phone;
      if (sameNumber(wanted.mobile, customer.mobile)) delete wanted.mobile;
      const changes = EDITABLE.filter((f) => f in wanted && wanted[f] !== customer[f]).map((f) => ({ field: f, old: customer[f], new: wanted[f] }));
      if (changes.length > 0) {
        const update: CustomerUpdate = Object.fromEntries(changes.map((c) => [c.field, c.new]));
        if (update.phone !== undefined) update.phoneNorm = normaliseUkPhone(update.phone)!;
        if (update.mobile !== undefined) update.mobileNorm = update.mobile === null ? null : normaliseUkPhone(update.mobile)!;
        recorded(
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
      return { customer: crm.findCustomer(attempt.id, customer.id), changes };
    },
  );

  app.post<{ Params: CustomerParams; Body: { answers: Array<{ questionId: number; answer: string }> } }>(
    '/api/attempts/:id/customers/:cid/identity-check',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: {
          type: 'object',
          required: ['answers'],
          additionalProperties: false,
          properties: {
            answers: {
              type: 'array',
              minItems: 1,
              maxItems: 6,
              items: {
                type: 'object',
                required: ['questionId', 'answer'],
                additionalProperties: false,
                properties: { questionId: { type: 'integer', minimum: 1 }, answer: str(200) },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const questions = crm.securityAnswers(attempt.id, customer.id);
      const seen = new Set<number>();
      const results = request.body.answers.map((a, i) => {
        const q = questions.find((x) => x.id === a.questionId);
        if (!q) throw invalid(`answers.${i}.questionId`, `Question ${a.questionId} is not one of this customer's security questions.`);
        if (seen.has(q.id)) throw invalid(`answers.${i}.questionId`, `Question ${a.questionId} is answered twice.`);
        seen.add(q.id);
        const given = a.answer.trim();
        return { questionId: q.id, question: q.question, given, correct: given !== '' && normaliseAnswer(given) === normaliseAnswer(q.answer) };
      });
      // The scenario says how many questions (default 2); an empty answer is a question not asked
      // (server/assessment/identity.ts, the one rule the auto-check and the replay use too).
      const required = requiredQuestions(scenarioOfAttempt(attempt)?.answerKey.identity.minFactors, questions.length);
      const outcome = identityOutcome(results.map((r) => ({ asked: r.given !== '', correct: r.correct })), required);
      const check = recorded(
        attempt,
        () => crm.insertIdentityCheck(attempt.id, customer.id, outcome.passed, results, clock.now()),
        (stored) => [['identity-check', evidencePayload.identityCheck(customer, stored, outcome)]],
      );
      return reply.status(201).send({ ...check, required, asked: outcome.asked, correct: outcome.correct, summary: outcome.summary });
    },
  );

  app.post<{ Params: CustomerParams; Body: { body: string } }>(
    '/api/attempts/:id/customers/:cid/notes',
    {
      config: WRITER,
      schema: { params: customerParams, body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: str(4000) } } },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const body = must(validateText(request.body.body, 'body', 4000));
      const note = recorded(attempt, () => crm.insertNote(attempt.id, { customerId: customer.id, body, origin: 'attempt', createdAt: clock.now() }), (n) => [['note-added', evidencePayload.note(customer, n)]]);
      return reply.status(201).send({ note });
    },
  );

  type OrderBody = { lines: Array<{ productCode: string; quantity: number; saleType?: 'standard' | 'upsell' | 'cross_sell' }> };
  app.post<{ Params: CustomerParams; Body: OrderBody }>(
    '/api/attempts/:id/customers/:cid/orders',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: {
          type: 'object',
          required: ['lines'],
          additionalProperties: false,
          properties: {
            lines: {
              type: 'array',
              minItems: 1,
              maxItems: 20,
              items: {
                type: 'object',
                required: ['productCode', 'quantity'],
                additionalProperties: false,
                properties: {
                  productCode: str(40),
                  quantity: { type: 'integer', minimum: 1, maximum: 99 },
                  saleType: { type: 'string', enum: ['standard', 'upsell', 'cross_sell'] },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const products = crm.productsByCode(attempt.id);
      // Prices come from the catalogue, never from the client. A product is one line: more of it is its quantity.
      const seen = new Set<number>();
      const lines = request.body.lines.map((l, i) => {
        const p = products.get(l.productCode.trim().toUpperCase());
        if (!p) throw invalid(`lines.${i}.productCode`, `There is no product with the code "${l.productCode}".`);
        if (seen.has(p.id)) throw invalid(`lines.${i}.productCode`, `${p.name} is on the order twice; put it on one line and change the quantity.`);
        seen.add(p.id);
        return { productId: p.id, quantity: l.quantity, unitPricePence: p.pricePence, saleType: l.saleType ?? 'standard' };
      });
      const order = recorded(attempt, () => crm.insertOrder(attempt.id, { customerId: customer.id, status: 'placed', origin: 'attempt', createdAt: clock.now(), lines }), (o) => [['order-created', evidencePayload.order(customer, o)]]);
      return reply.status(201).send({ order });
    },
  );

  /** The goodwill credit comes as keyed in pounds (`credit`, the desktop) or in pence (`creditPence`), not both. */
  type CaseBody = {
    type: 'complaint' | 'query';
    priority: 'low' | 'medium' | 'high' | 'urgent';
    description: string;
    escalated?: boolean;
    category?: string | null;
    credit?: string | null;
    creditPence?: number | null;
  };
  app.post<{ Params: CustomerParams; Body: CaseBody }>(
    '/api/attempts/:id/customers/:cid/cases',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: {
          type: 'object',
          required: ['type', 'priority', 'description'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['complaint', 'query'] },
            priority: { type: 'string', enum: ['low', 'medium', 'high', 'urgent'] },
            description: str(4000),
            escalated: { type: 'boolean' },
            category: { type: ['string', 'null'], maxLength: 40 },
            credit: nullableStr(40),
            creditPence: { type: ['integer', 'null'] },
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const b = request.body;
      const description = must(validateText(b.description, 'description', 4000));
      // The category is one of the scenario's (shown to the candidate in words, stored as the code).
      const category = b.category === undefined || b.category === null || b.category.trim() === '' ? null : b.category.trim();
      if (category !== null) {
        const known = crm.listCaseCategories(attempt.id);
        if (!known.some((c) => c.code === category)) {
          throw invalid('category', `"${category}" is not a case category here; choose one of: ${known.map((c) => c.label).join(', ') || 'none (leave it empty)'}.`);
        }
      }
      const keyed = b.credit === undefined || b.credit === null || b.credit.trim() === '' ? undefined : b.credit;
      if (keyed !== undefined && b.creditPence !== undefined && b.creditPence !== null) throw invalid('credit', 'Give the goodwill credit once: in pounds or in pence, not both.');
      const creditPence =
        keyed !== undefined ? must(parseMoney(keyed, 'credit')) : b.creditPence === undefined || b.creditPence === null ? null : must(validatePence(b.creditPence, 'creditPence'));
      const created = recorded(attempt, () =>
        crm.insertCase(attempt.id, {
          customerId: customer.id,
          type: b.type,
          category,
          priority: b.priority,
          status: 'open',
          escalated: b.escalated ?? false,
          description,
          creditPence,
          origin: 'attempt',
          createdAt: clock.now(),
        }),
        (c) => [['case-created', evidencePayload.caseCreated(customer, c)]],
      );
      return reply.status(201).send({ case: created });
    },
  );

  type CallbackBody = { dueAt: string; reason: string; kind?: 'callback' | 'task'; priority?: 'low' | 'normal' | 'high'; phone?: string | null };
  app.post<{ Params: CustomerParams; Body: CallbackBody }>(
    '/api/attempts/:id/customers/:cid/callbacks',
    {
      config: WRITER,
      schema: {
        params: customerParams,
        body: {
          type: 'object',
          required: ['dueAt', 'reason'],
          additionalProperties: false,
          properties: {
            dueAt: str(40),
            reason: str(500),
            kind: { type: 'string', enum: ['callback', 'task'] },
            priority: { type: 'string', enum: ['low', 'normal', 'high'] },
            phone: nullableStr(40),
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const customer = customerOf(attempt, request.params.cid);
      const b = request.body;
      const now = clock.now();
      const dueAt = must(validateDueDateTime(b.dueAt, now, 'dueAt'));
      const reason = must(validateText(b.reason, 'reason', 500));
      const phone = b.phone === undefined || b.phone === null || b.phone.trim() === '' ? null : (must(validateUkPhone(b.phone, 'phone')), b.phone.trim());
      const callback = recorded(attempt, () => crm.insertCallback(attempt.id, {
        customerId: customer.id,
        kind: b.kind ?? 'callback',
        dueAt,
        priority: b.priority ?? 'normal',
        reason,
        phone,
        status: 'open',
        origin: 'attempt',
        createdAt: now,
      }), (cb) => [['callback-created', evidencePayload.callback(customer, cb)]]);
      return reply.status(201).send({ callback });
    },
  );

  // --- wrap-up and messages ----------------------------------------------------------------------

  app.post<{ Params: AttemptParams; Body: { code: string; notes?: string; customerId?: number | null; callId?: string | null } }>(
    '/api/attempts/:id/wrap-ups',
    {
      config: WRITER,
      schema: {
        params: attemptParams,
        body: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          properties: {
            code: str(40),
            notes: str(4000),
            customerId: { type: ['integer', 'null'], minimum: 1 },
            callId: { type: ['string', 'null'], maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const b = request.body;
      const code = crm.findWrapUpCode(attempt.id, b.code.trim());
      if (!code) {
        const known = crm.listWrapUpCodes(attempt.id).map((c) => c.code).join(', ');
        throw invalid('code', `"${b.code}" is not a wrap-up code; choose one of ${known}.`);
      }
      const notes = (b.notes ?? '').trim();
      if (code.requiresNote && !notes) throw invalid('notes', `The wrap-up code ${code.code} (${code.label}) needs notes.`);
      if (notes) must(validateText(notes, 'notes', 4000));
      const customerId = b.customerId ?? null;
      if (customerId !== null && !crm.findCustomer(attempt.id, customerId)) throw invalid('customerId', `There is no customer ${customerId} in this attempt.`);
      const callId = b.callId ?? null;
      if (callId !== null) {
        const call = repos.calls.find(callId);
        if (!call || call.candidateUserId !== attempt.candidateUserId) throw invalid('callId', 'There is no such call of this candidate.');
      }
      const wrapUp = recorded(attempt, () => crm.insertWrapUp(attempt.id, { code: code.code, customerId, callId, notes, createdAt: clock.now() }), (w) => [
        ['wrap-up', evidencePayload.wrapUp(w, customerId === null ? undefined : crm.findCustomer(attempt.id, customerId))],
      ]);
      return reply.status(201).send({ wrapUp });
    },
  );

  app.get<{ Params: AttemptParams; Querystring: { direction?: 'in' | 'out' } }>(
    '/api/attempts/:id/messages',
    {
      config: READERS,
      schema: {
        params: attemptParams,
        querystring: { type: 'object', additionalProperties: false, properties: { direction: { type: 'string', enum: ['in', 'out'] } } },
      },
    },
    async (request) => {
      const { attempt } = readable(request);
      return { messages: crm.listMessages(attempt.id, request.query.direction) };
    },
  );

  type AttachmentBody = { kind: 'document'; key: string } | { kind: 'order'; orderId: number };
  type MessageBody = {
    channel: 'email' | 'sms';
    to: string;
    cc?: string[];
    subject?: string | null;
    body: string;
    templateKey?: string | null;
    attachments?: AttachmentBody[];
    customerId?: number | null;
    /** A reply: the incoming message it answers. */
    inReplyTo?: number | null;
  };
  app.post<{ Params: AttemptParams; Body: MessageBody }>(
    '/api/attempts/:id/messages',
    {
      config: WRITER,
      schema: {
        params: attemptParams,
        body: {
          type: 'object',
          required: ['channel', 'to', 'body'],
          additionalProperties: false,
          properties: {
            channel: { type: 'string', enum: ['email', 'sms'] },
            to: str(300),
            cc: { type: 'array', maxItems: 10, items: str(300) },
            subject: nullableStr(300),
            body: str(10000),
            templateKey: { type: ['string', 'null'], maxLength: 64 },
            attachments: {
              type: 'array',
              maxItems: 10,
              items: {
                type: 'object',
                required: ['kind'],
                additionalProperties: false,
                properties: { kind: { type: 'string', enum: ['document', 'order'] }, key: str(64), orderId: { type: 'integer', minimum: 1 } },
              },
            },
            customerId: { type: ['integer', 'null'], minimum: 1 },
            inReplyTo: { type: ['integer', 'null'], minimum: 1 },
          },
        },
      },
    },
    async (request, reply) => {
      const attempt = writable(request);
      const b = request.body;
      const company = crm.company(attempt.id)!;
      const inReplyTo = b.inReplyTo ?? null;
      if (inReplyTo !== null && crm.findMessage(attempt.id, inReplyTo)?.direction !== 'in') throw invalid('inReplyTo', 'There is no such incoming message in this attempt to reply to.');
      const customerId = b.customerId ?? null;
      if (customerId !== null && !crm.findCustomer(attempt.id, customerId)) throw invalid('customerId', `There is no customer ${customerId} in this attempt.`);
      const cc = b.cc ?? [];
      const attachmentsIn = b.attachments ?? [];
      let to: string;
      let subject: string | null = null;
      let body: string;
      if (b.channel === 'email') {
        to = must(validateEmail(b.to, 'to'));
        cc.forEach((address, i) => must(validateEmail(address, `cc.${i}`)));
        subject = must(validateText(b.subject ?? '', 'subject', 200));
        body = must(validateText(b.body, 'body', 10000));
      } else {
        to = b.to.trim();
        must(validateUkMobile(to, 'to'));
        if (cc.length > 0) throw invalid('cc', 'An SMS has no copy recipients.');
        if (b.subject !== undefined && b.subject !== null && b.subject.trim() !== '') throw invalid('subject', 'An SMS has no subject.');
        if (attachmentsIn.length > 0) throw invalid('attachments', 'An SMS cannot carry attachments.');
        body = must(validateText(b.body, 'body', 612));
      }
      const templateKey = b.templateKey ?? null;
      if (templateKey !== null) {
        const template = crm.listTemplates(attempt.id).find((t) => t.key === templateKey);
        if (!template) throw invalid('templateKey', `There is no template "${templateKey}".`);
        if (template.channel !== b.channel) throw invalid('templateKey', `The template "${templateKey}" is for ${template.channel === 'sms' ? 'SMS' : 'e-mail'}, not ${b.channel === 'sms' ? 'SMS' : 'e-mail'}.`);
      }
      const documents = crm.listDocuments(attempt.id);
      const attachments: Attachment[] = attachmentsIn.map((a, i) => {
        if (a.kind === 'document') {
          const doc = documents.find((d) => d.key === a.key);
          if (!doc) throw invalid(`attachments.${i}.key`, `There is no document "${a.key ?? ''}" to attach.`);
          return { kind: 'document', key: doc.key, name: doc.fileName };
        }
        const order = a.orderId === undefined ? undefined : crm.findOrder(attempt.id, a.orderId);
        if (!order) throw invalid(`attachments.${i}.orderId`, `There is no order ${a.orderId ?? ''} in this attempt to attach.`);
        return { kind: 'order', orderId: order.id, name: `order-confirmation-${order.reference}.pdf` };
      });
      const message = recorded(attempt, () => crm.insertMessage(attempt.id, {
        customerId,
        direction: 'out',
        channel: b.channel,
        from: b.channel === 'email' ? company.email : company.phone,
        to,
        cc: cc.map((c) => c.trim()),
        subject,
        body,
        templateKey,
        attachments,
        origin: 'attempt',
        createdAt: clock.now(),
        inReplyTo,
      }), (m) => [['message-sent', evidencePayload.message(m, customerId === null ? undefined : crm.findCustomer(attempt.id, customerId))]]);
      return reply.status(201).send({ message });
    },
  );

  // --- reference data ----------------------------------------------------------------------------

  const list = (url: string, produce: (attempt: Attempt, query: Record<string, string | undefined>) => unknown, query?: object) =>
    app.get<{ Params: AttemptParams; Querystring: Record<string, string | undefined> }>(
      `/api/attempts/:id/${url}`,
      { config: READERS, schema: { params: attemptParams, querystring: query ?? { type: 'object', additionalProperties: false, properties: {} } } },
      async (request) => produce(readable(request).attempt, request.query ?? {}),
    );
  list('products', (a) => ({ products: crm.listProducts(a.id) }));
  list(
    'knowledge-base',
    (a, q) => ({ articles: crm.listKbArticles(a.id, (q.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8)) }),
    { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 100 } } },
  );
  list('scripts', (a) => ({ scripts: crm.listScripts(a.id) }));
  list('wrap-up-codes', (a) => ({ codes: crm.listWrapUpCodes(a.id) }));
  list('case-categories', (a) => ({ categories: crm.listCaseCategories(a.id) }));
  list('call-list', (a) => ({ entries: crm.listCallList(a.id) }));
  list('message-templates', (a) => ({ templates: crm.listTemplates(a.id), documents: crm.listDocuments(a.id) }));
}
