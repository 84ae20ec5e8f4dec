import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client";
import { DataDirInUseError } from "./lib/data-dir-lock";
import { createUser, findUserByEmail } from "./users";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("createDb on PGlite", () => {
  it("persists rows in its folder across close and reopen", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-db-"));
    dirs.push(dir);
    const dataDir = path.join(dir, "pglite");
    const first = await createDb({ dataDir });
    await createUser(first.db, { email: "kept@example.com", passwordHash: "h", scopes: [] });
    await first.close();
    const second = await createDb({ dataDir });
    expect(await findUserByEmail(second.db, "kept@example.com")).toBeDefined();
    await second.close();
  });

  it("refuses to open a folder another open database owns", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-db-"));
    dirs.push(dir);
    const dataDir = path.join(dir, "pglite");
    const owner = await createDb({ dataDir });
    await expect(createDb({ dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
    await owner.close();
    const next = await createDb({ dataDir });
    await next.close();
  });

  it("needs a url or a data folder", async () => {
    await expect(createDb({})).rejects.toThrow(/DATABASE_URL/);
  });
});
