import { defineConfig } from "vitest/config"

// One config for the whole workspace: every package's `*.test.ts` beside its sources or under `test/`.
// Property-test run counts come from KUBESIM_PROPERTY_SCALE (see test-support/runs.ts).
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
})
