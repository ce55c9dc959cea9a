// Each attempt gets its own copy of the CRM seed: new ids, all-or-nothing, independent of every
// other attempt; a bad seed is refused with the path of the bad value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySeedToAttempt, demoSeed } from '../../../server/crm/attempt-copy.js';
import { parseSeed, SeedError, type CrmSeedInput } from '../../../server/crm/seed-schema.js';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate } from '../../../server/db/migrations.js';
import { createRepositories, type Repositories } from '../../../server/db/repositories/index.js';

const NOW = Date.UTC(2026, 0, 1, 9, 0, 0);
let dir: string;
let db: Db;
let repos: Repositories;
let candidateId: number;
let centreId: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-copy-'));
  db = openDatabase(path.join(dir, 'test.sqlite'));
  migrate(db);
  repos = createRepositories(db);
  centreId = repos.centres.create({ name: 'Northgate College' }).id;
  candidateId = repos.users.create({ username: 'cand', displayName: 'Candidate', role: 'candidate', centreId, passwordHash: 'x' }).id;
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const newAttempt = () => repos.attempts.create({ centreId, candidateUserId: candidateId, scenarioKey: 'demo' }, NOW).id;
/** A deep copy of the demo seed as raw JSON, to break on purpose. */
const rawDemo = (): CrmSeedInput => JSON.parse(fs.readFileSync(new URL('../../../scenarios/demo-seed.json', import.meta.url), 'utf8')) as CrmSeedInput;

describe('the demo seed', () => {
  it('is valid and holds what the desktop needs', () => {
    const seed = demoSeed();
    expect(seed.customers.length).toBeGreaterThanOrEqual(8);
    expect(seed.products.length).toBeGreaterThanOrEqual(6);
    const surnames = seed.customers.map((c) => c.lastName);
    expect(surnames.filter((s) => s === 'Hughes')).toHaveLength(2);
    expect(seed.customers.some((c) => c.doNotCall)).toBe(true);
    expect(seed.callList.some((e) => e.doNotCall)).toBe(true);
    expect(seed.knowledgeBase.length).toBeGreaterThan(0);
    expect(seed.scripts.length).toBeGreaterThan(0);
    expect(seed.wrapUpCodes.length).toBeGreaterThan(0);
  });
});

describe('copySeedToAttempt', () => {
  it('copies every record into the attempt, with totals priced from the products', () => {
    const a = newAttempt();
    const summary = copySeedToAttempt(repos, a, demoSeed(), NOW);
    const seed = demoSeed();
    expect(summary).toMatchObject({ customers: seed.customers.length, products: seed.products.length, orders: seed.orders.length });
    const counts = repos.crm.counts(a);
    expect(counts).toMatchObject({
      company: 1,
      customers: seed.customers.length,
      security_answers: seed.customers.reduce((n, c) => n + c.securityAnswers.length, 0),
      products: seed.products.length,
      orders: seed.orders.length,
      order_lines: seed.orders.reduce((n, o) => n + o.lines.length, 0),
      cases: seed.cases.length,
      notes: seed.customers.reduce((n, c) => n + c.notes.length, 0),
      messages: seed.messages.length,
      call_list: seed.callList.length,
      wrap_up_codes: seed.wrapUpCodes.length,
      kb_articles: seed.knowledgeBase.length,
      scripts: seed.scripts.length,
      message_templates: seed.templates.length,
      documents: seed.documents.length,
      wrap_ups: 0,
      identity_checks: 0,
    });
    const margaret = repos.crm.findCustomerByAccount(a, 'BL100231')!;
    expect(margaret).toMatchObject({ firstName: 'Margaret', lastName: 'Hughes', postcode: 'LS6 3HN', version: 1, doNotCall: false });
    const [order] = repos.crm.ordersForCustomer(a, margaret.id);
    // Fibre 100 (£28.00) + Anytime UK Calls (£9.00), both monthly.
    expect(order).toMatchObject({ totalPence: 3700, monthlyPence: 3700, oneOffPence: 0, origin: 'seed' });
    expect(order!.lines.map((l) => l.productCode)).toEqual(['BB-FIBRE-100', 'PH-ANYTIME']);
    expect(repos.crm.customersByPhone(a, '01134960412').map((c) => c.accountNumber)).toEqual(['BL100231']);
    // The do-not-call flag of a customer shows on the call list entry.
    const bennett = repos.crm.listCallList(a).find((e) => e.accountNumber === 'BL100815')!;
    expect(bennett.doNotCall).toBe(true);
  });

  it('gives two attempts fully independent copies', () => {
    const a = newAttempt();
    const b = newAttempt();
    copySeedToAttempt(repos, a, demoSeed(), NOW);
    copySeedToAttempt(repos, b, demoSeed(), NOW);
    const inA = repos.crm.listCustomers(a);
    const inB = repos.crm.listCustomers(b);
    expect(inA.map((c) => c.accountNumber)).toEqual(inB.map((c) => c.accountNumber));
    const idsA = new Set(inA.map((c) => c.id));
    expect(inB.some((c) => idsA.has(c.id))).toBe(false);

    // Changes in A stay in A.
    const margaretA = inA.find((c) => c.accountNumber === 'BL100231')!;
    expect(repos.crm.updateCustomer(a, margaretA.id, 1, { postcode: 'LS1 4DY' }, NOW)).toBe(true);
    repos.crm.insertNote(a, { customerId: margaretA.id, body: 'Moved to the city centre.', origin: 'attempt', createdAt: NOW });
    const margaretB = repos.crm.findCustomerByAccount(b, 'BL100231')!;
    expect(margaretB).toMatchObject({ postcode: 'LS6 3HN', version: 1 });
    expect(repos.crm.notesForCustomer(b, margaretB.id).map((n) => n.body)).not.toContain('Moved to the city centre.');
    expect(repos.crm.counts(b).notes).toBe(repos.crm.counts(a).notes - 1);

    // A record of one attempt cannot be reached or changed through the other.
    expect(repos.crm.findCustomer(b, margaretA.id)).toBeUndefined();
    expect(repos.crm.updateCustomer(b, margaretA.id, 2, { town: 'York' }, NOW)).toBe(false);
    expect(repos.crm.findCustomer(a, margaretA.id)!.town).toBe('Leeds');
    // …and the database refuses a child row pointing at another attempt's customer.
    expect(() => repos.crm.insertNote(b, { customerId: margaretA.id, body: 'x', origin: 'attempt', createdAt: NOW })).toThrow(/FOREIGN KEY/);
  });

  it('refuses a second copy into the same attempt and an unknown attempt', () => {
    const a = newAttempt();
    copySeedToAttempt(repos, a, demoSeed(), NOW);
    const before = repos.crm.counts(a);
    expect(() => copySeedToAttempt(repos, a, demoSeed(), NOW)).toThrow(/already has its CRM data/);
    expect(repos.crm.counts(a)).toEqual(before);
    expect(() => copySeedToAttempt(repos, '00000000-0000-4000-8000-00000000dead', demoSeed(), NOW)).toThrow(/no attempt/);
  });

  it('stores all of the copy or none of it', () => {
    const a = newAttempt();
    // Make the last table of the copy fail: everything before it must be rolled back.
    db.exec("CREATE TEMP TRIGGER no_documents BEFORE INSERT ON crm_documents BEGIN SELECT RAISE(ABORT, 'documents refused'); END");
    expect(() => copySeedToAttempt(repos, a, demoSeed(), NOW)).toThrow(/documents refused/);
    expect(Object.values(repos.crm.counts(a)).every((n) => n === 0)).toBe(true);
  });
});

describe('the seed schema', () => {
  const expectPath = (mutate: (s: CrmSeedInput) => void, expectedPath: string, message?: RegExp) => {
    const seed = rawDemo();
    mutate(seed);
    let error: unknown;
    try {
      parseSeed(seed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).path).toBe(expectedPath);
    if (message) expect((error as SeedError).message).toMatch(message);
  };

  it('accepts the raw demo seed', () => {
    expect(() => parseSeed(rawDemo())).not.toThrow();
  });

  it('rejects a bad postcode, phone, e-mail and date with their exact paths', () => {
    expectPath((s) => (s.customers[3]!.postcode = 'S10 2T'), 'customers.3.postcode', /not a valid UK postcode/);
    expectPath((s) => (s.customers[1]!.phone = '0117 496'), 'customers.1.phone', /not a valid UK phone number/);
    expectPath((s) => (s.customers[0]!.email = 'margaret.hughes@'), 'customers.0.email', /not a valid e-mail/);
    expectPath((s) => (s.customers[2]!.dateOfBirth = '1991-02-30'), 'customers.2.dateOfBirth', /not a real calendar date/);
    expectPath((s) => (s.callList![2]!.phone = '12345'), 'callList.2.phone');
  });

  it('rejects missing fields, unknown fields, wrong types and bad money', () => {
    expectPath((s) => delete (s.customers[4] as Partial<(typeof s.customers)[number]>).lastName, 'customers.4.lastName');
    expectPath((s) => ((s.products[0] as Record<string, unknown>).colour = 'blue'), 'products.0');
    expectPath((s) => ((s.products[2] as Record<string, unknown>).pricePence = '52.00'), 'products.2.pricePence');
    expectPath((s) => (s.products[1]!.pricePence = 38.5), 'products.1.pricePence', /whole number of pence/);
    expectPath((s) => (s.customers[0]!.securityAnswers = []), 'customers.0.securityAnswers');
  });

  it('rejects duplicates and references that do not resolve', () => {
    expectPath((s) => (s.customers[1]!.accountNumber = s.customers[0]!.accountNumber), 'customers.1.accountNumber', /duplicate accountNumber "BL100231"/);
    expectPath((s) => (s.orders![2]!.lines[0]!.productCode = 'BB-NOPE'), 'orders.2.lines.0.productCode', /no product has the code "BB-NOPE"/);
    expectPath((s) => (s.cases![0]!.accountNumber = 'BL999999'), 'cases.0.accountNumber', /no customer has the account number/);
    expectPath((s) => (s.callList![1]!.accountNumber = 'BL000000'), 'callList.1.accountNumber');
    expectPath((s) => (s.templates![4]!.subject = 'Hello'), 'templates.4.subject', /SMS template has no subject/);
  });

  it('copies nothing from a bad seed', () => {
    const a = newAttempt();
    const seed = rawDemo();
    seed.customers[7]!.postcode = 'nowhere';
    expect(() => copySeedToAttempt(repos, a, seed, NOW)).toThrow(SeedError);
    expect(repos.crm.counts(a).customers).toBe(0);
  });
});
