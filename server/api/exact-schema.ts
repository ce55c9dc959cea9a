// Binds a response schema to its wire type in server/protocol/, so the two cannot drift apart: a
// field the type has and the schema lacks (or the other way round), optional or not, or a field
// optional in one and required in the other, fails the type check (tests/server/api/exact-schema.test-d.ts). And a
// request schema to the request type the client sends (`accepts`).
import type { z } from 'zod';

/**
 * A type as plain data, for comparing shapes: each object (intersections merged), list and tuple
 * mapped key by key, optionality kept, `readonly` dropped; any other type as it is. Distributes over
 * unions, so each shape of a union is compared too.
 */
type Plain<T> = T extends object ? { -readonly [K in keyof T]: Plain<T[K]> } : T;

/** A and B are the same type (not merely assignable to each other): the same keys, equally optional, at every depth. */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/**
 * Accepts a schema only if its output is exactly T: each is assignable to the other, and their
 * fields are the same at every depth, optional ones included, each exactly as optional in both (a
 * field optional in one and missing from the other is assignable either way, so assignability alone
 * lets it through).
 */
export const exactly =
  <T>() =>
  <S extends z.ZodType<T, z.ZodTypeDef, unknown>>(
    schema: S &
      ([T] extends [z.output<S>]
        ? Same<Plain<T>, Plain<z.output<S>>> extends true
          ? unknown
          : { error: 'the schema and the type differ in an optional field (missing, extra, or optional in one only)' }
        : { error: 'the schema declares a field the type does not have' }),
  ): S =>
    schema;

/**
 * Accepts a request schema only if it takes every T (what the client sends, a type in
 * server/protocol/): the schema may take more, but never refuse the shape the client is typed to send.
 */
export const accepts =
  <T>() =>
  <S extends z.ZodTypeAny>(schema: S & (Takes<T, z.input<S>> extends true ? unknown : { error: 'the schema does not take the request type' })): S =>
    schema;

/** T is a valid input I, and names no field I lacks (a strict schema refuses an unknown field). */
type Takes<T, I> = [T] extends [I] ? ([Exclude<keyof T, keyof I>] extends [never] ? true : false) : false;
