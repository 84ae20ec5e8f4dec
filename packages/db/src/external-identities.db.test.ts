import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUserByExternalIdentity, userForExternalIdentity } from "./external-identities";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser, findUserByEmail } from "./users";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

describe("external identities", () => {
  it("creates a user on first use - no email, no password, no scopes; the same identity finds it again", async () => {
    const identity = { issuer: "https://idp-a.example", subject: "alice" };
    expect(await findUserByExternalIdentity(database.db, identity)).toBeUndefined();
    const first = await userForExternalIdentity(database.db, identity);
    expect(first).toMatchObject({ email: null, passwordHash: null, scopes: [], disabledAt: null });
    expect((await userForExternalIdentity(database.db, { ...identity })).id).toBe(first.id);
  });

  it("maps one sub from two issuers to two users - an identity is (issuer, subject)", async () => {
    const a = await userForExternalIdentity(database.db, { issuer: "https://idp-a.example", subject: "shared-sub" });
    const b = await userForExternalIdentity(database.db, { issuer: "https://idp-b.example", subject: "shared-sub" });
    expect(a.id).not.toBe(b.id);
  });

  it("never becomes a local user - a foreign sub equal to that user's id, or email", async () => {
    const local = await createUser(database.db, { email: "local@example.com", passwordHash: "h", scopes: ["notes:*"] });
    const byId = await userForExternalIdentity(database.db, { issuer: "https://idp-a.example", subject: local.id });
    const byEmail = await userForExternalIdentity(database.db, {
      issuer: "https://idp-a.example",
      subject: "local@example.com",
    });
    expect([byId.id, byEmail.id]).not.toContain(local.id);
    expect(byId.scopes).toEqual([]);
    expect((await findUserByEmail(database.db, "local@example.com"))?.id).toBe(local.id);
  });

  it("links once - two first uses at the same time get the same user", async () => {
    const identity = { issuer: "https://idp-a.example", subject: "racer" };
    const [one, two] = await Promise.all([
      userForExternalIdentity(database.db, identity),
      userForExternalIdentity(database.db, identity),
    ]);
    expect(one.id).toBe(two.id);
  });

  it("refuses - an empty issuer or subject", async () => {
    await expect(userForExternalIdentity(database.db, { issuer: "", subject: "x" })).rejects.toThrow(TypeError);
    await expect(userForExternalIdentity(database.db, { issuer: "https://i", subject: "" })).rejects.toThrow(TypeError);
  });
});
