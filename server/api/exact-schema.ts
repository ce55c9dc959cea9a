// Binds a response schema to its wire type in server/protocol/, so the two cannot drift apart: a
// field the type has and the schema lacks (or the other way round) fails the type check.
import type { z } from 'zod';

/** Accepts a schema only if its output is exactly T (each is assignable to the other). */
export const exactly =
  <T>() =>
  <S extends z.ZodType<T, z.ZodTypeDef, unknown>>(schema: S & ([T] extends [z.output<S>] ? unknown : { error: 'the schema declares a field the type does not have' })): S =>
    schema;
