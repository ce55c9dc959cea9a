// The attempt's reference data, in the attempt scope (under /api/attempts/:id): what the desktop
// offers to choose from (products, knowledge base, call scripts, wrap-up codes, case categories, the
// call list, message templates and documents). Read-only, for whoever may read the attempt.
import { z } from 'zod';
import type { Repositories } from '../db/repositories/index.js';
import { attemptOf, attemptParams, noQuery, type AttemptScope } from './attempt-scope.js';
import { READERS, str } from './crm-inputs.js';
import * as shape from './attempt-responses.js';

export function registerReferenceRoutes(scope: AttemptScope, opts: { repos: Repositories }): void {
  const crm = opts.repos.crm;
  const reads = (response: z.ZodTypeAny) => ({ config: READERS, schema: { params: attemptParams, querystring: noQuery, response: { 200: response } } });
  scope.get('/products', reads(shape.productsResponse), async (request) => ({ products: crm.listProducts(attemptOf(request).id) }));
  scope.get(
    '/knowledge-base',
    { config: READERS, schema: { params: attemptParams, querystring: z.object({ q: str(100).optional() }).strict(), response: { 200: shape.kbArticlesResponse } } },
    async (request) => ({
      articles: crm.listKbArticles(attemptOf(request).id, (request.query.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8)),
    }),
  );
  scope.get('/scripts', reads(shape.scriptsResponse), async (request) => ({ scripts: crm.listScripts(attemptOf(request).id) }));
  scope.get('/wrap-up-codes', reads(shape.wrapUpCodesResponse), async (request) => ({ codes: crm.listWrapUpCodes(attemptOf(request).id) }));
  scope.get('/case-categories', reads(shape.caseCategoriesResponse), async (request) => ({ categories: crm.listCaseCategories(attemptOf(request).id) }));
  scope.get('/call-list', reads(shape.callListResponse), async (request) => ({ entries: crm.listCallList(attemptOf(request).id) }));
  scope.get('/message-templates', reads(shape.messageTemplatesResponse), async (request) => ({
    templates: crm.listTemplates(attemptOf(request).id),
    documents: crm.listDocuments(attemptOf(request).id),
  }));
}
