import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteDeadApiKeys,
  findApiKeyByHash,
  findUserApiKey,
  insertApiKey,
  listApiKeys,
  ParentKeyRevoked,
  revokeApiKey,
  touchApiKeys,
} from "./api-keys";
import { users } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser, setUserDisabled, setUserScopes, type User } from "./users";

let database: TestDatabase;
let ada: User;
let bob: User;

beforeAll(async () => {
  database = await createTestDatabase();
  ada = await createUser(database.db, { email: "ada@example.com", passwordHash: "h", scopes: ["notes:*"] });
  bob = await createUser(database.db, { email: "bob@example.com", passwordHash: "h", scopes: ["notes:read"] });
});
afterAll(async () => {
  await database?.cleanup();
});

// This package knows nothing of the key format: any high-entropy string stands in for a key.
function fakeKey() {
  const key = `k_${randomBytes(24).toString("base64url")}`;
  return { key, keyHash: createHash("sha256").update(key).digest("hex"), start: key.slice(0, 6) };
}

async function addKey(
  owner: User,
  overrides: { scopes?: string[]; expiresAt?: Date | null; name?: string; parentKeyId?: string } = {},
) {
  const { keyHash, start } = fakeKey();
  const row = await insertApiKey(database.db, {
    userId: owner.id,
    name: overrides.name ?? "ci",
    keyHash,
    start,
    scopes: overrides.scopes ?? ["notes:read"],
    expiresAt: overrides.expiresAt ?? null,
    parentKeyId: overrides.parentKeyId ?? null,
  });
  return { row, keyHash };
}

describe("api keys", () => {
  it("stores a key and finds it by hash with its owner's scopes", async () => {
    const expiresAt = new Date("2031-01-01T00:00:00Z");
    const { row, keyHash } = await addKey(ada, { scopes: ["notes:read", "notes:write"], expiresAt });
    expect(row).not.toHaveProperty("keyHash");
    expect(row.revokedAt).toBeNull();
    expect(await findApiKeyByHash(database.db, keyHash)).toEqual({
      id: row.id,
      userId: ada.id,
      name: "ci",
      scopes: ["notes:read", "notes:write"],
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      ownerScopes: ["notes:*"],
      ownerDisabledAt: null,
    });
  });

  it("answers undefined for an unknown hash", async () => {
    expect(await findApiKeyByHash(database.db, fakeKey().keyHash)).toBeUndefined();
  });

  it("reflects the owner's current scopes and disabled flag", async () => {
    const carol = await createUser(database.db, { email: "carol@example.com", passwordHash: "h", scopes: ["a:b"] });
    const { keyHash } = await addKey(carol, { scopes: ["a:b"] });
    await setUserScopes(database.db, carol.id, []);
    await setUserDisabled(database.db, carol.id, true);
    const found = await findApiKeyByHash(database.db, keyHash);
    expect(found?.ownerScopes).toEqual([]);
    expect(found?.ownerDisabledAt).toBeInstanceOf(Date);
  });

  it("lists only the owner's keys, newest first, never the hash", async () => {
    const dave = await createUser(database.db, { email: "dave@example.com", passwordHash: "h", scopes: [] });
    const first = await addKey(dave, { name: "first" });
    const second = await addKey(dave, { name: "second" });
    await addKey(ada, { name: "not dave's" });
    const listed = await listApiKeys(database.db, dave.id);
    expect(listed.map((k) => k.name).sort()).toEqual(["first", "second"]);
    expect(listed.map((k) => k.id)).toContain(first.row.id);
    expect(listed.map((k) => k.id)).toContain(second.row.id);
    for (const key of listed) expect(key).not.toHaveProperty("keyHash");
    expect(JSON.stringify(listed)).not.toContain(first.keyHash);
    expect(await listApiKeys(database.db, "not-a-uuid")).toEqual([]);
  });

  it("finds a key only for its owner", async () => {
    const { row } = await addKey(ada);
    expect((await findUserApiKey(database.db, { userId: ada.id, id: row.id }))?.id).toBe(row.id);
    expect(await findUserApiKey(database.db, { userId: bob.id, id: row.id })).toBeUndefined();
    expect(await findUserApiKey(database.db, { userId: ada.id, id: "nope" })).toBeUndefined();
  });

  it("refuses revoke - another user's key, leaving it live", async () => {
    const { row, keyHash } = await addKey(ada);
    expect(await revokeApiKey(database.db, { userId: bob.id, id: row.id })).toEqual([]);
    expect((await findApiKeyByHash(database.db, keyHash))?.revokedAt).toBeNull();
  });

  it("revokes the owner's key once, returning its hash for the revocation notice", async () => {
    const { row, keyHash } = await addKey(ada);
    const at = new Date("2030-06-01T12:00:00Z");
    expect(await revokeApiKey(database.db, { userId: ada.id, id: row.id, at })).toEqual([keyHash]);
    expect((await findApiKeyByHash(database.db, keyHash))?.revokedAt).toEqual(at);
    expect(await revokeApiKey(database.db, { userId: ada.id, id: row.id })).toEqual([]);
    expect(await revokeApiKey(database.db, { userId: ada.id, id: "not-a-uuid" })).toEqual([]);
  });

  it("revokes the keys a key minted, down the generations, and only those", async () => {
    const parent = await addKey(ada);
    const child = await addKey(ada, { parentKeyId: parent.row.id });
    const grandchild = await addKey(ada, { parentKeyId: child.row.id });
    const sibling = await addKey(ada);
    const hashes = await revokeApiKey(database.db, { userId: ada.id, id: parent.row.id });
    expect(hashes).toEqual([parent.keyHash, child.keyHash, grandchild.keyHash]);
    for (const { keyHash } of [parent, child, grandchild]) {
      expect((await findApiKeyByHash(database.db, keyHash))?.revokedAt).not.toBeNull();
    }
    expect((await findApiKeyByHash(database.db, sibling.keyHash))?.revokedAt).toBeNull();
  });

  it("refuses to store a child of a revoked key - no orphan outlives its parent", async () => {
    const parent = await addKey(ada);
    await revokeApiKey(database.db, { userId: ada.id, id: parent.row.id });
    await expect(addKey(ada, { parentKeyId: parent.row.id })).rejects.toBeInstanceOf(ParentKeyRevoked);
    const theirs = await addKey(bob);
    await expect(addKey(ada, { parentKeyId: theirs.row.id })).rejects.toBeInstanceOf(ParentKeyRevoked);
  });

  it("leaves no live child when minting races the parent's revocation (a real race only on Postgres: one PGlite connection serialises them)", async () => {
    for (let round = 0; round < 5; round++) {
      const parent = await addKey(ada);
      const mints = Array.from({ length: 10 }, () => addKey(ada, { parentKeyId: parent.row.id }).catch(() => null));
      const [revoked, ...children] = await Promise.all([
        revokeApiKey(database.db, { userId: ada.id, id: parent.row.id }),
        ...mints,
      ]);
      expect(revoked[0]).toBe(parent.keyHash);
      for (const child of children) {
        if (child) expect((await findApiKeyByHash(database.db, child.keyHash))?.revokedAt).not.toBeNull();
      }
    }
  });

  it("touches a batch in one statement, at most once per interval, never backwards", async () => {
    const a = await addKey(ada);
    const b = await addKey(ada);
    const revoked = await addKey(ada);
    await revokeApiKey(database.db, { userId: ada.id, id: revoked.row.id });
    const t0 = new Date("2030-01-01T00:00:00Z");
    const ids = [a.row.id, b.row.id, revoked.row.id, a.row.id, "junk"];
    expect(await touchApiKeys(database.db, ids, t0)).toBe(2);
    expect(await touchApiKeys(database.db, ids, new Date(t0.getTime() + 59_999))).toBe(0);
    expect(await touchApiKeys(database.db, [a.row.id], new Date(t0.getTime() - 120_000))).toBe(0);
    expect(await touchApiKeys(database.db, [a.row.id], new Date(t0.getTime() + 60_001))).toBe(1);
    expect((await findApiKeyByHash(database.db, a.keyHash))?.lastUsedAt).toEqual(new Date(t0.getTime() + 60_001));
    expect((await findApiKeyByHash(database.db, b.keyHash))?.lastUsedAt).toEqual(t0);
    expect((await findApiKeyByHash(database.db, revoked.keyHash))?.lastUsedAt).toBeNull();
    expect(await touchApiKeys(database.db, [], t0)).toBe(0);
  });

  it("deletes keys that expired or were revoked before a cut-off, and only those", async () => {
    const erin = await createUser(database.db, { email: "erin@example.com", passwordHash: "h", scopes: [] });
    const cutoff = new Date("2030-01-01T00:00:00Z");
    const expired = await addKey(erin, { expiresAt: new Date(cutoff.getTime() - 1) });
    const live = await addKey(erin, { expiresAt: new Date(cutoff.getTime() + 1) });
    const revoked = await addKey(erin);
    await revokeApiKey(database.db, { userId: erin.id, id: revoked.row.id, at: new Date(cutoff.getTime() - 1) });
    const forever = await addKey(erin);
    await deleteDeadApiKeys(database.db, cutoff);
    const left = (await listApiKeys(database.db, erin.id)).map((k) => k.id).sort();
    expect(left).toEqual([live.row.id, forever.row.id].sort());
    expect(left).not.toContain(expired.row.id);
  });

  it("deletes a user's keys with the user", async () => {
    const frank = await createUser(database.db, { email: "frank@example.com", passwordHash: "h", scopes: [] });
    const { keyHash } = await addKey(frank);
    await database.db.delete(users).where(eq(users.id, frank.id));
    expect(await findApiKeyByHash(database.db, keyHash)).toBeUndefined();
  });
});
