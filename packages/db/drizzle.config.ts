import { defineConfig } from "drizzle-kit";

// `generate` only reads the schema and never connects. `pnpm db:studio`
// (apps/web/src/cli/studio.ts) passes the database to browse in GATEHOUSE_STUDIO_URL: the
// app's DATABASE_URL, or the embedded database's loopback socket. No credentials here.
const studioUrl = process.env.GATEHOUSE_STUDIO_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
  ...(studioUrl ? { dbCredentials: { url: studioUrl } } : {}),
});
