import { defineConfig } from "drizzle-kit";

// Generation only reads the schema; it never connects, so no credentials here.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
});
