import { verifyPassword } from "@gatehouse/auth/password";
import { findUserByEmail } from "@gatehouse/db/users";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { DEFAULT_USER_SCOPES } from "./scopes";
import { signUpUser } from "./sign-up";

const database = setupTestDatabase();

describe("signUpUser", () => {
  it("creates the user with the default scopes and an argon2id hash of the password", async () => {
    const result = await signUpUser({ email: "New.User@example.com", password: "plum tractor on a windy ledge" });
    expect(result.ok).toBe(true);
    const stored = await findUserByEmail(database.current.db, "new.user@example.com");
    expect(stored).toMatchObject({ email: "New.User@example.com", scopes: [...DEFAULT_USER_SCOPES] });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored?.passwordHash ?? "", "plum tractor on a windy ledge")).toBe(true);
  });

  it("refuses an email taken in another letter case - a field error on email", async () => {
    await signUpUser({ email: "taken@example.com", password: "plum tractor on a windy ledge" });
    expect(await signUpUser({ email: "TAKEN@Example.com", password: "another fine passphrase" })).toEqual({
      ok: false,
      field: "email",
      code: "email_taken",
      message: "An account with this email already exists",
    });
  });

  it("refuses a weak password before touching the database - a field error on password", async () => {
    expect(await signUpUser({ email: "short@example.com", password: "short" })).toMatchObject({
      ok: false,
      field: "password",
      code: "too_short",
    });
    expect(await signUpUser({ email: "common@example.com", password: "Password1234" })).toMatchObject({
      ok: false,
      field: "password",
      code: "common",
    });
    expect(await findUserByEmail(database.current.db, "common@example.com")).toBeUndefined();
  });
});
