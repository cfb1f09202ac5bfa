import { defineConfig } from 'vitest/config';

// The browser tests (`npm run e2e`): one file, in order, against the services that
// worker/tests/console.rs started and named in the environment.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
