// The scenarios a sitting can use, by assignment key (s1…s6), with their variants for re-takes.
import { scenarioCatalogue } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';

/** Every loaded variant of a key, in variant order ('a' first). */
export function variantsOf(key: string): Scenario[] {
  return scenarioCatalogue()
    .map((l) => l.scenario)
    .filter((s) => s.key === key)
    .sort((a, b) => a.variant.localeCompare(b.variant));
}

/** The scenario that stands for a key in a sitting (its first variant), or undefined. */
export function scenarioOfKey(key: string): Scenario | undefined {
  return variantsOf(key)[0];
}
