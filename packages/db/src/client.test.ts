import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client";
import { DataDirInUseError, findDataDirOwner } from "./lib/data-dir-lock";
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

describe("createDb through an owner that serves its folder", () => {
  async function servedFolder() {
    const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-db-"));
    dirs.push(dir);
    const dataDir = path.join(dir, "pglite");
    // Start from the migrated template the global setup dumped: no initdb per test.
    const template = process.env.GATEHOUSE_PGLITE_TEMPLATE;
    const loadDataDir = template ? new Blob([await readFile(template)]) : undefined;
    const owner = await createDb({ dataDir, serve: true, loadDataDir, migrate: !loadDataDir });
    return { dataDir, owner };
  }

  it("connects to the owner's port instead of refusing, and both see each other's rows", async () => {
    const { dataDir, owner } = await servedFolder();
    expect(findDataDirOwner(dataDir)).toEqual({
      pid: process.pid,
      served: { port: expect.any(Number), password: expect.stringMatching(/^[\w-]{43}$/) },
    });
    const guest = await createDb({ dataDir });
    expect(guest.kind).toBe("pglite");
    await createUser(guest.db, { email: "guest@example.com", passwordHash: "h", scopes: [] });
    await createUser(owner.db, { email: "owner@example.com", passwordHash: "h", scopes: [] });
    expect(await findUserByEmail(owner.db, "guest@example.com")).toBeDefined();
    expect(await findUserByEmail(guest.db, "owner@example.com")).toBeDefined();
    await guest.close();
    await owner.close();
    expect(findDataDirOwner(dataDir)).toBeUndefined();
    const reopened = await createDb({ dataDir });
    expect(await findUserByEmail(reopened.db, "guest@example.com")).toBeDefined();
    await reopened.close();
  });

  it("keeps the owner's transaction and a guest's statements apart - one session", async () => {
    const { dataDir, owner } = await servedFolder();
    const guest = await createDb({ dataDir });
    let guestSawHalf = false;
    const ownerTransaction = owner.db.transaction(async (tx) => {
      await createUser(tx, { email: "first@example.com", passwordHash: "h", scopes: [] });
      await new Promise((resolve) => setTimeout(resolve, 30));
      await createUser(tx, { email: "second@example.com", passwordHash: "h", scopes: [] });
    });
    const guestReads = Array.from({ length: 10 }, async () => {
      const first = await findUserByEmail(guest.db, "first@example.com");
      const second = await findUserByEmail(guest.db, "second@example.com");
      if (first && !second) guestSawHalf = true;
    });
    await Promise.all([ownerTransaction, ...guestReads]);
    expect(guestSawHalf).toBe(false);
    // A guest's failed statement leaves the session usable for both.
    await expect(guest.db.execute(sql`select * from no_such_table`)).rejects.toThrow();
    expect(await findUserByEmail(owner.db, "second@example.com")).toBeDefined();
    expect(await findUserByEmail(guest.db, "second@example.com")).toBeDefined();
    await guest.close();
    await owner.close();
  });

  it("delivers a guest's NOTIFY to the owner's listeners", async () => {
    const { dataDir, owner } = await servedFolder();
    const heard: string[] = [];
    const unlisten = await owner.listen("gatehouse_test_channel", (payload) => heard.push(payload));
    const guest = await createDb({ dataDir });
    await guest.notify("gatehouse_test_channel", "from-guest");
    await owner.notify("gatehouse_test_channel", "from-owner");
    await expect.poll(() => heard).toEqual(["from-guest", "from-owner"]);
    await unlisten();
    await guest.notify("gatehouse_test_channel", "after-unlisten");
    await guest.close();
    await owner.close();
    expect(heard).toEqual(["from-guest", "from-owner"]);
  });

  it("rolls back what a guest left open when it disconnects", async () => {
    const { dataDir, owner } = await servedFolder();
    const guest = await createDb({ dataDir });
    const raw = (guest.db as unknown as { $client: import("postgres").Sql }).$client;
    const reserved = await raw.reserve();
    await reserved`begin`;
    await reserved`insert into users (email, password_hash, scopes) values ('left@example.com', 'h', '{}')`;
    reserved.release();
    await guest.close();
    // The owner would wait forever if the guest still held the session.
    expect(await findUserByEmail(owner.db, "left@example.com")).toBeUndefined();
    await owner.close();
  });
});
