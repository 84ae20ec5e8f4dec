import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser, EmailTakenError, findUserByEmail, findUserById, setUserDisabled, setUserScopes } from "./users";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

describe("users", () => {
  it("finds a user by email in any letter case", async () => {
    const created = await createUser(database.db, {
      email: "Ada@Example.com",
      passwordHash: "h",
      scopes: ["notes:read"],
    });
    expect((await findUserByEmail(database.db, "ada@example.COM"))?.id).toBe(created.id);
    expect(created.scopes).toEqual(["notes:read"]);
    expect(created.disabledAt).toBeNull();
  });

  it("refuses a second user whose email differs only in case", async () => {
    await createUser(database.db, { email: "grace@example.com", passwordHash: "h", scopes: [] });
    await expect(
      createUser(database.db, { email: "GRACE@example.com", passwordHash: "h", scopes: [] }),
    ).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("answers undefined for an unknown email or a non-uuid id", async () => {
    expect(await findUserByEmail(database.db, "nobody@example.com")).toBeUndefined();
    expect(await findUserById(database.db, "not-a-uuid")).toBeUndefined();
    expect(await findUserById(database.db, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("updates scopes and the disabled flag", async () => {
    const user = await createUser(database.db, { email: "linus@example.com", passwordHash: "h", scopes: [] });
    await setUserScopes(database.db, user.id, ["notes:*"]);
    await setUserDisabled(database.db, user.id, true);
    const reloaded = await findUserById(database.db, user.id);
    expect(reloaded?.scopes).toEqual(["notes:*"]);
    expect(reloaded?.disabledAt).toBeInstanceOf(Date);
  });

  it("round-trips NOTIFY to a listener", async () => {
    let resolveReceived: (payload: string) => void = () => {};
    const received = new Promise<string>((resolve) => {
      resolveReceived = resolve;
    });
    let listens = 0;
    const unlisten = await database.listen(
      "gatehouse_test",
      (payload) => resolveReceived(payload),
      () => listens++,
    );
    expect(listens).toBe(1); // Listening by the time listen() resolves.
    await database.notify("gatehouse_test", "hello");
    expect(await received).toBe("hello");
    await unlisten();
  });
});
