// Print-outs of the agent desktop, under /api/attempts/:id/printouts: the candidate prints a
// customer record, an order confirmation or a case form; the server renders the PDF
// (server/printouts/render.ts), stores it with the attempt as evidence (server/printouts/store.ts)
// and serves it back. Who may do what is the same as for the attempt's CRM data (crm-inputs.ts):
//   - the attempt's candidate prints, while the attempt is open (closed: 409);
//   - the candidate, an assessor of the attempt's centre, moderators and admins list and read;
//   - anyone else gets 404, the same answer as for an unknown id, so ids cannot be probed.
import path from 'node:path';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import { AttemptAccess } from '../auth/attempt-access.js';
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Printout } from '../db/repositories/printouts.js';
import type { PrintoutKind } from '../protocol/printouts.js';
import { HttpError } from '../http/errors.js';
import { openStoredFile } from '../http/stored-file.js';
import { renderCaseForm, renderCustomerRecord, renderOrderConfirmation, type PrintMeta, type RenderedPdf } from '../printouts/render.js';
import { printoutFile, storePrintout } from '../printouts/store.js';
import { summarisePrintout } from '../printouts/summary.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { attemptOf, attemptParams, uuid, type AttemptScope } from './attempt-scope.js';
import { READERS } from './crm-inputs.js';
import { printoutResponse, printoutsResponse } from './attempt-responses.js';

export interface PrintoutRouteOptions {
  repos: Repositories;
  clock: Clock;
  /** Records each print-out on the attempt's timeline, in the transaction that stores it. */
  evidence: Evidence;
  /** Where the PDFs are kept: '<printoutsDir>/<attempt id>/<id>-<kind>.pdf'. */
  printoutsDir: string;
}


const CLOSED = 'This attempt is closed; its records can be read but no longer printed.';
const WRITER = { access: ['candidate'], attempt: { use: 'write', closed: CLOSED, sittingTime: true } } as const;
const KINDS = ['customer', 'order', 'case'] as const satisfies readonly PrintoutKind[];


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

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerPrintoutRoutes(scope: AttemptScope, opts: PrintoutRouteOptions): void {
  const { repos, clock } = opts;
  const crm = repos.crm;
  // The scope's hook authorised the print-out; writing the PDF takes a while, so it asks again before keeping it.
  const access = new AttemptAccess(repos, clock);

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

  scope.post(
    '/printouts',
    {
      // Rendering is synchronous work and files are kept for good: bounded per user and per attempt.
      config: { ...WRITER, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        params: attemptParams,
        body: z.object({ kind: z.enum(KINDS), subjectId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict(),
        response: { 201: printoutResponse },
      },
    },
    async (request, reply) => {
      const attempt = attemptOf(request);
      const user = requireSession(request).user;
      const { kind, subjectId } = request.body;
      if (repos.printouts.list(attempt.id).length >= MAX_PRINTOUTS_PER_ATTEMPT) {
        throw new HttpError(409, 'quota', `An attempt keeps at most ${MAX_PRINTOUTS_PER_ATTEMPT} print-outs; this one has reached it.`);
      }
      const now = clock.now();
      const rendered = render(attempt, kind, subjectId, { printedAt: now, printedBy: user.displayName, attemptId: attempt.id });
      // The attempt may close while the PDF is written: then nothing is kept (the file is removed).
      const stillAllowed = () => void access.writable(user, attempt.id, CLOSED);
      const recorded = (p: Printout) => void opts.evidence.record(attempt, 'printout', evidencePayload.printout(p), { at: now });
      const printout = await storePrintout(repos, opts.printoutsDir, { attemptId: attempt.id, kind, subjectId, rendered, createdAt: now, createdBy: user.id, stillAllowed, recorded });
      request.log.info({ attemptId: attempt.id, printoutId: printout.id, kind, subjectId, bytes: printout.bytes }, 'print-out stored');
      return reply.status(201).send({ printout: summarisePrintout(printout) });
    },
  );

  scope.get('/printouts', { config: READERS, schema: { params: attemptParams, response: { 200: printoutsResponse } } }, async (request) => {
    const attempt = attemptOf(request);
    return { printouts: repos.printouts.list(attempt.id).map(summarisePrintout) };
  });

  scope.get('/printouts/:pid', { config: { ...READERS, sendsFile: 'application/pdf' }, schema: { params: attemptParams.extend({ pid: uuid }) } }, async (request, reply) => {
    const attempt = attemptOf(request);
    const printout = repos.printouts.find(attempt.id, request.params.pid.toLowerCase());
    const located = printout && printoutFile(opts.printoutsDir, printout);
    if (!printout || !located) throw new HttpError(404, 'not_found', 'There is no such print-out.');
    const body = await openStoredFile(request, reply, { root: located.root, relative: located.relative.split(path.sep).join('/') }, { what: 'print-out', none: 'There is no such print-out.' });
    reply.header('content-type', 'application/pdf');
    reply.header('content-disposition', `inline; filename="${downloadName(printout)}"`);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'private, no-store');
    return reply.send(body);
  });
}
