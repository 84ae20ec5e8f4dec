import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A fresh PGlite on disk runs initdb (4–5 s, over 30 s seen under parallel turbo tasks on 2 cores).
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: ["./src/testing-setup.ts"],
    // `*.pg.db.test.ts` are meaningful on a real Postgres only: they run in the test:pg leg.
    exclude: [...configDefaults.exclude, ...(process.env.GATEHOUSE_TEST_PG_URL ? [] : ["**/*.pg.db.test.ts"])],
  },
});
