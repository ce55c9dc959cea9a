// Binds a response schema to its wire type in server/protocol/, so the two cannot drift apart: a
// field the type has and the schema lacks (or the other way round) fails the type check. And a
// request schema to the request type the client sends (`accepts`).
import type { z } from 'zod';

/** Accepts a schema only if its output is exactly T (each is assignable to the other). */
export const exactly =
  <T>() =>
  <S extends z.ZodType<T, z.ZodTypeDef, unknown>>(schema: S & ([T] extends [z.output<S>] ? unknown : { error: 'the schema declares a field the type does not have' })): S =>
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
