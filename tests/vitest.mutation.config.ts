// The test files StrykerJS runs for `npm run mutation` (stryker.config.mjs): the unit and API
// tests of the scope being mutated (tests/mutation-scopes.mjs, chosen with
// CALLMARK_MUTATION_SCOPE, which Stryker's test processes inherit), without browsers, media
// workers or child processes. One worker, so a mutation run leaves the other core to whatever else
// runs on the machine.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import { chosenMutationScope } from './mutation-scopes.mjs';

// Not mergeConfig: it would append these files to the base config's include instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: chosenMutationScope().tests,
    maxWorkers: 1,
    minWorkers: 1,
    reporters: ['default'],
  },
});
