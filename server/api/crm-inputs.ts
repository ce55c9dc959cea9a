// What the CRM routes of the attempt scope (attempt-scope.ts) share: who may call them, the zod
// pieces their bodies are made of, the CRM field rules (server/crm/validation.ts) as zod steps, so
// that every bad field of a body is named at once, and the customer a path names.
import type { FastifyContextConfig } from 'fastify';
import { z } from 'zod';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Customer, CrmRepository } from '../db/repositories/crm.js';
import { HttpError } from '../http/errors.js';
import type { Checked } from '../crm/validation.js';
import { attemptParams, rowId } from './attempt-scope.js';

/** The attempt's candidate and its supervisors read. */
export const READERS = { access: ['candidate', 'assessor', 'moderator', 'admin'], attempt: { use: 'read' } } as const satisfies FastifyContextConfig;
/** The attempt's candidate changes its records while it is open (and its sitting has time left). */
export const WRITER = {
  access: ['candidate'],
  attempt: { use: 'write', closed: 'This attempt is closed; its records can be read but no longer changed.', sittingTime: true },
} as const satisfies FastifyContextConfig;

export const customerParams = attemptParams.extend({ cid: rowId });

export const str = (max: number) => z.string().max(max);
export const nullableStr = (max: number) => z.string().max(max).nullable();
/** A database row id in a body. */
export const bodyRowId = z.number().int().min(1);

/** A CRM field rule as a zod step: its message at the field's path, or its cleaned value. */
export function rule<I, T>(check: (input: I) => Checked<T>) {
  return (input: I, ctx: z.RefinementCtx): T => {
    const checked = check(input);
    if (checked.ok) return checked.value;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: checked.message });
    return z.NEVER;
  };
}

/**
 * A CRM field rule checked inside a whole-body zod step (a rule that depends on another field): its
 * message at the field the rule names, relative to the body; the cleaned value, or undefined.
 */
export function checkField<T>(ctx: z.RefinementCtx, checked: Checked<T>): T | undefined {
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: checked.message, path: checked.field.split('.') });
  return undefined;
}

/** A rule for a field that may be left empty: null, '' or spaces are null, anything else is checked. */
export function optionalRule<T>(check: (input: string) => Checked<T>) {
  return (input: string | null | undefined, ctx: z.RefinementCtx): T | null | undefined =>
    input === undefined ? undefined : input === null || input.trim() === '' ? null : rule(check)(input, ctx);
}

/** A rule that accepts a phone number, keeping the number as keyed (trimmed) rather than its parsed form. */
export function asKeyed(check: (input: string) => Checked<unknown>) {
  return (input: string): Checked<string> => {
    const checked = check(input);
    return checked.ok ? { ok: true, value: input.trim() } : checked;
  };
}

export { invalid } from './input.js';

/** The customer a path names, in this attempt's records only. */
export function customerOf(crm: CrmRepository, attempt: Attempt, cid: string): Customer {
  const customer = crm.findCustomer(attempt.id, Number(cid));
  if (!customer) throw new HttpError(404, 'not_found', 'There is no such customer in this attempt.');
  return customer;
}
