// Print-outs of the agent desktop as real PDF files (pdfkit): a customer record, an order
// confirmation, and a case (complaint or query) form. A4, the standard Helvetica fonts (so the text
// can be extracted and searched), page numbers, and a footer saying when, by whom and in which
// attempt the page was printed. Pure: the same input and print time give the same bytes.
import PDFDocument from 'pdfkit';
import type { Callback, Case, CaseCategory, Company, Customer, Note, Order, OrderLine } from '../db/repositories/crm.js';

/** Who printed, when, in which attempt: the footer of every page. */
export interface PrintMeta {
  /** ms since the epoch; the only time the renderer uses. */
  printedAt: number;
  /** The candidate's display name. */
  printedBy: string;
  attemptId: string;
}

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
  /** What the print-out is, in words ("Order confirmation ORD-000003"). */
  title: string;
}

export interface CustomerRecordInput {
  company: Company;
  customer: Customer;
  notes: Note[];
  callbacks: Callback[];
  cases: Case[];
  orders: Order[];
  /** The scenario's words for the case category codes. */
  caseCategories: CaseCategory[];
}

export interface OrderConfirmationInput {
  company: Company;
  customer: Customer;
  order: Order;
}

export interface CaseFormInput {
  company: Company;
  customer: Customer;
  case: Case;
  /** The scenario's words for the case category codes. */
  caseCategories: CaseCategory[];
}

// --- text and formats ------------------------------------------------------------------------------

/** Characters above U+00FF that the standard fonts' WinAnsi encoding has (pdfkit maps them). */
const WIN_ANSI_EXTRA = new Set([402, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8364, 8240, 8249, 8250, 710, 8482, 338, 339, 732, 352, 353, 376, 381, 382]);
const FALLBACK: Record<string, string> = { 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L', 'ħ': 'h', 'Ħ': 'H', '−': '-', '‐': '-', '‑': '-', '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ' };
const printable = (code: number): boolean => (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(code);

/**
 * Text the standard PDF fonts can show: what WinAnsi lacks loses its accents ("Wiśniewska" →
 * "Wisniewska") or becomes "?"; control characters other than line breaks become spaces.
 */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const code = ch.codePointAt(0)!;
    if (ch === '\n' || printable(code)) out += ch;
    else if (FALLBACK[ch] !== undefined) out += FALLBACK[ch];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' ';
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base !== '' && [...base].every((c) => printable(c.codePointAt(0)!)) ? base : '?';
    }
  }
  return out;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const UK_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** ms since the epoch as UK time: "17 March 2026, 14:05 GMT". */
export function formatUkDateTime(ms: number): string {
  const parts = Object.fromEntries(UK_TIME.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${Number(parts.day)} ${MONTHS[Number(parts.month) - 1]} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName ?? ''}`.trim();
}

/** 'YYYY-MM-DD' (optionally with 'THH:MM', already UK local) as "17 April 1952" or "5 January 2026, 10:00". */
export function formatIsoDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(value);
  if (!m) return value;
  const date = `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return m[4] ? `${date}, ${m[4]}` : date;
}

const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
export const formatPence = (pence: number): string => GBP.format(pence / 100);

const CONTACT: Record<string, string> = { phone: 'Phone', email: 'E-mail', sms: 'SMS (text message)', post: 'Post' };
const BASIS = { monthly: 'Monthly', one_off: 'One-off' } as const;
const SALE = { standard: '', upsell: 'Upsell', cross_sell: 'Cross-sell' } as const;
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const words = (code: string): string => capital(code.toLowerCase().replace(/_/g, ' '));
const fullName = (c: Customer): string => [c.title, c.firstName, c.lastName].filter(Boolean).join(' ');
const addressLines = (c: Customer): string => [c.addressLine1, c.addressLine2, c.town, c.postcode].filter(Boolean).join('\n');
/** A category in the scenario's words ("Missed appointment"), else its code in words. */
const categoryName = (code: string, categories: CaseCategory[]): string => categories.find((c) => c.code === code)?.label ?? words(code);
const caseTitle = (c: Case): string => `${c.type === 'complaint' ? 'Complaint' : 'Query'} form ${c.reference}`;

// --- the page --------------------------------------------------------------------------------------

const MARGIN = { top: 56, bottom: 68, left: 56, right: 56 };
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const INK = '#1a1a1a';
const MUTED = '#555555';
const RULE = '#9a9a9a';
const LABEL_WIDTH = 140;
const GAP = 10;

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** A column of numbers (amounts, quantities): right-aligned, so that their digits line up. */
const numbers = (header: string, width: number): Column => ({ header, width, align: 'right' });

// The tables' columns; each set adds up to 483 points, the width of A4 between the side margins.
const CALLBACK_COLUMNS: Column[] = [
  { header: 'Due', width: 110 },
  { header: 'Kind', width: 50 },
  { header: 'Priority', width: 50 },
  { header: 'Reason', width: 158 },
  { header: 'Number', width: 75 },
  { header: 'Status', width: 40 },
];
const ORDER_COLUMNS: Column[] = [
  { header: 'Reference', width: 72 },
  { header: 'Placed', width: 140 },
  { header: 'Status', width: 50 },
  { header: 'Products', width: 111 },
  numbers('Monthly', 55),
  numbers('One-off', 55),
];
const ORDER_LINE_COLUMNS: Column[] = [
  { header: 'Product', width: 155 },
  { header: 'Code', width: 85 },
  { header: 'Charged', width: 55 },
  numbers('Qty', 23),
  numbers('Unit price', 80),
  numbers('Line total', 85),
];

/** One A4 document being written, top to bottom, with page breaks where a block does not fit. */
class Sheet {
  readonly doc: PDFKit.PDFDocument;

  constructor(
    private readonly title: string,
    private readonly meta: PrintMeta,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      bufferPages: true,
      lang: 'en-GB',
      displayTitle: true,
      info: {
        Title: pdfText(title),
        Author: pdfText(meta.printedBy),
        Subject: `Callmark print-out, attempt ${meta.attemptId}`,
        Creator: 'Callmark',
        Producer: 'Callmark (PDFKit)',
        CreationDate: new Date(meta.printedAt),
      },
    });
    this.doc.font(FONT).fontSize(10).fillColor(INK);
  }

  private get left(): number {
    return MARGIN.left;
  }
  private get width(): number {
    return this.doc.page.width - MARGIN.left - MARGIN.right;
  }
  private get bottom(): number {
    return this.doc.page.height - MARGIN.bottom;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) {
      this.doc.addPage();
      this.doc.y = MARGIN.top;
    }
  }

  private rule(color = RULE, weight = 0.75): void {
    const y = this.doc.y;
    this.doc.save().moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(weight).strokeColor(color).stroke().restore();
  }

  header(company: Company, heading: string): void {
    const d = this.doc;
    d.font(BOLD).fontSize(18).fillColor(INK).text(pdfText(company.name), this.left, MARGIN.top, { width: this.width });
    d.font(FONT).fontSize(9).fillColor(MUTED).text(pdfText(`${company.phone}  ·  ${company.email}  ·  ${company.website}`), { width: this.width });
    d.moveDown(0.6);
    this.rule(INK, 1.2);
    d.moveDown(0.8);
    d.font(BOLD).fontSize(15).fillColor(INK).text(pdfText(heading), this.left, d.y, { width: this.width });
    d.moveDown(0.6);
  }

  section(heading: string): void {
    const d = this.doc;
    d.font(BOLD).fontSize(12);
    this.ensure(d.heightOfString('X') * 3 + 12);
    d.moveDown(0.8);
    d.fillColor(INK).text(pdfText(heading), this.left, d.y, { width: this.width });
    d.moveDown(0.2);
    this.rule();
    d.moveDown(0.5);
  }

  /** A section of the record's items headed with how many there are ("Notes (2)"): `none` when there are none, else what `write` puts. */
  items<T>(heading: string, items: readonly T[], none: string, write: (items: readonly T[]) => void): void {
    this.section(`${heading} (${items.length})`);
    if (items.length === 0) this.paragraph(none, { muted: true });
    else write(items);
  }

  /** A counted section (as items) whose items are the rows of one table. */
  itemsTable<T>(heading: string, items: readonly T[], none: string, columns: Column[], row: (item: T) => string[]): void {
    this.items(heading, items, none, (present) => this.table(columns, present.map(row)));
  }

  /** A label and its value side by side; a long value runs on to the next page if it must. */
  field(label: string, value: string): void {
    const d = this.doc;
    const valueX = this.left + LABEL_WIDTH + GAP;
    const valueWidth = this.width - LABEL_WIDTH - GAP;
    const text = pdfText(value === '' ? '-' : value);
    d.font(BOLD).fontSize(10);
    const labelHeight = d.heightOfString(pdfText(label), { width: LABEL_WIDTH });
    d.font(FONT).fontSize(10);
    const valueHeight = d.heightOfString(text, { width: valueWidth });
    this.ensure(Math.min(Math.max(labelHeight, valueHeight), this.bottom - MARGIN.top));
    const top = d.y;
    const page = d.page;
    d.font(BOLD).fillColor(MUTED).text(pdfText(label), this.left, top, { width: LABEL_WIDTH });
    const labelBottom = d.y;
    d.font(FONT).fillColor(INK).text(text, valueX, top, { width: valueWidth });
    d.y = (d.page === page ? Math.max(labelBottom, d.y) : d.y) + 3;
    d.x = this.left;
  }

  paragraph(text: string, opts: { muted?: boolean; bold?: boolean } = {}): void {
    const d = this.doc;
    d.font(opts.bold ? BOLD : FONT).fontSize(10).fillColor(opts.muted ? MUTED : INK);
    this.ensure(d.heightOfString('X') * 2);
    d.text(pdfText(text), this.left, d.y, { width: this.width });
    d.fillColor(INK);
    d.moveDown(0.3);
  }

  /** A table with a header row, repeated at the top of every page it runs on to. */
  table(columns: Column[], rows: string[][]): void {
    const d = this.doc;
    const pad = 4;
    const drawRow = (cells: string[], bold: boolean): void => {
      d.font(bold ? BOLD : FONT).fontSize(9.5);
      const heights = cells.map((c, i) => d.heightOfString(pdfText(c), { width: columns[i]!.width - pad * 2 }));
      const height = Math.max(...heights) + pad * 2;
      const top = d.y;
      let x = this.left;
      cells.forEach((c, i) => {
        const col = columns[i]!;
        d.fillColor(bold ? MUTED : INK).text(pdfText(c), x + pad, top + pad, { width: col.width - pad * 2, align: col.align ?? 'left' });
        x += col.width;
      });
      d.y = top + height;
      this.rule(bold ? INK : '#cccccc', bold ? 0.9 : 0.5);
    };
    const headers = columns.map((c) => c.header);
    d.font(BOLD).fontSize(9.5);
    this.ensure(d.heightOfString('X') * 4 + 16);
    drawRow(headers, true);
    for (const row of rows) {
      d.font(FONT).fontSize(9.5);
      const height = Math.max(...row.map((c, i) => d.heightOfString(pdfText(c), { width: columns[i]!.width - pad * 2 }))) + pad * 2;
      if (d.y + height > this.bottom) {
        this.ensure(this.bottom);
        drawRow(headers, true);
      }
      drawRow(row, false);
    }
    d.x = this.left;
    d.fillColor(INK);
    d.moveDown(0.3);
  }

  /** Footers on every page, then the finished file. */
  finish(): RenderedPdf {
    const d = this.doc;
    const { start, count } = d.bufferedPageRange();
    const footer = pdfText(`Printed ${formatUkDateTime(this.meta.printedAt)} by ${this.meta.printedBy} · attempt ${this.meta.attemptId.slice(0, 8)}`);
    for (let i = start; i < start + count; i++) {
      d.switchToPage(i);
      // Written below the bottom margin, so the margin is lifted while the footer is drawn.
      const margin = d.page.margins.bottom;
      d.page.margins.bottom = 0;
      const y = d.page.height - MARGIN.bottom + 22;
      d.save().moveTo(this.left, y - 6).lineTo(this.left + this.width, y - 6).lineWidth(0.5).strokeColor(RULE).stroke().restore();
      d.font(FONT).fontSize(8).fillColor(MUTED);
      d.text(footer, this.left, y, { width: this.width - 80, height: 12, lineBreak: false, ellipsis: true });
      d.text(`Page ${i - start + 1} of ${count}`, this.left + this.width - 80, y, { width: 80, align: 'right', lineBreak: false });
      d.page.margins.bottom = margin;
    }
    d.end();
    // pdfkit writes the whole file synchronously on end(); nothing is listening yet, so every byte
    // is still in the stream's buffer and can be read out at once.
    const chunks: Buffer[] = [];
    for (let chunk = d.read() as Buffer | null; chunk !== null; chunk = d.read() as Buffer | null) chunks.push(chunk);
    const pdf = Buffer.concat(chunks);
    if (!pdf.subarray(-8).toString('latin1').includes('%%EOF')) throw new Error('the PDF was not finished');
    return { pdf, pages: count, title: this.title };
  }
}

// --- the three print-outs -------------------------------------------------------------------------

function customerFields(sheet: Sheet, c: Customer): void {
  sheet.field('Customer', fullName(c));
  sheet.field('Account number', c.accountNumber);
  sheet.field('Address', addressLines(c));
  sheet.field('Phone', c.phone);
  sheet.field('E-mail', c.email ?? 'None given');
}

/** The customer record as the desktop shows it: details, notes, callbacks and tasks, cases and orders. */
export function renderCustomerRecord(input: CustomerRecordInput, meta: PrintMeta): RenderedPdf {
  const { company, customer: c } = input;
  const sheet = new Sheet(`Customer record ${c.accountNumber}`, meta);
  sheet.header(company, `Customer record: ${fullName(c)}`);

  sheet.section('Details');
  sheet.field('Account number', c.accountNumber);
  sheet.field('Name', fullName(c));
  sheet.field('Date of birth', c.dateOfBirth ? formatIsoDate(c.dateOfBirth) : 'Not recorded');
  sheet.field('Address', addressLines(c));
  sheet.field('Phone', c.phone);
  sheet.field('Mobile', c.mobile ?? 'None given');
  sheet.field('E-mail', c.email ?? 'None given');
  sheet.field('Contact preference', c.contactPreference ? CONTACT[c.contactPreference] ?? c.contactPreference : 'None given');
  sheet.field('Do not call', c.doNotCall ? 'Yes: no marketing or sales calls' : 'No');
  sheet.field('Record', `Version ${c.version}, last changed ${formatUkDateTime(c.updatedAt)}`);

  sheet.itemsTable('Notes', input.notes, 'No notes.', [{ header: 'Written', width: 150 }, { header: 'Note', width: 333 }], (n) => [formatUkDateTime(n.createdAt), n.body]);

  sheet.itemsTable('Callbacks and tasks', input.callbacks, 'No callbacks or tasks.', CALLBACK_COLUMNS, (b) => [formatIsoDate(b.dueAt), capital(b.kind), capital(b.priority), b.reason, b.phone ?? c.phone, capital(b.status)]);

  sheet.items('Cases', input.cases, 'No cases.', (cases) => {
    for (const k of cases) {
      sheet.paragraph(
        `${k.reference}: ${capital(k.type)}${k.category ? `, ${categoryName(k.category, input.caseCategories)}` : ''} · ${capital(k.priority)} priority · ${words(k.status)}${k.escalated ? ' · escalated' : ''} · opened ${formatUkDateTime(k.createdAt)}`,
        { bold: true },
      );
      if (k.creditPence !== null) sheet.paragraph(`Goodwill credit: ${formatPence(k.creditPence)}`);
      sheet.paragraph(k.description);
    }
  });

  sheet.itemsTable('Orders', input.orders, 'No orders.', ORDER_COLUMNS, (o) => [
    o.reference,
    formatUkDateTime(o.createdAt),
    capital(o.status),
    o.lines.map((l) => (l.quantity > 1 ? `${l.quantity} x ${l.productName}` : l.productName)).join(', '),
    formatPence(o.monthlyPence),
    formatPence(o.oneOffPence),
  ]);
  return sheet.finish();
}

const lineRow = (l: OrderLine): string[] => [
  SALE[l.saleType] ? `${l.productName} (${SALE[l.saleType]})` : l.productName,
  l.productCode,
  BASIS[l.priceBasis],
  String(l.quantity),
  formatPence(l.unitPricePence),
  formatPence(l.lineTotalPence),
];

/** The confirmation of one order: who, what, how much a month and how much once. */
export function renderOrderConfirmation(input: OrderConfirmationInput, meta: PrintMeta): RenderedPdf {
  const { company, customer: c, order: o } = input;
  const sheet = new Sheet(`Order confirmation ${o.reference}`, meta);
  sheet.header(company, `Order confirmation ${o.reference}`);
  sheet.field('Order reference', o.reference);
  sheet.field('Order date', formatUkDateTime(o.createdAt));
  sheet.field('Status', capital(o.status));
  sheet.section('Customer');
  customerFields(sheet, c);
  sheet.section('Order lines');
  sheet.table(ORDER_LINE_COLUMNS, o.lines.map(lineRow));
  sheet.section('Totals');
  sheet.field('Monthly total', `${formatPence(o.monthlyPence)} a month`);
  sheet.field('One-off total', formatPence(o.oneOffPence));
  sheet.field('Order total', formatPence(o.totalPence));
  sheet.paragraph(`Questions about this order? Call ${company.phone} or e-mail ${company.email}, quoting ${o.reference}.`, { muted: true });
  return sheet.finish();
}

/** The complaint or query form of one case. */
export function renderCaseForm(input: CaseFormInput, meta: PrintMeta): RenderedPdf {
  const { company, customer: c, case: k } = input;
  const title = caseTitle(k);
  const sheet = new Sheet(title, meta);
  sheet.header(company, title);
  sheet.field('Case reference', k.reference);
  sheet.field('Opened', formatUkDateTime(k.createdAt));
  sheet.field('Type', capital(k.type));
  sheet.field('Category', k.category ? categoryName(k.category, input.caseCategories) : 'None');
  sheet.field('Priority', capital(k.priority));
  sheet.field('Status', words(k.status));
  sheet.field('Escalated', k.escalated ? 'Yes' : 'No');
  sheet.field('Goodwill credit', k.creditPence === null ? 'None offered' : formatPence(k.creditPence));
  sheet.section('Customer');
  customerFields(sheet, c);
  sheet.section('Description');
  sheet.paragraph(k.description);
  return sheet.finish();
}
