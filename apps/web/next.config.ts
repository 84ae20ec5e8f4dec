import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const config: NextConfig = {
  // `.next/standalone/apps/web/server.js` with only the files it needs: what the Dockerfile
  // copies and runs. `next start` still serves the same build (tests use both).
  output: "standalone",
  // Trace from the repository root so the workspace packages come along.
  outputFileTracingRoot: fileURLToPath(new URL("../..", import.meta.url)),
  // The SQL migrations are read at run time, not imported: nothing would trace them.
  outputFileTracingIncludes: { "/**": ["../../packages/db/drizzle/**/*"] },
  // The workspace packages ship TypeScript sources (their `exports` point at src/).
  transpilePackages: ["@gatehouse/auth", "@gatehouse/db"],
  // PGlite loads its WebAssembly and data files from its own folder; bundling it breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "@node-rs/argon2"],
  // Without this, `next dev` blocks its own scripts for http://127.0.0.1:3000 and the page never hydrates.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  poweredByHeader: false,
  // Types are checked once, by `pnpm typecheck` (a turbo task of its own, tests included);
  // checking them again inside every build only doubles the wait.
  typescript: { ignoreBuildErrors: true },
  devIndicators: process.env.GATEHOUSE_E2E ? false : { position: "bottom-right" },
};

export default config;
