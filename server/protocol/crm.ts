// CRM wire types shared by the server (repository, API) and the client desktop.

export type PriceBasis = 'monthly' | 'one_off';

export interface KbArticle {
  id: number;
  slug: string;
  title: string;
  category: string;
  body: string;
  tags: string[];
}

export interface Script {
  id: number;
  key: string;
  title: string;
  purpose: string;
  steps: string[];
}

export interface CallListEntry {
  id: number;
  position: number;
  customerId: number | null;
  accountNumber: string | null;
  name: string;
  phone: string;
  /** The entry's own flag or the customer's. */
  doNotCall: boolean;
  reason: string;
}

export type Channel = 'email' | 'sms';

export interface MessageTemplate {
  key: string;
  channel: Channel;
  name: string;
  subject: string | null;
  body: string;
}

export interface CrmDocument {
  key: string;
  title: string;
  fileName: string;
}

export type Origin = 'seed' | 'attempt';

export interface MessageAttachment {
  kind: 'document' | 'order';
  key?: string;
  orderId?: number;
  name: string;
}

export interface Message {
  id: number;
  customerId: number | null;
  direction: 'in' | 'out';
  channel: Channel;
  from: string;
  to: string;
  cc: string[];
  subject: string | null;
  body: string;
  templateKey: string | null;
  attachments: MessageAttachment[];
  /** 'seed' for a message the scenario pre-loads, 'attempt' for one of the attempt. */
  origin: Origin;
  createdAt: number;
  /** The folder an incoming message was filed in (null: still in the inbox), and when. */
  folder: string | null;
  filedAt: number | null;
  /** An outgoing reply: the incoming message it answers. */
  inReplyTo: number | null;
}

/** A case category of the scenario's vocabulary: stored as the code, shown as the label. */
export interface CaseCategory {
  code: string;
  label: string;
}

/** The inbox's out-of-office auto-reply as last saved. */
export interface AutoReply {
  enabled: boolean;
  body: string | null;
  updatedAt: number | null;
}

/**
 * An attempt as the agent desktop reads it (GET /api/attempts/:id and /current). Nothing of its
 * marking (who marked it, when) nor staff's notes on it: when a candidate learns of marks is the
 * release rule's to decide (server/sittings/results.ts).
 */
export interface DesktopAttempt {
  id: string;
  scenarioKey: string;
  status: 'open' | 'closed';
  createdAt: number;
  closedAt: number | null;
  /** The sitting it belongs to; null for a practice attempt. */
  sittingId: string | null;
  /** 1..4 within the sitting. */
  position: number | null;
}

/**
 * POST /api/attempts (201): the practice attempt created (as the desktop knows it, plus whose it is:
 * the assessor who created it knows that already), and how many of each record its CRM was given.
 */
export interface PracticeAttemptCreated {
  attempt: DesktopAttempt & { candidateUserId: number; assessorUserId: number | null; centreId: number };
  copied: { customers: number; products: number; orders: number; cases: number; notes: number; messages: number; callList: number };
}

// --- the customer record and what hangs off it -------------------------------------------------

export type ContactPreference = 'phone' | 'email' | 'sms' | 'post';
export type SaleType = 'standard' | 'upsell' | 'cross_sell';
export type CaseType = 'complaint' | 'query';
/** A case's priorities, lowest first (the order the desktop offers them in). */
export const CASE_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];
export type CaseStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type OrderStatus = 'placed' | 'active' | 'cancelled';
/** A callback's or task's priorities, lowest first. */
export const CALLBACK_PRIORITIES = ['low', 'normal', 'high'] as const;
export type CallbackPriority = (typeof CALLBACK_PRIORITIES)[number];

export interface Company {
  name: string;
  email: string;
  phone: string;
  website: string;
}

/** The fields of a customer record a candidate may edit. */
export interface CustomerFields {
  title: string | null;
  firstName: string;
  lastName: string;
  dateOfBirth: string | null;
  addressLine1: string;
  addressLine2: string | null;
  town: string;
  postcode: string;
  phone: string;
  mobile: string | null;
  email: string | null;
  contactPreference: ContactPreference | null;
  doNotCall: boolean;
}

/** The editable fields by name, in the order a record's changes are reported (the PATCH, the answer key's comparisons). */
export const EDITABLE_CUSTOMER_FIELDS = [
  'title',
  'firstName',
  'lastName',
  'dateOfBirth',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
  'phone',
  'mobile',
  'email',
  'contactPreference',
  'doNotCall',
] as const satisfies ReadonlyArray<keyof CustomerFields>;
export type EditableCustomerField = (typeof EDITABLE_CUSTOMER_FIELDS)[number];

export interface Customer extends CustomerFields {
  id: number;
  accountNumber: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface SecurityQuestion {
  id: number;
  question: string;
}

export interface IdentityCheckResult {
  questionId: number;
  question: string;
  given: string;
  correct: boolean;
}

export interface IdentityCheck {
  id: number;
  customerId: number;
  passed: boolean;
  results: IdentityCheckResult[];
  createdAt: number;
}

export interface Product {
  id: number;
  code: string;
  name: string;
  category: string;
  features: string[];
  benefits: string[];
  pricePence: number;
  priceBasis: PriceBasis;
}

export interface OrderLine {
  id: number;
  productId: number;
  productCode: string;
  productName: string;
  quantity: number;
  unitPricePence: number;
  lineTotalPence: number;
  priceBasis: PriceBasis;
  saleType: SaleType;
}

export interface Order {
  id: number;
  customerId: number;
  reference: string;
  status: OrderStatus;
  totalPence: number;
  /** The monthly and one-off parts of the total. */
  monthlyPence: number;
  oneOffPence: number;
  origin: Origin;
  createdAt: number;
  lines: OrderLine[];
}

export interface Case {
  id: number;
  customerId: number;
  reference: string;
  type: CaseType;
  category: string | null;
  priority: CasePriority;
  status: CaseStatus;
  escalated: boolean;
  description: string;
  creditPence: number | null;
  origin: Origin;
  createdAt: number;
}

export interface Note {
  id: number;
  customerId: number;
  body: string;
  origin: Origin;
  createdAt: number;
}

export interface Callback {
  id: number;
  customerId: number;
  kind: 'callback' | 'task';
  dueAt: string;
  priority: CallbackPriority;
  reason: string;
  phone: string | null;
  status: 'open' | 'done';
  origin: Origin;
  createdAt: number;
}

export interface WrapUpCode {
  code: string;
  label: string;
  requiresNote: boolean;
}

/** What the desktop's identity check is answered with: the stored check and its outcome under the scenario's rule. */
export interface IdentityCheckOutcome extends IdentityCheck {
  /** Questions the scenario needs answered correctly. */
  required: number;
  asked: number;
  correct: number;
  summary: string;
}

export interface WrapUp {
  id: number;
  code: string;
  customerId: number | null;
  callId: string | null;
  notes: string;
  createdAt: number;
}

/** A customer record as the desktop shows it, with everything on it. */
export interface CustomerDetail extends Customer {
  securityQuestions: SecurityQuestion[];
  identityChecks: IdentityCheck[];
  notes: Note[];
  orders: Order[];
  cases: Case[];
  callbacks: Callback[];
}

/** A template filled from the records it was asked for; `unfilled` lists the placeholders left. */
export interface FilledTemplate {
  key: string;
  channel: Channel;
  subject: string | null;
  body: string;
  values: Record<string, string>;
  unfilled: string[];
}

/** A field a customer edit changed (PATCH …/customers/:cid answers with them). */
export interface FieldChange {
  field: string;
  /**
   * The field's value before and after, as the record holds it (text, a number, a flag or null).
   * Optional only in TypeScript's eyes: `unknown` takes undefined, so a schema reads the key as optional.
   */
  old?: unknown;
  new?: unknown;
}

// --- request bodies: what the desktop's forms send ----------------------------------------------
// The server's zod schema of each accepts it (`accepts<T>()`, server/api/exact-schema.ts) and may
// take more (the API's other spellings, such as a credit in pence).

/** A new case as the case form sends it: the category as its code, the credit as keyed in pounds. */
export interface NewCase {
  type: CaseType;
  priority: CasePriority;
  description: string;
  escalated: boolean;
  category: string | null;
  credit: string | null;
}

export interface NewCallback {
  dueAt: string;
  reason: string;
  kind: 'callback' | 'task';
  priority: CallbackPriority;
  phone: string | null;
}

export interface NewOrderLine {
  productCode: string;
  quantity: number;
  saleType: SaleType;
}

export interface NewOrder {
  lines: NewOrderLine[];
}

export type AttachmentRequest = { kind: 'document'; key: string } | { kind: 'order'; orderId: number };

export interface OutgoingMessage {
  channel: Channel;
  to: string;
  cc?: string[];
  subject?: string;
  body: string;
  templateKey?: string;
  attachments?: AttachmentRequest[];
  customerId?: number;
  /** A reply: the incoming message it answers. */
  inReplyTo?: number;
}

export interface IdentityCheckAnswers {
  answers: Array<{ questionId: number; answer: string }>;
}

export interface NewWrapUp {
  code: string;
  notes: string;
  customerId?: number;
}

// What the attempt's desktop routes send back (under /api/attempts/:id), each named once: the
// response schemas (server/api/attempt-responses.ts) are bound to these, and the desktop reads them.

/** A search of the customer records (GET customers?q=): the query as searched, and what it found. */
export interface CustomerSearchResponse {
  query: string;
  count: number;
  customers: Customer[];
}

/** The customers with a phone number (GET customers/by-phone/:phone): the number as normalised (null when it is not one), and the matches. */
export interface CustomersByPhoneResponse {
  phone: string | null;
  count: number;
  customers: Customer[];
}

/** One customer's record with everything on it (GET customers/:cid). */
export interface CustomerResponse {
  customer: CustomerDetail;
}

/** A note added (POST customers/:cid/notes). */
export interface NoteResponse {
  note: Note;
}

/** An order placed (POST customers/:cid/orders). */
export interface OrderResponse {
  order: Order;
}

/** A case opened (POST customers/:cid/cases). */
export interface CaseResponse {
  case: Case;
}

/** A callback booked (POST customers/:cid/callbacks). */
export interface CallbackResponse {
  callback: Callback;
}

/** A wrap-up recorded (POST wrap-ups). */
export interface WrapUpResponse {
  wrapUp: WrapUp;
}

/** A message sent (POST messages) or filed (PUT messages/:mid/folder). */
export interface MessageResponse {
  message: Message;
}

/** The inbox or the sent items (GET messages). */
export interface MessagesResponse {
  messages: Message[];
}

/** The folders messages are filed in (GET message-folders). */
export interface MessageFoldersResponse {
  folders: string[];
}

/** The auto-reply (GET and PUT auto-reply). */
export interface AutoReplyResponse {
  autoReply: AutoReply;
}

/** The knowledge base's articles, all or those matching a search (GET knowledge-base). */
export interface KbArticlesResponse {
  articles: KbArticle[];
}

/** The products (GET products). */
export interface ProductsResponse {
  products: Product[];
}

/** The call scripts (GET scripts). */
export interface ScriptsResponse {
  scripts: Script[];
}

/** The wrap-up codes (GET wrap-up-codes). */
export interface WrapUpCodesResponse {
  codes: WrapUpCode[];
}

/** The case categories (GET case-categories). */
export interface CaseCategoriesResponse {
  categories: CaseCategory[];
}

/** The outbound call list (GET call-list). */
export interface CallListResponse {
  entries: CallListEntry[];
}

/** The message templates and the documents a message may attach (GET message-templates). */
export interface MessageTemplatesResponse {
  templates: MessageTemplate[];
  documents: CrmDocument[];
}

/** A customer record edited (PATCH customers/:cid): the record as saved, and each field changed. */
export interface CustomerUpdatedResponse {
  customer: Customer;
  changes: FieldChange[];
}

/** The attempt and the company it plays (GET /api/attempts/current, GET /api/attempts/:id): null when there is none. */
export interface AttemptWithCompanyResponse {
  attempt: DesktopAttempt | null;
  company: Company | null;
}
