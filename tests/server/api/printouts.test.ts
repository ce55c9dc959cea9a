import { randomUUID } from 'node:crypto';
// Print-outs over the real app, a real SQLite file and real files on disk: the candidate prints a
// record, an order and a case; the PDF is stored under the attempt with its SHA-256, opens in
// pdftotext with the record's data in it, is listed as evidence and served (with Range) to those
// who may read the attempt; nobody else can find it, a closed attempt prints nothing, a subject of
// another attempt is unknown, and the table refuses changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PRINTOUTS_PER_ATTEMPT } from '../../../server/api/printout-routes.js';
import { printoutFile, storePrintout } from '../../../server/printouts/store.js';
import type { PrintoutSummary } from '../../../server/protocol/printouts.js';
import type { Role } from '../../../server/protocol/roles.js';
import { call as request } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, OTHER_CANDIDATE, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
const as: Partial<Record<Role | 'candidate3' | 'foreignAssessor', Login>> = {};
let attemptId: string;
let otherAttemptId: string;
let hughesId: number;

const call = (who: Login | undefined, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => request(t, who, method, url, payload, headers);
const print = (who: Login | undefined, attempt: string, kind: string, subjectId: unknown) => call(who, 'POST', `/api/attempts/${attempt}/printouts`, { kind, subjectId });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const pdfToText = (pdf: Buffer): string => execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
const printoutsDir = () => path.join(t.dir, 'printouts');
const filesOf = (attempt: string): string[] => {
  const dir = path.join(printoutsDir(), attempt);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};

beforeAll(async () => {
  t = await createTestApp();
  t.addUser(OTHER_CANDIDATE);
  t.addUser(FOREIGN_ASSESSOR);
  for (const role of ['candidate', 'assessor', 'moderator', 'admin'] as const) as[role] = await t.loginAs(role);
  as.candidate3 = await t.login('candidate3');
  as.foreignAssessor = await t.login('assessor2');
  const made = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
  if (made.statusCode !== 201) throw new Error(`attempt not created: ${made.statusCode} ${made.body}`);
  attemptId = made.json().attempt.id;
  const other = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.repos.users.findByUsernameWithHash('candidate3')!.id });
  otherAttemptId = other.json().attempt.id;
  hughesId = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!.id;
});
afterAll(async () => {
  await t.close();
});

describe('making print-outs', () => {
  let record: PrintoutSummary;

  it('prints a customer record: 201, the PDF stored under the attempt with its SHA-256, holding the record', async () => {
    t.clock.advance(60_000);
    const res = await print(as.candidate, attemptId, 'customer', hughesId);
    expect(res.statusCode, res.body).toBe(201);
    record = res.json().printout;
    expect(record).toMatchObject({ kind: 'customer', subjectId: hughesId, title: 'Customer record BL100231', createdAt: t.clock.now(), url: `/api/attempts/${attemptId}/printouts/${record.id}` });
    expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(record.pages).toBeGreaterThanOrEqual(1);

    const file = path.join(printoutsDir(), attemptId, `${record.id}-customer.pdf`);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(record.bytes);
    expect(sha256(bytes)).toBe(record.sha256);
    expect(filesOf(attemptId)).toEqual([`${record.id}-customer.pdf`]); // no temporary file left behind

    const text = pdfToText(bytes);
    for (const expected of ['Brightline Home Services', 'Mrs Margaret Hughes', 'BL100231', '14 Ashgrove Road', 'LS6 3HN', '0113 496 0412', 'margaret.hughes@example.co.uk', 'Printed 1 January 2026, 09:01 GMT by Test candidate']) {
      expect(text, expected).toContain(expected);
    }
    expect(text).toContain(`attempt ${attemptId.slice(0, 8)}`);

    const row = t.repos.printouts.find(attemptId, record.id)!;
    expect(row).toMatchObject({ attemptId, kind: 'customer', subjectId: hughesId, file: `${attemptId}/${record.id}-customer.pdf`, sha256: record.sha256, bytes: record.bytes, createdBy: t.users.candidate });
  });

  it('prints an order confirmation with its lines and totals', async () => {
    const ordered = await call(as.candidate, 'POST', `/api/attempts/${attemptId}/customers/${hughesId}/orders`, { lines: [{ productCode: 'BB-GIGA-900', quantity: 1, saleType: 'upsell' }, { productCode: 'WIFI-MESH', quantity: 2 }] });
    expect(ordered.statusCode, ordered.body).toBe(201);
    const order = ordered.json().order as { id: number; reference: string };
    const res = await print(as.candidate, attemptId, 'order', order.id);
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json().printout as PrintoutSummary;
    expect(p).toMatchObject({ kind: 'order', subjectId: order.id, title: `Order confirmation ${order.reference}` });
    const text = pdfToText(fs.readFileSync(path.join(printoutsDir(), attemptId, `${p.id}-order.pdf`)));
    for (const expected of [order.reference, 'Gigabit 900', 'BB-GIGA-900', '£52.00', 'Wi-Fi Mesh Extender', '£119.98', 'Monthly total', '£52.00 a month', 'One-off total', 'Mrs Margaret Hughes']) {
      expect(text, expected).toContain(expected);
    }
  });

  it('prints a complaint form', async () => {
    const made = await call(as.candidate, 'POST', `/api/attempts/${attemptId}/customers/${hughesId}/cases`, {
      type: 'complaint',
      priority: 'high',
      category: 'MISSED_APPOINTMENT',
      escalated: true,
      description: 'Engineer did not arrive on 12 January; customer took the day off work.',
    });
    expect(made.statusCode, made.body).toBe(201);
    const kase = made.json().case as { id: number; reference: string };
    const res = await print(as.candidate, attemptId, 'case', kase.id);
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json().printout as PrintoutSummary;
    expect(p.title).toBe(`Complaint form ${kase.reference}`);
    const text = pdfToText(fs.readFileSync(path.join(printoutsDir(), attemptId, `${p.id}-case.pdf`)));
    for (const expected of [kase.reference, 'Missed appointment', 'High', 'Engineer did not arrive on 12 January; customer took the day off work.', 'BL100231']) {
      expect(text, expected).toContain(expected);
    }
  });

  it('refuses an unknown kind or a subject id that is not a number (400 naming the field)', async () => {
    const before = filesOf(attemptId);
    const kind = await print(as.candidate, attemptId, 'invoice', hughesId);
    expect(kind.statusCode).toBe(400);
    expect(kind.json()).toMatchObject({ error: 'validation', field: 'kind' });
    const subject = await print(as.candidate, attemptId, 'customer', String(hughesId));
    expect(subject.statusCode).toBe(400);
    expect(subject.json()).toMatchObject({ error: 'validation', field: 'subjectId' });
    expect(filesOf(attemptId)).toEqual(before);
  });

  it('answers 404 for a customer, order or case of another attempt, or none at all, and stores nothing', async () => {
    const theirCustomer = t.repos.crm.findCustomerByAccount(otherAttemptId, 'BL100231')!;
    const theirOrder = t.repos.crm.ordersForCustomer(otherAttemptId, theirCustomer.id)[0]!;
    const theirCase = t.repos.crm.listCustomers(otherAttemptId).flatMap((c) => t.repos.crm.casesForCustomer(otherAttemptId, c.id))[0]!;
    // Not also ids of this attempt, or the test would prove nothing.
    expect(t.repos.crm.findCustomer(attemptId, theirCustomer.id)).toBeUndefined();
    expect(t.repos.crm.findOrder(attemptId, theirOrder.id)).toBeUndefined();
    const before = t.repos.printouts.list(attemptId).length;
    const files = filesOf(attemptId);
    for (const [kind, id] of [['customer', theirCustomer.id], ['order', theirOrder.id], ['case', theirCase.id], ['customer', 999_999]] as const) {
      const res = await print(as.candidate, attemptId, kind, id);
      expect(res.statusCode, `${kind} ${id}`).toBe(404);
      expect(res.json().error).toBe('not_found');
    }
    expect(t.repos.printouts.list(attemptId)).toHaveLength(before);
    expect(filesOf(attemptId)).toEqual(files);
  });
});

describe('reading print-outs', () => {
  let first: PrintoutSummary;

  it('lists the attempt\'s print-outs, in the order made, to its candidate, the centre\'s assessor, moderators and admins', async () => {
    for (const who of [as.candidate, as.assessor, as.moderator, as.admin]) {
      const res = await call(who, 'GET', `/api/attempts/${attemptId}/printouts`);
      expect(res.statusCode, res.body).toBe(200);
      const list = res.json().printouts as PrintoutSummary[];
      expect(list.map((p) => p.kind)).toEqual(['customer', 'order', 'case']);
      expect(list.map((p) => p.id)).toEqual(t.repos.printouts.list(attemptId).map((p) => p.id));
    }
    first = (await call(as.assessor, 'GET', `/api/attempts/${attemptId}/printouts`)).json().printouts[0];
  });

  it('serves the PDF itself: application/pdf, inline with a safe file name, the stored bytes', async () => {
    const res = await call(as.assessor, 'GET', first.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="customer-record-BL100231.pdf"');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.rawPayload.length).toBe(first.bytes);
    expect(sha256(res.rawPayload)).toBe(first.sha256);
    expect(pdfToText(res.rawPayload)).toContain('Mrs Margaret Hughes');
  });

  it('serves byte ranges (206) and refuses one beyond the end (416)', async () => {
    const head = await call(as.moderator, 'GET', first.url, undefined, { range: 'bytes=0-7' });
    expect(head.statusCode).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-7/${first.bytes}`);
    expect(head.rawPayload.toString('latin1')).toBe('%PDF-1.3');
    const tail = await call(as.candidate, 'GET', first.url, undefined, { range: 'bytes=-6' });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.toString('latin1')).toBe('%%EOF\n');
    const beyond = await call(as.admin, 'GET', first.url, undefined, { range: `bytes=${first.bytes + 10}-` });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${first.bytes}`);
  });

  it('gives another candidate and a foreign assessor the same 404 as an unknown attempt, for making, listing and reading', async () => {
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const unknownList = await call(as.candidate3, 'GET', `/api/attempts/${unknown}/printouts`);
    expect(unknownList.statusCode).toBe(404);
    for (const who of [as.candidate3, as.foreignAssessor]) {
      const list = await call(who, 'GET', `/api/attempts/${attemptId}/printouts`);
      expect(list.statusCode).toBe(404);
      expect(list.body).toBe(unknownList.body);
      const pdf = await call(who, 'GET', first.url);
      expect(pdf.statusCode).toBe(404);
      expect(pdf.body).toBe(unknownList.body);
    }
    const made = await print(as.candidate3, attemptId, 'customer', hughesId);
    expect(made.statusCode).toBe(404);
    expect(made.body).toBe(unknownList.body);
    // The centre's assessor reads but does not print.
    expect((await print(as.assessor, attemptId, 'customer', hughesId)).statusCode).toBe(403);
  });

  it('answers 404 for an unknown print-out, or one of another attempt asked for under this one', async () => {
    const made = await print(as.candidate3, otherAttemptId, 'customer', t.repos.crm.findCustomerByAccount(otherAttemptId, 'BL100231')!.id);
    expect(made.statusCode, made.body).toBe(201);
    const theirs = made.json().printout as PrintoutSummary;
    expect((await call(as.assessor, 'GET', theirs.url)).statusCode).toBe(200);
    const crossed = await call(as.assessor, 'GET', `/api/attempts/${attemptId}/printouts/${theirs.id}`);
    expect(crossed.statusCode).toBe(404);
    expect(crossed.json()).toMatchObject({ error: 'not_found', message: 'There is no such print-out.' });
    expect((await call(as.assessor, 'GET', `/api/attempts/${attemptId}/printouts/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
  });

  it('never reads outside the print-outs directory', async () => {
    for (const url of [`/api/attempts/${attemptId}/printouts/..%2F..%2Ftest.sqlite`, `/api/attempts/${attemptId}/printouts/%2E%2E`]) {
      const res = await call(as.admin, 'GET', url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-type']).not.toBe('application/pdf');
    }
    expect(printoutFile(printoutsDir(), { file: '../test.sqlite' })).toBeUndefined();
    expect(printoutFile(printoutsDir(), { file: `${attemptId}/../../test.sqlite` })).toBeUndefined();
    expect(printoutFile(printoutsDir(), { file: '/etc/passwd' })).toBeUndefined();
    expect(printoutFile(printoutsDir(), { file: `${attemptId}/x.pdf` })).toEqual({ root: path.resolve(printoutsDir()), relative: path.join(attemptId, 'x.pdf') });
    // The table itself refuses a file name that climbs out or is absolute.
    const row = { ...t.repos.printouts.list(attemptId)[0]!, id: '00000000-0000-4000-8000-0000000000ff' };
    expect(() => t.repos.printouts.insert({ ...row, file: '../test.sqlite' })).toThrow(/CHECK constraint/);
    expect(() => t.repos.printouts.insert({ ...row, file: '/etc/passwd' })).toThrow(/CHECK constraint/);
  });

  it('answers 404 when a stored print-out\'s file has gone missing', async () => {
    const made = await print(as.candidate, attemptId, 'customer', hughesId);
    const p = made.json().printout as PrintoutSummary;
    fs.rmSync(path.join(printoutsDir(), attemptId, `${p.id}-customer.pdf`));
    const res = await call(as.assessor, 'GET', p.url);
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('The print-out file is missing.');
  });
});

describe('evidence is kept', () => {
  it('a closed attempt prints nothing more (409) but its print-outs can still be listed and read', async () => {
    const made = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
    const closedId: string = made.json().attempt.id;
    const customerId = t.repos.crm.findCustomerByAccount(closedId, 'BL100232')!.id;
    const before = await print(as.candidate, closedId, 'customer', customerId);
    expect(before.statusCode, before.body).toBe(201);
    t.repos.db.prepare("UPDATE attempts SET status = 'closed', closed_at = ? WHERE id = ?").run(t.clock.now(), closedId);

    const after = await print(as.candidate, closedId, 'customer', customerId);
    expect(after.statusCode).toBe(409);
    expect(after.json().error).toBe('attempt_closed');
    expect(t.repos.printouts.list(closedId)).toHaveLength(1);
    expect(filesOf(closedId)).toHaveLength(1);

    const list = await call(as.assessor, 'GET', `/api/attempts/${closedId}/printouts`);
    expect(list.json().printouts).toHaveLength(1);
    const pdf = await call(as.candidate, 'GET', before.json().printout.url);
    expect(pdf.statusCode).toBe(200);
    expect(pdfToText(pdf.rawPayload)).toContain('BL100232');
  });

  it('the print-outs table is append-only: UPDATE and DELETE are refused', () => {
    const p = t.repos.printouts.list(attemptId)[0]!;
    expect(() => t.repos.db.prepare('UPDATE attempt_printouts SET sha256 = ? WHERE id = ?').run('0'.repeat(64), p.id)).toThrow(/append-only/);
    expect(() => t.repos.db.prepare('DELETE FROM attempt_printouts WHERE id = ?').run(p.id)).toThrow(/append-only/);
    expect(t.repos.printouts.find(attemptId, p.id)).toEqual(p);
  });
});

describe('print-out limits', () => {
  it('refuses print-outs past the per-attempt quota, before rendering anything', async () => {
    const fresh = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
    const id = fresh.json().attempt.id as string;
    const customer = t.repos.crm.listCustomers(id)[0]!;
    const insert = t.repos.db.prepare(
      `INSERT INTO attempt_printouts (id, attempt_id, kind, subject_id, title, file, sha256, bytes, pages, created_at, created_by)
       VALUES (?, ?, 'customer', ?, 'x', ?, ?, 1, 1, 1, ?)`,
    );
    for (let i = 0; i < MAX_PRINTOUTS_PER_ATTEMPT; i++) {
      const pid = randomUUID();
      insert.run(pid, id, customer.id, `${id}/${pid}-customer.pdf`, 'a'.repeat(64), t.users.candidate);
    }
    const res = await print(as.candidate, id, 'customer', customer.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('quota');
  });
});

describe('a print-out whose attempt closes while it is written', () => {
  it('is not kept: no row and no file', async () => {
    const before = filesOf(otherAttemptId);
    const rowsBefore = t.repos.printouts.list(otherAttemptId).length;
    await expect(
      storePrintout(t.repos, printoutsDir(), {
        attemptId: otherAttemptId,
        kind: 'customer',
        subjectId: 1,
        rendered: { pdf: Buffer.from('%PDF-1.4\n%%EOF\n'), title: 'Customer record', pages: 1 },
        createdAt: t.clock.now(),
        createdBy: t.users.candidate,
        stillAllowed: () => {
          throw new Error('This attempt is closed.');
        },
      }),
    ).rejects.toThrow(/closed/);
    expect(filesOf(otherAttemptId)).toEqual(before);
    expect(t.repos.printouts.list(otherAttemptId)).toHaveLength(rowsBefore);
  });
});
