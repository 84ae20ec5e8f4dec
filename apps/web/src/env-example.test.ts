/**
 * `.env.example` is the operator's list of every variable: it must name each one `env.ts`
 * validates (and nothing it does not), show the schema's default where there is one, and
 * only values the app accepts. Variables read outside env.ts are listed here with the file
 * that reads them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "./env";

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), "utf8");

/** Read before env.ts exists in that process, or by another package. */
const OUTSIDE_ENV_TS: Record<string, string> = {
  GATEHOUSE_MIGRATIONS_DIR: "../../../packages/db/src/lib/migrations-dir.ts",
  GATEHOUSE_HOSTNAME: "../scripts/next-server.mjs",
};

/** `# NAME=value` or `NAME=value` lines → name → value. */
function exampleVariables(): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of read("../.env.example").split("\n")) {
    const match = /^#?\s?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const [, name = "", value = ""] = match;
    expect(found.has(name), `${name} is listed twice`).toBe(false);
    found.set(name, value);
  }
  return found;
}

describe(".env.example", () => {
  const listed = exampleVariables();
  const validated = Object.keys(envSchema.shape);

  it("lists every variable env.ts validates, and those read elsewhere", () => {
    const missing = [...validated, ...Object.keys(OUTSIDE_ENV_TS)].filter((name) => !listed.has(name));
    expect(missing, "add them to apps/web/.env.example").toEqual([]);
  });

  it("lists nothing the app does not read", () => {
    const unknown = [...listed.keys()].filter((name) => !validated.includes(name) && !(name in OUTSIDE_ENV_TS));
    expect(unknown, "remove them from apps/web/.env.example, or validate them in env.ts").toEqual([]);
    for (const [name, file] of Object.entries(OUTSIDE_ENV_TS))
      expect(read(file), `${file} reads ${name}`).toContain(name);
  });

  it("shows each schema default as the value", () => {
    for (const name of validated) {
      const field = envSchema.shape[name as keyof typeof envSchema.shape];
      const fallback = field.safeParse(undefined);
      if (fallback.success && fallback.data !== undefined) {
        expect(listed.get(name), `default of ${name}`).toBe(String(fallback.data));
      }
    }
  });

  it("shows only values the app accepts", () => {
    for (const [name, value] of listed) {
      if (!validated.includes(name)) continue;
      expect(() => parseEnv({ GATEHOUSE_DATA_DIR: "/tmp/gatehouse-env-example", [name]: value }), name).not.toThrow();
    }
  });
});
