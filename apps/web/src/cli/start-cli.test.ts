import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nextEnv from "@next/env";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCli } from "./start-cli";

// Nothing listens on port 9 (discard) here: a URL read from `.env` fails to connect, naming it,
// where the embedded database (the fallback without DATABASE_URL) would have answered.
const DOTENV_URL = "postgres://gatehouse:gatehouse@127.0.0.1:9/from_dotenv";

describe("the gatehouse CLI loads .env as the app does", () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "gatehouse-dotenv-"));
    saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    nextEnv.updateInitialEnv({ DATABASE_URL: undefined });
    nextEnv.resetEnv();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const runIn = async (argv: string[]) => {
    const err: string[] = [];
    const code = await startCli(argv, { out: () => {}, err: (line) => err.push(line) }, { dir, forceReload: true });
    return { code, stderr: err.join("\n") };
  };

  it("reads DATABASE_URL from .env", async () => {
    writeFileSync(path.join(dir, ".env"), `DATABASE_URL=${DOTENV_URL}\n`);
    const { code, stderr } = await runIn(["keys", "list", "--email", "nobody@example.com"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot open the database: .*127\.0\.0\.1:9/);
    expect(process.env.DATABASE_URL).toBe(DOTENV_URL);
  });

  it("keeps a variable already set in the environment over .env (Next's precedence)", async () => {
    writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgres://from-file:5432/x\n");
    process.env.DATABASE_URL = DOTENV_URL;
    // As if the process had started with it: @next/env snapshots the environment on first load.
    nextEnv.updateInitialEnv({ DATABASE_URL: DOTENV_URL });
    await runIn(["--help"]);
    expect(process.env.DATABASE_URL).toBe(DOTENV_URL);
  });
});
