// Attempts of the agent desktop: an assessor starts a practice attempt for a candidate of the
// centre (a copy of the scenario's CRM data, server/crm/attempt-copy.ts); the candidate finds the
// attempt open now; whoever may read an attempt reads it with its company.
// Who may do what:
//   - the attempt's candidate reads;
//   - an assessor of the attempt's centre reads, and creates practice attempts for the centre's candidates;
//   - moderators and admins read;
//   - anyone else gets 404, the same answer as for an unknown id, so ids cannot be probed.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { copySeedToAttempt, scenarioSeeds } from '../crm/attempt-copy.js';
import { centreOfVariant, parseAttemptKey, scenarioForAttemptKey } from '../assessment/scenario-loader.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { READERS } from './crm-inputs.js';
import { attemptWithCompany, practiceAttemptCreated } from './attempt-responses.js';
import { invalid, registerZodRoutes, type ZodScope } from './input.js';

/** POST /api/attempts and GET /api/attempts/current: not under one attempt's prefix. */
export function registerAttemptRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  registerZodRoutes(app, (scope) => registerOutsideTheScope(scope, opts));
}

function registerOutsideTheScope(scope: ZodScope, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;

  scope.post(
    '/api/attempts',
    {
      config: { access: ['assessor'] },
      schema: {
        body: z
          .object({
            candidateUserId: z.number().int().min(1),
            // Checked in the handler: the list changes when a centre customises a scenario.
            scenarioKey: z.string().max(80, 'must be at most 80 characters').optional(),
          })
          .strict(),
        response: { 201: practiceAttemptCreated },
      },
    },
    async (request, reply) => {
      const me = requireSession(request).user;
      const { candidateUserId } = request.body;
      const scenarioKey = request.body.scenarioKey ?? 'demo';
      const candidate = repos.users.findById(candidateUserId);
      // Unknown users, other roles and other centres' candidates get the same answer.
      if (!candidate || candidate.role !== 'candidate' || candidate.centreId === null || candidate.centreId !== me.centreId) {
        throw invalid('candidateUserId', `There is no candidate with id ${candidateUserId} in your centre.`);
      }
      if (candidate.disabled) throw invalid('candidateUserId', `The candidate ${candidate.username} is disabled.`);
      // A centre's customised variant (s1-c3-acme) is for its own centre; to others it does not exist.
      const owner = centreOfVariant(parseAttemptKey(scenarioKey)?.variant ?? '');
      const seeds = scenarioSeeds();
      const seedOf = Object.hasOwn(seeds, scenarioKey) ? seeds[scenarioKey] : undefined;
      if (!seedOf || (owner !== undefined && owner !== candidate.centreId)) throw invalid('scenarioKey', `There is no scenario "${scenarioKey}" for this centre.`);
      const seed = seedOf();
      const now = clock.now();
      const { attempt, copied } = repos.transaction(() => {
        // The version it is sat on, so it is marked and replayed with that version after a bump.
        const attempt = repos.attempts.create({ centreId: candidate.centreId!, candidateUserId, assessorUserId: me.id, scenarioKey, scenarioVersion: scenarioForAttemptKey(scenarioKey)?.version ?? null }, now);
        return { attempt, copied: copySeedToAttempt(repos, attempt.id, seed, now) };
      });
      request.log.info({ by: me.id, attemptId: attempt.id, candidateUserId, scenarioKey }, 'practice attempt created');
      return reply.status(201).send({ attempt, copied });
    },
  );

  // Outside the attempt scope: the desktop's view of the attempt only.
  scope.get('/api/attempts/current', { config: { access: ['candidate'] }, schema: { response: { 200: attemptWithCompany } } }, async (request) => {
    const me = requireSession(request).user;
    // Having no assignment open is the desktop's usual state between assignments: an answer, not a 404.
    const attempt = repos.attempts.openForCandidate(me.id)[0];
    if (!attempt) return { attempt: null, company: null };
    return { attempt, company: repos.crm.company(attempt.id) ?? null };
  });
}

/** GET /api/attempts/:id, in the attempt scope. */
export function registerAttemptReadRoute(scope: AttemptScope, opts: { repos: Repositories }): void {
  scope.get('', { config: READERS, schema: { params: attemptParams, response: { 200: attemptWithCompany } } }, async (request) => {
    const attempt = attemptOf(request);
    return { attempt, company: opts.repos.crm.company(attempt.id) ?? null };
  });
}
