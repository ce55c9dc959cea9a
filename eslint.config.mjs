// ESLint over the whole repository with typescript-eslint's type-checked rules
// (https://typescript-eslint.io/getting-started/typed-linting). Run by `npm run lint`, which
// `npm test` runs before the suite. Types come from tsconfig.json through the project service, so
// lint sees exactly the program `tsc` checks.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// The no-unsafe-* rules, switched off where values are untyped by nature (see each block below).
const unsafeAnyRulesOff = {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'build/**',
      'build.next-*/**',
      'build.old-*/**',
      'coverage/**',
      'reports/**',
      '.stryker-tmp*/**',
      'data/**',
      'bench/native/**',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // The few JavaScript files (build and test-runner configuration) sit outside tsconfig.json.
          allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'tests/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection and its ordering. `void p` still passes (the
      // rule's ignoreVoid): it marks a deliberate fire-and-forget; a new one says why, or ends in
      // a .catch that logs.
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify route handlers and hooks are async by contract (the returned value is the reply, a
      // throw becomes the error reply) whether or not the body has anything to await.
      '@typescript-eslint/require-await': 'off',
      // The input validators (SIP framing, CRM text fields) match control characters on purpose.
      'no-control-regex': 'off',
      // A leading underscore marks a name left unused on purpose (a field dropped by destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // A `let` that closures read before its one assignment (set once a server is registered) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // prom-client calls a metric's collect() with the metric as `this`, so the owner is `self`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  {
    // Test files read response bodies as `any` (light-my-request's json(), page.evaluate) and their
    // expect() assertions are the check on that shape; the helpers in tests/support stay fully checked.
    files: ['tests/**/*.test.ts'],
    rules: {
      ...unsafeAnyRulesOff,
    },
  },
  {
    files: ['**/*.mjs'],
    rules: {
      // Plain JavaScript (the install script, tool configuration) has no annotations to narrow
      // JSON.parse and child-process output with; the floating-promise and other rules still apply.
      ...unsafeAnyRulesOff,
    },
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
      },
    },
  },
);
