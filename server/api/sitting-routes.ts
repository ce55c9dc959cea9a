// Sittings (server/protocol/assessment.ts): create, list, read, edit or cancel before the start
// (sittings/before-start.ts), start the server-side clock, rest breaks, end, start an assignment's attempt (first or re-take).
// Closing an attempt and its brief are routes of the attempt (sitting-attempt-routes.ts). Every change is stored with its audit_log row in one transaction.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readClock } from '../assessment/clock.js';
import { checkSelection } from '../assessment/coverage.js';
import { AssessmentRuleError } from '../assessment/errors.js';
import { attemptKey } from '../assessment/scenario-loader.js';
import { toCoverageScenario } from '../assessment/scenario-adapters.js';
import { SCENARIO_KEYS } from '../assessment/scenario-schema.js';
import { requireSession } from '../auth/access.js';
import { SittingAccess } from '../auth/sitting-access.js';
import type { Clock } from '../clock.js';
import { copySeedToAttempt, scenarioSeeds } from '../crm/attempt-copy.js';
import type { Attempt } from '../db/repositories/attempts.js';
import { auditActor, type AuditInput } from '../db/repositories/audit-log.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { assignmentKeyOf, isSittingScenarioKey, scenarioOfKey, sittingKeyUsableBy } from '../sittings/catalogue.js';
import { refuseIfConflicted } from '../assurance/conflicts.js';
import { declarationsOf, identityCheckOf, startBlockers } from '../assurance/preparation.js';
import { closeAttempt, enforceOverrunPolicy } from '../sittings/closing.js';
import { whyNotChangeable } from '../sittings/before-start.js';
import { planNextAttempt } from '../sittings/next-attempt.js';
import { sittingResults } from '../sittings/results.js';
import { person, sittingDetail, sittingSummary } from '../sittings/views.js';
import { coverageCheck, sittingCandidatesResponse, sittingDetail as sittingDetailSchema, sittingsResponse } from './assessment-responses.js';
import { FieldProblems, idOf36, idOf36Params, parseInput, registerZodRoutes } from './input.js';

const EVERYONE = { access: ['candidate', 'assessor', 'moderator', 'admin', 'iqa'] } as const;
const RUNNERS = { access: ['assessor', 'admin'] } as const;

const extraTimeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent'), percent: z.number().gt(0).max(100) }).strict(),
  z.object({ kind: z.literal('minutes'), minutes: z.number().int().min(1).max(600) }).strict(),
]);

const createSchema = z
  .object({
    candidateUserId: z.number().int().positive(),
    scenarioKeys: z
      // s1…s6, or a centre's customised variant by its key (e.g. s1-c3-acme; its centre is checked below).
      .array(z.string().refine((k) => isSittingScenarioKey(k), { message: `must be one of ${SCENARIO_KEYS.join(', ')} or a customised scenario of the centre` }))
      .length(4, 'choose exactly four assignments')
      .refine((keys) => new Set(keys.map(assignmentKeyOf)).size === keys.length, 'the four assignments must all be different'),
    scheduledFor: z.number().int().min(0).nullable().optional(),
    baseMinutes: z.number().int().min(1).max(600).default(60),
    extraTime: extraTimeSchema.nullable().optional(),
    restBreaks: z.boolean().default(false),
    assessorUserId: z.number().int().positive().optional(),
  })
  .strict();

/** The assignments being chosen on the form, before the sitting exists (any number, for a check as the assessor picks). */
const coverageCheckSchema = z
  .object({
    scenarioKeys: z.array(z.string().refine((k) => isSittingScenarioKey(k), { message: `must be one of ${SCENARIO_KEYS.join(', ')} or a customised scenario of the centre` })).max(6),
  })
  .strict();

const editSchema = z
  .object({
    candidateUserId: z.number().int().positive().optional(),
    assessorUserId: z.number().int().positive().optional(),
    scheduledFor: z.number().int().min(0).nullable().optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).length > 0, 'say what to change: the candidate, the assessor or the planned date and time');

const cancelSchema = z
  .object({ reason: z.string().trim().min(3, 'say why the sitting is cancelled (at least 3 characters)').max(500) })
  .strict();

const restBreakSchema = z.object({ action: z.enum(['start', 'end']) }).strict();

export function registerSittingRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const sittings = new SittingAccess(repos);

  const audit = (me: SessionUser, sitting: Pick<Sitting, 'centreId'>, entry: Omit<AuditInput, 'actor' | 'centreId' | 'at'>, at: number) =>
    repos.auditLog.append({ ...entry, at, actor: auditActor(me), centreId: sitting.centreId });
  const detail = (id: string, me: SessionUser) => sittingDetail(repos, repos.sittings.findById(id)!, me, clock.now());

  registerZodRoutes(app, (scope) => {
    scope.get('/api/sittings', { config: EVERYONE, schema: { response: { 200: sittingsResponse } } }, async (request) => {
      const me = requireSession(request).user;
      const list =
        me.role === 'candidate'
          ? repos.sittings.list({ candidateUserId: me.id })
          : me.role === 'assessor' || me.role === 'iqa'
            ? repos.sittings.list({ centreId: me.centreId ?? -1 })
            : repos.sittings.list();
      const now = clock.now();
      return { sittings: list.map((s) => sittingSummary(repos, enforceOverrunPolicy(repos, s, now), me)) };
    });

    // The coverage warning before the sitting is created: the same rule (assessment/coverage.ts)
    // that the created sitting's warnings come from; nothing is stored.
    // The candidates a new sitting (or a changed one) can be for, by what the centre tells two apart
    // with: name, candidate number, username (never a phone's extension). An assessor's own centre;
    // an admin may create a sitting in any centre, so every centre's, each with its centre's name.
    scope.get('/api/sittings/candidates', { config: RUNNERS, schema: { response: { 200: sittingCandidatesResponse } } }, async (request) => {
      const me = requireSession(request).user;
      const centres = new Map(repos.centres.list().map((c) => [c.id, c.name]));
      const candidates = repos.users
        .list(me.role === 'admin' ? {} : { centreId: me.centreId ?? -1 })
        .filter((u) => u.role === 'candidate' && !u.disabled && u.centreId !== null)
        .map((u) => ({ userId: u.id, displayName: u.displayName, username: u.username, candidateNumber: u.candidateNumber, centreName: centres.get(u.centreId!) ?? '' }));
      return { candidates };
    });

    scope.post('/api/sittings/coverage-check', { config: RUNNERS, schema: { response: { 200: coverageCheck } } }, async (request) => {
      const me = requireSession(request).user;
      const input = parseInput(coverageCheckSchema, request.body);
      const problems = new FieldProblems();
      // An admin (no centre) may check any centre's variant; an assessor only their own centre's.
      input.scenarioKeys.forEach(
        (k, i) =>
          (me.role === 'admin' && me.centreId === null ? scenarioOfKey(k) !== undefined : sittingKeyUsableBy(k, me.centreId)) ||
          problems.add(`scenarioKeys.${i}`, `must be one of ${SCENARIO_KEYS.join(', ')} or a customised scenario of the centre`),
      );
      problems.throwIfAny();
      const selection = checkSelection(input.scenarioKeys.map((k) => toCoverageScenario(scenarioOfKey(k)!)));
      // The count is the form's own business until all four are chosen; other problems are said now.
      const refusals = selection.problems.filter((p) => p.code !== 'wrong-count' || input.scenarioKeys.length > 4);
      return { warnings: selection.warnings.map((w) => ({ area: w.area, message: w.message })), problems: refusals.map((p) => p.message) };
    });

    scope.post('/api/sittings', { config: RUNNERS, schema: { response: { 201: sittingDetailSchema } } }, async (request, reply) => {
      const me = requireSession(request).user;
      const input = parseInput(createSchema, request.body);
      const problems = new FieldProblems();
      const candidate = repos.users.findById(input.candidateUserId);
      // Unknown users, other roles and other centres' candidates get the same answer.
      const candidateOk = candidate && candidate.role === 'candidate' && candidate.centreId !== null && (me.role === 'admin' || candidate.centreId === me.centreId);
      if (!candidateOk) problems.add('candidateUserId', `There is no candidate with id ${input.candidateUserId} in your centre.`);
      else if (candidate.disabled) problems.add('candidateUserId', `The candidate ${candidate.username} is disabled.`);
      const centreId = candidateOk ? candidate.centreId! : me.centreId;
      let assessorUserId: number | null = me.role === 'assessor' ? me.id : null;
      if (input.assessorUserId !== undefined) {
        const assessor = repos.users.findById(input.assessorUserId);
        if (!assessor || assessor.role !== 'assessor' || assessor.centreId === null || assessor.centreId !== centreId) {
          problems.add('assessorUserId', `There is no assessor with id ${input.assessorUserId} in the candidate's centre.`);
        } else if (assessor.disabled) problems.add('assessorUserId', `The assessor ${assessor.username} is disabled.`);
        else assessorUserId = assessor.id;
      }
      // A centre's variant is for that centre's sittings only; to anyone else it does not exist.
      input.scenarioKeys.forEach((k, i) => sittingKeyUsableBy(k, centreId) || problems.add(`scenarioKeys.${i}`, `must be one of ${SCENARIO_KEYS.join(', ')} or a customised scenario of the centre`));
      const selection = checkSelection(input.scenarioKeys.map((k) => toCoverageScenario(scenarioOfKey(k)!)));
      for (const p of selection.problems) problems.add('scenarioKeys', p.message);
      try {
        // The clock rules are the judge of the settings (e.g. extra minutes above the base time).
        readClock({ baseMinutes: input.baseMinutes, extraTime: input.extraTime ?? null }, { startedAt: null, now: 0 });
      } catch (err) {
        if (!(err instanceof AssessmentRuleError)) throw err;
        problems.add(err.path ?? 'extraTime', err.message);
      }
      problems.throwIfAny();
      // An assessor who declared a personal interest in the candidate may not run their sitting.
      if (assessorUserId !== null) refuseIfConflicted(repos, assessorUserId, input.candidateUserId, "run this candidate's sitting");
      const centre = repos.centres.findById(centreId!)!;
      const now = clock.now();
      const sitting = repos.transaction(() => {
        const created = repos.sittings.create(
          {
            centreId: centreId!,
            candidateUserId: input.candidateUserId,
            assessorUserId,
            scenarioKeys: input.scenarioKeys,
            scheduledFor: input.scheduledFor ?? null,
            baseMinutes: input.baseMinutes,
            extraTime: input.extraTime ?? null,
            restBreaks: input.restBreaks,
            createdBy: me.id,
            maxRetakes: centre.maxRetakes,
            overrunPolicy: centre.overrunPolicy,
          },
          now,
        );
        audit(me, created, { action: 'sitting-created', subjectType: 'sitting', subjectId: created.id, after: { ...created, coverageWarnings: selection.warnings } }, now);
        return created;
      });
      return reply.status(201).send(sittingDetail(repos, sitting, me, now));
    });

    scope.get('/api/sittings/:id', { config: EVERYONE, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const now = clock.now();
      return sittingDetail(repos, enforceOverrunPolicy(repos, sittings.readable(me, request.params.id), now), me, now);
    });

    // Before the start: a different candidate, assessor or planned time (a mistake put right).
    scope.patch('/api/sittings/:id', { config: RUNNERS, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = sittings.runnable(me, request.params.id);
      const input = parseInput(editSchema, request.body);
      const refused = whyNotChangeable(sitting, 'changed');
      if (refused) throw new HttpError(409, refused.code, refused.message);
      const problems = new FieldProblems();
      const candidateUserId = input.candidateUserId ?? sitting.candidateUserId;
      if (input.candidateUserId !== undefined && input.candidateUserId !== sitting.candidateUserId) {
        const candidate = repos.users.findById(input.candidateUserId);
        // Unknown users, other roles and other centres' candidates get the same answer.
        if (!candidate || candidate.role !== 'candidate' || candidate.centreId !== sitting.centreId) problems.add('candidateUserId', "There is no such candidate in the sitting's centre.");
        else if (candidate.disabled) problems.add('candidateUserId', `The candidate ${candidate.displayName} is disabled.`);
      }
      let assessorUserId = sitting.assessorUserId;
      if (input.assessorUserId !== undefined) {
        const assessor = repos.users.findById(input.assessorUserId);
        if (!assessor || assessor.role !== 'assessor' || assessor.centreId !== sitting.centreId) problems.add('assessorUserId', "There is no such assessor in the sitting's centre.");
        else if (assessor.disabled) problems.add('assessorUserId', `The assessor ${assessor.displayName} is disabled.`);
        else assessorUserId = assessor.id;
      }
      problems.throwIfAny();
      // The identity check and the start declaration belong to the candidate they were made by.
      if (candidateUserId !== sitting.candidateUserId) {
        const prep = { identity: identityCheckOf(repos, sitting.id) !== undefined, declared: declarationsOf(repos, sitting.id).start !== null };
        if (prep.identity || prep.declared) {
          throw new HttpError(409, 'preparation_recorded', `The ${prep.identity ? 'identity check' : 'declaration'} is already recorded for ${person(repos, sitting.candidateUserId)!.name}, so the candidate cannot be changed. Cancel this sitting and create one for the other candidate.`, 'candidateUserId');
        }
      }
      if (assessorUserId !== null && (assessorUserId !== sitting.assessorUserId || candidateUserId !== sitting.candidateUserId)) {
        refuseIfConflicted(repos, assessorUserId, candidateUserId, "run this candidate's sitting");
      }
      const after = { candidateUserId, assessorUserId, scheduledFor: input.scheduledFor === undefined ? sitting.scheduledFor : input.scheduledFor };
      const before = { candidateUserId: sitting.candidateUserId, assessorUserId: sitting.assessorUserId, scheduledFor: sitting.scheduledFor };
      const now = clock.now();
      repos.transaction(() => {
        if (!repos.sittings.edit(sitting.id, after)) throw new HttpError(409, 'sitting_started', 'This sitting has just started or been cancelled, so it can no longer be changed.');
        audit(me, sitting, { action: 'sitting-edited', subjectType: 'sitting', subjectId: sitting.id, before, after }, now);
      });
      return detail(sitting.id, me);
    });

    // Before the start: called off, with the reason recorded (the sitting and its record stay).
    scope.post('/api/sittings/:id/cancel', { config: RUNNERS, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = sittings.runnable(me, request.params.id);
      const { reason } = parseInput(cancelSchema, request.body);
      const refused = whyNotChangeable(sitting, 'cancelled');
      if (refused) throw new HttpError(409, refused.code, refused.message);
      const now = clock.now();
      repos.transaction(() => {
        if (!repos.sittings.cancel(sitting.id, me.id, reason, now)) throw new HttpError(409, 'sitting_started', 'This sitting has just started or been cancelled already.');
        audit(me, sitting, { action: 'sitting-cancelled', subjectType: 'sitting', subjectId: sitting.id, before: { status: 'scheduled' }, after: { status: 'cancelled', cancelledAt: now }, reason }, now);
      });
      return detail(sitting.id, me);
    });

    scope.post('/api/sittings/:id/start', { config: RUNNERS, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const sitting = sittings.runnable(me, request.params.id);
      if (sitting.status === 'cancelled') throw new HttpError(409, 'sitting_cancelled', 'This sitting was cancelled, so it cannot start. Create a new sitting instead.');
      if (sitting.status !== 'scheduled') throw new HttpError(409, 'already_started', `The sitting was started ${sitting.status === 'ended' ? 'and has ended' : 'already'}; its clock is not restarted.`);
      if (me.role === 'assessor') refuseIfConflicted(repos, me.id, sitting.candidateUserId, "run this candidate's sitting");
      const blockers = startBlockers(repos, sitting);
      if (blockers.length) throw new HttpError(409, 'not_ready', `The sitting cannot start yet: ${blockers.join(' ')}`);
      const now = clock.now();
      repos.transaction(() => {
        if (!repos.sittings.start(sitting.id, now)) throw new HttpError(409, 'already_started', 'The sitting was started already.');
        audit(me, sitting, { action: 'sitting-started', subjectType: 'sitting', subjectId: sitting.id, before: { status: 'scheduled' }, after: { status: 'in-progress', startedAt: now } }, now);
      });
      return detail(sitting.id, me);
    });

    scope.post('/api/sittings/:id/rest-break', { config: RUNNERS, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const { action } = parseInput(restBreakSchema, request.body);
      const now = clock.now();
      const sitting = enforceOverrunPolicy(repos, sittings.runnable(me, request.params.id), now);
      if (sitting.status !== 'in-progress') throw new HttpError(409, 'sitting_not_running', 'Rest breaks are taken only while the sitting runs.');
      const breaks = repos.sittings.restBreaks(sitting.id);
      const open = breaks.find((b) => b.to === null);
      if (action === 'start') {
        if (open) throw new HttpError(409, 'rest_break_open', 'A rest break is already going on.');
        try {
          // The clock rule decides: it pauses only for a candidate with the rest-break arrangement.
          readClock(sitting, { startedAt: sitting.startedAt, restBreaks: [...breaks, { from: now, to: null }], now });
        } catch (err) {
          if (err instanceof AssessmentRuleError) throw new HttpError(409, err.code.replace(/-/g, '_'), err.message);
          throw err;
        }
        repos.transaction(() => {
          repos.sittings.startRestBreak(sitting.id, now);
          audit(me, sitting, { action: 'rest-break-started', subjectType: 'sitting', subjectId: sitting.id, after: { from: now } }, now);
        });
      } else {
        if (!open) throw new HttpError(409, 'no_rest_break', 'No rest break is going on.');
        repos.transaction(() => {
          repos.sittings.endRestBreak(sitting.id, now);
          audit(me, sitting, { action: 'rest-break-ended', subjectType: 'sitting', subjectId: sitting.id, before: { from: open.from }, after: { from: open.from, to: now } }, now);
        });
      }
      return detail(sitting.id, me);
    });

    scope.post('/api/sittings/:id/end', { config: RUNNERS, schema: { params: idOf36Params, response: { 200: sittingDetailSchema } } }, async (request) => {
      const me = requireSession(request).user;
      const now = clock.now();
      const sitting = enforceOverrunPolicy(repos, sittings.runnable(me, request.params.id), now);
      if (sitting.status !== 'in-progress') throw new HttpError(409, 'sitting_not_running', sitting.status === 'ended' ? 'This sitting has already ended.' : sitting.status === 'cancelled' ? 'This sitting was cancelled, so there is nothing to end.' : 'This sitting has not started yet, so there is nothing to end; cancel it instead.');
      repos.transaction(() => {
        // The open attempt ends with the sitting; its audit row says so (nothing closes silently).
        for (const a of repos.attempts.forSitting(sitting.id).filter((x) => x.status === 'open')) {
          closeAttempt(repos, a, now, auditActor(me), 'The sitting ended.');
        }
        if (!repos.sittings.end(sitting.id, now)) throw new HttpError(409, 'sitting_not_running', 'The sitting has already ended.');
        audit(me, sitting, { action: 'sitting-ended', subjectType: 'sitting', subjectId: sitting.id, before: { status: 'in-progress' }, after: { status: 'ended', endedAt: now } }, now);
      });
      return detail(sitting.id, me);
    });

    scope.post(
      '/api/sittings/:id/assignments/:n/attempts',
      { config: RUNNERS, schema: { params: z.object({ id: idOf36, n: z.string().regex(/^[1-4]$/, 'must be an assignment from 1 to 4') }), response: { 200: sittingDetailSchema } } },
      async (request, reply) => {
        const me = requireSession(request).user;
        const now = clock.now();
        const sitting = enforceOverrunPolicy(repos, sittings.runnable(me, request.params.id), now);
        const position = Number(request.params.n);
        if (me.role === 'assessor') refuseIfConflicted(repos, me.id, sitting.candidateUserId, "run this candidate's sitting");
        if (repos.sittings.restBreaks(sitting.id).some((b) => b.to === null)) {
          throw new HttpError(409, 'rest_break_open', 'The candidate is on a rest break; end it before the next attempt begins.');
        }
        const attempt = repos.transaction((): Attempt => {
          const plan = planNextAttempt(sitting, sittingResults(repos, sitting), position);
          if (!plan.ok) throw new HttpError(409, plan.code, plan.message);
          const scenarioKey = attemptKey(plan.scenario);
          const created = repos.attempts.create(
            {
              centreId: sitting.centreId,
              candidateUserId: sitting.candidateUserId,
              assessorUserId: sitting.assessorUserId ?? (me.role === 'assessor' ? me.id : null),
              scenarioKey,
              sittingId: sitting.id,
              position,
              variant: plan.scenario.variant,
              scenarioVersion: plan.scenario.version,
              retakeOf: plan.retakeOf,
              note: plan.note,
            },
            now,
          );
          copySeedToAttempt(repos, created.id, scenarioSeeds()[scenarioKey]!(), now);
          audit(
            me,
            sitting,
            {
              action: 'attempt-started',
              subjectType: 'attempt',
              subjectId: created.id,
              after: { sittingId: sitting.id, position, kind: plan.kind, scenarioKey, variant: plan.scenario.variant, scenarioVersion: plan.scenario.version, retakeOf: plan.retakeOf },
              reason: plan.note,
            },
            now,
          );
          return created;
        });
        request.log.info({ by: me.id, sittingId: sitting.id, attemptId: attempt.id, position }, 'sitting attempt started');
        return reply.status(200).send(detail(sitting.id, me));
      },
    );
  });
}
