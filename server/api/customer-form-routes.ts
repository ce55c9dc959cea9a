// The desktop's forms on a customer record, in the attempt scope (under /api/attempts/:id): orders
// (prices from the catalogue, never from the client), cases (a category of the scenario's, a goodwill
// credit) and callbacks or tasks. Each is recorded as evidence on the attempt's timeline in the
// transaction that stores it (server/realtime/evidence.ts). Who may do what: crm-inputs.ts.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { parseMoney, validateDueDateTime, validatePence, validateText, validateUkPhone } from '../crm/validation.js';
import { attemptOf, type AttemptScope } from './attempt-scope.js';
import { callbackResponse, caseResponse, orderResponse } from './attempt-responses.js';
import { WRITER, asKeyed, checkField, customerOf, customerParams, invalid, nullableStr, optionalRule, rule, str } from './crm-inputs.js';
import { FieldProblems } from './input.js';
import { accepts } from './exact-schema.js';
import type { NewCallback, NewCase, NewOrder } from '../protocol/crm.js';

export function registerCustomerFormRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  const orderLine = z
    .object({ productCode: str(40), quantity: z.number().int().min(1).max(99), saleType: z.enum(['standard', 'upsell', 'cross_sell']).optional() })
    .strict();
  scope.post(
    '/customers/:cid/orders',
    { config: WRITER, schema: { params: customerParams, body: accepts<NewOrder>()(z.object({ lines: z.array(orderLine).min(1).max(20) }).strict()), response: { 201: orderResponse } } },
    async (request, reply) => {
      const attempt = attemptOf(request);
      const customer = customerOf(crm, attempt, request.params.cid);
      const products = crm.productsByCode(attempt.id);
      // Prices come from the catalogue, never from the client. A product is one line: more of it is its quantity.
      // Every line's problem is named together.
      const problems = new FieldProblems();
      const seen = new Set<number>();
      const lines: { productId: number; quantity: number; unitPricePence: number; saleType: 'standard' | 'upsell' | 'cross_sell' }[] = [];
      request.body.lines.forEach((l, i) => {
        const p = products.get(l.productCode.trim().toUpperCase());
        if (!p) return problems.add(`lines.${i}.productCode`, `There is no product with the code "${l.productCode}".`);
        if (seen.has(p.id)) return problems.add(`lines.${i}.productCode`, `${p.name} is on the order twice; put it on one line and change the quantity.`);
        seen.add(p.id);
        lines.push({ productId: p.id, quantity: l.quantity, unitPricePence: p.pricePence, saleType: l.saleType ?? 'standard' });
      });
      problems.throwIfAny();
      const order = evidence.recorded(attempt, () => crm.insertOrder(attempt.id, { customerId: customer.id, status: 'placed', origin: 'attempt', createdAt: clock.now(), lines }), (o) => [['order-created', evidencePayload.order(customer, o)]]);
      return reply.status(201).send({ order });
    },
  );

  /**
   * The goodwill credit comes as keyed in pounds (`credit`, the desktop) or in pence (`creditPence`),
   * not both: the body's `creditPence` is the credit in pence either way, or null for none.
   */
  const caseBody = accepts<NewCase>()(
    z
    .object({
      type: z.enum(['complaint', 'query']),
      priority: z.enum(['low', 'medium', 'high', 'urgent']),
      description: str(4000).transform(rule((v) => validateText(v, 'description', 4000))),
      escalated: z.boolean().optional(),
      category: z.string().max(40).nullable().optional(),
      credit: nullableStr(40).optional(),
      creditPence: z.number().int().nullable().optional(),
    })
    .strict()
    .transform(({ credit, creditPence: pence, ...b }, ctx) => {
      const keyed = credit === undefined || credit === null || credit.trim() === '' ? undefined : credit;
      const inPence = pence === undefined || pence === null ? undefined : pence;
      if (keyed !== undefined && inPence !== undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['credit'], message: 'Give the goodwill credit once: in pounds or in pence, not both.' });
        return z.NEVER;
      }
      const creditPence = keyed !== undefined ? checkField(ctx, parseMoney(keyed, 'credit')) : inPence !== undefined ? checkField(ctx, validatePence(inPence, 'creditPence')) : null;
      return creditPence === undefined ? z.NEVER : { ...b, creditPence };
    }),
  );
  scope.post('/customers/:cid/cases', { config: WRITER, schema: { params: customerParams, body: caseBody, response: { 201: caseResponse } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    const customer = customerOf(crm, attempt, request.params.cid);
    const b = request.body;
    // The category is one of the scenario's (shown to the candidate in words, stored as the code).
    const category = b.category === undefined || b.category === null || b.category.trim() === '' ? null : b.category.trim();
    if (category !== null) {
      const known = crm.listCaseCategories(attempt.id);
      if (!known.some((c) => c.code === category)) {
        throw invalid('category', `"${category}" is not a case category here; choose one of: ${known.map((c) => c.label).join(', ') || 'none (leave it empty)'}.`);
      }
    }
    const created = evidence.recorded(
      attempt,
      () =>
        crm.insertCase(attempt.id, {
          customerId: customer.id,
          type: b.type,
          category,
          priority: b.priority,
          status: 'open',
          escalated: b.escalated ?? false,
          description: b.description,
          creditPence: b.creditPence,
          origin: 'attempt',
          createdAt: clock.now(),
        }),
      (c) => [['case-created', evidencePayload.caseCreated(customer, c)]],
    );
    return reply.status(201).send({ case: created });
  });

  const callbackBody = accepts<NewCallback>()(
    z
    .object({
      dueAt: str(40).transform(rule((v) => validateDueDateTime(v, clock.now(), 'dueAt'))),
      reason: str(500).transform(rule((v) => validateText(v, 'reason', 500))),
      kind: z.enum(['callback', 'task']).optional(),
      priority: z.enum(['low', 'normal', 'high']).optional(),
      phone: nullableStr(40).optional().transform(optionalRule(asKeyed((s) => validateUkPhone(s, 'phone')))),
    })
    .strict(),
  );
  scope.post('/customers/:cid/callbacks', { config: WRITER, schema: { params: customerParams, body: callbackBody, response: { 201: callbackResponse } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    const customer = customerOf(crm, attempt, request.params.cid);
    const b = request.body;
    const now = clock.now();
    const callback = evidence.recorded(
      attempt,
      () =>
        crm.insertCallback(attempt.id, {
          customerId: customer.id,
          kind: b.kind ?? 'callback',
          dueAt: b.dueAt,
          priority: b.priority ?? 'normal',
          reason: b.reason,
          phone: b.phone ?? null,
          status: 'open',
          origin: 'attempt',
          createdAt: now,
        }),
      (cb) => [['callback-created', evidencePayload.callback(customer, cb)]],
    );
    return reply.status(201).send({ callback });
  });
}
