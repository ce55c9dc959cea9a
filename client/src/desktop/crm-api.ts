// The desktop's calls to the CRM API of the current attempt: the only file that knows its URLs.
import type {
  AutoReply,
  Callback,
  CallListEntry,
  Case,
  CaseCategory,
  CrmDocument,
  Customer,
  CustomerDetail,
  DesktopAttempt,
  FieldChange,
  FilledTemplate,
  IdentityCheckAnswers,
  IdentityCheckOutcome,
  KbArticle,
  Message,
  MessageTemplate,
  NewCallback,
  NewCase,
  NewOrderLine,
  NewWrapUp,
  Order,
  OutgoingMessage,
  Product,
  Script,
  WrapUp,
  WrapUpCode,
} from '../../../server/protocol/crm.js';
export type * from '../../../server/protocol/crm.js';
import { api } from '../api.js';

/** What the desktop uses of its attempt (DesktopAttempt, server/protocol/crm.ts). */
export type Attempt = Pick<DesktopAttempt, 'id' | 'scenarioKey' | 'status'>;

const base = (attemptId: string) => `/api/attempts/${encodeURIComponent(attemptId)}`;

export const crm = {
  currentAttempt: () => api<{ attempt: Attempt | null }>('GET', '/api/attempts/current').then((r) => r.attempt),
  search: (a: string, q: string) => api<{ customers: Customer[]; count: number }>('GET', `${base(a)}/customers?q=${encodeURIComponent(q)}`),
  byPhone: (a: string, phone: string) => api<{ customers: Customer[]; count: number }>('GET', `${base(a)}/customers/by-phone/${encodeURIComponent(phone)}`),
  customer: (a: string, id: number) => api<{ customer: CustomerDetail }>('GET', `${base(a)}/customers/${id}`).then((r) => r.customer),
  update: (a: string, id: number, changes: Record<string, unknown>, version: number) =>
    api<{ customer: Customer; changes: FieldChange[] }>('PATCH', `${base(a)}/customers/${id}`, { ...changes, version }),
  identityCheck: (a: string, id: number, answers: IdentityCheckAnswers['answers']) =>
    api<IdentityCheckOutcome>('POST', `${base(a)}/customers/${id}/identity-check`, { answers } satisfies IdentityCheckAnswers),
  addNote: (a: string, id: number, body: string) => api<{ note: { id: number } }>('POST', `${base(a)}/customers/${id}/notes`, { body }),
  addCallback: (a: string, id: number, c: NewCallback) => api<{ callback: Callback }>('POST', `${base(a)}/customers/${id}/callbacks`, c),
  addCase: (a: string, id: number, c: NewCase) => api<{ case: Case }>('POST', `${base(a)}/customers/${id}/cases`, c),
  caseCategories: (a: string) => api<{ categories: CaseCategory[] }>('GET', `${base(a)}/case-categories`).then((r) => r.categories),
  addOrder: (a: string, id: number, lines: NewOrderLine[]) => api<{ order: Order }>('POST', `${base(a)}/customers/${id}/orders`, { lines }),
  products: (a: string) => api<{ products: Product[] }>('GET', `${base(a)}/products`).then((r) => r.products),
  wrapUpCodes: (a: string) => api<{ codes: WrapUpCode[] }>('GET', `${base(a)}/wrap-up-codes`).then((r) => r.codes),
  wrapUp: (a: string, body: NewWrapUp) => api<{ wrapUp: WrapUp }>('POST', `${base(a)}/wrap-ups`, body),
  sendMessage: (a: string, body: OutgoingMessage) => api<{ message: Message }>('POST', `${base(a)}/messages`, body),
  messages: (a: string, direction?: 'in' | 'out') =>
    api<{ messages: Message[] }>('GET', `${base(a)}/messages${direction ? `?direction=${direction}` : ''}`).then((r) => r.messages),
  templates: (a: string) => api<{ templates: MessageTemplate[]; documents: CrmDocument[] }>('GET', `${base(a)}/message-templates`),
  /** A template filled from the customer and the order, case and callback chosen. */
  filledTemplate: (a: string, key: string, from: { customerId?: number; orderId?: number; caseId?: number; callbackId?: number }) => {
    const q = Object.entries(from)
      .filter((e): e is [string, number] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    return api<FilledTemplate>('GET', `${base(a)}/message-templates/${encodeURIComponent(key)}/filled${q ? `?${q}` : ''}`);
  },
  messageFolders: (a: string) => api<{ folders: string[] }>('GET', `${base(a)}/message-folders`).then((r) => r.folders),
  fileMessage: (a: string, messageId: number, folder: string | null) => api<{ message: Message }>('PUT', `${base(a)}/messages/${messageId}/folder`, { folder }),
  autoReply: (a: string) => api<{ autoReply: AutoReply }>('GET', `${base(a)}/auto-reply`).then((r) => r.autoReply),
  setAutoReply: (a: string, enabled: boolean, body: string | null) => api<{ autoReply: AutoReply }>('PUT', `${base(a)}/auto-reply`, { enabled, body }).then((r) => r.autoReply),
  knowledgeBase: (a: string, q: string) =>
    api<{ articles: KbArticle[] }>('GET', `${base(a)}/knowledge-base${q.trim() ? `?q=${encodeURIComponent(q.trim())}` : ''}`).then((r) => r.articles),
  scripts: (a: string) => api<{ scripts: Script[] }>('GET', `${base(a)}/scripts`).then((r) => r.scripts),
  callList: (a: string) => api<{ entries: CallListEntry[] }>('GET', `${base(a)}/call-list`).then((r) => r.entries),
};
