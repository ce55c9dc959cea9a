// The wrap-up the candidate records after a call, in the attempt scope (under /api/attempts/:id):
// a code of the scenario's, notes when the code needs them, the customer and call it was about.
// Recorded as evidence on the attempt's timeline in the transaction that stores it.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Repositories } from '../db/repositories/index.js';
import { validateText } from '../crm/validation.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { wrapUpResponse } from './attempt-responses.js';
import { WRITER, bodyRowId, rule, str } from './crm-inputs.js';
import { FieldProblems } from './input.js';
import { accepts } from './exact-schema.js';
import type { NewWrapUp } from '../protocol/crm.js';

const wrapUpBody = accepts<NewWrapUp>()(
  z
  .object({
    code: str(40),
    /** Trimmed; '' when there are none. */
    notes: str(4000)
      .optional()
      .transform((notes, ctx) => {
        const trimmed = (notes ?? '').trim();
        return trimmed ? rule((v: string) => validateText(v, 'notes', 4000))(trimmed, ctx) : '';
      }),
    customerId: bodyRowId.nullable().optional(),
    callId: z.string().max(64).nullable().optional(),
  })
  .strict(),
);

export function registerWrapUpRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  scope.post('/wrap-ups', { config: WRITER, schema: { params: attemptParams, body: wrapUpBody, response: { 201: wrapUpResponse } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    const b = request.body;
    const notes = b.notes;
    // Checks against the attempt's records, every problem named together.
    const problems = new FieldProblems();
    const code = crm.findWrapUpCode(attempt.id, b.code.trim());
    if (!code) {
      const known = crm.listWrapUpCodes(attempt.id).map((c) => c.code).join(', ');
      problems.add('code', `"${b.code}" is not a wrap-up code; choose one of ${known}.`);
    } else if (code.requiresNote && !notes) {
      problems.add('notes', `The wrap-up code ${code.code} (${code.label}) needs notes.`);
    }
    const customerId = b.customerId ?? null;
    if (customerId !== null && !crm.findCustomer(attempt.id, customerId)) problems.add('customerId', `There is no customer ${customerId} in this attempt.`);
    const callId = b.callId ?? null;
    if (callId !== null) {
      const call = repos.calls.find(callId);
      if (!call || call.candidateUserId !== attempt.candidateUserId) problems.add('callId', 'There is no such call of this candidate.');
    }
    if (!code || !problems.empty) throw problems.error();
    const wrapUp = evidence.recorded(attempt, () => crm.insertWrapUp(attempt.id, { code: code.code, customerId, callId, notes, createdAt: clock.now() }), (w) => [
      ['wrap-up', evidencePayload.wrapUp(w, customerId === null ? undefined : crm.findCustomer(attempt.id, customerId))],
    ]);
    return reply.status(201).send({ wrapUp });
  });
}
