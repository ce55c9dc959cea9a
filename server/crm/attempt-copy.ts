// Gives an attempt its own copy of a scenario's CRM seed: every record is inserted afresh under the
// attempt's id (new row ids), in one transaction, so two attempts never share or see each other's
// data and the end state of each can be compared with the answer key.
import demoSeedJson from '../../scenarios/demo-seed.json' with { type: 'json' };
import type { Repositories } from '../db/repositories/index.js';
import { attemptKey, scenarioCatalogue } from '../assessment/scenario-loader.js';
import { parseSeed, type CrmSeed, type CrmSeedInput } from './seed-schema.js';
import { normaliseUkPhone } from './validation.js';

export interface CopySummary {
  customers: number;
  products: number;
  orders: number;
  cases: number;
  notes: number;
  messages: number;
  callList: number;
}

let demo: CrmSeed | undefined;

/** The demo data set (scenarios/demo-seed.json), checked once. */
export function demoSeed(): CrmSeed {
  demo ??= parseSeed(demoSeedJson);
  return demo;
}

let seeds: Readonly<Record<string, () => CrmSeed>> | undefined;
/** The catalogue the seeds were taken from: a centre's new or changed scenario makes a new one. */
let seedsOf: ReturnType<typeof scenarioCatalogue> | undefined;

/**
 * Seeds by scenario key: the demo data set and the CRM seed of every scenario file (S1–S6; a
 * second variant of a scenario is keyed "s1-b"). Loaded once; an invalid scenario file stops the
 * server with the file, path and reason.
 */
export function scenarioSeeds(): Readonly<Record<string, () => CrmSeed>> {
  if (!seeds || seedsOf !== scenarioCatalogue()) {
    seedsOf = scenarioCatalogue();
    const all: Record<string, () => CrmSeed> = { demo: demoSeed };
    for (const { scenario } of seedsOf) {
      const seed = parseSeed(scenario.seed);
      all[attemptKey(scenario)] = () => seed;
    }
    seeds = all;
  }
  return seeds;
}

const national = (phone: string): string => {
  const n = normaliseUkPhone(phone);
  if (!n) throw new Error(`seed phone number "${phone}" is not a UK number`);
  return n;
};

/**
 * Copies a seed into the attempt's CRM tables. The seed is checked first (SeedError names the bad
 * path); an attempt that already holds CRM data is refused. All or nothing.
 */
export function copySeedToAttempt(repos: Repositories, attemptId: string, seed: CrmSeed | CrmSeedInput, now = Date.now()): CopySummary {
  const s = parseSeed(seed);
  const crm = repos.crm;
  return repos.transaction(() => {
    if (!repos.attempts.findById(attemptId)) throw new Error(`there is no attempt ${attemptId}`);
    if (crm.company(attemptId)) throw new Error(`attempt ${attemptId} already has its CRM data`);
    crm.insertCompany(attemptId, { ...s.company });

    const customerIds = new Map<string, number>();
    let notes = 0;
    for (const c of s.customers) {
      const id = crm.insertCustomer(
        attemptId,
        {
          accountNumber: c.accountNumber,
          title: c.title,
          firstName: c.firstName,
          lastName: c.lastName,
          dateOfBirth: c.dateOfBirth,
          addressLine1: c.addressLine1,
          addressLine2: c.addressLine2,
          town: c.town,
          postcode: c.postcode,
          phone: c.phone,
          phoneNorm: national(c.phone),
          mobile: c.mobile,
          mobileNorm: c.mobile === null ? null : national(c.mobile),
          email: c.email,
          contactPreference: c.contactPreference,
          doNotCall: c.doNotCall,
        },
        now,
      );
      customerIds.set(c.accountNumber, id);
      c.securityAnswers.forEach((a, i) => crm.insertSecurityAnswer(attemptId, id, i + 1, a.question, a.answer));
      for (const n of c.notes) {
        crm.insertNote(attemptId, { customerId: id, body: n.body, origin: 'seed', createdAt: Date.parse(n.at) });
        notes++;
      }
    }
    const customerId = (accountNumber: string): number => customerIds.get(accountNumber)!;
    const accountOrNull = (accountNumber: string | null): number | null => (accountNumber === null ? null : customerId(accountNumber));

    const productIds = new Map<string, { id: number; pricePence: number }>();
    for (const p of s.products) {
      const id = crm.insertProduct(attemptId, { ...p, features: [...p.features], benefits: [...p.benefits] });
      productIds.set(p.code, { id, pricePence: p.pricePence });
    }

    // Oldest first, so that references (ORD-000001…) follow the history.
    const orders = [...s.orders].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt));
    for (const o of orders) {
      crm.insertOrder(attemptId, {
        customerId: customerId(o.accountNumber),
        status: o.status,
        origin: 'seed',
        createdAt: Date.parse(o.placedAt),
        lines: o.lines.map((l) => {
          const p = productIds.get(l.productCode)!;
          return { productId: p.id, quantity: l.quantity, unitPricePence: p.pricePence, saleType: l.saleType };
        }),
      });
    }
    const cases = [...s.cases].sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt));
    for (const c of cases) {
      crm.insertCase(attemptId, {
        customerId: customerId(c.accountNumber),
        type: c.type,
        category: c.category,
        priority: c.priority,
        status: c.status,
        escalated: c.escalated,
        description: c.description,
        creditPence: null,
        origin: 'seed',
        createdAt: Date.parse(c.openedAt),
      });
    }
    for (const m of s.messages) {
      crm.insertMessage(attemptId, {
        customerId: accountOrNull(m.accountNumber),
        direction: 'in',
        channel: m.channel,
        from: m.from,
        to: m.to,
        cc: [],
        subject: m.subject,
        body: m.body,
        templateKey: null,
        attachments: [],
        origin: 'seed',
        createdAt: Date.parse(m.receivedAt),
      });
    }
    s.callList.forEach((e, i) =>
      crm.insertCallListEntry(attemptId, {
        position: i + 1,
        customerId: accountOrNull(e.accountNumber),
        name: e.name,
        phone: e.phone,
        phoneNorm: national(e.phone),
        doNotCall: e.doNotCall,
        reason: e.reason,
      }),
    );
    for (const w of s.wrapUpCodes) crm.insertWrapUpCode(attemptId, w);
    for (const c of s.caseCategories) crm.insertCaseCategory(attemptId, c);
    for (const f of s.messageFolders) crm.insertMessageFolder(attemptId, f);
    for (const a of s.knowledgeBase) crm.insertKbArticle(attemptId, { ...a, tags: [...a.tags] });
    for (const sc of s.scripts) crm.insertScript(attemptId, { ...sc, steps: [...sc.steps] });
    for (const t of s.templates) crm.insertTemplate(attemptId, t);
    for (const d of s.documents) crm.insertDocument(attemptId, d);

    return {
      customers: s.customers.length,
      products: s.products.length,
      orders: s.orders.length,
      cases: s.cases.length,
      notes,
      messages: s.messages.length,
      callList: s.callList.length,
    };
  });
}
