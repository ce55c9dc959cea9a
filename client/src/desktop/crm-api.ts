// The desktop's calls to the CRM API of the current attempt: the only file that knows its URLs.
import type { CallListEntry, Channel, CrmDocument, KbArticle, Message, MessageTemplate, PriceBasis, Script } from '../../../server/protocol/crm.js';
import { api } from '../api.js';

export type { CallListEntry, Channel, CrmDocument, KbArticle, Message, MessageTemplate, PriceBasis, Script };

export interface Customer {
  id: number;
  accountNumber: string;
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
  contactPreference: 'phone' | 'email' | 'sms' | 'post' | null;
  doNotCall: boolean;
  version: number;
}

export interface OrderLine {
  productCode: string;
  productName: string;
  quantity: number;
  unitPricePence: number;
  lineTotalPence: number;
  priceBasis: PriceBasis;
  saleType: 'standard' | 'upsell' | 'cross_sell';
}

export interface Order {
  id: number;
  reference: string;
  status: 'placed' | 'active' | 'cancelled';
  totalPence: number;
  monthlyPence: number;
  oneOffPence: number;
  createdAt: number;
  lines: OrderLine[];
}

export interface Case {
  id: number;
  reference: string;
  type: 'complaint' | 'query';
  category: string | null;
  priority: 'low' | 'medium' | 'high' | 'urgent';
  status: 'open' | 'in_progress' | 'resolved' | 'closed';
  escalated: boolean;
  description: string;
  createdAt: number;
}

export interface CustomerDetail extends Customer {
  notes: Array<{ id: number; body: string; createdAt: number }>;
  orders: Order[];
  cases: Case[];
  callbacks: Array<{ id: number; kind: 'callback' | 'task'; dueAt: string; priority: string; reason: string; status: 'open' | 'done' }>;
  securityQuestions: Array<{ id: number; question: string }>;
}

export interface Product {
  code: string;
  name: string;
  category: string;
  features: string[];
  benefits: string[];
  pricePence: number;
  priceBasis: PriceBasis;
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
}

export interface Attempt {
  id: string;
  scenarioKey: string;
  status: 'open' | 'closed';
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

const base = (attemptId: string) => `/api/attempts/${encodeURIComponent(attemptId)}`;

export const crm = {
  currentAttempt: () => api<{ attempt: Attempt }>('GET', '/api/attempts/current').then((r) => r.attempt),
  search: (a: string, q: string) => api<{ customers: Customer[]; count: number }>('GET', `${base(a)}/customers?q=${encodeURIComponent(q)}`),
  byPhone: (a: string, phone: string) => api<{ customers: Customer[]; count: number }>('GET', `${base(a)}/customers/by-phone/${encodeURIComponent(phone)}`),
  customer: (a: string, id: number) => api<{ customer: CustomerDetail }>('GET', `${base(a)}/customers/${id}`).then((r) => r.customer),
  update: (a: string, id: number, changes: Record<string, unknown>, version: number) =>
    api<{ customer: Customer; changes: FieldChange[] }>('PATCH', `${base(a)}/customers/${id}`, { ...changes, version }),
  identityCheck: (a: string, id: number, answers: Array<{ questionId: number; answer: string }>) =>
    api<{ passed: boolean; summary: string; results: Array<{ questionId: number; correct: boolean }> }>('POST', `${base(a)}/customers/${id}/identity-check`, { answers }),
  addNote: (a: string, id: number, body: string) => api<{ note: { id: number } }>('POST', `${base(a)}/customers/${id}/notes`, { body }),
  addCallback: (a: string, id: number, dueAt: string, reason: string) =>
    api<{ callback: { id: number } }>('POST', `${base(a)}/customers/${id}/callbacks`, { dueAt, reason }),
  addCase: (a: string, id: number, c: { type: string; priority: string; description: string; escalated: boolean }) =>
    api<{ case: { id: number } }>('POST', `${base(a)}/customers/${id}/cases`, c),
  addOrder: (a: string, id: number, lines: Array<{ productCode: string; quantity: number; saleType: 'standard' | 'upsell' | 'cross_sell' }>) =>
    api<{ order: { id: number; totalPence: number } }>('POST', `${base(a)}/customers/${id}/orders`, { lines }),
  products: (a: string) => api<{ products: Product[] }>('GET', `${base(a)}/products`).then((r) => r.products),
  wrapUpCodes: (a: string) => api<{ codes: Array<{ code: string; label: string }> }>('GET', `${base(a)}/wrap-up-codes`).then((r) => r.codes),
  wrapUp: (a: string, body: { code: string; notes: string; customerId?: number }) => api<{ wrapUp: { id: number } }>('POST', `${base(a)}/wrap-ups`, body),
  sendMessage: (a: string, body: OutgoingMessage) => api<{ message: Message }>('POST', `${base(a)}/messages`, body),
  messages: (a: string, direction?: 'in' | 'out') =>
    api<{ messages: Message[] }>('GET', `${base(a)}/messages${direction ? `?direction=${direction}` : ''}`).then((r) => r.messages),
  templates: (a: string) => api<{ templates: MessageTemplate[]; documents: CrmDocument[] }>('GET', `${base(a)}/message-templates`),
  knowledgeBase: (a: string, q: string) =>
    api<{ articles: KbArticle[] }>('GET', `${base(a)}/knowledge-base${q.trim() ? `?q=${encodeURIComponent(q.trim())}` : ''}`).then((r) => r.articles),
  scripts: (a: string) => api<{ scripts: Script[] }>('GET', `${base(a)}/scripts`).then((r) => r.scripts),
  callList: (a: string) => api<{ entries: CallListEntry[] }>('GET', `${base(a)}/call-list`).then((r) => r.entries),
};
