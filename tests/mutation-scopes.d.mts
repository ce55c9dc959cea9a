// Types of tests/mutation-scopes.mjs (plain JavaScript so that stryker.config.mjs can import it).
export interface MutationScope {
  /** Globs of the source files mutated. */
  mutate: string[];
  /** Globs of the test files run against each mutant. */
  tests: string[];
}
export declare const mutationScopes: Record<'digest' | 'auth' | 'marking' | 'assessment' | 'moderation', MutationScope>;
export declare function chosenMutationScope(): MutationScope & { name: string };
