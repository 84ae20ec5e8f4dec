import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, DataDirInUseError } from "@gatehouse/db/client";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/env";
import { databaseOptions } from "./db";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Opens the embedded database exactly as the app would under `environment`. */
async function openAsTheApp(environment: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-app-db-"));
  dirs.push(dir);
  const config = parseEnv({ ...environment, GATEHOUSE_DATA_DIR: dir });
  const template = process.env.GATEHOUSE_PGLITE_TEMPLATE;
  const loadDataDir = template ? new Blob([await readFile(template)]) : undefined;
  const database = await createDb({ ...databaseOptions(config), loadDataDir, migrate: !loadDataDir });
  return { database, pgliteDir: config.pgliteDir };
}

describe("the app's embedded database", () => {
  it("is not served in production - another process is refused, naming the owner", async () => {
    const { database, pgliteDir } = await openAsTheApp({
      NODE_ENV: "production",
      AUTH_ISSUER: "https://app.example",
      AUTH_JWKS: '{"keys":[]}',
    });
    // Served, this would connect through the owner's socket; unserved, it is refused.
    const second = createDb({ dataDir: pgliteDir });
    await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
    await database.close();
  });

  it("is served in development, for the CLI, with the hold limit from the environment", async () => {
    const { database, pgliteDir } = await openAsTheApp({ NODE_ENV: "development", GATEHOUSE_PGLITE_HOLD_SECONDS: "7" });
    const cli = await createDb({ dataDir: pgliteDir });
    expect(cli.kind).toBe("pglite");
    await cli.ping();
    await cli.close();
    await database.close();
    expect(databaseOptions(parseEnv({ NODE_ENV: "development", GATEHOUSE_PGLITE_HOLD_SECONDS: "7" })).serve).toEqual({
      holdLimit: 7000,
    });
  });
});
