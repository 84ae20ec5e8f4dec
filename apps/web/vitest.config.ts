import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./src", import.meta.url)),
      // `server-only` throws outside a React Server environment; tests are server code.
      "server-only": fileURLToPath(new URL("./src/test/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    // Fault tests stop a Postgres of their own, and `*.pg-only` tests need two real connections
    // (PGlite has one) or test DATABASE_URL itself: both run in the real-Postgres leg only.
    // `*.pglite-only` tests are about an embedded folder itself, and scripts/ tests touch no
    // database: the PGlite leg only.
    exclude: [
      "e2e/**",
      "node_modules/**",
      ".next/**",
      ...(process.env.GATEHOUSE_TEST_PG_URL
        ? ["**/*.pglite-only.test.ts", "scripts/**"]
        : ["**/*.pg-fault.test.ts", "**/*.pg-only.test.ts"]),
    ],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: [require.resolve("@gatehouse/db/testing-setup")],
    setupFiles: ["./src/test/setup-env.ts"],
  },
});
