// The agent desktop's inbox and compose tools, under /api/attempts/:id: filing incoming messages in
// the scenario's folders, the out-of-office auto-reply, and message templates filled from the
// attempt's records (server/crm/template-fill.ts). Who may do what is the rule of every attempt
// route (server/auth/attempt-access.ts): the attempt's candidate changes, while it is open;
// supervisors read; anyone else gets the 404 of an unknown id.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { templateValues } from '../crm/template-fill.js';
import { validateText } from '../crm/validation.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { fillPlaceholders, unfilledPlaceholders } from '../protocol/templates.js';
import { attemptOf, attemptParams, rowId, type AttemptScope } from './attempt-scope.js';
import { READERS, invalid } from './crm-inputs.js';
import { autoReplyResponse, filledTemplate, messageFoldersResponse, messageResponse } from './attempt-responses.js';

export interface InboxRouteOptions {
  repos: Repositories;
  clock: Clock;
  /** Filing and the auto-reply are recorded on the attempt's timeline by the server (realtime/evidence.ts). */
  evidence: Evidence;
}

/** The attempt's candidate files and sets the auto-reply while it is open. */
const WRITER = { access: ['candidate'], attempt: { use: 'write', closed: 'This attempt is closed; its messages can be read but no longer changed.', sittingTime: false } } as const;

/** A longer auto-reply than this is not an auto-reply. */
export const MAX_AUTO_REPLY_CHARS = 2000;

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerInboxRoutes(scope: AttemptScope, opts: InboxRouteOptions): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  // --- folders and filing ----------------------------------------------------------------------

  scope.get('/message-folders', { config: READERS, schema: { params: attemptParams, response: { 200: messageFoldersResponse } } }, async (request) => ({
    folders: crm.listMessageFolders(attemptOf(request).id),
  }));

  scope.put(
    '/messages/:mid/folder',
    {
      config: WRITER,
      schema: { params: attemptParams.extend({ mid: rowId }), body: z.object({ folder: z.string().max(60).nullable() }).strict(), response: { 200: messageResponse } },
    },
    async (request) => {
      const attempt = attemptOf(request);
      const message = crm.findMessage(attempt.id, Number(request.params.mid));
      if (!message || message.direction !== 'in') throw new HttpError(404, 'not_found', 'There is no such incoming message in this attempt.');
      const wanted = request.body.folder?.trim() || null;
      // The folder as the scenario spells it ("team notices" files in "Team notices").
      const folders = crm.listMessageFolders(attempt.id);
      const folder = wanted === null ? null : folders.find((f) => f.toLowerCase() === wanted.toLowerCase());
      if (folder === undefined) throw invalid('folder', `There is no folder "${wanted}"; file it in one of: ${folders.join(', ') || 'none (this inbox has no folders)'}.`);
      const filed = evidence.recorded(
        attempt,
        () => {
          crm.fileMessage(attempt.id, message.id, folder, clock.now());
          return crm.findMessage(attempt.id, message.id)!;
        },
        (m) => [['message-filed', evidencePayload.messageFiled(m)]],
      );
      return { message: filed };
    },
  );

  // --- auto-reply ----------------------------------------------------------------------------------

  scope.get('/auto-reply', { config: READERS, schema: { params: attemptParams, response: { 200: autoReplyResponse } } }, async (request) => ({
    autoReply: crm.autoReply(attemptOf(request).id),
  }));

  scope.put(
    '/auto-reply',
    {
      config: WRITER,
      schema: {
        params: attemptParams,
        body: z.object({ enabled: z.boolean(), body: z.string().max(MAX_AUTO_REPLY_CHARS * 2).nullable().optional() }).strict(),
        response: { 200: autoReplyResponse },
      },
    },
    async (request) => {
      const attempt = attemptOf(request);
      const { enabled } = request.body;
      const keyed = request.body.body?.trim() ? request.body.body : null;
      if (enabled && keyed === null) throw invalid('body', 'Write the auto-reply message before switching it on.');
      let body: string | null = null;
      if (keyed !== null) {
        const checked = validateText(keyed, 'body', MAX_AUTO_REPLY_CHARS);
        if (!checked.ok) throw invalid(checked.field, checked.message);
        body = checked.value;
      }
      return { autoReply: evidence.recorded(attempt, () => crm.setAutoReply(attempt.id, enabled, body, clock.now()), (r) => [['auto-reply-set', evidencePayload.autoReply(r)]]) };
    },
  );

  // --- templates filled from the records -----------------------------------------------------------

  scope.get(
    '/message-templates/:key/filled',
    {
      config: READERS,
      schema: {
        params: attemptParams.extend({ key: z.string().min(1).max(64) }),
        querystring: z.object({ customerId: rowId.optional(), orderId: rowId.optional(), caseId: rowId.optional(), callbackId: rowId.optional() }).strict(),
        response: { 200: filledTemplate },
      },
    },
    async (request) => {
      const attempt = attemptOf(request);
      const q = request.query;
      const template = crm.listTemplates(attempt.id).find((t) => t.key === request.params.key);
      if (!template) throw new HttpError(404, 'not_found', `There is no template "${request.params.key}".`);
      const customer = q.customerId === undefined ? undefined : crm.findCustomer(attempt.id, Number(q.customerId));
      if (q.customerId !== undefined && !customer) throw invalid('customerId', 'There is no such customer in this attempt.');
      // An order, case or callback fills the message only for the customer it belongs to.
      const belongs = <T extends { customerId: number }>(found: T | undefined, field: string, what: string): T | undefined => {
        if (found === undefined) throw invalid(field, `There is no such ${what} in this attempt.`);
        if (customer && found.customerId !== customer.id) throw invalid(field, `That ${what} belongs to another customer.`);
        return found;
      };
      const order = q.orderId === undefined ? undefined : belongs(crm.findOrder(attempt.id, Number(q.orderId)), 'orderId', 'order');
      const kase = q.caseId === undefined ? undefined : belongs(crm.findCase(attempt.id, Number(q.caseId)), 'caseId', 'case');
      const callback = q.callbackId === undefined ? undefined : belongs(crm.findCallback(attempt.id, Number(q.callbackId)), 'callbackId', 'callback or task');
      const categories = crm.listCaseCategories(attempt.id);
      const values = templateValues({
        company: crm.company(attempt.id)!,
        agentName: repos.users.findById(attempt.candidateUserId)?.displayName ?? 'Customer service adviser',
        customer,
        order,
        case: kase && { ...kase, categoryLabel: categories.find((c) => c.code === kase.category)?.label ?? null },
        callback,
      });
      const subject = template.subject === null ? null : fillPlaceholders(template.subject, values);
      const body = fillPlaceholders(template.body, values);
      return { key: template.key, channel: template.channel, subject, body, values, unfilled: unfilledPlaceholders(subject ?? '', body) };
    },
  );
}
