import { describe, expect, it } from "vitest";
import { env } from "~/env";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { POST } from "./route";

const database = setupTestDatabase();

function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return POST(
    new Request("http://localhost:3000/api/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

async function me(accessToken: string) {
  const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${accessToken}` });
  return (await response.json()).result.data.json;
}

describe("POST /api/token", () => {
  it("password grant: access + refresh token whose sub and scopes auth.me reports", async () => {
    const user = await createTestUser(database.current.db);
    const response = await tokenRequest({ grant_type: "password", username: user.email, password: user.password });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(body.refresh_token).toMatch(/^ghr_/);
    expect(await me(body.access_token)).toEqual({ subject: user.id, kind: "user", scopes: ["notes:*", "api_keys:*"] });
  });

  it("narrows scope on request and never widens it", async () => {
    const user = await createTestUser(database.current.db, { scopes: ["notes:read"] });
    const narrowed = await tokenRequest({
      grant_type: "password",
      username: user.email,
      password: user.password,
      scope: "notes:read",
    });
    expect((await me((await narrowed.json()).access_token)).scopes).toEqual(["notes:read"]);
    const widened = await tokenRequest({
      grant_type: "password",
      username: user.email,
      password: user.password,
      scope: "notes:write",
    });
    expect(widened.status).toBe(400);
    expect((await widened.json()).error).toBe("invalid_scope");
  });

  it("refuses a wrong password and an unknown user with the same status and body", async () => {
    const user = await createTestUser(database.current.db);
    const wrong = await tokenRequest({ grant_type: "password", username: user.email, password: "not it at all" });
    const unknown = await tokenRequest({
      grant_type: "password",
      username: "nobody@example.com",
      password: "not it at all",
    });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.text()).toBe(await wrong.text());
  });

  it("throttles password guessing per account whatever X-Forwarded-For says - 429 with Retry-After, even for the right password", async () => {
    const user = await createTestUser(database.current.db);
    const { maxAttempts, windowSeconds } = env().loginThrottle.account;
    for (let i = 0; i < maxAttempts; i++) {
      const wrong = await tokenRequest(
        { grant_type: "password", username: user.email, password: `wrong ${i}` },
        { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `198.51.100.${i}` },
      );
      expect(wrong.status).toBe(400);
    }
    const refused = await tokenRequest(
      { grant_type: "password", username: ` ${user.email.toUpperCase()} `, password: user.password },
      { "x-forwarded-for": "192.0.2.77" },
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  });

  it("refuses a JSON body even with valid credentials", async () => {
    const user = await createTestUser(database.current.db);
    const response = await POST(
      new Request("http://localhost:3000/api/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "password", username: user.email, password: user.password }),
      }),
    );
    expect([400, 415]).toContain(response.status);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("rotates a refresh token, and reuse after the grace revokes the family", async () => {
    const user = await createTestUser(database.current.db);
    const first = await (
      await tokenRequest({ grant_type: "password", username: user.email, password: user.password })
    ).json();
    const second = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    const rotated = await second.json();
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    // Spend the successor too: now replaying the first token is reuse, not a two-tab race.
    const third = await (
      await tokenRequest({ grant_type: "refresh_token", refresh_token: rotated.refresh_token })
    ).json();
    const replay = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe("invalid_grant");
    const afterReuse = await tokenRequest({ grant_type: "refresh_token", refresh_token: third.refresh_token });
    expect((await afterReuse.json()).error).toBe("invalid_grant");
  });

  it("client_credentials with an API key: an access token of kind api_key, no refresh token", async () => {
    const { owner: user, ...issued } = await createTestApiKey(database.current.db);
    const basic = Buffer.from(`${encodeURIComponent(issued.id)}:${encodeURIComponent(issued.key)}`).toString("base64");
    const response = await tokenRequest({ grant_type: "client_credentials" }, { authorization: `Basic ${basic}` });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.refresh_token).toBeUndefined();
    expect(await me(body.access_token)).toEqual({ subject: user.id, kind: "api_key", scopes: ["notes:read"] });

    const wrongId = await tokenRequest({
      grant_type: "client_credentials",
      client_id: crypto.randomUUID(),
      client_secret: issued.key,
    });
    expect((await wrongId.json()).error).toBe("invalid_client");
  });
});
