// The print-out renderer over real CRM rows (the demo seed copied into a real SQLite attempt): each
// kind gives a real A4 PDF whose extracted text (poppler's pdftotext) holds the record's data,
// the footer and page numbers; the same input and print time give the same bytes.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySeedToAttempt, demoSeed } from '../../../server/crm/attempt-copy.js';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate } from '../../../server/db/migrations.js';
import type { Customer } from '../../../server/db/repositories/crm.js';
import { createRepositories, type Repositories } from '../../../server/db/repositories/index.js';
import {
  formatUkDateTime,
  pdfText,
  renderCaseForm,
  renderCustomerRecord,
  renderOrderConfirmation,
  type CustomerRecordInput,
  type PrintMeta,
} from '../../../server/printouts/render.js';

/** The text of a PDF (or of pages first..last), as poppler extracts it. */
function pdfToText(pdf: Buffer, opts: { layout?: boolean; first?: number; last?: number } = {}): string {
  const args = [...(opts.layout ? ['-layout'] : []), ...(opts.first ? ['-f', String(opts.first)] : []), ...(opts.last ? ['-l', String(opts.last)] : []), '-enc', 'UTF-8', '-', '-'];
  return execFileSync('pdftotext', args, { input: pdf }).toString('utf8');
}
function pdfInfo(pdf: Buffer): Record<string, string> {
  const out = execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8');
  return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
}
/** Runs of white space as one space, so a wrapped or column-laid-out phrase can be found. */
const squash = (s: string): string => s.replace(/\s+/g, ' ');

const ATTEMPT = '3f2a9c1b-7d4e-4a1b-9c3d-2e1f0a9b8c7d';
const meta: PrintMeta = { printedAt: Date.UTC(2026, 0, 14, 15, 42), printedBy: 'Priya Shah', attemptId: ATTEMPT };
const FOOTER = 'Printed 14 January 2026, 15:42 GMT by Priya Shah · attempt 3f2a9c1b';

let db: Db;
let repos: Repositories;
let hughes: Customer;
let recordInput: CustomerRecordInput;

beforeAll(() => {
  db = openDatabase(':memory:');
  migrate(db);
  repos = createRepositories(db);
  const centre = repos.centres.create({ name: 'Northgate College' });
  const candidate = repos.users.create({ username: 'priya', displayName: 'Priya Shah', role: 'candidate', centreId: centre.id, passwordHash: 'x' });
  repos.attempts.create({ id: ATTEMPT, centreId: centre.id, candidateUserId: candidate.id, scenarioKey: 'demo' }, meta.printedAt);
  copySeedToAttempt(repos, ATTEMPT, demoSeed(), meta.printedAt);
  hughes = repos.crm.findCustomerByAccount(ATTEMPT, 'BL100231')!;
  repos.crm.insertCallback(ATTEMPT, {
    customerId: hughes.id,
    kind: 'callback',
    dueAt: '2026-01-16T10:30',
    priority: 'high',
    reason: 'Confirm the engineer visit window.',
    phone: null,
    status: 'open',
    origin: 'attempt',
    createdAt: meta.printedAt,
  });
  repos.crm.insertCase(ATTEMPT, {
    customerId: hughes.id,
    type: 'complaint',
    category: 'BILLING',
    priority: 'urgent',
    status: 'open',
    escalated: true,
    description: 'Charged twice for the December bill; customer wants the duplicate refunded.',
    creditPence: 1250,
    origin: 'attempt',
    createdAt: meta.printedAt,
  });
  recordInput = {
    company: repos.crm.company(ATTEMPT)!,
    customer: hughes,
    notes: repos.crm.notesForCustomer(ATTEMPT, hughes.id),
    callbacks: repos.crm.callbacksForCustomer(ATTEMPT, hughes.id),
    cases: repos.crm.casesForCustomer(ATTEMPT, hughes.id),
    orders: repos.crm.ordersForCustomer(ATTEMPT, hughes.id),
    caseCategories: repos.crm.listCaseCategories(ATTEMPT),
  };
});
afterAll(() => db.close());

describe('customer record print-out', () => {
  it('is a real A4 PDF holding the whole record: details, notes, callbacks, cases and orders', () => {
    const { pdf, pages, title } = renderCustomerRecord(recordInput, meta);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(title).toBe('Customer record BL100231');
    const info = pdfInfo(pdf);
    expect(info['Page size']).toContain('(A4)');
    expect(Number(info.Pages)).toBe(pages);
    expect(info.Title).toBe('Customer record BL100231');
    expect(info.Author).toBe('Priya Shah');

    const text = squash(pdfToText(pdf));
    for (const expected of [
      'Brightline Home Services',
      'Customer record: Mrs Margaret Hughes',
      'BL100231',
      '17 April 1952',
      '14 Ashgrove Road',
      'Headingley',
      'Leeds',
      'LS6 3HN',
      '0113 496 0412',
      '07700 900412',
      'margaret.hughes@example.co.uk',
      'Contact preference',
      // the seeded note, the new callback, the new case and the seeded order
      'Explained the April annual price change.',
      'Confirm the engineer visit window.',
      '16 January 2026, 10:30',
      recordInput.cases[0]!.reference,
      'Charged twice for the December bill; customer wants the duplicate refunded.',
      recordInput.orders[0]!.reference,
      'Fibre 100',
      '£37.00',
      FOOTER,
      `Page 1 of ${pages}`,
    ]) {
      expect(text, expected).toContain(expected);
    }
    // Security answers are never printed.
    expect(text).not.toMatch(/bluebell/i);
  });

  it('runs on to more pages with the header row, footer and "Page n of N" on each', () => {
    const notes = Array.from({ length: 70 }, (_, i) => ({ id: 1000 + i, customerId: hughes.id, body: `Follow-up note number ${i + 1} about the broadband fault.`, origin: 'attempt' as const, createdAt: meta.printedAt - i * 3_600_000 }));
    const { pdf, pages } = renderCustomerRecord({ ...recordInput, notes }, meta);
    expect(pages).toBeGreaterThan(2);
    expect(Number(pdfInfo(pdf).Pages)).toBe(pages);
    for (let page = 1; page <= pages; page++) {
      const text = squash(pdfToText(pdf, { first: page, last: page }));
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
      expect(text, `page ${page}`).toContain(FOOTER);
    }
    const all = squash(pdfToText(pdf));
    expect(all).toContain('Follow-up note number 1 about the broadband fault.');
    expect(all).toContain('Follow-up note number 70 about the broadband fault.');
    expect(all).toContain('Written Note'); // the notes table's header row
    expect(all.indexOf('Orders (1)')).toBeGreaterThan(all.indexOf('Follow-up note number 70'));
  });

  it('keeps names outside the standard fonts readable (accents dropped, never garbage)', () => {
    const customer = { ...hughes, firstName: 'Zoë', lastName: 'Wiśniewska-Łukasz', addressLine1: '3 Café Row' };
    const text = squash(pdfToText(renderCustomerRecord({ ...recordInput, customer }, meta).pdf));
    expect(text).toContain('Mrs Zoë Wisniewska-Lukasz');
    expect(text).toContain('3 Café Row');
    expect(pdfText('Łódź ✓ “ok” £5 €6')).toBe('Lódz ? “ok” £5 €6');
  });
});

describe('order confirmation print-out', () => {
  it('holds the reference, customer, every line with quantity, unit price and line total, and the monthly and one-off totals', () => {
    const products = repos.crm.productsByCode(ATTEMPT);
    const mesh = products.get('WIFI-MESH')!;
    const tv = products.get('TV-ESSENTIALS')!;
    const order = repos.crm.insertOrder(ATTEMPT, {
      customerId: hughes.id,
      status: 'placed',
      origin: 'attempt',
      createdAt: meta.printedAt,
      lines: [
        { productId: tv.id, quantity: 2, unitPricePence: tv.pricePence, saleType: 'upsell' },
        { productId: mesh.id, quantity: 1, unitPricePence: mesh.pricePence, saleType: 'cross_sell' },
      ],
    });
    const { pdf, pages, title } = renderOrderConfirmation({ company: recordInput.company, customer: hughes, order }, meta);
    expect(title).toBe(`Order confirmation ${order.reference}`);
    expect(pages).toBe(1);
    const layout = pdfToText(pdf, { layout: true });
    const lines = layout.split('\n');
    // One row per order line, its columns in order: code, basis, quantity, unit price, line total.
    expect(lines.find((l) => l.includes('TV-ESSENTIALS'))).toMatch(/TV Essentials.*TV-ESSENTIALS\s+Monthly\s+2\s+£12\.00\s+£24\.00/);
    expect(lines.find((l) => l.includes('WIFI-MESH'))).toMatch(/Wi-Fi Mesh Extender.*WIFI-MESH\s+One-off\s+1\s+£59\.99\s+£59\.99/);
    const text = squash(layout);
    for (const expected of [
      `Order confirmation ${order.reference}`,
      '14 January 2026, 15:42 GMT',
      'Mrs Margaret Hughes',
      'BL100231',
      'LS6 3HN',
      'Monthly total £24.00 a month',
      'One-off total £59.99',
      'Order total £83.99',
      FOOTER,
      'Page 1 of 1',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });
});

describe('case form print-out', () => {
  it('holds the case reference, type, category (in the scenario\'s words, not its code), priority, escalation, credit, customer and description', () => {
    const kase = recordInput.cases.find((c) => c.category === 'BILLING')!;
    const { pdf, title } = renderCaseForm({ company: recordInput.company, customer: hughes, case: kase, caseCategories: [{ code: 'BILLING', label: 'Billing and payments' }] }, meta);
    expect(title).toBe(`Complaint form ${kase.reference}`);
    const text = squash(pdfToText(pdf, { layout: true }));
    for (const expected of [
      `Complaint form ${kase.reference}`,
      'Category Billing and payments',
      'Priority Urgent',
      'Escalated Yes',
      'Goodwill credit £12.50',
      'Mrs Margaret Hughes',
      'BL100231',
      'Charged twice for the December bill; customer wants the duplicate refunded.',
      FOOTER,
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain('BILLING');
  });
});

describe('determinism', () => {
  it('gives the same bytes for the same input and print time, and a different footer for another time', () => {
    const a = renderCustomerRecord(recordInput, meta).pdf;
    const b = renderCustomerRecord(recordInput, meta).pdf;
    expect(a.equals(b)).toBe(true);
    const later = renderCustomerRecord(recordInput, { ...meta, printedAt: Date.UTC(2026, 6, 1, 8, 5) }).pdf;
    expect(later.equals(a)).toBe(false);
    expect(squash(pdfToText(later))).toContain('Printed 1 July 2026, 09:05 BST by Priya Shah');
  });

  it('formats times as UK local time with the zone', () => {
    expect(formatUkDateTime(Date.UTC(2026, 0, 14, 15, 42))).toBe('14 January 2026, 15:42 GMT');
    expect(formatUkDateTime(Date.UTC(2026, 2, 29, 1, 0))).toBe('29 March 2026, 02:00 BST');
  });
});
