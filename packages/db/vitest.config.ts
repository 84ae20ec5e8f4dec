import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A fresh PGlite on disk runs initdb (4–5 s, over 30 s seen under parallel turbo tasks on 2 cores).
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: ["./src/testing-setup.ts"],
  },
});
