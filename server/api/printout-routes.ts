// Print-outs of the agent desktop, under /api/attempts/:id/printouts: the candidate prints a
// customer record, an order confirmation or a case form; the server renders the PDF
// (server/printouts/render.ts), stores it with the attempt as evidence (server/printouts/store.ts)
// and serves it back. Who may do what is the same as for the attempt's CRM data (crm-routes.ts):
//   - the attempt's candidate prints, while the attempt is open (closed: 409);
//   - the candidate, an assessor of the attempt's centre, moderators and admins list and read;
//   - anyone else gets 404, the same answer as for an unknown id, so ids cannot be probed.
import path from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Printout } from '../db/repositories/printouts.js';
import type { PrintoutKind } from '../protocol/printouts.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { renderCaseForm, renderCustomerRecord, renderOrderConfirmation, type PrintMeta, type RenderedPdf } from '../printouts/render.js';
import { printoutFile, storePrintout } from '../printouts/store.js';
import { summarisePrintout } from '../printouts/summary.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';

export interface PrintoutRouteOptions {
  repos: Repositories;
  clock: Clock;
  /** Records each print-out on the attempt's timeline, in the transaction that stores it. */
  evidence: Evidence;
  /** Where the PDFs are kept: '<printoutsDir>/<attempt id>/<id>-<kind>.pdf'. */
  printoutsDir: string;
}


const READERS = { access: ['candidate', 'assessor', 'moderator', 'admin'] } as const;
const WRITER = { access: ['candidate'] } as const;
const KINDS: readonly PrintoutKind[] = ['customer', 'order', 'case'];

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const attemptParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UUID } } } as const;
const printoutParams = { type: 'object', required: ['id', 'pid'], properties: { id: { type: 'string', pattern: UUID }, pid: { type: 'string', pattern: UUID } } } as const;

type AttemptParams = { id: string };
type PrintoutParams = { id: string; pid: string };


/** A file name safe in any header and on any file system: "Order confirmation ORD-000003" → "order-confirmation-ORD-000003.pdf". */
export function downloadName(p: Pick<Printout, 'title' | 'kind'>): string {
  const slug = p.title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/^([A-Z][a-z]+(?:-[a-z]+)*)/, (words) => words.toLowerCase());
  return `${slug || p.kind}.pdf`;
}

export const MAX_PRINTOUTS_PER_ATTEMPT = 200;

export function registerPrintoutRoutes(app: FastifyInstance, opts: PrintoutRouteOptions): void {
  const { repos, clock } = opts;
  const crm = repos.crm;

  const access = new AttemptAccess(repos, clock);
  const readable = (request: FastifyRequest<{ Params: AttemptParams }>): { attempt: Attempt; user: SessionUser } => {
    const user = requireSession(request).user;
    return { attempt: access.readable(user, request.params.id), user };
  };
  const writable = (request: FastifyRequest<{ Params: AttemptParams }>): { attempt: Attempt; user: SessionUser } => {
    const user = requireSession(request).user;
    return { attempt: access.writable(user, request.params.id, 'This attempt is closed; its records can be read but no longer printed.'), user };
  };

  /** Renders what was asked for, from this attempt's records only. */
  const render = (attempt: Attempt, kind: PrintoutKind, subjectId: number, meta: PrintMeta): RenderedPdf => {
    const company = crm.company(attempt.id);
    const missing = (what: string): HttpError => new HttpError(404, 'not_found', `There is no such ${what} in this attempt.`);
    if (!company) throw missing(kind);
    switch (kind) {
      case 'customer': {
        const customer = crm.findCustomer(attempt.id, subjectId);
        if (!customer) throw missing('customer');
        return renderCustomerRecord(
          {
            company,
            customer,
            notes: crm.notesForCustomer(attempt.id, customer.id),
            callbacks: crm.callbacksForCustomer(attempt.id, customer.id),
            cases: crm.casesForCustomer(attempt.id, customer.id),
            orders: crm.ordersForCustomer(attempt.id, customer.id),
            caseCategories: crm.listCaseCategories(attempt.id),
          },
          meta,
        );
      }
      case 'order': {
        const order = crm.findOrder(attempt.id, subjectId);
        const customer = order && crm.findCustomer(attempt.id, order.customerId);
        if (!order || !customer) throw missing('order');
        return renderOrderConfirmation({ company, customer, order }, meta);
      }
      case 'case': {
        const found = crm.findCase(attempt.id, subjectId);
        const customer = found && crm.findCustomer(attempt.id, found.customerId);
        if (!found || !customer) throw missing('case');
        return renderCaseForm({ company, customer, case: found, caseCategories: crm.listCaseCategories(attempt.id) }, meta);
      }
    }
  };

  app.post<{ Params: AttemptParams; Body: { kind: PrintoutKind; subjectId: number } }>(
    '/api/attempts/:id/printouts',
    {
      // Rendering is synchronous work and files are kept for good: bounded per user and per attempt.
      config: { ...WRITER, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        params: attemptParams,
        body: {
          type: 'object',
          required: ['kind', 'subjectId'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...KINDS] },
            subjectId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          },
        },
      },
    },
    async (request, reply) => {
      const { attempt, user } = writable(request);
      const { kind, subjectId } = request.body;
      if (repos.printouts.list(attempt.id).length >= MAX_PRINTOUTS_PER_ATTEMPT) {
        throw new HttpError(409, 'quota', `An attempt keeps at most ${MAX_PRINTOUTS_PER_ATTEMPT} print-outs; this one has reached it.`);
      }
      const now = clock.now();
      const rendered = render(attempt, kind, subjectId, { printedAt: now, printedBy: user.displayName, attemptId: attempt.id });
      // The attempt may close while the PDF is written: then nothing is kept (the file is removed).
      const stillAllowed = () => void writable(request);
      const recorded = (p: Printout) => void opts.evidence.record(attempt, 'printout', evidencePayload.printout(p), { at: now });
      const printout = await storePrintout(repos, opts.printoutsDir, { attemptId: attempt.id, kind, subjectId, rendered, createdAt: now, createdBy: user.id, stillAllowed, recorded });
      request.log.info({ attemptId: attempt.id, printoutId: printout.id, kind, subjectId, bytes: printout.bytes }, 'print-out stored');
      return reply.status(201).send({ printout: summarisePrintout(printout) });
    },
  );

  app.get<{ Params: AttemptParams }>('/api/attempts/:id/printouts', { config: READERS, schema: { params: attemptParams } }, async (request) => {
    const { attempt } = readable(request);
    return { printouts: repos.printouts.list(attempt.id).map(summarisePrintout) };
  });

  app.get<{ Params: PrintoutParams }>('/api/attempts/:id/printouts/:pid', { config: READERS, schema: { params: printoutParams } }, async (request, reply) => {
    const { attempt } = readable(request);
    const printout = repos.printouts.find(attempt.id, request.params.pid.toLowerCase());
    const located = printout && printoutFile(opts.printoutsDir, printout);
    if (!printout || !located) throw new HttpError(404, 'not_found', 'There is no such print-out.');
    const result = await send(request.raw, located.relative.split(path.sep).join('/'), { root: located.root, acceptRanges: true, cacheControl: false, dotfiles: 'deny', index: false });
    if (result.type === 'error') {
      if (result.statusCode === 416) {
        for (const [name, value] of Object.entries(result.headers)) if (value !== undefined && name.toLowerCase() === 'content-range') reply.header(name, value);
        throw new HttpError(416, 'range_not_satisfiable', 'The requested byte range is outside the print-out.');
      }
      if (result.statusCode === 404) throw new HttpError(404, 'not_found', 'The print-out file is missing.');
      throw new HttpError(500, 'internal', 'The print-out could not be read.');
    }
    if (result.type !== 'file') throw new HttpError(404, 'not_found', 'There is no such print-out.');
    reply.status(result.statusCode);
    for (const [name, value] of Object.entries(result.headers)) if (value !== undefined) reply.header(name, value);
    reply.header('content-type', 'application/pdf');
    reply.header('content-disposition', `inline; filename="${downloadName(printout)}"`);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'private, no-store');
    return reply.send(result.stream);
  });
}
