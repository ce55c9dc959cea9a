// The mutation-testing scopes of `npm run mutation` (stryker.config.mjs): for each folder StrykerJS
// mutates, the test files that exercise it. A scope runs only its own files, so the dry run and
// each mutant's run skip slow files that cannot notice the change (the access matrix's 1,185
// cases take a minute per run and are left to the full suite; tests/server/auth/access.test.ts
// covers the access hook directly). Chosen with CALLMARK_MUTATION_SCOPE; `all` is every scope's
// code and files at once (slow: hours).
export const mutationScopes = {
  digest: {
    mutate: ['server/sip/digest.ts'],
    tests: ['tests/server/sip/digest.test.ts', 'tests/server/sip/sip-server.test.ts'],
  },
  auth: {
    mutate: ['server/auth/**/*.ts', 'server/sittings/marking.ts'],
    tests: [
      'tests/server/auth/**/*.test.ts',
      'tests/server/sittings/**/*.test.ts',
      'tests/server/api/auth.test.ts',
      'tests/server/api/authz-foreign.test.ts',
      'tests/server/api/release-matrix.test.ts',
      'tests/server/api/rate-limit.test.ts',
      'tests/server/api/marking.test.ts',
      'tests/server/api/identity-check.test.ts',
      'tests/server/trust-proxy.test.ts',
    ],
  },
  assessment: {
    mutate: ['server/assessment/**/*.ts'],
    tests: [
      'tests/server/assessment/**/*.test.ts',
      'tests/server/api/assessment.test.ts',
      'tests/server/api/sittings.test.ts',
      'tests/server/api/marking.test.ts',
      'tests/server/api/scenario-edit.test.ts',
      'tests/server/api/standardisation.test.ts',
    ],
  },
  moderation: {
    mutate: ['server/moderation/**/*.ts'],
    tests: [
      'tests/server/moderation/**/*.test.ts',
      'tests/server/api/replay.test.ts',
      'tests/server/api/moderation-marks.test.ts',
      'tests/server/api/assurance.test.ts',
    ],
  },
};

/** The scope named by CALLMARK_MUTATION_SCOPE (default `all`), with its code and test files. */
export function chosenMutationScope() {
  const name = process.env.CALLMARK_MUTATION_SCOPE ?? 'all';
  if (name === 'all') {
    const scopes = Object.values(mutationScopes);
    return {
      name,
      mutate: scopes.flatMap((s) => s.mutate),
      tests: [...new Set(scopes.flatMap((s) => s.tests))],
    };
  }
  const scope = mutationScopes[name];
  if (!scope) throw new Error(`CALLMARK_MUTATION_SCOPE must be one of all, ${Object.keys(mutationScopes).join(', ')}; got ${name}`);
  return { name, ...scope };
}
