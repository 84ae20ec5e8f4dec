/**
 * `pnpm gatehouse openapi > openapi.json` writes the document client generators read: the
 * real command line in a child process (as the README runs it), and the typed client the
 * README generates from it with openapi-typescript, offline.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";
import { appOpenApiDocument } from "~/server/openapi/app-openapi-document";

const run = promisify(execFile);
const webRoot = path.resolve(import.meta.dirname, "../..");

describe("pnpm gatehouse openapi", () => {
  it("prints the same document /api/openapi.json serves - valid JSON on stdout, nothing else", async () => {
    const { stdout } = await run("pnpm", ["--silent", "run", "gatehouse", "openapi"], {
      cwd: webRoot,
      env: { ...process.env, AUTH_ISSUER: "http://localhost:3000" },
    });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(appOpenApiDocument())));
  }, 60_000);

  it("feeds openapi-typescript: the committed example client's types are what it generates today", async () => {
    const generated = astToString(await openapiTS(JSON.parse(JSON.stringify(appOpenApiDocument()))));
    expect(generated).toContain('"/api/trpc/notes.create"');
    const committed = await readFile(path.join(webRoot, "examples/openapi/gatehouse-api.d.ts"), "utf8");
    // When this fails after a router change: `pnpm -s gatehouse openapi > openapi.json` and regenerate (README).
    expect(committed.replace(/^\/\*\*[\s\S]*?\*\/\s*/, "").trim()).toBe(generated.trim());
  });
});
