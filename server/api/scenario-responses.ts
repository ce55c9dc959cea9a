// The response schemas of the scenario list (scenario-routes.ts) and of scenario editing
// (scenario-edit-routes.ts): one scenario file as the editor reads it. What a route sends is what its schema declares; the schema is bound to its wire
// type in server/protocol/scenarios.ts by `exactly<T>()` (exact-schema.ts), so the two cannot drift apart.
import { z } from 'zod';
import type { ValidationErrorBody } from '../protocol/assessment.js';
import type { ApiError } from '../protocol/roles.js';
import type { ScenarioDocument, ScenarioIssueView, ScenarioList, ScenarioListing, ScenarioRefusal } from '../protocol/scenarios.js';
import { exactly } from './exact-schema.js';

const scenarioIssue = exactly<ScenarioIssueView>()(z.object({ file: z.string(), path: z.string(), reason: z.string() }));

/** GET /api/scenarios/:key, POST …/clone (201), PUT …: the file's text as stored, with what is wrong in it. */
export const scenarioDocument = exactly<ScenarioDocument>()(
  z.object({
    key: z.string(),
    scenarioKey: z.string(),
    variant: z.string(),
    version: z.number().nullable(),
    title: z.string().nullable(),
    file: z.string(),
    builtIn: z.boolean(),
    centreId: z.number().nullable(),
    editable: z.boolean(),
    usage: z.object({ attempts: z.number(), sittings: z.number() }),
    text: z.string(),
    issues: z.array(scenarioIssue),
  }),
);

const scenarioRefusal = exactly<ScenarioRefusal>()(z.object({ error: z.literal('invalid_scenario'), message: z.string(), issues: z.array(scenarioIssue) }));

/**
 * A 400 of the editing routes: the scenario refused with its problems (file · path · reason), or,
 * since a 400 schema is also what the scope's and the app's error handlers send through, a bad
 * field named (every one in `fields`) or any other 400 ({ error, message, field? }).
 */
export const scenarioBadRequest = exactly<ScenarioRefusal | ValidationErrorBody | ApiError>()(
  z.union([
    scenarioRefusal,
    z.object({ error: z.literal('validation'), message: z.string(), field: z.string().optional(), fields: z.record(z.string()) }),
    z.object({ error: z.string(), message: z.string(), field: z.string().optional() }),
  ]),
);

const scenarioListing = exactly<ScenarioListing>()(
  z.object({
    key: z.string(),
    title: z.string(),
    direction: z.string(),
    type: z.string(),
    scenarioKey: z.string().optional(),
    variant: z.string().optional(),
    version: z.number().optional(),
    builtIn: z.boolean().optional(),
    centreId: z.number().nullable().optional(),
  }),
);

/** GET /api/scenarios: what identifies each scenario (never its briefs, answer key or rubric). */
export const scenarioList = exactly<ScenarioList>()(
  z.object({ scenarios: z.array(scenarioListing), problems: z.array(scenarioIssue.extend({ key: z.string().nullable(), centreId: z.number().nullable() })) }),
);
