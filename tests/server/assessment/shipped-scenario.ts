// Shared by the scenario tests: a shipped scenario file, read through the full schema.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchema } from '../../../server/assessment/scenario-checks.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';

/** The repository's scenarios/ folder. */
export const shippedScenariosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scenarios');

/** A shipped scenario file (scenarios/<name>) read through the full schema; throws if it does not validate. */
export function shippedScenario(name: string): Scenario {
  const r = scenarioSchema.safeParse(JSON.parse(fs.readFileSync(path.join(shippedScenariosDir, name), 'utf8')));
  if (!r.success) throw new Error(`${name} does not validate: ${r.error.message}`);
  return r.data;
}
