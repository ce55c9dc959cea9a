// The desktop's calls to the CRM API of the current attempt: the only file that knows its URLs.
import { api } from '../api.js';

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
  email: string | null;
  doNotCall: boolean;
  version: number;
}

export interface CustomerDetail extends Customer {
  notes: Array<{ id: number; body: string; createdAt: number }>;
  orders: Array<{ id: number; reference: string; totalPence: number; createdAt: number; lines: Array<{ productCode: string; productName: string; quantity: number }> }>;
  cases: Array<{ id: number; type: string; priority: string; status: string; description: string }>;
  callbacks: Array<{ id: number; dueAt: string; reason: string }>;
  securityQuestions: Array<{ id: number; question: string }>;
}

export interface Product {
  code: string;
  name: string;
  category: string;
  features: string[];
  benefits: string[];
  pricePence: number;
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
    api<{ passed: boolean; results: Array<{ questionId: number; correct: boolean }> }>('POST', `${base(a)}/customers/${id}/identity-check`, { answers }),
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
  sendMessage: (a: string, body: { channel: 'email' | 'sms'; to: string; subject?: string; body: string }) =>
    api<{ message: { id: number } }>('POST', `${base(a)}/messages`, body),
};
