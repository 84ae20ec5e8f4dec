import { describe, expect, it } from "vitest";
import { readCredentials } from "./credentials";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

describe("readCredentials", () => {
  it("accepts a plain email and password", () => {
    expect(readCredentials(form({ email: " ada@example.com ", password: "pw" }))).toEqual({
      ok: true,
      value: { email: "ada@example.com", password: "pw" },
    });
  });

  // A NUL would reach Postgres as a bound parameter: its error (and the email) would reach the logs.
  it("refuses a NUL in the email - a field error, never reaching the database", () => {
    const result = readCredentials(form({ email: "ada\u0000@example.com", password: "pw" }));
    expect(result).toMatchObject({
      ok: false,
      state: { fieldErrors: { email: "The email address contains characters that are not allowed." } },
    });
  });

  it("refuses a NUL in the password - a field error", () => {
    const result = readCredentials(form({ email: "ada@example.com", password: "p\u0000w" }));
    expect(result).toMatchObject({
      ok: false,
      state: { fieldErrors: { password: "The password contains characters that are not allowed." } },
    });
  });
});
