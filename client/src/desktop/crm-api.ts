// The desktop's calls to the CRM API of the current attempt: the only file that knows its URLs.
import type {
  AttemptWithCompanyResponse,
  AutoReplyResponse,
  CallbackResponse,
  CallListResponse,
  CaseCategoriesResponse,
  CaseResponse,
  CustomerResponse,
  CustomersByPhoneResponse,
  CustomerSearchResponse,
  CustomerUpdatedResponse,
  DesktopAttempt,
  FilledTemplate,
  IdentityCheckAnswers,
  IdentityCheckOutcome,
  KbArticlesResponse,
  MessageFoldersResponse,
  MessageResponse,
  MessagesResponse,
  MessageTemplatesResponse,
  NewCallback,
  NewCase,
  NewOrderLine,
  NewWrapUp,
  NoteResponse,
  OrderResponse,
  OutgoingMessage,
  ProductsResponse,
  ScriptsResponse,
  WrapUpCodesResponse,
  WrapUpResponse,
} from '../../../server/protocol/crm.js';
export type * from '../../../server/protocol/crm.js';
import { api } from '../api.js';

/** What the desktop uses of its attempt (DesktopAttempt, server/protocol/crm.ts). */
export type Attempt = Pick<DesktopAttempt, 'id' | 'scenarioKey' | 'status'>;

const base = (attemptId: string) => `/api/attempts/${encodeURIComponent(attemptId)}`;

export const crm = {
  currentAttempt: () => api<AttemptWithCompanyResponse>('GET', '/api/attempts/current').then((r) => r.attempt),
  search: (a: string, q: string) => api<CustomerSearchResponse>('GET', `${base(a)}/customers?q=${encodeURIComponent(q)}`),
  byPhone: (a: string, phone: string) => api<CustomersByPhoneResponse>('GET', `${base(a)}/customers/by-phone/${encodeURIComponent(phone)}`),
  customer: (a: string, id: number) => api<CustomerResponse>('GET', `${base(a)}/customers/${id}`).then((r) => r.customer),
  update: (a: string, id: number, changes: Record<string, unknown>, version: number) =>
    api<CustomerUpdatedResponse>('PATCH', `${base(a)}/customers/${id}`, { ...changes, version }),
  identityCheck: (a: string, id: number, answers: IdentityCheckAnswers['answers']) =>
    api<IdentityCheckOutcome>('POST', `${base(a)}/customers/${id}/identity-check`, { answers } satisfies IdentityCheckAnswers),
  addNote: (a: string, id: number, body: string) => api<NoteResponse>('POST', `${base(a)}/customers/${id}/notes`, { body }),
  addCallback: (a: string, id: number, c: NewCallback) => api<CallbackResponse>('POST', `${base(a)}/customers/${id}/callbacks`, c),
  addCase: (a: string, id: number, c: NewCase) => api<CaseResponse>('POST', `${base(a)}/customers/${id}/cases`, c),
  caseCategories: (a: string) => api<CaseCategoriesResponse>('GET', `${base(a)}/case-categories`).then((r) => r.categories),
  addOrder: (a: string, id: number, lines: NewOrderLine[]) => api<OrderResponse>('POST', `${base(a)}/customers/${id}/orders`, { lines }),
  products: (a: string) => api<ProductsResponse>('GET', `${base(a)}/products`).then((r) => r.products),
  wrapUpCodes: (a: string) => api<WrapUpCodesResponse>('GET', `${base(a)}/wrap-up-codes`).then((r) => r.codes),
  wrapUp: (a: string, body: NewWrapUp) => api<WrapUpResponse>('POST', `${base(a)}/wrap-ups`, body),
  sendMessage: (a: string, body: OutgoingMessage) => api<MessageResponse>('POST', `${base(a)}/messages`, body),
  messages: (a: string, direction?: 'in' | 'out') =>
    api<MessagesResponse>('GET', `${base(a)}/messages${direction ? `?direction=${direction}` : ''}`).then((r) => r.messages),
  templates: (a: string) => api<MessageTemplatesResponse>('GET', `${base(a)}/message-templates`),
  /** A template filled from the customer and the order, case and callback chosen. */
  filledTemplate: (a: string, key: string, from: { customerId?: number; orderId?: number; caseId?: number; callbackId?: number }) => {
    const q = Object.entries(from)
      .filter((e): e is [string, number] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    return api<FilledTemplate>('GET', `${base(a)}/message-templates/${encodeURIComponent(key)}/filled${q ? `?${q}` : ''}`);
  },
  messageFolders: (a: string) => api<MessageFoldersResponse>('GET', `${base(a)}/message-folders`).then((r) => r.folders),
  fileMessage: (a: string, messageId: number, folder: string | null) => api<MessageResponse>('PUT', `${base(a)}/messages/${messageId}/folder`, { folder }),
  autoReply: (a: string) => api<AutoReplyResponse>('GET', `${base(a)}/auto-reply`).then((r) => r.autoReply),
  setAutoReply: (a: string, enabled: boolean, body: string | null) => api<AutoReplyResponse>('PUT', `${base(a)}/auto-reply`, { enabled, body }).then((r) => r.autoReply),
  knowledgeBase: (a: string, q: string) =>
    api<KbArticlesResponse>('GET', `${base(a)}/knowledge-base${q.trim() ? `?q=${encodeURIComponent(q.trim())}` : ''}`).then((r) => r.articles),
  scripts: (a: string) => api<ScriptsResponse>('GET', `${base(a)}/scripts`).then((r) => r.scripts),
  callList: (a: string) => api<CallListResponse>('GET', `${base(a)}/call-list`).then((r) => r.entries),
};
