/**
 * `pnpm db:studio` starts drizzle-kit studio's local server on the app's database: a query
 * through its proxy endpoint (what the studio page sends) reads our tables. On the embedded
 * database it goes through the owner; with none, it becomes the owner.
 */
import { createDb, servedDataDirUrl } from "@gatehouse/db/client";
import { describe, expect, it } from "vitest";
import { cleanups, countUsers, started, tempDataDir } from "~/test/studio";

describe("db:studio on the embedded database", () => {
  it("serves an embedded folder nobody owns by owning it, then lets go", async () => {
    const pgliteDir = tempDataDir();
    const { studio, port } = await started({ databaseUrl: undefined, pgliteDir });
    expect(studio.url).toBe(servedDataDirUrl(pgliteDir));
    expect(await countUsers(studio, port)).toBe(0);
    await studio.close();
    expect(servedDataDirUrl(pgliteDir)).toBeUndefined();
  });

  it("goes through the dev server that owns the folder", async () => {
    const pgliteDir = tempDataDir();
    const owner = await createDb({ dataDir: pgliteDir, serve: true });
    cleanups.push(() => owner.close());
    const { studio, port } = await started({ databaseUrl: undefined, pgliteDir });
    expect(studio.url).toBe(servedDataDirUrl(pgliteDir));
    expect(await countUsers(studio, port)).toBe(0);
  });
});
