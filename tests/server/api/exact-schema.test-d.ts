// Type-level test of exactly<T>() (server/api/exact-schema.ts), checked by `npx tsc -p tsconfig.json
// --noEmit` (tsconfig.json includes tests/; vitest does not run this file): each
// `@ts-expect-error` line must fail to compile, or tsc reports the directive unused. A response
// schema must declare each field of its wire type, optional ones too, no field the type lacks, and
// each field exactly as optional as the type has it, at every depth.
import { z } from 'zod';
import { exactly } from '../../../server/api/exact-schema.js';

interface Note {
  id: string;
  text?: string;
}

// Accepted: the same fields, equally optional, at every depth.
exactly<Note>()(z.object({ id: z.string(), text: z.string().optional() }));
exactly<{ notes: Note[]; first: Note | null }>()(z.object({ notes: z.array(z.object({ id: z.string(), text: z.string().optional() })), first: z.object({ id: z.string(), text: z.string().optional() }).nullable() }));
// Accepted: an intersection, as the protocol writes some types; a union of shapes; free-form values
// (zod makes a key whose value may be undefined optional, so the type says `?` too).
exactly<{ total: number } & Pick<Note, 'text'>>()(z.object({ total: z.number(), text: z.string().optional() }));
exactly<{ kind: 'a'; a: number } | { kind: 'b'; b?: string }>()(z.union([z.object({ kind: z.literal('a'), a: z.number() }), z.object({ kind: z.literal('b'), b: z.string().optional() })]));
exactly<{ detail?: unknown; byName: Record<string, number> }>()(z.object({ detail: z.unknown(), byName: z.record(z.number()) }));

// A required field missing, a field the type lacks, a field of another type: refused (as before).
// @ts-expect-error the schema lacks the required field id
exactly<Note>()(z.object({ text: z.string().optional() }));
// @ts-expect-error the schema declares a required field the type lacks
exactly<Note>()(z.object({ id: z.string(), text: z.string().optional(), secret: z.string() }));

// Optional fields: refused when missing, extra, or of other optionality.
// @ts-expect-error the schema lacks the optional field text
exactly<Note>()(z.object({ id: z.string() }));
// @ts-expect-error the schema declares an optional field the type lacks
exactly<Note>()(z.object({ id: z.string(), text: z.string().optional(), secret: z.string().optional() }));
// @ts-expect-error text is optional in the type, required in the schema
exactly<Note>()(z.object({ id: z.string(), text: z.string() }));
// @ts-expect-error text is required (possibly undefined) in the type, optional in the schema
exactly<{ id: string; text: string | undefined }>()(z.object({ id: z.string(), text: z.string().optional() }));

// The same, deeper: in a list, in a nullable object, in one shape of a union.
// @ts-expect-error an element of the list lacks the optional field text
exactly<{ notes: Note[] }>()(z.object({ notes: z.array(z.object({ id: z.string() })) }));
// @ts-expect-error the nullable object lacks the optional field text
exactly<{ first: Note | null }>()(z.object({ first: z.object({ id: z.string() }).nullable() }));
// @ts-expect-error the nested object declares an optional field the type lacks
exactly<{ first: Note }>()(z.object({ first: z.object({ id: z.string(), text: z.string().optional(), secret: z.number().optional() }) }));
// @ts-expect-error one shape of the union lacks its optional field b
exactly<{ kind: 'a'; a: number } | { kind: 'b'; b?: string }>()(z.union([z.object({ kind: z.literal('a'), a: z.number() }), z.object({ kind: z.literal('b') })]));
