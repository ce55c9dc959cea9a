// The scenarios a sitting can use, by assignment key (s1…s6), with their variants for re-takes.
// A sitting may also name a centre's customised variant by its attempt key (e.g. "s1-c3-acme"):
// that variant comes first, then the centre's other variants of the key, then the shipped ones,
// so a re-take prefers fresh facts in the centre's own company. A bare key uses the shipped
// variants ('a', 'b', …) and, when the caller names the sitting's centre, that centre's own
// variants of the key after them (a centre that has used up the shipped ones clones another);
// no centre's variant ever reaches another centre's sitting.
import { attemptKey, builtInScenarios, centreOfVariant, parseAttemptKey, scenarioCatalogue } from '../assessment/scenario-loader.js';
import { SCENARIO_KEYS, type Scenario } from '../assessment/scenario-schema.js';

const byVariant = (a: Scenario, b: Scenario) => a.variant.localeCompare(b.variant);

/**
 * Every variant a sitting's assignment key may use, the one to start with first ('a' first for a
 * bare key). `centreId`, the sitting's centre, adds that centre's own variants of a bare key last.
 */
export function variantsOf(key: string, centreId?: number): Scenario[] {
  const shipped = builtInScenarios()
    .map((l) => l.scenario)
    .filter((s) => s.key === key)
    .sort(byVariant);
  if ((SCENARIO_KEYS as readonly string[]).includes(key)) {
    if (centreId === undefined) return shipped;
    const own = scenarioCatalogue()
      .filter((l) => l.centreId === centreId && l.scenario.key === key)
      .map((l) => l.scenario)
      .sort(byVariant);
    return [...shipped, ...own];
  }
  const chosen = centreScenarioOfKey(key);
  if (!chosen) return [];
  const owner = centreOfVariant(chosen.variant);
  const siblings = scenarioCatalogue()
    .filter((l) => l.centreId === owner && l.scenario.key === chosen.key && l.scenario !== chosen)
    .map((l) => l.scenario)
    .sort(byVariant);
  const base = builtInScenarios()
    .map((l) => l.scenario)
    .filter((s) => s.key === chosen.key)
    .sort(byVariant);
  return [chosen, ...siblings, ...base];
}

/** The scenario that stands for a key in a sitting (its first variant), or undefined. */
export function scenarioOfKey(key: string): Scenario | undefined {
  return variantsOf(key)[0];
}

/** A centre variant by its attempt key ("s1-c3-acme"), from the loaded catalogue. */
function centreScenarioOfKey(key: string): Scenario | undefined {
  const parsed = parseAttemptKey(key);
  if (!parsed || parsed.centreId === undefined) return undefined;
  return scenarioCatalogue().find((l) => l.centreId !== undefined && attemptKey(l.scenario) === key)?.scenario;
}

/** The assignment (s1…s6) a sitting key stands for: "s1-c3-acme" → "s1". */
export function assignmentKeyOf(key: string): string {
  return parseAttemptKey(key)?.key ?? key;
}

/** Is `key` a shipped assignment key or a loaded centre variant (whose centre is not checked here)? */
export function isSittingScenarioKey(key: string): boolean {
  return scenarioOfKey(key) !== undefined;
}

/** May a sitting of this centre use `key`: any shipped key, or a variant of this very centre. */
export function sittingKeyUsableBy(key: string, centreId: number | null): boolean {
  const s = scenarioOfKey(key);
  if (!s) return false;
  const owner = centreOfVariant(s.variant);
  return owner === undefined ? (SCENARIO_KEYS as readonly string[]).includes(key) : owner === centreId;
}
