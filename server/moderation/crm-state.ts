// The final CRM state of an attempt, as the moderation pack holds it (attempts/<id>/crm-state.json):
// what the candidate's desktop records looked like when the pack was made. Every customer with the
// orders, cases, notes, callbacks and identity checks recorded against them, the call list, the
// wrap-ups, the messages (in and out, with the folder each was filed in), the message folders and
// the auto-reply, and the company and products of the attempt's copy of the seed. The reference
// material the seed copies unchanged (knowledge base, scripts, message templates, wrap-up codes,
// case categories) is in the scenario file the pack also holds, so it is not repeated here; nor are
// the security answers (the scenario file has them). Read-only.
import type { Repositories } from '../db/repositories/index.js';

export const CRM_STATE_VERSION = 1;

export function attemptCrmState(repos: Repositories, attemptId: string): unknown {
  const { crm } = repos;
  return {
    version: CRM_STATE_VERSION,
    attemptId,
    company: crm.company(attemptId) ?? null,
    customers: crm.listCustomers(attemptId).map((c) => ({
      ...c,
      orders: crm.ordersForCustomer(attemptId, c.id),
      cases: crm.casesForCustomer(attemptId, c.id),
      notes: crm.notesForCustomer(attemptId, c.id),
      callbacks: crm.callbacksForCustomer(attemptId, c.id),
      identityChecks: crm.identityChecks(attemptId, c.id),
    })),
    products: crm.listProducts(attemptId),
    callList: crm.listCallList(attemptId),
    wrapUps: crm.listWrapUps(attemptId),
    messages: crm.listMessages(attemptId),
    messageFolders: crm.listMessageFolders(attemptId),
    autoReply: crm.autoReply(attemptId),
  };
}
