// Mutation testing (StrykerJS): `npm run mutation:<scope>` mutates one folder's code one small
// change at a time and runs the tests of that scope that cover each change; a mutant no test
// notices "survives". Scopes (code and their test files) are in tests/mutation-scopes.mjs:
//   npm run mutation:auth        server/auth/**
//   npm run mutation:marking     server/sittings/marking.ts
//   npm run mutation:assessment  server/assessment/**
//   npm run mutation:moderation  server/moderation/**
//   npm run mutation:digest      server/sip/digest.ts
//   npm run mutation             all of them in one run (hours)
// Incremental: each scope keeps its results in tests/mutation/<scope>.incremental.json
// (committed), and the next run re-tests only mutants whose code or covering tests changed;
// `-- --force` re-tests everything. Narrow further with `-- --mutate 'server/auth/access.ts'`.
// Slow (not part of CI); scores per folder and the survivors left are in tests/README.md.
import { chosenMutationScope } from './tests/mutation-scopes.mjs';

const scope = chosenMutationScope();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'tests/vitest.mutation.config.ts' },
  mutate: scope.mutate,
  // Set per scope in tests/mutation-scopes.mjs (assessment, moderation): see tests/README.md.
  ignoreStatic: scope.ignoreStatic ?? false,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `tests/mutation/${scope.name}.incremental.json`,
  // Two cores shared with other work: one test process.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${scope.name}.json` },
  htmlReporter: { fileName: `reports/mutation/${scope.name}.html` },
  ignorePatterns: ['.stryker-tmp*', 'build', 'client', 'bench', 'data', 'reports', 'coverage', '.vite', 'Dockerfile', 'docker-compose.yml'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
