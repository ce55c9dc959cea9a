// The quality-assurance workflow of a sitting (routes and roles in server/protocol/assurance.ts):
// the identity check and the candidate's declarations before and after, the assessor's signature,
// the IQA's review, countersignature or return, the moderator's signed outcome, and declarations
// of personal interest. Every step is recorded by the server (who, when, what was signed) with its
// audit_log row, and refused with a clear 409 when taken out of order.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MODERATION_OUTCOMES } from '../assessment/result-states.js';
import { conflictView, refuseIfConflicted } from '../assurance/conflicts.js';
import { iqaAttempt, iqaAttemptView, iqaQueue, saveIqaReviews } from '../assurance/iqa.js';
import { confirmDeclaration, recordIdentityCheck } from '../assurance/preparation.js';
import { countersign, recordOutcome, returnToAssessor, signMarkSheet } from '../assurance/result-workflow.js';
import { assuranceView } from '../assurance/views.js';
import { requireSession } from '../auth/access.js';
import { SittingAccess, sittingNotFound } from '../auth/sitting-access.js';
import type { Clock } from '../clock.js';
import { ID_DOCUMENT_TYPES } from '../protocol/assurance.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { enforceOverrunPolicy } from '../sittings/closing.js';
import { candidateDeclarations, centrePeople, conflict, conflictsResponse, iqaAttempt as iqaAttemptSchema, iqaQueue as iqaQueueSchema, sittingAssurance } from './assurance-responses.js';
import { FieldProblems, idOf36Params, parseInput, registerZodRoutes } from './input.js';
import { auditActor } from '../db/repositories/audit-log.js';

const STAFF = { access: ['assessor', 'iqa', 'moderator', 'admin'] } as const;
const MAX_TEXT = 2000;

const text = (what: string) => z.string().trim().min(1, `write ${what}`).max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

const identitySchema = z
  .object({
    documentType: z.enum(ID_DOCUMENT_TYPES, { errorMap: () => ({ message: `must be one of ${ID_DOCUMENT_TYPES.join(', ')}` }) }),
    documentDetail: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // Seed 003, "ID requirements": another photo ID, an ID with a signature, or a third party who vouches: say which.
    if (['photo-id-card', 'signed-id', 'third-party'].includes(v.documentType) && !v.documentDetail) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['documentDetail'], message: v.documentType === 'third-party' ? 'name who confirmed the identity, and their role' : 'say which document it was' });
    }
  });
const declarationSchema = z.object({ moment: z.enum(['start', 'end']), confirm: z.literal(true, { errorMap: () => ({ message: 'tick the box to confirm' }) }) }).strict();
const confirmSchema = z.object({ confirm: z.literal(true, { errorMap: () => ({ message: 'tick the box to confirm' }) }) }).strict();
const reasonSchema = z.object({ reason: text('the reason') }).strict();
const outcomeSchema = z
  .object({
    outcome: z.enum(MODERATION_OUTCOMES, { errorMap: () => ({ message: `must be one of ${MODERATION_OUTCOMES.join(', ')}` }) }),
    reason: z.string().trim().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.outcome !== 'accepted' && !v.reason) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['reason'], message: `give the reason the marks were ${v.outcome === 'adjusted' ? 'adjusted' : 'rejected'}` });
  });
const conflictSchema = z.object({ candidateUserId: z.number().int().positive(), nature: text('what the interest is (e.g. a relative, a friend, your line manager)') }).strict();
const reviewSchema = z
  .object({
    verdicts: z
      .array(z.object({ criterionId: z.string().min(1).max(100), verdict: z.enum(['agree', 'disagree']), reason: z.string().max(MAX_TEXT).optional() }).strict())
      .min(1, 'give at least one verdict')
      .max(100),
  })
  .strict();

export function registerAssuranceRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const sittings = new SittingAccess(repos);
  const view = (id: string) => assuranceView(repos, repos.sittings.findById(id)!);
  /** A sitting of the user's own centre (IQA), or any (moderators). */
  const readable = (me: SessionUser, id: string) => enforceOverrunPolicy(repos, sittings.readable(me, id), clock.now());

  registerZodRoutes(app, (scope) => {
    scope.get('/api/sittings/:id/assurance', { config: STAFF, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      return assuranceView(repos, readable(requireSession(request).user, request.params.id));
    });

    scope.post('/api/sittings/:id/identity-check', { config: { access: ['assessor', 'admin'] }, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = sittings.runnable(me, request.params.id);
      const input = parseInput(identitySchema, request.body);
      if (me.role === 'assessor') refuseIfConflicted(repos, me.id, sitting.candidateUserId, "check this candidate's identity");
      recordIdentityCheck(repos, sitting, me, { documentType: input.documentType, documentDetail: input.documentDetail ?? '' }, clock.now());
      return view(sitting.id);
    });

    scope.post('/api/sittings/:id/declarations', { config: { access: ['candidate'] }, schema: { params: idOf36Params, response: { 200: candidateDeclarations } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = readable(me, request.params.id);
      if (sitting.candidateUserId !== me.id) throw sittingNotFound();
      const input = parseInput(declarationSchema, request.body);
      return confirmDeclaration(repos, sitting, me, input.moment, clock.now());
    });

    scope.post('/api/sittings/:id/sign', { config: { access: ['assessor'] }, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = sittings.runnable(me, request.params.id);
      parseInput(confirmSchema, request.body);
      return assuranceView(repos, signMarkSheet(repos, sitting, me, clock.now()));
    });

    scope.post('/api/sittings/:id/return', { config: { access: ['iqa'] }, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = readable(me, request.params.id);
      const { reason } = parseInput(reasonSchema, request.body);
      return assuranceView(repos, returnToAssessor(repos, sitting, me, reason, clock.now()));
    });

    scope.post('/api/sittings/:id/countersign', { config: { access: ['iqa'] }, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = readable(me, request.params.id);
      parseInput(confirmSchema, request.body);
      return assuranceView(repos, countersign(repos, sitting, me, clock.now()));
    });

    scope.post('/api/sittings/:id/moderation-outcome', { config: { access: ['moderator'] }, schema: { params: idOf36Params, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = readable(me, request.params.id);
      const input = parseInput(outcomeSchema, request.body);
      return assuranceView(repos, recordOutcome(repos, sitting, me, input.outcome, input.reason || null, clock.now()));
    });

    scope.get('/api/conflicts', { config: { access: ['assessor', 'iqa', 'admin'] }, schema: { response: { 200: conflictsResponse } } }, async (request) => {
      const me = requireSession(request).user;
      const list = me.role === 'admin' ? repos.assurance.conflicts({}) : repos.assurance.conflicts({ staffUserId: me.id });
      return { conflicts: list.map((c) => conflictView(repos, c)) };
    });

    scope.post('/api/conflicts', { config: { access: ['assessor', 'iqa'] }, schema: { response: { 201: conflict } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const input = parseInput(conflictSchema, request.body);
      const candidate = repos.users.findById(input.candidateUserId);
      if (!candidate || candidate.role !== 'candidate' || candidate.centreId !== me.centreId) {
        const problems = new FieldProblems();
        problems.add('candidateUserId', `There is no candidate with id ${input.candidateUserId} in your centre.`);
        problems.throwIfAny();
      }
      if (repos.assurance.conflict(me.id, input.candidateUserId)) throw new HttpError(409, 'already_declared', `You have already declared a personal interest in ${candidate!.displayName}.`);
      const now = clock.now();
      const conflict = repos.transaction(() => {
        const c = repos.assurance.declareConflict({ centreId: candidate!.centreId!, staffUserId: me.id, candidateUserId: candidate!.id, nature: input.nature, declaredAt: now });
        repos.auditLog.append({ at: now, actor: auditActor(me), centreId: c.centreId, action: 'conflict-of-interest-declared', subjectType: 'user', subjectId: candidate!.id, after: { staffUserId: me.id, nature: c.nature } });
        return c;
      });
      return reply.status(201).send(conflictView(repos, conflict));
    });

    // The centre's people, for the forms of its staff (declaring an interest, choosing assessors).
    scope.get('/api/centre/people', { config: { access: ['assessor', 'iqa'] }, schema: { response: { 200: centrePeople } } }, async (request) => {
      const me = requireSession(request).user;
      const people = repos.users.list({ centreId: me.centreId ?? -1 }).filter((u) => !u.disabled);
      const of = (role: string) => people.filter((u) => u.role === role).map((u) => ({ id: u.id, name: u.displayName }));
      return { candidates: of('candidate'), assessors: of('assessor') };
    });

    scope.get('/api/iqa/sittings', { config: { access: ['iqa'] }, schema: { response: { 200: iqaQueueSchema } } }, async (request) => {
      const me = requireSession(request).user;
      return iqaQueue(repos, me, me.centreId ?? -1);
    });

    scope.get('/api/iqa/attempts/:id', { config: { access: ['iqa'] }, schema: { params: idOf36Params, response: { 200: iqaAttemptSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const { attempt, sitting } = iqaAttempt(repos, me, request.params.id);
      return iqaAttemptView(repos, attempt, sitting);
    });

    scope.put('/api/iqa/attempts/:id/reviews', { config: { access: ['iqa'] }, schema: { params: idOf36Params, response: { 200: iqaAttemptSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const { attempt, sitting } = iqaAttempt(repos, me, request.params.id);
      const input = parseInput(reviewSchema, request.body);
      saveIqaReviews(repos, attempt, sitting, me, input.verdicts, clock.now());
      return iqaAttemptView(repos, attempt, repos.sittings.findById(sitting.id)!);
    });
  });
}
