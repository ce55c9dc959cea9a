// The response schemas of the attempt routes (attempt-scope.ts): what a route sends is what its
// schema declares, and a field it does not declare is dropped on the way out. Each schema is bound to
// its wire type in server/protocol/ by `exactly<T>()` (exact-schema.ts).
import { z } from 'zod';
import { exactly } from './exact-schema.js';
import { AGENT_STATES, type AgentStateChangeResponse, type AgentStateResponse } from '../protocol/desktop-view.js';
import type { PrintoutResponse, PrintoutsResponse, PrintoutSummary } from '../protocol/printouts.js';
import type {
  CustomerSearchResponse,
  CustomersByPhoneResponse,
  CustomerResponse,
  NoteResponse,
  OrderResponse,
  CaseResponse,
  CallbackResponse,
  WrapUpResponse,
  MessageResponse,
  MessagesResponse,
  MessageFoldersResponse,
  AutoReplyResponse,
  KbArticlesResponse,
  ProductsResponse,
  ScriptsResponse,
  WrapUpCodesResponse,
  CaseCategoriesResponse,
  CallListResponse,
  MessageTemplatesResponse,
  CustomerUpdatedResponse,
  AttemptWithCompanyResponse,
  FieldChange,
  FilledTemplate,
  IdentityCheckOutcome,
  AutoReply,
  Callback,
  CallListEntry,
  CaseCategory,
  CrmDocument,
  KbArticle,
  MessageTemplate,
  Product,
  Script,
  WrapUpCode,
  Case,
  Company,
  Customer,
  CustomerDetail,
  DesktopAttempt,
  PracticeAttemptCreated,
  IdentityCheck,
  Message,
  Note,
  Order,
  SecurityQuestion,
  WrapUp,
} from '../protocol/crm.js';

const origin = z.enum(['seed', 'attempt']);

export const desktopAttempt = exactly<DesktopAttempt>()(
  z.object({
    id: z.string(),
    scenarioKey: z.string(),
    status: z.enum(['open', 'closed']),
    createdAt: z.number(),
    closedAt: z.number().nullable(),
    sittingId: z.string().nullable(),
    position: z.number().nullable(),
  }),
);

export const company = exactly<Company>()(z.object({ name: z.string(), email: z.string(), phone: z.string(), website: z.string() }));

/** GET /api/attempts/:id and /api/attempts/current. */
/** POST /api/attempts: the attempt as the desktop knows it and whose it is (nothing of its marking), and the records copied. */
export const practiceAttemptCreated = exactly<PracticeAttemptCreated>()(
  z.object({
    attempt: desktopAttempt.extend({ candidateUserId: z.number(), assessorUserId: z.number().nullable(), centreId: z.number() }),
    copied: z.object({ customers: z.number(), products: z.number(), orders: z.number(), cases: z.number(), notes: z.number(), messages: z.number(), callList: z.number() }),
  }),
);

export const attemptWithCompany = exactly<AttemptWithCompanyResponse>()(z.object({ attempt: desktopAttempt.nullable(), company: company.nullable() }));

export const customer = exactly<Customer>()(
  z.object({
    id: z.number(),
    accountNumber: z.string(),
    title: z.string().nullable(),
    firstName: z.string(),
    lastName: z.string(),
    dateOfBirth: z.string().nullable(),
    addressLine1: z.string(),
    addressLine2: z.string().nullable(),
    town: z.string(),
    postcode: z.string(),
    phone: z.string(),
    mobile: z.string().nullable(),
    email: z.string().nullable(),
    contactPreference: z.enum(['phone', 'email', 'sms', 'post']).nullable(),
    doNotCall: z.boolean(),
    version: z.number(),
    createdAt: z.number(),
    updatedAt: z.number(),
  }),
);

export const securityQuestion = exactly<SecurityQuestion>()(z.object({ id: z.number(), question: z.string() }));

export const identityCheck = exactly<IdentityCheck>()(
  z.object({
    id: z.number(),
    customerId: z.number(),
    passed: z.boolean(),
    results: z.array(z.object({ questionId: z.number(), question: z.string(), given: z.string(), correct: z.boolean() })),
    createdAt: z.number(),
  }),
);

/** The reply to an identity check (POST …/customers/:cid/identity-checks): the check as stored and how it went. */
export const identityCheckOutcome = exactly<IdentityCheckOutcome>()(identityCheck.extend({ required: z.number(), asked: z.number(), correct: z.number(), summary: z.string() }));

export const note = exactly<Note>()(z.object({ id: z.number(), customerId: z.number(), body: z.string(), origin, createdAt: z.number() }));

export const order = exactly<Order>()(
  z.object({
    id: z.number(),
    customerId: z.number(),
    reference: z.string(),
    status: z.enum(['placed', 'active', 'cancelled']),
    totalPence: z.number(),
    monthlyPence: z.number(),
    oneOffPence: z.number(),
    origin,
    createdAt: z.number(),
    lines: z.array(
      z.object({
        id: z.number(),
        productId: z.number(),
        productCode: z.string(),
        productName: z.string(),
        quantity: z.number(),
        unitPricePence: z.number(),
        lineTotalPence: z.number(),
        priceBasis: z.enum(['monthly', 'one_off']),
        saleType: z.enum(['standard', 'upsell', 'cross_sell']),
      }),
    ),
  }),
);

export const kase = exactly<Case>()(
  z.object({
    id: z.number(),
    customerId: z.number(),
    reference: z.string(),
    type: z.enum(['complaint', 'query']),
    category: z.string().nullable(),
    priority: z.enum(['low', 'medium', 'high', 'urgent']),
    status: z.enum(['open', 'in_progress', 'resolved', 'closed']),
    escalated: z.boolean(),
    description: z.string(),
    creditPence: z.number().nullable(),
    origin,
    createdAt: z.number(),
  }),
);

export const callback = exactly<Callback>()(
  z.object({
    id: z.number(),
    customerId: z.number(),
    kind: z.enum(['callback', 'task']),
    dueAt: z.string(),
    priority: z.enum(['low', 'normal', 'high']),
    reason: z.string(),
    phone: z.string().nullable(),
    status: z.enum(['open', 'done']),
    origin,
    createdAt: z.number(),
  }),
);

export const customerDetail = exactly<CustomerDetail>()(
  customer.extend({
    securityQuestions: z.array(securityQuestion),
    identityChecks: z.array(identityCheck),
    notes: z.array(note),
    orders: z.array(order),
    cases: z.array(kase),
    callbacks: z.array(callback),
  }),
);

export const wrapUp = exactly<WrapUp>()(
  z.object({ id: z.number(), code: z.string(), customerId: z.number().nullable(), callId: z.string().nullable(), notes: z.string(), createdAt: z.number() }),
);

export const message = exactly<Message>()(
  z.object({
    id: z.number(),
    customerId: z.number().nullable(),
    direction: z.enum(['in', 'out']),
    channel: z.enum(['email', 'sms']),
    from: z.string(),
    to: z.string(),
    cc: z.array(z.string()),
    subject: z.string().nullable(),
    body: z.string(),
    templateKey: z.string().nullable(),
    attachments: z.array(z.object({ kind: z.enum(['document', 'order']), key: z.string().optional(), orderId: z.number().optional(), name: z.string() })),
    origin,
    createdAt: z.number(),
    folder: z.string().nullable(),
    filedAt: z.number().nullable(),
    inReplyTo: z.number().nullable(),
  }),
);

// --- reference data and the inbox -----------------------------------------------------------------

const priceBasis = z.enum(['monthly', 'one_off']);
const channel = z.enum(['email', 'sms']);

export const product = exactly<Product>()(
  z.object({
    id: z.number(),
    code: z.string(),
    name: z.string(),
    category: z.string(),
    features: z.array(z.string()),
    benefits: z.array(z.string()),
    pricePence: z.number(),
    priceBasis,
  }),
);
export const kbArticle = exactly<KbArticle>()(
  z.object({ id: z.number(), slug: z.string(), title: z.string(), category: z.string(), body: z.string(), tags: z.array(z.string()) }),
);
export const script = exactly<Script>()(z.object({ id: z.number(), key: z.string(), title: z.string(), purpose: z.string(), steps: z.array(z.string()) }));
export const wrapUpCode = exactly<WrapUpCode>()(z.object({ code: z.string(), label: z.string(), requiresNote: z.boolean() }));
export const caseCategory = exactly<CaseCategory>()(z.object({ code: z.string(), label: z.string() }));
export const callListEntry = exactly<CallListEntry>()(
  z.object({
    id: z.number(),
    position: z.number(),
    customerId: z.number().nullable(),
    accountNumber: z.string().nullable(),
    name: z.string(),
    phone: z.string(),
    doNotCall: z.boolean(),
    reason: z.string(),
  }),
);
export const messageTemplate = exactly<MessageTemplate>()(z.object({ key: z.string(), channel, name: z.string(), subject: z.string().nullable(), body: z.string() }));
export const crmDocument = exactly<CrmDocument>()(z.object({ key: z.string(), title: z.string(), fileName: z.string() }));
export const autoReply = exactly<AutoReply>()(z.object({ enabled: z.boolean(), body: z.string().nullable(), updatedAt: z.number().nullable() }));
export const filledTemplate = exactly<FilledTemplate>()(
  z.object({
    key: z.string(),
    channel,
    subject: z.string().nullable(),
    body: z.string(),
    values: z.record(z.string()),
    unfilled: z.array(z.string()),
  }),
);

export const printoutSummary = exactly<PrintoutSummary>()(
  z.object({
    id: z.string(),
    kind: z.enum(['customer', 'order', 'case']),
    subjectId: z.number(),
    title: z.string(),
    sha256: z.string(),
    bytes: z.number(),
    pages: z.number(),
    createdAt: z.number(),
    url: z.string(),
  }),
);

// The replies that wrap these (each bound to its named type in server/protocol/).
export const customerSearchResponse = exactly<CustomerSearchResponse>()(z.object({ query: z.string(), count: z.number(), customers: z.array(customer) }));
export const customersByPhoneResponse = exactly<CustomersByPhoneResponse>()(z.object({ phone: z.string().nullable(), count: z.number(), customers: z.array(customer) }));
export const customerResponse = exactly<CustomerResponse>()(z.object({ customer: customerDetail }));
const fieldChange = exactly<FieldChange>()(
  // Free-form on purpose: a field's old and new values are as the record holds them (text, a number, a flag or null).
  z.object({ field: z.string(), old: z.unknown(), new: z.unknown() }),
);
export const customerUpdatedResponse = exactly<CustomerUpdatedResponse>()(z.object({ customer, changes: z.array(fieldChange) }));
export const noteResponse = exactly<NoteResponse>()(z.object({ note }));
export const orderResponse = exactly<OrderResponse>()(z.object({ order }));
export const caseResponse = exactly<CaseResponse>()(z.object({ case: kase }));
export const callbackResponse = exactly<CallbackResponse>()(z.object({ callback }));
export const wrapUpResponse = exactly<WrapUpResponse>()(z.object({ wrapUp }));
export const messageResponse = exactly<MessageResponse>()(z.object({ message }));
export const messagesResponse = exactly<MessagesResponse>()(z.object({ messages: z.array(message) }));
export const messageFoldersResponse = exactly<MessageFoldersResponse>()(z.object({ folders: z.array(z.string()) }));
export const autoReplyResponse = exactly<AutoReplyResponse>()(z.object({ autoReply }));
export const kbArticlesResponse = exactly<KbArticlesResponse>()(z.object({ articles: z.array(kbArticle) }));
export const productsResponse = exactly<ProductsResponse>()(z.object({ products: z.array(product) }));
export const scriptsResponse = exactly<ScriptsResponse>()(z.object({ scripts: z.array(script) }));
export const wrapUpCodesResponse = exactly<WrapUpCodesResponse>()(z.object({ codes: z.array(wrapUpCode) }));
export const caseCategoriesResponse = exactly<CaseCategoriesResponse>()(z.object({ categories: z.array(caseCategory) }));
export const callListResponse = exactly<CallListResponse>()(z.object({ entries: z.array(callListEntry) }));
export const messageTemplatesResponse = exactly<MessageTemplatesResponse>()(z.object({ templates: z.array(messageTemplate), documents: z.array(crmDocument) }));
export const printoutResponse = exactly<PrintoutResponse>()(z.object({ printout: printoutSummary }));
export const printoutsResponse = exactly<PrintoutsResponse>()(z.object({ printouts: z.array(printoutSummary) }));

const agentState = z.enum(AGENT_STATES);
export const agentStateResponse = exactly<AgentStateResponse>()(z.object({ state: agentState, since: z.number().nullable() }));
export const agentStateChangeResponse = exactly<AgentStateChangeResponse>()(z.object({ state: agentState, from: agentState, changed: z.boolean() }));
