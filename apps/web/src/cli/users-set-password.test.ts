/**
 * `pnpm gatehouse users set-password --email …` (password on stdin): the policy applies, the
 * new password verifies, the old one does not, every refresh family of the user is revoked and
 * a user cut-off is recorded (what every instance loads and hears by NOTIFY).
 */
import { hashPassword, verifyPassword } from "@gatehouse/auth/password";
import { listAccessRevocationsSince } from "@gatehouse/db/access-revocations";
import { findRefreshTokenByHash, insertRefreshToken } from "@gatehouse/db/refresh-tokens";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { createUser, findUserById } from "@gatehouse/db/users";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./run";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.cleanup();
});

async function gatehouse(stdin: string | undefined, ...argv: string[]) {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: async () => ({ ...database, close: async () => {} }),
    environment: () => "test",
    ...(stdin === undefined ? {} : { readSecret: async () => stdin }),
  });
  return { code, stderr: stderr.join("\n") };
}

describe("users set-password", () => {
  it("sets the password from stdin - old one fails, refresh families revoked, a user cut-off recorded", async () => {
    const user = await createUser(database.db, {
      email: "reset@example.com",
      passwordHash: await hashPassword("the old password, long"),
      scopes: ["notes:*"],
    });
    const now = new Date();
    await insertRefreshToken(database.db, {
      id: crypto.randomUUID(),
      familyId: crypto.randomUUID(),
      userId: user.id,
      tokenHash: "reset-hash",
      scopes: ["notes:*"],
      userAgent: null,
      createdAt: now,
      familyCreatedAt: now,
      expiresAt: new Date(now.getTime() + 3600_000),
    });
    const result = await gatehouse(
      "the new password, longer\n",
      "users",
      "set-password",
      "--email",
      "reset@example.com",
    );
    expect(result.code, result.stderr).toBe(0);
    const hash = (await findUserById(database.db, user.id))?.passwordHash as string;
    expect(await verifyPassword(hash, "the new password, longer")).toBe(true);
    expect(await verifyPassword(hash, "the old password, long")).toBe(false);
    expect((await findRefreshTokenByHash(database.db, "reset-hash"))?.revoked).toBe(true);
    const cutoffs = await listAccessRevocationsSince(database.db, now);
    expect(cutoffs.some((row) => row.kind === "user" && row.subject === user.id)).toBe(true);
  });

  it("refuses - a password the policy rejects (exit 1, unchanged), or no stdin (exit 2)", async () => {
    const user = await createUser(database.db, { email: "weak@example.com", passwordHash: "h", scopes: [] });
    const weak = await gatehouse("password1234", "users", "set-password", "--email", "weak@example.com");
    expect(weak).toMatchObject({ code: 1, stderr: expect.stringMatching(/too common/) });
    expect((await findUserById(database.db, user.id))?.passwordHash).toBe("h");
    expect((await gatehouse(undefined, "users", "set-password", "--email", "weak@example.com")).code).toBe(2);
    expect((await gatehouse("x", "users", "set-password", "--email", "weak@example.com", "--scopes", "a")).code).toBe(
      2,
    );
  });
});
