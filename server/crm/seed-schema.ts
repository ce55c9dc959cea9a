// The shape of a scenario's CRM seed: the records each attempt gets its own copy of (customers,
// products, history, inbox and its folders, knowledge base, scripts, wrap-up codes, case
// categories, call list, templates).
// Every field is checked with the same validators the API applies, and every cross-reference
// (an order's account number, a line's product code…) must resolve, so a bad seed is refused
// with the exact path of the first bad value, e.g. customers.3.postcode.
import { z } from 'zod';
import { validateDate, validateEmail, validatePence, validatePostcode, validateUkPhone, type Checked } from './validation.js';

/** A zod string refined by one of the validators (the message names the field). */
const checked = (fn: (input: string, field: string) => Checked<unknown>, field: string) =>
  z.string().superRefine((value, ctx) => {
    const r = fn(value, field);
    if (!r.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.message });
  });

const text = (max: number) => z.string().trim().min(1).max(max);
const key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be letters, digits, - or _ (at most 64)');
/** A moment in the seed's history: 'YYYY-MM-DDTHH:MM:SSZ' (or with an offset). */
const moment = z.string().datetime({ offset: true });
const pence = z.number().superRefine((value, ctx) => {
  const r = validatePence(value, 'price');
  if (!r.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.message });
});

export const seedCustomerSchema = z
  .object({
    accountNumber: z.string().regex(/^[A-Z]{2}[0-9]{6}$/, 'must be two capital letters and six digits, e.g. BL100231'),
    title: text(20).nullable().default(null),
    firstName: text(60),
    lastName: text(60),
    dateOfBirth: checked(validateDate, 'dateOfBirth').nullable().default(null),
    addressLine1: text(120),
    addressLine2: text(120).nullable().default(null),
    town: text(60),
    postcode: checked(validatePostcode, 'postcode'),
    phone: checked(validateUkPhone, 'phone'),
    mobile: checked(validateUkPhone, 'mobile').nullable().default(null),
    email: checked(validateEmail, 'email').nullable().default(null),
    contactPreference: z.enum(['phone', 'email', 'sms', 'post']).nullable().default(null),
    doNotCall: z.boolean().default(false),
    securityAnswers: z.array(z.object({ question: text(200), answer: text(200) }).strict()).min(1).max(6),
    notes: z.array(z.object({ at: moment, body: text(4000) }).strict()).default([]),
  })
  .strict();

export const seedProductSchema = z
  .object({
    code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'must be capitals, digits and -, e.g. BB-FIBRE-100'),
    name: text(120),
    category: text(60),
    features: z.array(text(300)).min(1),
    benefits: z.array(text(300)).min(1),
    pricePence: pence,
    priceBasis: z.enum(['monthly', 'one_off']),
  })
  .strict();

const saleType = z.enum(['standard', 'upsell', 'cross_sell']);
/** A case category as stored (e.g. MISSED_APPOINTMENT); staff see its label. */
export const caseCategoryCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be capitals, digits and _, e.g. HOME_MOVE');

/** A label for a category code nobody named: HOME_MOVE → "Home move". */
export const labelOfCode = (code: string): string => {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const seedSchema = z
  .object({
    company: z
      .object({
        name: text(120),
        email: checked(validateEmail, 'email'),
        phone: checked(validateUkPhone, 'phone'),
        website: text(200),
      })
      .strict(),
    customers: z.array(seedCustomerSchema).min(1),
    products: z.array(seedProductSchema).min(1),
    orders: z
      .array(
        z
          .object({
            accountNumber: z.string(),
            placedAt: moment,
            status: z.enum(['placed', 'active', 'cancelled']),
            lines: z.array(z.object({ productCode: z.string(), quantity: z.number().int().min(1).max(99), saleType: saleType.default('standard') }).strict()).min(1),
          })
          .strict(),
      )
      .default([]),
    cases: z
      .array(
        z
          .object({
            accountNumber: z.string(),
            openedAt: moment,
            type: z.enum(['complaint', 'query']),
            category: caseCategoryCode.nullable().default(null),
            priority: z.enum(['low', 'medium', 'high', 'urgent']),
            status: z.enum(['open', 'in_progress', 'resolved', 'closed']),
            escalated: z.boolean().default(false),
            description: text(4000),
          })
          .strict(),
      )
      .default([]),
    messages: z
      .array(
        z
          .object({
            accountNumber: z.string().nullable().default(null),
            receivedAt: moment,
            channel: z.enum(['email', 'sms']),
            from: text(254),
            to: text(254),
            subject: text(200).nullable().default(null),
            body: text(10000),
          })
          .strict(),
      )
      .default([]),
    knowledgeBase: z.array(z.object({ slug: key, title: text(200), category: text(60), body: text(20000), tags: z.array(text(40)).default([]) }).strict()).default([]),
    scripts: z.array(z.object({ key, title: text(200), purpose: text(500), steps: z.array(text(1000)).min(1) }).strict()).default([]),
    wrapUpCodes: z.array(z.object({ code: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/), label: text(120), requiresNote: z.boolean().default(false) }).strict()).min(1),
    /**
     * The case categories the desktop offers (stored as the code, shown as the label). Left out,
     * it is the categories of the seed's own cases, labelled from their codes.
     */
    caseCategories: z.array(z.object({ code: caseCategoryCode, label: text(80) }).strict()).optional(),
    /** Folders an incoming message can be filed in (besides the inbox itself). */
    messageFolders: z.array(text(60)).default([]),
    callList: z
      .array(
        z
          .object({
            accountNumber: z.string().nullable().default(null),
            name: text(120),
            phone: checked(validateUkPhone, 'phone'),
            doNotCall: z.boolean().default(false),
            reason: text(500),
          })
          .strict(),
      )
      .default([]),
    templates: z
      .array(z.object({ key, channel: z.enum(['email', 'sms']), name: text(120), subject: text(200).nullable().default(null), body: text(10000) }).strict())
      .default([]),
    documents: z.array(z.object({ key, title: text(200), fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/) }).strict()).default([]),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    const unique = <T>(list: T[], keyOf: (x: T) => string, listName: string, field: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        const k = keyOf(x);
        if (seen.has(k)) issue([listName, i, field], `duplicate ${field} "${k}"`);
        seen.add(k);
      });
    };
    unique(seed.customers, (c) => c.accountNumber, 'customers', 'accountNumber');
    unique(seed.products, (p) => p.code, 'products', 'code');
    unique(seed.knowledgeBase, (a) => a.slug, 'knowledgeBase', 'slug');
    unique(seed.scripts, (s) => s.key, 'scripts', 'key');
    unique(seed.wrapUpCodes, (w) => w.code, 'wrapUpCodes', 'code');
    unique(seed.templates, (t) => t.key, 'templates', 'key');
    unique(seed.documents, (d) => d.key, 'documents', 'key');
    unique(seed.caseCategories ?? [], (c) => c.code, 'caseCategories', 'code');
    unique(seed.messageFolders.map((name) => ({ name: name.toLowerCase() })), (f) => f.name, 'messageFolders', 'name');
    seed.messageFolders.forEach((name, i) => {
      if (name.toLowerCase() === 'inbox') issue(['messageFolders', i], 'the inbox is there already; name a folder to file messages in');
    });
    const accounts = new Set(seed.customers.map((c) => c.accountNumber));
    const products = new Set(seed.products.map((p) => p.code));
    const account = (value: string | null, path: Array<string | number>) => {
      if (value !== null && !accounts.has(value)) issue(path, `no customer has the account number "${value}"`);
    };
    seed.orders.forEach((o, i) => {
      account(o.accountNumber, ['orders', i, 'accountNumber']);
      o.lines.forEach((l, j) => {
        if (!products.has(l.productCode)) issue(['orders', i, 'lines', j, 'productCode'], `no product has the code "${l.productCode}"`);
      });
    });
    const categories = seed.caseCategories && new Set(seed.caseCategories.map((c) => c.code));
    seed.cases.forEach((c, i) => {
      account(c.accountNumber, ['cases', i, 'accountNumber']);
      if (categories && c.category !== null && !categories.has(c.category)) issue(['cases', i, 'category'], `"${c.category}" is not one of the seed's caseCategories`);
    });
    seed.messages.forEach((m, i) => account(m.accountNumber, ['messages', i, 'accountNumber']));
    seed.callList.forEach((e, i) => account(e.accountNumber, ['callList', i, 'accountNumber']));
    seed.templates.forEach((t, i) => {
      if (t.channel === 'email' && t.subject === null) issue(['templates', i, 'subject'], 'an e-mail template needs a subject');
      if (t.channel === 'sms' && t.subject !== null) issue(['templates', i, 'subject'], 'an SMS template has no subject');
    });
  });

/** The seed with its case categories worked out when it leaves them out. */
export const completeSeedSchema = seedSchema.transform((seed) => ({
  ...seed,
  caseCategories:
    seed.caseCategories ??
    [...new Set(seed.cases.map((c) => c.category).filter((c): c is string => c !== null))].map((code) => ({ code, label: labelOfCode(code) })),
}));

export type CrmSeed = z.infer<typeof completeSeedSchema>;
export type CrmSeedInput = z.input<typeof seedSchema>;

export class SeedError extends Error {
  constructor(
    /** Dotted path of the first bad value, e.g. 'customers.3.postcode'. */
    readonly path: string,
    readonly issues: z.ZodIssue[],
  ) {
    super(`invalid CRM seed at ${path || '(root)'}: ${issues[0]?.message ?? 'invalid'}`);
  }
}

/** Parses and checks a seed; throws SeedError naming the path of the first problem. */
export function parseSeed(input: unknown): CrmSeed {
  const result = completeSeedSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new SeedError(first.path.join('.'), result.error.issues);
  }
  return result.data;
}
