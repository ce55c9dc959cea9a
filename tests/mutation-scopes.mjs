// The mutation-testing scopes of `npm run mutation` (stryker.config.mjs): for each folder StrykerJS
// mutates, the test files that exercise it, mirroring the source tree. A scope runs only its own
// files. That matters more than Stryker's per-test coverage suggests: code a test file runs in its
// beforeAll (building the app, logging in) counts as covered by no single test, so each mutant in
// it re-runs every file of the scope. In a scope of API tests that is a minute or more per mutant
// (the access matrix alone: 1,185 cases, a minute), so server/auth is mutated against its own unit
// tests (tests/server/auth/), and the API tests stay in the full suite.
// Chosen with CALLMARK_MUTATION_SCOPE; `all` is every scope's code and files at once (hours).
export const mutationScopes = {
  digest: {
    mutate: ['server/sip/digest.ts'],
    tests: ['tests/server/sip/digest.test.ts', 'tests/server/sip/sip-server.test.ts'],
  },
  auth: {
    mutate: ['server/auth/**/*.ts'],
    tests: ['tests/server/auth/**/*.test.ts'],
  },
  marking: {
    // Its own unit test over a real database: against the API test (tests/server/api/marking.test.ts,
    // which builds the app and logs four people in) the run was estimated at 9 hours.
    mutate: ['server/sittings/marking.ts'],
    tests: ['tests/server/sittings/marking.test.ts'],
  },
  assessment: {
    // The rules, against their own unit tests. The API tests (assessment, sittings, marking,
    // scenario-edit, standardisation) and auto-checks-through-the-desktop build the app in their
    // beforeAll; with them the run did not finish. Scenario files and their schema are the
    // `scenarios` scope.
    // Static mutants (module-level code: each re-runs every test of the scope) are left out.
    ignoreStatic: true,
    mutate: ['server/assessment/**/*.ts', '!server/assessment/scenario-loader.ts', '!server/assessment/scenario-schema.ts', '!server/assessment/scenario-checks.ts', '!server/assessment/scenario-adapters.ts', '!server/assessment/criteria-catalogue.ts', '!server/assessment/centre-scenario-files.ts'],
    tests: [
      'tests/server/assessment/auto-checks.test.ts',
      'tests/server/assessment/auto-checks-evidence.test.ts',
      'tests/server/assessment/candidate-title.test.ts',
      'tests/server/assessment/clock.test.ts',
      'tests/server/assessment/counted-marks.test.ts',
      'tests/server/assessment/coverage.test.ts',
      'tests/server/assessment/field-compare.test.ts',
      'tests/server/assessment/grades.test.ts',
      'tests/server/assessment/holds.test.ts',
      'tests/server/assessment/identity.test.ts',
      'tests/server/assessment/marks.test.ts',
      'tests/server/assessment/overrun.test.ts',
      'tests/server/assessment/release-rule.test.ts',
      'tests/server/assessment/result-states.test.ts',
      'tests/server/assessment/retakes.test.ts',
      'tests/server/assessment/sitting.test.ts',
      'tests/server/assessment/standardisation.test.ts',
    ],
  },
  scenarios: {
    // Scenario files: the schema (zod, mostly static mutants: each re-runs every test), the
    // loader, the criteria catalogue and centres' own scenario files. Static mutants left out
    // (1,146 of 2,720: each re-runs every test of the scope; estimated at 2 hours).
    ignoreStatic: true,
    mutate: ['server/assessment/scenario-loader.ts', 'server/assessment/scenario-schema.ts', 'server/assessment/scenario-checks.ts', 'server/assessment/scenario-adapters.ts', 'server/assessment/criteria-catalogue.ts', 'server/assessment/centre-scenario-files.ts'],
    tests: ['tests/server/assessment/scenario-loader.test.ts', 'tests/server/assessment/scenario-checks.test.ts', 'tests/server/assessment/scenario-schema.test.ts', 'tests/server/assessment/scenario-adapters.test.ts', 'tests/server/assessment/scenario-catalogue.test.ts', 'tests/server/assessment/scenarios.test.ts', 'tests/server/assessment/centre-scenario-files.test.ts', 'tests/server/assessment/criteria-catalogue.test.ts'],
  },
  moderation: {
    // The hash chain moved to server/hash-chain.ts (the database layer uses it too); it is moderation's evidence.
    // Packs, their verification, sampling and the recording's place in the chain, against the unit tests.
    // Static mutants left out, as for assessment.
    ignoreStatic: true,
    mutate: ['server/moderation/*.ts', 'server/hash-chain.ts'],
    // pack.test.ts and pack-verify-limits.test.ts build the app and run child processes: full suite only;
    // pack-build.test.ts builds packs over SQLite without the app (pack.ts, attempt-calls, crm-state, mark-sheets);
    // pack-reader.test.ts and pack-verify-thread.test.ts read handmade zips and use the real worker thread.
    tests: ['tests/server/moderation/event-source.test.ts', 'tests/server/moderation/pack-build.test.ts', 'tests/server/moderation/pack-layout.test.ts', 'tests/server/moderation/pack-reader.test.ts', 'tests/server/moderation/pack-verify.test.ts', 'tests/server/moderation/pack-verify-thread.test.ts', 'tests/server/moderation/sampling.test.ts', 'tests/server/hash-chain.test.ts', 'tests/server/db/attempt-chain.test.ts', 'tests/server/db/audit-log.test.ts'],
  },
  replay: {
    // The moderator's replay, sample and moderated marks, against unit tests over SQLite (the API
    // tests replay, moderation-marks and assurance build the app in their beforeAll: every mutant
    // would re-run all three, a minute or more each; they stay in the full suite). Each file of
    // server/moderation/replay/ has its own (tests/server/moderation/replay/); see tests/README.md.
    ignoreStatic: true,
    mutate: ['server/moderation/replay/**/*.ts'],
    tests: ['tests/server/moderation/replay/moderated-marks.test.ts', 'tests/server/moderation/replay/final-state.test.ts', 'tests/server/moderation/replay/sample.test.ts', 'tests/server/moderation/replay/replay-view.test.ts'],
  },
};

/** The scope named by CALLMARK_MUTATION_SCOPE (default `all`), with its code and test files. */
export function chosenMutationScope() {
  const name = process.env.CALLMARK_MUTATION_SCOPE ?? 'all';
  if (name === 'all') {
    const scopes = Object.values(mutationScopes);
    return {
      name,
      ignoreStatic: false,
      mutate: scopes.flatMap((s) => s.mutate),
      tests: [...new Set(scopes.flatMap((s) => s.tests))],
    };
  }
  const scope = mutationScopes[name];
  if (!scope) throw new Error(`CALLMARK_MUTATION_SCOPE must be one of all, ${Object.keys(mutationScopes).join(', ')}; got ${name}`);
  return { name, ...scope };
}
