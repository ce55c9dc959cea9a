// The test files StrykerJS runs for `npm run mutation` (stryker.config.mjs): the unit and API
// tests of the code it mutates, without browsers, media workers or child processes. One worker,
// so a mutation run leaves the other core to whatever else runs on the machine.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Not mergeConfig: it would append these files to the base config's include instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/server/assessment/**/*.test.ts',
      'tests/server/auth/**/*.test.ts',
      'tests/server/moderation/**/*.test.ts',
      'tests/server/api/**/*.test.ts',
      'tests/server/db/**/*.test.ts',
      'tests/server/crm/**/*.test.ts',
      'tests/server/realtime/**/*.test.ts',
      'tests/server/retention/**/*.test.ts',
      'tests/server/sip/digest.test.ts',
      'tests/server/sip/sip-server.test.ts',
      'tests/server/hash-chain.test.ts',
    ],
    maxWorkers: 1,
    minWorkers: 1,
    reporters: ['default'],
  },
});
