// The CRM data of each assignment attempt (migrations 4 and 10): customers, security answers and
// identity checks, products, orders, cases and their categories, notes, callbacks, messages with
// their folders and the auto-reply, call list, wrap-up, knowledge base, scripts, templates and
// documents. Every method takes the attempt id and every query is scoped by
// it, so one attempt's rows are never read or changed through another attempt.
import type { MessageAttachment as Attachment, AutoReply, CallListEntry, Callback, Case, CaseCategory, Company, CrmDocument, Customer, CustomerFields, IdentityCheck, IdentityCheckResult, KbArticle, Message, MessageTemplate, Note, Order, OrderLine, OrderStatus, Origin, PriceBasis, Product, SaleType, Script, SecurityQuestion, WrapUp, WrapUpCode } from '../../protocol/crm.js';
export type * from '../../protocol/crm.js';
export type { MessageAttachment as Attachment } from '../../protocol/crm.js';
import { selectFrom, type Columns } from '../columns.js';
import type { Db } from '../connection.js';

/** The stored form also keeps the national digits of each number for lookups. */
export interface NewCustomer extends CustomerFields {
  accountNumber: string;
  phoneNorm: string;
  mobileNorm: string | null;
}

export type CustomerUpdate = Partial<CustomerFields> & { phoneNorm?: string; mobileNorm?: string | null };

export interface NewOrderLine {
  productId: number;
  quantity: number;
  unitPricePence: number;
  saleType: SaleType;
}

/** What a customer search looks for (prepared by the caller from the query text). */
export interface CustomerSearch {
  /** The query as typed, trimmed: account number (prefix) and e-mail (contains). */
  text: string;
  /** Name words: every one must start the title, first or last name. */
  nameTokens: string[];
  /** The query without spaces, upper case: postcode prefix. */
  postcode: string;
  /** National phone digits to look for inside the numbers on file, when the query looks like one. */
  phoneDigits: string | null;
}

const COUNTED_TABLES = [
  'company', 'customers', 'security_answers', 'identity_checks', 'products', 'orders', 'order_lines', 'cases', 'notes', 'callbacks',
  'messages', 'call_list', 'wrap_up_codes', 'wrap_ups', 'kb_articles', 'scripts', 'message_templates', 'documents',
  'case_categories', 'message_folders', 'auto_replies',
] as const;
/** Rows per CRM table (without the crm_ prefix) of one attempt. */
export type CrmCounts = Record<(typeof COUNTED_TABLES)[number], number>;

/** The columns of the fields a candidate may edit, in the record's order. */
const FIELD_COLUMNS = {
  title: 'title',
  firstName: 'first_name',
  lastName: 'last_name',
  dateOfBirth: 'date_of_birth',
  addressLine1: 'address_line1',
  addressLine2: 'address_line2',
  town: 'town',
  postcode: 'postcode',
  phone: 'phone',
  mobile: 'mobile',
  email: 'email',
  contactPreference: 'contact_preference',
  doNotCall: 'do_not_call',
} as const satisfies Record<keyof CustomerFields, string>;
const CUSTOMER_COLUMNS: Columns<Customer> = {
  id: 'id',
  accountNumber: 'account_number',
  ...FIELD_COLUMNS,
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const UPDATABLE_COLUMNS: Record<keyof CustomerUpdate, string> = { ...FIELD_COLUMNS, phoneNorm: 'phone_norm', mobileNorm: 'mobile_norm' };
const SELECT_CUSTOMER = selectFrom('crm_customers', CUSTOMER_COLUMNS);
const CUSTOMER_ORDER = 'ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, account_number';
/** The most rows one search answers: enough for any sensible query, bounded for a careless one. */
export const MAX_SEARCH_RESULTS = 200;

type Row<T, K extends keyof T> = Omit<T, K> & { [P in K]: unknown };
const toCustomer = (r: Row<Customer, 'doNotCall'>): Customer => ({ ...r, doNotCall: r.doNotCall === 1 });
const json = <T>(text: unknown): T => JSON.parse(String(text)) as T;
/** LIKE pattern with the wildcards of the value escaped (used with ESCAPE '\'). */
const likeEscape = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
const sqlBool = (b: boolean): number => (b ? 1 : 0);

export class CrmRepository {
  constructor(private readonly db: Db) {}

  // --- company -----------------------------------------------------------------------------------

  insertCompany(attemptId: string, c: Company): void {
    this.db.prepare('INSERT INTO crm_company (attempt_id, name, email, phone, website) VALUES (?, ?, ?, ?, ?)').run(attemptId, c.name, c.email, c.phone, c.website);
  }

  company(attemptId: string): Company | undefined {
    return this.db.prepare('SELECT name, email, phone, website FROM crm_company WHERE attempt_id = ?').get(attemptId) as Company | undefined;
  }

  // --- customers ---------------------------------------------------------------------------------

  insertCustomer(attemptId: string, c: NewCustomer, now: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO crm_customers (attempt_id, account_number, title, first_name, last_name, date_of_birth, address_line1, address_line2,
           town, postcode, phone, phone_norm, mobile, mobile_norm, email, contact_preference, do_not_call, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      )
      .run(
        attemptId, c.accountNumber, c.title, c.firstName, c.lastName, c.dateOfBirth, c.addressLine1, c.addressLine2,
        c.town, c.postcode, c.phone, c.phoneNorm, c.mobile, c.mobileNorm, c.email, c.contactPreference, sqlBool(c.doNotCall), now, now,
      );
    return Number(info.lastInsertRowid);
  }

  findCustomer(attemptId: string, id: number): Customer | undefined {
    const row = this.db.prepare(`${SELECT_CUSTOMER} WHERE attempt_id = ? AND id = ?`).get(attemptId, id) as Row<Customer, 'doNotCall'> | undefined;
    return row && toCustomer(row);
  }

  findCustomerByAccount(attemptId: string, accountNumber: string): Customer | undefined {
    const row = this.db.prepare(`${SELECT_CUSTOMER} WHERE attempt_id = ? AND account_number = ?`).get(attemptId, accountNumber) as Row<Customer, 'doNotCall'> | undefined;
    return row && toCustomer(row);
  }

  listCustomers(attemptId: string): Customer[] {
    return (this.db.prepare(`${SELECT_CUSTOMER} WHERE attempt_id = ? ${CUSTOMER_ORDER}`).all(attemptId) as Array<Row<Customer, 'doNotCall'>>).map(toCustomer);
  }

  /** Customers whose phone or mobile is exactly this number (national digits): the screen pop. */
  customersByPhone(attemptId: string, national: string): Customer[] {
    const rows = this.db
      .prepare(`${SELECT_CUSTOMER} WHERE attempt_id = ? AND (phone_norm = ? OR mobile_norm = ?) ${CUSTOMER_ORDER}`)
      .all(attemptId, national, national) as Array<Row<Customer, 'doNotCall'>>;
    return rows.map(toCustomer);
  }

  /** Customers matching a search by name, account number, e-mail, postcode or phone. */
  searchCustomers(attemptId: string, s: CustomerSearch): Customer[] {
    const params: Record<string, string> = {
      attemptId,
      textPrefix: `${likeEscape(s.text)}%`,
      textContains: `%${likeEscape(s.text)}%`,
      postcodePrefix: `${likeEscape(s.postcode)}%`,
    };
    const alternatives = [
      `account_number LIKE @textPrefix ESCAPE '\\'`,
      `email LIKE @textContains ESCAPE '\\'`,
      `REPLACE(UPPER(postcode), ' ', '') LIKE @postcodePrefix ESCAPE '\\'`,
    ];
    if (s.phoneDigits) {
      params.phoneDigits = `%${likeEscape(s.phoneDigits)}%`;
      alternatives.push(`phone_norm LIKE @phoneDigits ESCAPE '\\'`, `mobile_norm LIKE @phoneDigits ESCAPE '\\'`);
    }
    if (s.nameTokens.length > 0) {
      const each = s.nameTokens.map((token, i) => {
        params[`name${i}`] = `${likeEscape(token)}%`;
        return `(first_name LIKE @name${i} ESCAPE '\\' OR last_name LIKE @name${i} ESCAPE '\\' OR title LIKE @name${i} ESCAPE '\\')`;
      });
      alternatives.push(`(${each.join(' AND ')})`);
    }
    const rows = this.db
      .prepare(`${SELECT_CUSTOMER} WHERE attempt_id = @attemptId AND (${alternatives.join(' OR ')}) ${CUSTOMER_ORDER} LIMIT ${MAX_SEARCH_RESULTS}`)
      .all(params) as Array<Row<Customer, 'doNotCall'>>;
    return rows.map(toCustomer);
  }

  /**
   * Changes the named fields if the record is still at expectedVersion, and moves it to the next
   * version. False when the version was stale (or the record is not in this attempt): nothing changed.
   */
  updateCustomer(attemptId: string, id: number, expectedVersion: number, fields: CustomerUpdate, now: number): boolean {
    const keys = Object.keys(fields) as Array<keyof CustomerUpdate>;
    const sets = keys.map((k) => `${UPDATABLE_COLUMNS[k]} = @${k}`);
    const values: Record<string, unknown> = { attemptId, id, expectedVersion, now };
    for (const k of keys) {
      const v = fields[k];
      values[k] = typeof v === 'boolean' ? sqlBool(v) : v;
    }
    return (
      this.db
        .prepare(
          `UPDATE crm_customers SET ${[...sets, 'version = version + 1', 'updated_at = @now'].join(', ')}
           WHERE attempt_id = @attemptId AND id = @id AND version = @expectedVersion`,
        )
        .run(values).changes === 1
    );
  }

  // --- security questions and identity checks ----------------------------------------------------

  insertSecurityAnswer(attemptId: string, customerId: number, position: number, question: string, answer: string): number {
    return Number(
      this.db
        .prepare('INSERT INTO crm_security_answers (attempt_id, customer_id, position, question, answer) VALUES (?, ?, ?, ?, ?)')
        .run(attemptId, customerId, position, question, answer).lastInsertRowid,
    );
  }

  /** The questions only, as the desktop may show them. */
  securityQuestions(attemptId: string, customerId: number): SecurityQuestion[] {
    return this.db
      .prepare('SELECT id, question FROM crm_security_answers WHERE attempt_id = ? AND customer_id = ? ORDER BY position, id')
      .all(attemptId, customerId) as SecurityQuestion[];
  }

  /** Questions with their expected answers, for checking; never sent to the desktop. */
  securityAnswers(attemptId: string, customerId: number): Array<SecurityQuestion & { answer: string }> {
    return this.db
      .prepare('SELECT id, question, answer FROM crm_security_answers WHERE attempt_id = ? AND customer_id = ? ORDER BY position, id')
      .all(attemptId, customerId) as Array<SecurityQuestion & { answer: string }>;
  }

  insertIdentityCheck(attemptId: string, customerId: number, passed: boolean, results: IdentityCheckResult[], now: number): IdentityCheck {
    const info = this.db
      .prepare('INSERT INTO crm_identity_checks (attempt_id, customer_id, passed, results, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(attemptId, customerId, sqlBool(passed), JSON.stringify(results), now);
    return { id: Number(info.lastInsertRowid), customerId, passed, results, createdAt: now };
  }

  identityChecks(attemptId: string, customerId: number): IdentityCheck[] {
    const rows = this.db
      .prepare('SELECT id, customer_id AS customerId, passed, results, created_at AS createdAt FROM crm_identity_checks WHERE attempt_id = ? AND customer_id = ? ORDER BY id')
      .all(attemptId, customerId) as Array<Row<IdentityCheck, 'passed' | 'results'>>;
    return rows.map((r) => ({ ...r, passed: r.passed === 1, results: json<IdentityCheckResult[]>(r.results) }));
  }

  // --- products and orders -----------------------------------------------------------------------

  insertProduct(attemptId: string, p: Omit<Product, 'id'>): number {
    return Number(
      this.db
        .prepare('INSERT INTO crm_products (attempt_id, code, name, category, features, benefits, price_pence, price_basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(attemptId, p.code, p.name, p.category, JSON.stringify(p.features), JSON.stringify(p.benefits), p.pricePence, p.priceBasis).lastInsertRowid,
    );
  }

  listProducts(attemptId: string): Product[] {
    const rows = this.db
      .prepare(
        `SELECT id, code, name, category, features, benefits, price_pence AS pricePence, price_basis AS priceBasis
         FROM crm_products WHERE attempt_id = ? ORDER BY category, price_pence, code`,
      )
      .all(attemptId) as Array<Row<Product, 'features' | 'benefits'>>;
    return rows.map((r) => ({ ...r, features: json<string[]>(r.features), benefits: json<string[]>(r.benefits) }));
  }

  /** Products by code, for pricing an order. */
  productsByCode(attemptId: string): Map<string, Product> {
    return new Map(this.listProducts(attemptId).map((p) => [p.code, p]));
  }

  private nextReference(table: 'crm_orders' | 'crm_cases', attemptId: string, prefix: string): string {
    const n = (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE attempt_id = ?`).get(attemptId) as { n: number }).n + 1;
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }

  /** Stores an order with its lines; line totals and the order total are the sums of the given prices. */
  insertOrder(attemptId: string, o: { customerId: number; status: OrderStatus; origin: Origin; createdAt: number; lines: NewOrderLine[] }): Order {
    const reference = this.nextReference('crm_orders', attemptId, 'ORD');
    const total = o.lines.reduce((sum, l) => sum + l.quantity * l.unitPricePence, 0);
    const info = this.db
      .prepare('INSERT INTO crm_orders (attempt_id, customer_id, reference, status, total_pence, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(attemptId, o.customerId, reference, o.status, total, o.origin, o.createdAt);
    const orderId = Number(info.lastInsertRowid);
    const insertLine = this.db.prepare(
      `INSERT INTO crm_order_lines (attempt_id, order_id, product_id, quantity, unit_price_pence, line_total_pence, sale_type)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of o.lines) insertLine.run(attemptId, orderId, l.productId, l.quantity, l.unitPricePence, l.quantity * l.unitPricePence, l.saleType);
    return this.findOrder(attemptId, orderId)!;
  }

  private orderLines(attemptId: string, orderIds: number[]): Map<number, OrderLine[]> {
    const byOrder = new Map<number, OrderLine[]>(orderIds.map((id) => [id, []]));
    if (orderIds.length === 0) return byOrder;
    const rows = this.db
      .prepare(
        `SELECT l.order_id AS orderId, l.id, l.product_id AS productId, p.code AS productCode, p.name AS productName, l.quantity,
           l.unit_price_pence AS unitPricePence, l.line_total_pence AS lineTotalPence, p.price_basis AS priceBasis, l.sale_type AS saleType
         FROM crm_order_lines l JOIN crm_products p ON p.id = l.product_id
         WHERE l.attempt_id = ? AND l.order_id IN (${orderIds.map(() => '?').join(', ')}) ORDER BY l.id`,
      )
      .all(attemptId, ...orderIds) as Array<OrderLine & { orderId: number }>;
    for (const { orderId, ...line } of rows) byOrder.get(orderId)?.push(line);
    return byOrder;
  }

  private ordersWhere(attemptId: string, where: string, ...params: unknown[]): Order[] {
    const rows = this.db
      .prepare(
        `SELECT id, customer_id AS customerId, reference, status, total_pence AS totalPence, origin, created_at AS createdAt
         FROM crm_orders WHERE attempt_id = ? AND ${where} ORDER BY created_at DESC, id DESC`,
      )
      .all(attemptId, ...params) as Array<Omit<Order, 'lines' | 'monthlyPence' | 'oneOffPence'>>;
    const lines = this.orderLines(attemptId, rows.map((r) => r.id));
    return rows.map((r) => {
      const ls = lines.get(r.id) ?? [];
      const part = (basis: PriceBasis) => ls.filter((l) => l.priceBasis === basis).reduce((s, l) => s + l.lineTotalPence, 0);
      return { ...r, monthlyPence: part('monthly'), oneOffPence: part('one_off'), lines: ls };
    });
  }

  findOrder(attemptId: string, id: number): Order | undefined {
    return this.ordersWhere(attemptId, 'id = ?', id)[0];
  }

  ordersForCustomer(attemptId: string, customerId: number): Order[] {
    return this.ordersWhere(attemptId, 'customer_id = ?', customerId);
  }

  // --- cases, notes, callbacks -------------------------------------------------------------------

  insertCaseCategory(attemptId: string, c: CaseCategory): void {
    this.db.prepare('INSERT INTO crm_case_categories (attempt_id, code, label) VALUES (?, ?, ?)').run(attemptId, c.code, c.label);
  }

  /** The attempt's case categories, in the scenario's order. */
  listCaseCategories(attemptId: string): CaseCategory[] {
    return this.db.prepare('SELECT code, label FROM crm_case_categories WHERE attempt_id = ? ORDER BY id').all(attemptId) as CaseCategory[];
  }

  /** One case of the attempt, whichever customer it belongs to. */
  findCase(attemptId: string, id: number): Case | undefined {
    const row = this.db
      .prepare(
        `SELECT id, customer_id AS customerId, reference, type, category, priority, status, escalated, description, credit_pence AS creditPence,
           origin, created_at AS createdAt
         FROM crm_cases WHERE attempt_id = ? AND id = ?`,
      )
      .get(attemptId, id) as Row<Case, 'escalated'> | undefined;
    return row && { ...row, escalated: row.escalated === 1 };
  }

  /** One callback or task of the attempt. */
  findCallback(attemptId: string, id: number): Callback | undefined {
    return this.db
      .prepare(
        `SELECT id, customer_id AS customerId, kind, due_at AS dueAt, priority, reason, phone, status, origin, created_at AS createdAt
         FROM crm_callbacks WHERE attempt_id = ? AND id = ?`,
      )
      .get(attemptId, id) as Callback | undefined;
  }

  insertCase(attemptId: string, c: Omit<Case, 'id' | 'reference'>): Case {
    const reference = this.nextReference('crm_cases', attemptId, 'CAS');
    const info = this.db
      .prepare(
        `INSERT INTO crm_cases (attempt_id, customer_id, reference, type, category, priority, status, escalated, description, credit_pence, origin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(attemptId, c.customerId, reference, c.type, c.category, c.priority, c.status, sqlBool(c.escalated), c.description, c.creditPence, c.origin, c.createdAt);
    return { ...c, id: Number(info.lastInsertRowid), reference };
  }

  casesForCustomer(attemptId: string, customerId: number): Case[] {
    const rows = this.db
      .prepare(
        `SELECT id, customer_id AS customerId, reference, type, category, priority, status, escalated, description, credit_pence AS creditPence,
           origin, created_at AS createdAt
         FROM crm_cases WHERE attempt_id = ? AND customer_id = ? ORDER BY created_at DESC, id DESC`,
      )
      .all(attemptId, customerId) as Array<Row<Case, 'escalated'>>;
    return rows.map((r) => ({ ...r, escalated: r.escalated === 1 }));
  }

  insertNote(attemptId: string, n: Omit<Note, 'id'>): Note {
    const info = this.db
      .prepare('INSERT INTO crm_notes (attempt_id, customer_id, body, origin, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(attemptId, n.customerId, n.body, n.origin, n.createdAt);
    return { ...n, id: Number(info.lastInsertRowid) };
  }

  notesForCustomer(attemptId: string, customerId: number): Note[] {
    return this.db
      .prepare(
        `SELECT id, customer_id AS customerId, body, origin, created_at AS createdAt
         FROM crm_notes WHERE attempt_id = ? AND customer_id = ? ORDER BY created_at DESC, id DESC`,
      )
      .all(attemptId, customerId) as Note[];
  }

  insertCallback(attemptId: string, c: Omit<Callback, 'id'>): Callback {
    const info = this.db
      .prepare(
        `INSERT INTO crm_callbacks (attempt_id, customer_id, kind, due_at, priority, reason, phone, status, origin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(attemptId, c.customerId, c.kind, c.dueAt, c.priority, c.reason, c.phone, c.status, c.origin, c.createdAt);
    return { ...c, id: Number(info.lastInsertRowid) };
  }

  callbacksForCustomer(attemptId: string, customerId: number): Callback[] {
    return this.db
      .prepare(
        `SELECT id, customer_id AS customerId, kind, due_at AS dueAt, priority, reason, phone, status, origin, created_at AS createdAt
         FROM crm_callbacks WHERE attempt_id = ? AND customer_id = ? ORDER BY due_at, id`,
      )
      .all(attemptId, customerId) as Callback[];
  }

  // --- messages ----------------------------------------------------------------------------------

  /** Stores a message; a new one is in no folder. */
  insertMessage(attemptId: string, m: Omit<Message, 'id' | 'folder' | 'filedAt' | 'inReplyTo'> & { inReplyTo?: number | null }): Message {
    const inReplyTo = m.inReplyTo ?? null;
    const info = this.db
      .prepare(
        `INSERT INTO crm_messages (attempt_id, customer_id, direction, channel, from_address, to_address, cc, subject, body, template_key, attachments, origin, created_at, in_reply_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        attemptId, m.customerId, m.direction, m.channel, m.from, m.to, JSON.stringify(m.cc), m.subject, m.body, m.templateKey,
        JSON.stringify(m.attachments), m.origin, m.createdAt, inReplyTo,
      );
    return { ...m, id: Number(info.lastInsertRowid), folder: null, filedAt: null, inReplyTo };
  }

  private messagesWhere(where: string, params: Record<string, unknown>): Message[] {
    const rows = this.db
      .prepare(
        `SELECT id, customer_id AS customerId, direction, channel, from_address AS "from", to_address AS "to", cc, subject, body,
           template_key AS templateKey, attachments, origin, created_at AS createdAt, folder, filed_at AS filedAt, in_reply_to AS inReplyTo
         FROM crm_messages WHERE attempt_id = @attemptId AND ${where} ORDER BY created_at DESC, id DESC`,
      )
      .all(params) as Array<Row<Message, 'cc' | 'attachments'>>;
    return rows.map((r) => ({ ...r, cc: json<string[]>(r.cc), attachments: json<Attachment[]>(r.attachments) }));
  }

  /** Messages of the attempt, newest first; optionally only one direction. */
  listMessages(attemptId: string, direction?: 'in' | 'out'): Message[] {
    return this.messagesWhere('(@direction IS NULL OR direction = @direction)', { attemptId, direction: direction ?? null });
  }

  findMessage(attemptId: string, id: number): Message | undefined {
    return this.messagesWhere('id = @id', { attemptId, id })[0];
  }

  /** Files an incoming message in a folder (null: back to the inbox). False if there is no such incoming message. */
  fileMessage(attemptId: string, id: number, folder: string | null, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE crm_messages SET folder = ?, filed_at = ? WHERE attempt_id = ? AND id = ? AND direction = 'in'")
        .run(folder, folder === null ? null : now, attemptId, id).changes === 1
    );
  }

  insertMessageFolder(attemptId: string, name: string): void {
    this.db.prepare('INSERT INTO crm_message_folders (attempt_id, name) VALUES (?, ?)').run(attemptId, name);
  }

  listMessageFolders(attemptId: string): string[] {
    return (this.db.prepare('SELECT name FROM crm_message_folders WHERE attempt_id = ? ORDER BY id').all(attemptId) as Array<{ name: string }>).map((r) => r.name);
  }

  /** The inbox's auto-reply; never saved: off, no text. */
  autoReply(attemptId: string): AutoReply {
    const row = this.db.prepare('SELECT enabled, body, updated_at AS updatedAt FROM crm_auto_replies WHERE attempt_id = ?').get(attemptId) as
      | { enabled: number; body: string | null; updatedAt: number }
      | undefined;
    return row ? { enabled: row.enabled === 1, body: row.body, updatedAt: row.updatedAt } : { enabled: false, body: null, updatedAt: null };
  }

  setAutoReply(attemptId: string, enabled: boolean, body: string | null, now: number): AutoReply {
    this.db
      .prepare(
        `INSERT INTO crm_auto_replies (attempt_id, enabled, body, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (attempt_id) DO UPDATE SET enabled = excluded.enabled, body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(attemptId, sqlBool(enabled), body, now);
    return { enabled, body, updatedAt: now };
  }

  // --- call list, wrap-up ------------------------------------------------------------------------

  insertCallListEntry(attemptId: string, e: { position: number; customerId: number | null; name: string; phone: string; phoneNorm: string; doNotCall: boolean; reason: string }): number {
    return Number(
      this.db
        .prepare('INSERT INTO crm_call_list (attempt_id, position, customer_id, name, phone, phone_norm, do_not_call, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(attemptId, e.position, e.customerId, e.name, e.phone, e.phoneNorm, sqlBool(e.doNotCall), e.reason).lastInsertRowid,
    );
  }

  listCallList(attemptId: string): CallListEntry[] {
    const rows = this.db
      .prepare(
        `SELECT l.id, l.position, l.customer_id AS customerId, c.account_number AS accountNumber, l.name, l.phone,
           (l.do_not_call = 1 OR COALESCE(c.do_not_call, 0) = 1) AS doNotCall, l.reason
         FROM crm_call_list l LEFT JOIN crm_customers c ON c.id = l.customer_id AND c.attempt_id = l.attempt_id
         WHERE l.attempt_id = ? ORDER BY l.position, l.id`,
      )
      .all(attemptId) as Array<Row<CallListEntry, 'doNotCall'>>;
    return rows.map((r) => ({ ...r, doNotCall: r.doNotCall === 1 }));
  }

  insertWrapUpCode(attemptId: string, w: WrapUpCode): void {
    this.db.prepare('INSERT INTO crm_wrap_up_codes (attempt_id, code, label, requires_note) VALUES (?, ?, ?, ?)').run(attemptId, w.code, w.label, sqlBool(w.requiresNote));
  }

  listWrapUpCodes(attemptId: string): WrapUpCode[] {
    const rows = this.db
      .prepare('SELECT code, label, requires_note AS requiresNote FROM crm_wrap_up_codes WHERE attempt_id = ? ORDER BY id')
      .all(attemptId) as Array<Row<WrapUpCode, 'requiresNote'>>;
    return rows.map((r) => ({ ...r, requiresNote: r.requiresNote === 1 }));
  }

  findWrapUpCode(attemptId: string, code: string): WrapUpCode | undefined {
    return this.listWrapUpCodes(attemptId).find((w) => w.code === code);
  }

  insertWrapUp(attemptId: string, w: Omit<WrapUp, 'id'>): WrapUp {
    const info = this.db
      .prepare('INSERT INTO crm_wrap_ups (attempt_id, code, customer_id, call_id, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(attemptId, w.code, w.customerId, w.callId, w.notes, w.createdAt);
    return { ...w, id: Number(info.lastInsertRowid) };
  }

  listWrapUps(attemptId: string): WrapUp[] {
    return this.db
      .prepare('SELECT id, code, customer_id AS customerId, call_id AS callId, notes, created_at AS createdAt FROM crm_wrap_ups WHERE attempt_id = ? ORDER BY id')
      .all(attemptId) as WrapUp[];
  }

  // --- knowledge base, scripts, templates, documents ---------------------------------------------

  insertKbArticle(attemptId: string, a: Omit<KbArticle, 'id'>): void {
    this.db
      .prepare('INSERT INTO crm_kb_articles (attempt_id, slug, title, category, body, tags) VALUES (?, ?, ?, ?, ?, ?)')
      .run(attemptId, a.slug, a.title, a.category, a.body, JSON.stringify(a.tags));
  }

  /** Knowledge-base articles, optionally only those whose title, body or tags contain every word of q. */
  listKbArticles(attemptId: string, words: string[] = []): KbArticle[] {
    const params: Record<string, string> = { attemptId };
    const where = words.map((w, i) => {
      params[`w${i}`] = `%${likeEscape(w)}%`;
      return `(title LIKE @w${i} ESCAPE '\\' OR body LIKE @w${i} ESCAPE '\\' OR tags LIKE @w${i} ESCAPE '\\' OR category LIKE @w${i} ESCAPE '\\')`;
    });
    const rows = this.db
      .prepare(`SELECT id, slug, title, category, body, tags FROM crm_kb_articles WHERE attempt_id = @attemptId ${where.map((w) => `AND ${w}`).join(' ')} ORDER BY category, title`)
      .all(params) as Array<Row<KbArticle, 'tags'>>;
    return rows.map((r) => ({ ...r, tags: json<string[]>(r.tags) }));
  }

  insertScript(attemptId: string, s: Omit<Script, 'id'>): void {
    this.db.prepare('INSERT INTO crm_scripts (attempt_id, key, title, purpose, steps) VALUES (?, ?, ?, ?, ?)').run(attemptId, s.key, s.title, s.purpose, JSON.stringify(s.steps));
  }

  listScripts(attemptId: string): Script[] {
    const rows = this.db.prepare('SELECT id, key, title, purpose, steps FROM crm_scripts WHERE attempt_id = ? ORDER BY id').all(attemptId) as Array<Row<Script, 'steps'>>;
    return rows.map((r) => ({ ...r, steps: json<string[]>(r.steps) }));
  }

  insertTemplate(attemptId: string, t: MessageTemplate): void {
    this.db
      .prepare('INSERT INTO crm_message_templates (attempt_id, key, channel, name, subject, body) VALUES (?, ?, ?, ?, ?, ?)')
      .run(attemptId, t.key, t.channel, t.name, t.subject, t.body);
  }

  listTemplates(attemptId: string): MessageTemplate[] {
    return this.db.prepare('SELECT key, channel, name, subject, body FROM crm_message_templates WHERE attempt_id = ? ORDER BY id').all(attemptId) as MessageTemplate[];
  }

  insertDocument(attemptId: string, d: CrmDocument): void {
    this.db.prepare('INSERT INTO crm_documents (attempt_id, key, title, file_name) VALUES (?, ?, ?, ?)').run(attemptId, d.key, d.title, d.fileName);
  }

  listDocuments(attemptId: string): CrmDocument[] {
    return this.db.prepare('SELECT key, title, file_name AS fileName FROM crm_documents WHERE attempt_id = ? ORDER BY id').all(attemptId) as CrmDocument[];
  }

  // --- whole attempt -----------------------------------------------------------------------------

  /** How many rows of each kind the attempt holds (for summaries and tests). */
  counts(attemptId: string): CrmCounts {
    const out = {} as CrmCounts;
    for (const t of COUNTED_TABLES) out[t] = (this.db.prepare(`SELECT COUNT(*) AS n FROM crm_${t} WHERE attempt_id = ?`).get(attemptId) as { n: number }).n;
    return out;
  }
}
