// The agent desktop's inbox and compose tools, under /api/attempts/:id: filing incoming messages in
// the scenario's folders, the out-of-office auto-reply, and message templates filled from the
// attempt's records (server/crm/template-fill.ts). Who may do what is the rule of every attempt
// route (server/auth/attempt-access.ts): the attempt's candidate changes, while it is open;
// supervisors read; anyone else gets the 404 of an unknown id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import { templateValues } from '../crm/template-fill.js';
import { validateText } from '../crm/validation.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { fillPlaceholders, unfilledPlaceholders } from '../protocol/templates.js';

export interface InboxRouteOptions {
  repos: Repositories;
  clock: Clock;
  /** Filing and the auto-reply are recorded on the attempt's timeline by the server (realtime/evidence.ts). */
  evidence: Evidence;
}

const READERS = { access: ['candidate', 'assessor', 'moderator', 'admin'] } as const;
const WRITER = { access: ['candidate'] } as const;
const ID = { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } as const;
const ROW_ID = { type: 'string', pattern: '^[1-9][0-9]{0,12}$' } as const;
const attemptParams = { type: 'object', required: ['id'], properties: { id: ID } } as const;

type AttemptParams = { id: string };
/** A longer auto-reply than this is not an auto-reply. */
export const MAX_AUTO_REPLY_CHARS = 2000;

const invalid = (field: string, message: string): HttpError => new HttpError(400, 'validation', message, field);

export function registerInboxRoutes(app: FastifyInstance, opts: InboxRouteOptions): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;
  const access = new AttemptAccess(repos);
  const readable = (request: FastifyRequest<{ Params: AttemptParams }>): Attempt => access.readable(requireSession(request).user, request.params.id);
  const writable = (request: FastifyRequest<{ Params: AttemptParams }>): Attempt =>
    access.writable(requireSession(request).user, request.params.id, 'This attempt is closed; its messages can be read but no longer changed.');

  // --- folders and filing ----------------------------------------------------------------------

  app.get<{ Params: AttemptParams }>('/api/attempts/:id/message-folders', { config: READERS, schema: { params: attemptParams } }, async (request) => ({
    folders: crm.listMessageFolders(readable(request).id),
  }));

  app.put<{ Params: AttemptParams & { mid: string }; Body: { folder: string | null } }>(
    '/api/attempts/:id/messages/:mid/folder',
    {
      config: WRITER,
      schema: {
        params: { type: 'object', required: ['id', 'mid'], properties: { id: ID, mid: ROW_ID } },
        body: { type: 'object', required: ['folder'], additionalProperties: false, properties: { folder: { type: ['string', 'null'], maxLength: 60 } } },
      },
    },
    async (request) => {
      const attempt = writable(request);
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

  app.get<{ Params: AttemptParams }>('/api/attempts/:id/auto-reply', { config: READERS, schema: { params: attemptParams } }, async (request) => ({
    autoReply: crm.autoReply(readable(request).id),
  }));

  app.put<{ Params: AttemptParams; Body: { enabled: boolean; body?: string | null } }>(
    '/api/attempts/:id/auto-reply',
    {
      config: WRITER,
      schema: {
        params: attemptParams,
        body: {
          type: 'object',
          required: ['enabled'],
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, body: { type: ['string', 'null'], maxLength: MAX_AUTO_REPLY_CHARS * 2 } },
        },
      },
    },
    async (request) => {
      const attempt = writable(request);
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

  type FillQuery = { customerId?: string; orderId?: string; caseId?: string; callbackId?: string };
  const rowId = { type: 'string', pattern: '^[1-9][0-9]{0,12}$' } as const;
  app.get<{ Params: AttemptParams & { key: string }; Querystring: FillQuery }>(
    '/api/attempts/:id/message-templates/:key/filled',
    {
      config: READERS,
      schema: {
        params: { type: 'object', required: ['id', 'key'], properties: { id: ID, key: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { customerId: rowId, orderId: rowId, caseId: rowId, callbackId: rowId } },
      },
    },
    async (request) => {
      const attempt = readable(request);
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
