// Mutation testing (StrykerJS): `npm run mutation` mutates the assessment rules, authorisation,
// moderation, marking and SIP digest code one small change at a time and runs the tests that cover
// each change; a mutant no test notices "survives". Slow (not part of CI); scores per folder and
// the survivors left are in tests/README.md. One folder at a time:
//   npm run mutation -- --mutate 'server/sip/digest.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'tests/vitest.mutation.config.ts' },
  mutate: ['server/assessment/**/*.ts', 'server/auth/**/*.ts', 'server/moderation/**/*.ts', 'server/hash-chain.ts', 'server/sittings/marking.ts', 'server/sip/digest.ts'],
  coverageAnalysis: 'perTest',
  // Two cores shared with other work: one test process.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  ignorePatterns: ['build', 'client', 'bench', 'data', 'reports', 'coverage', '.vite', 'Dockerfile', 'docker-compose.yml'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
