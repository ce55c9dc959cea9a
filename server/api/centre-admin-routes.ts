// The centre administrator's settings and records (the admin role; routes in
// server/protocol/assurance.ts): the centre's number, results release rule, re-take limit, overrun
// policy and enquiry/appeal window; candidates' numbers; special consideration, malpractice (JCQ
// M1 / M2(a)) and enquiries or appeals recorded against a sitting. Each change is audited.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OVERRUN_POLICIES } from '../assessment/overrun.js';
import { RELEASE_RULES } from '../assessment/release-rule.js';
import { assuranceView } from '../assurance/views.js';
import { requireSession } from '../auth/access.js';
import { SittingAccess } from '../auth/sitting-access.js';
import type { Clock } from '../clock.js';
import { MALPRACTICE_FORMS, SPECIAL_CONSIDERATION_CATEGORIES } from '../protocol/assurance.js';
import type { SessionUser } from '../protocol/roles.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { HttpError } from '../http/errors.js';
import { centreResponse, userResponse } from './account-responses.js';
import { sittingAssurance } from './assurance-responses.js';
import { FieldProblems, idOf36Params, parseInput, registerZodRoutes, rowNumberParams } from './input.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

const ADMIN = { access: ['admin'] } as const;
const MAX_TEXT = 4000;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date');
const required = (what: string) => z.string().trim().min(1, `write ${what}`).max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);
const optional = z.string().trim().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`).optional();

const settingsSchema = z
  .object({
    // Awarding bodies' centre numbers are short runs of digits (Pearson: 5); letters are allowed for other bodies.
    centreNumber: z.string().trim().regex(/^[A-Za-z0-9]{3,10}$/, 'must be 3 to 10 letters or digits, as the awarding body gave it').nullable(),
    releaseRule: z.enum(RELEASE_RULES, { errorMap: () => ({ message: `must be one of ${RELEASE_RULES.join(', ')}` }) }),
    maxRetakes: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(5, 'must be at most 5'),
    overrunPolicy: z.enum(OVERRUN_POLICIES, { errorMap: () => ({ message: `must be one of ${OVERRUN_POLICIES.join(', ')}` }) }),
    appealWindowDays: z.number().int('must be a whole number of days').min(0, 'must be 0 or more').max(3650, 'must be at most 3650'),
  })
  .strict();
const candidateNumberSchema = z.object({ candidateNumber: z.string().trim().regex(/^[0-9]{1,10}$/, 'must be 1 to 10 digits').nullable() }).strict();
const specialConsiderationSchema = z
  .object({
    category: z.enum(SPECIAL_CONSIDERATION_CATEGORIES, { errorMap: () => ({ message: `must be one of ${SPECIAL_CONSIDERATION_CATEGORIES.join(', ')}` }) }),
    incidentDate: isoDay,
    details: required('what happened and how it affected the candidate'),
    evidence: optional,
    adjustmentRequested: optional,
  })
  .strict();
const malpracticeSchema = z
  .object({
    form: z.enum(MALPRACTICE_FORMS, { errorMap: () => ({ message: 'must be M1 (candidate) or M2a (staff or centre)' }) }),
    incidentDate: isoDay,
    personsInvolved: required('who was involved (M1: the candidate; M2(a): names and roles of the staff)'),
    nature: required('the nature of the suspected malpractice'),
    evidence: optional,
    statementObtained: z.boolean().optional(),
    reportedToAwardingBodyOn: isoDay.nullable().optional(),
    actionTaken: optional,
  })
  .strict();
const enquirySchema = z
  .object({
    kind: z.enum(['enquiry', 'appeal'], { errorMap: () => ({ message: 'must be enquiry or appeal' }) }),
    raisedBy: required('who raised it'),
    receivedOn: isoDay,
    grounds: required('the grounds'),
  })
  .strict();
const closeEnquirySchema = z.object({ outcome: required('the outcome') }).strict();

export function registerCentreAdminRoutes(app: FastifyInstance, opts: { repos: Repositories; clock: Clock }): void {
  const { repos, clock } = opts;
  const sittings = new SittingAccess(repos);

  registerZodRoutes(app, (scope) => {
    scope.put('/api/centres/:id/settings', { config: ADMIN, schema: { params: rowNumberParams, response: { 200: centreResponse } } }, async (request) => {
      const me = requireSession(request).user;
      const centre = repos.centres.findById(Number(request.params.id));
      if (!centre) throw new HttpError(404, 'not_found', 'There is no such centre.');
      const input = parseInput(settingsSchema, request.body);
      const centreNumber = input.centreNumber === null || input.centreNumber === '' ? null : input.centreNumber.toUpperCase();
      const other = centreNumber === null ? undefined : repos.centres.findByCentreNumber(centreNumber);
      if (other && other.id !== centre.id) {
        const problems = new FieldProblems();
        problems.add('centreNumber', `Centre number ${centreNumber} already belongs to ${other.name}.`);
        problems.throwIfAny();
      }
      const now = clock.now();
      const { id: _id, name: _name, isDemo: _demo, createdAt: _at, ...before } = centre;
      const after = { ...input, centreNumber };
      const updated = repos.transaction(() => {
        const c = repos.centres.updateSettings(centre.id, after)!;
        repos.auditLog.append({ at: now, actor: auditActor(me), centreId: centre.id, action: 'centre-settings-changed', subjectType: 'centre', subjectId: centre.id, before, after });
        return c;
      });
      return { centre: updated };
    });

    scope.post('/api/users/:id/candidate-number', { config: ADMIN, schema: { params: rowNumberParams, response: { 200: userResponse } } }, async (request) => {
      const me = requireSession(request).user;
      const user = repos.users.findById(Number(request.params.id));
      if (!user) throw new HttpError(404, 'not_found', 'There is no such user.');
      const { candidateNumber } = parseInput(candidateNumberSchema, request.body);
      const problems = new FieldProblems();
      if (user.role !== 'candidate' || user.centreId === null) problems.add('candidateNumber', 'Only a candidate of a centre has a candidate number.');
      const other = candidateNumber && user.centreId !== null ? repos.users.findByCandidateNumber(user.centreId, candidateNumber) : undefined;
      if (other && other.id !== user.id) problems.add('candidateNumber', `Candidate number ${candidateNumber} is already ${other.displayName}'s in this centre.`);
      problems.throwIfAny();
      const now = clock.now();
      repos.transaction(() => {
        repos.users.setCandidateNumber(user.id, candidateNumber, now);
        repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('user', user), action: 'candidate-number-set', before: { candidateNumber: user.candidateNumber }, after: { candidateNumber } });
      });
      return { user: repos.users.findById(user.id)! };
    });

    /** A record the centre keeps about a sitting: stored with its audit entry, answered with the sitting's assurance view. */
    const recordAboutSitting = <T>(url: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, store: (input: T, sitting: Sitting, me: SessionUser, now: number) => { action: string; after: Record<string, unknown> }) =>
      scope.post(url, { config: ADMIN, schema: { params: idOf36Params, response: { 201: sittingAssurance } } }, async (request, reply) => {
        const me = requireSession(request).user;
        const sitting = sittings.runnable(me, request.params.id);
        const input = parseInput(schema, request.body);
        const now = clock.now();
        repos.transaction(() => {
          const { action, after } = store(input, sitting, me, now);
          repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('sitting', sitting), action, after });
        });
        return reply.status(201).send(assuranceView(repos, sitting));
      });

    recordAboutSitting('/api/sittings/:id/special-consideration', specialConsiderationSchema, (input, sitting, me, now) => {
      const r = repos.centreRecords.addSpecialConsideration({ sittingId: sitting.id, category: input.category, incidentDate: input.incidentDate, details: input.details, evidence: input.evidence ?? '', adjustmentRequested: input.adjustmentRequested ?? '', recordedBy: me.id, recordedAt: now });
      return { action: 'special-consideration-recorded', after: { id: r.id, category: r.category, incidentDate: r.incidentDate } };
    });

    recordAboutSitting('/api/sittings/:id/malpractice', malpracticeSchema, (input, sitting, me, now) => {
      const r = repos.centreRecords.addMalpractice({
        sittingId: sitting.id,
        form: input.form,
        incidentDate: input.incidentDate,
        personsInvolved: input.personsInvolved,
        nature: input.nature,
        evidence: input.evidence ?? '',
        statementObtained: input.statementObtained ?? false,
        reportedToAwardingBodyOn: input.reportedToAwardingBodyOn ?? null,
        actionTaken: input.actionTaken ?? '',
        recordedBy: me.id,
        recordedAt: now,
      });
      return { action: 'malpractice-recorded', after: { id: r.id, form: r.form, incidentDate: r.incidentDate, reportedToAwardingBodyOn: r.reportedToAwardingBodyOn } };
    });

    recordAboutSitting('/api/sittings/:id/enquiries', enquirySchema, (input, sitting, me, now) => {
      const r = repos.centreRecords.addEnquiry({ sittingId: sitting.id, kind: input.kind, raisedBy: input.raisedBy, receivedOn: input.receivedOn, grounds: input.grounds, recordedBy: me.id, recordedAt: now });
      return { action: 'enquiry-recorded', after: { id: r.id, kind: r.kind, receivedOn: r.receivedOn } };
    });

    scope.post('/api/enquiries/:id/close', { config: ADMIN, schema: { params: rowNumberParams, response: { 200: sittingAssurance } } }, async (request) => {
      const me = requireSession(request).user;
      const enquiry = repos.centreRecords.enquiry(Number(request.params.id));
      if (!enquiry) throw new HttpError(404, 'not_found', 'There is no such enquiry or appeal.');
      const { outcome } = parseInput(closeEnquirySchema, request.body);
      const sitting = repos.sittings.findById(enquiry.sittingId)!;
      const now = clock.now();
      repos.transaction(() => {
        if (!repos.centreRecords.closeEnquiry(enquiry.id, outcome, me.id, now)) throw new HttpError(409, 'already_closed', 'This enquiry or appeal is closed already.');
        repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('sitting', sitting), action: 'enquiry-closed', after: { id: enquiry.id, outcome } });
      });
      return assuranceView(repos, sitting);
    });
  });
}
