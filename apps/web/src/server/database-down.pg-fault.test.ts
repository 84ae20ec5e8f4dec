/**
 * The database goes away mid-life: every answer must be a clear 503 (or the token endpoint's
 * `temporarily_unavailable`), never a 500, a stack trace or an acceptance.
 * Runs in the real-Postgres leg only (it needs Postgres server binaries).
 */
import { createDb, type Database } from "@gatehouse/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "~/app/api/health/route";
import { POST as token } from "~/app/api/token/route";
import { createTestApiKey } from "~/test/api-keys";
import { startThrowawayPostgres, type ThrowawayPostgres } from "~/test/throwaway-postgres";
import { createTRPCRequest } from "~/test/trpc-request";
import type { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { sessionCookieName } from "./session-cookies";

let server: ThrowawayPostgres;
let database: Database;
let userToken: string;
let apiKey: string;
let user: Awaited<ReturnType<typeof createTestUser>>;

beforeAll(async () => {
  server = await startThrowawayPostgres();
  database = await createDb({ url: server.url, maxConnections: 2 });
  (globalThis as { gatehouseDb?: Promise<Database> }).gatehouseDb = Promise.resolve(database);
  const created = await createTestApiKey(database.db);
  user = created.owner;
  apiKey = created.key;
  userToken = (await (await getAuth()).issuer.createAccessToken({ sub: user.id, kind: "user", scope: "notes:read" }))
    .access_token;
  // Our tokens are trusted once the revoked set is loaded (./revocation-hold.ts); then they outlive an outage.
  await (await getAuth()).accessRevocationFeed.ready;
  server.stop();
}, 120_000);

afterAll(async () => {
  (globalThis as { gatehouseDb?: Promise<Database> }).gatehouseDb = undefined;
  await database?.close().catch(() => {});
  server?.remove();
});

describe("with the database down", () => {
  it("health answers 503 with a problem body", async () => {
    const response = await health();
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 503, title: "Service Unavailable" });
  });

  it("an API key gets 503, not 401 and not 500", async () => {
    const response = await createTRPCRequest("auth.me", { "x-api-key": apiKey });
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.error.json.data.problem).toMatchObject({ status: 503 });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it("a JWT still verifies without the database, and loading its user is a 503", async () => {
    const me = await createTRPCRequest("auth.me", { authorization: `Bearer ${userToken}` });
    expect(me.status).toBe(200);
    // account.* takes the browser session only: the same token, as the session cookie.
    const account = await createTRPCRequest("account.get", { cookie: `${sessionCookieName()}=${userToken}` });
    expect(account.status).toBe(503);
  });

  it("the token endpoint answers temporarily_unavailable", async () => {
    const response = await token(
      new Request("http://localhost:3000/api/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: user.email, password: user.password }),
      }),
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "temporarily_unavailable" });
  });
});
