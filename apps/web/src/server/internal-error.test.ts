/**
 * An error we did not expect answers a fixed message and a request id; the log line carries
 * the same id and the cause, never the SQL's bound parameters. A database that cannot be
 * reached is a 503 with Retry-After instead. Through the real route handlers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as token } from "~/app/api/token/route";
import { type CapturedLogs, captureLogs } from "~/test/captured-logs";
import { sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { withErrorBoundary } from "./http/with-error-boundary";
import { INTERNAL_ERROR_DETAIL } from "./internal-error";

const database = setupTestDatabase();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type GlobalDb = { gatehouseDb?: Promise<unknown> };
/** The app's database handle fails to open with `error` for the duration of a test. */
function databaseFailsWith(error: Error) {
  const failed = Promise.reject(error);
  failed.catch(() => {});
  (globalThis as GlobalDb).gatehouseDb = failed;
}

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
const logged = () => logs.text();

afterEach(() => {
  (globalThis as GlobalDb).gatehouseDb = Promise.resolve(database.current);
  vi.restoreAllMocks();
});

async function bearerFor(user: { id: string }) {
  const { issuer } = await getAuth();
  return `Bearer ${(await issuer.createAccessToken({ sub: user.id, kind: "user", scope: "notes:* api_keys:*" })).access_token}`;
}

describe("an internal error in a procedure", () => {
  it("answers 500 with a fixed message and a request id; the log has the id and the SQL, no parameters", async () => {
    const user = await createTestUser(database.current.db);
    const authorization = await bearerFor(user);
    // A query the database refuses for a reason that is ours, not the network's: a bug, a 500.
    await database.current.db.execute("alter table notes rename to notes_gone");
    try {
      const response = await createTRPCRequest("notes.list", { authorization });
      expect(response.status).toBe(500);
      const text = await response.text();
      const error = JSON.parse(text).error.json;
      expect(error.message).toBe(INTERNAL_ERROR_DETAIL);
      expect(error.data.problem).toMatchObject({ status: 500, title: "Internal Server Error" });
      const { requestId } = error.data.problem;
      expect(requestId).toMatch(UUID);
      expect(error.data.problem.instance).toBe(`urn:uuid:${requestId}`);
      for (const leak of [user.id, "select", '"notes"', "42P01", "Failed query", "params", "at "])
        expect(text).not.toContain(leak);

      const errors = logs.lines().filter((line) => line.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ requestId, where: "tRPC notes.list", msg: "tRPC notes.list failed" });
      const line = (errors[0]?.err as { message?: string } | undefined)?.message ?? "";
      expect(line).toMatch(/Failed query: select .*"notes"/);
      expect(logged()).not.toContain(user.id);
      expect(line).toContain("42P01");
      expect(line).not.toContain(user.id);
    } finally {
      await database.current.db.execute("alter table notes_gone rename to notes");
    }
  });

  it("answers 503 with Retry-After when the database cannot be reached, not 500", async () => {
    const user = await createTestUser(database.current.db);
    const authorization = await bearerFor(user);
    const session = await sessionHeaders(user);
    databaseFailsWith(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
    for (const path of ["notes.list", "account.get", "apiKeys.list"]) {
      // account.* answers only the browser session.
      const response = await createTRPCRequest(path, path.startsWith("account.") ? session : { authorization });
      expect(response.status, path).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect((await response.json()).error.json.data.problem).toMatchObject({
        status: 503,
        code: "service_unavailable",
      });
    }
  });
});

describe("the token endpoint's failure path", () => {
  it("answers temporarily_unavailable with the request id the log line carries, no email in the log", async () => {
    databaseFailsWith(new Error("Failed query: select … where email = $1\nparams: ada@example.com"));
    const response = await token(
      new Request("http://localhost:3000/api/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: "ada@example.com", password: "x" }),
      }),
    );
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toMatchObject({ error: "temporarily_unavailable", request_id: expect.stringMatching(UUID) });
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ requestId: body.request_id, msg: "token endpoint failed" }),
    );
    expect(logged()).not.toContain("ada@example.com");
  });
});

describe("withErrorBoundary", () => {
  it("turns anything a route handler throws into a 500 problem with a request id, logged without parameters", async () => {
    const cause = Object.assign(new Error("boom"), { name: "PostgresError", code: "XX000", parameters: ["hunter2"] });
    const thrown = Object.assign(new Error("Failed query: select $1\nparams: hunter2", { cause }), {
      name: "DrizzleQueryError",
      query: "select $1",
      params: ["hunter2"],
    });
    const response = await withErrorBoundary("test route", async () => {
      throw thrown;
    })();
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await response.json();
    expect(problem).toMatchObject({
      status: 500,
      detail: INTERNAL_ERROR_DETAIL,
      requestId: expect.stringMatching(UUID),
    });
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ requestId: problem.requestId, msg: "test route failed" }),
    );
    expect(problem.instance).toBe(`urn:uuid:${problem.requestId}`);
    expect(logged()).not.toContain("hunter2");
  });

  it("turns a connection-level database error into a 503 with Retry-After", async () => {
    const response = await withErrorBoundary("test route", async () => {
      throw Object.assign(new Error("write CONNECTION_ENDED 127.0.0.1:5432"), { code: "CONNECTION_ENDED" });
    })();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
