import { describe, expect, it } from "vitest";
import { describeDatabaseError, isDatabaseUnavailable } from "./errors";

/** Shaped like postgres.js's PostgresError and drizzle's DrizzleQueryError (the fields we read). */
function postgresError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? "")), { name: "PostgresError", ...fields });
}
function drizzleError(query: string, params: unknown[], cause: unknown): Error {
  const error = new Error(`Failed query: ${query}\nparams: ${params}`, { cause });
  return Object.assign(error, { name: "DrizzleQueryError", query, params });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "CONNECT_TIMEOUT",
    "CONNECTION_CLOSED",
    "CONNECTION_ENDED",
    "CONNECTION_DESTROYED",
    "57P01",
    "57P03",
    "57014",
    "08006",
    "53300",
  ])("classifies %s as unavailable, also wrapped by drizzle", (code) => {
    const error = Object.assign(new Error("x"), { code });
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(drizzleError("select 1", [], error))).toBe(true);
  });

  it.each([
    ["a unique violation", postgresError({ code: "23505" })],
    ["a NUL in text", postgresError({ code: "22021" })],
    ["a missing table", postgresError({ code: "42P01" })],
    ["a bug", new TypeError("undefined is not a function")],
    ["a string", "boom"],
    ["nothing", undefined],
  ])("does not classify %s as unavailable - it is a bug, a 500", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("stops on a cause cycle", () => {
    const error = new Error("loop") as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("describeDatabaseError", () => {
  const email = "ada@example.com";
  const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

  it("keeps the SQL text and SQLSTATE, drops bound parameters, detail and quoted values", () => {
    const cause = postgresError({
      code: "23505",
      message: 'duplicate key value violates unique constraint "users_email_idx"',
      detail: `Key (lower(email))=(${email}) already exists.`,
      constraint_name: "users_email_idx",
      table_name: "users",
      parameters: [email, hash],
      args: [email, hash],
    });
    const line = describeDatabaseError(
      drizzleError('insert into "users" ("email", "password_hash") values ($1, $2)', [email, hash], cause),
    );
    expect(line).toContain('insert into "users" ("email", "password_hash") values ($1, $2)');
    expect(line).toContain("PostgresError 23505");
    expect(line).toContain("constraint_name=users_email_idx");
    expect(line).not.toContain(email);
    expect(line).not.toContain(hash);
    expect(line).not.toContain("\n");
  });

  it("drops values a server message quotes", () => {
    const line = describeDatabaseError(
      postgresError({ code: "22P02", message: 'invalid input syntax for type uuid: "secret-value"' }),
    );
    expect(line).toBe('PostgresError 22P02: invalid input syntax for type uuid: "…"');
  });
});

describe("describeDatabaseError on a copied message", () => {
  it("drops a params line another error copied from drizzle's message", () => {
    const line = describeDatabaseError(new Error("Failed query: select $1\nparams: ada@example.com,secret"));
    expect(line).toBe("Error: Failed query: select $1");
  });
});
