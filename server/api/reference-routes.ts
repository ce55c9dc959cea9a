// The attempt's reference data, in the attempt scope (under /api/attempts/:id): what the desktop
// offers to choose from (products, knowledge base, call scripts, wrap-up codes, case categories, the
// call list, message templates and documents). Read-only, for whoever may read the attempt.
import { z } from 'zod';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { attemptOf, attemptParams, noQuery, type AttemptScope } from './attempt-scope.js';
import { READERS, str } from './crm-inputs.js';

export function registerReferenceRoutes(scope: AttemptScope, opts: { repos: Repositories }): void {
  const crm = opts.repos.crm;
  const list = (url: string, produce: (attempt: Attempt) => unknown) =>
    scope.get(url, { config: READERS, schema: { params: attemptParams, querystring: noQuery } }, async (request) => produce(attemptOf(request)));

  list('/products', (a) => ({ products: crm.listProducts(a.id) }));
  scope.get('/knowledge-base', { config: READERS, schema: { params: attemptParams, querystring: z.object({ q: str(100).optional() }).strict() } }, async (request) => ({
    articles: crm.listKbArticles(attemptOf(request).id, (request.query.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8)),
  }));
  list('/scripts', (a) => ({ scripts: crm.listScripts(a.id) }));
  list('/wrap-up-codes', (a) => ({ codes: crm.listWrapUpCodes(a.id) }));
  list('/case-categories', (a) => ({ categories: crm.listCaseCategories(a.id) }));
  list('/call-list', (a) => ({ entries: crm.listCallList(a.id) }));
  list('/message-templates', (a) => ({ templates: crm.listTemplates(a.id), documents: crm.listDocuments(a.id) }));
}
