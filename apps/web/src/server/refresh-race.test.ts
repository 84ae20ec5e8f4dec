/**
 * Refresh-token rotation on the real service (`createRefreshTokenService` of @gatehouse/auth)
 * over this app's store adapter and database: PGlite in the first pass, a real Postgres in
 * the test:pg pass (where one pool has several connections, so the rotations below really
 * run at once). Races that need two instances, each with its own pool, are in
 * refresh-race.pg-only.test.ts. The clock is injected: "within the grace window" is a
 * chosen instant, never the wall clock.
 */
import {
  createRefreshTokenService,
  isRefreshTokenError,
  type RefreshTokenErrorReason,
  type RefreshTokenService,
} from "@gatehouse/auth/refresh-token";
import type { Database } from "@gatehouse/db/client";
import { revokeRefreshTokenFamily } from "@gatehouse/db/refresh-tokens";
import { refreshTokens as refreshTokenRows } from "@gatehouse/db/schema";
import { setUserScopes } from "@gatehouse/db/users";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST } from "~/app/api/token/route";
import { env } from "~/env";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { loadRefreshTokenKey } from "./refresh-token-key";
import { createRefreshTokenStore } from "./refresh-token-store";
import { scopeValidator } from "./scopes";

const database = setupTestDatabase();
const T0 = Date.parse("2026-06-01T00:00:00Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let successorKey: Uint8Array;
let now: number;
beforeAll(async () => {
  successorKey = await loadRefreshTokenKey(env());
});
beforeEach(() => {
  now = T0;
});

/** The app's service as auth.ts builds it, on `db`, with the test's clock. */
function service(
  options: { db?: Database; ttlSeconds?: number; absoluteTtlSeconds?: number } = {},
): RefreshTokenService {
  const db = options.db ?? database.current;
  return createRefreshTokenService({
    store: createRefreshTokenStore(async () => db),
    scopeValidator,
    successorKey,
    ttlSeconds: options.ttlSeconds ?? env().refreshTokenTtl,
    absoluteTtlSeconds: options.absoluteTtlSeconds ?? env().refreshTokenAbsoluteTtl,
    now: () => now,
  });
}

async function reason(promise: Promise<unknown>): Promise<RefreshTokenErrorReason | "resolved"> {
  return promise.then(
    () => "resolved" as const,
    (error: unknown) => {
      if (!isRefreshTokenError(error)) throw error;
      return error.reason;
    },
  );
}

async function familyRows(familyId: string) {
  // apps/web has no drizzle-orm of its own: filter here (a test database holds a few rows).
  return (await database.current.db.select().from(refreshTokenRows)).filter((row) => row.familyId === familyId);
}

/** Rows of the family that can still be exchanged: one at most, or the family has forked. */
async function liveRows(familyId: string) {
  return (await familyRows(familyId)).filter((row) => !row.usedAt && !row.revokedAt);
}

describe("refresh-token rotation on the app's store", () => {
  it("answers 20 concurrent rotations of one token with one successor - every answer the same, one live row", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const answers = await Promise.all(Array.from({ length: 20 }, () => refreshTokens.rotate(issued.token)));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await familyRows(issued.familyId)).toHaveLength(2);
    expect(await liveRows(issued.familyId)).toHaveLength(1);
    await expect(refreshTokens.rotate(answers[0]?.token ?? "")).resolves.toMatchObject({ familyId: issued.familyId });
  });

  it("keeps two tabs refreshing with one token signed in - on one branch, the same successor", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const tabA = await refreshTokens.rotate(issued.token);
    now += 29_000; // The second tab's request, or a retry of a lost answer, inside the 30 s window.
    const tabB = await refreshTokens.rotate(issued.token);
    expect(tabB.token).toBe(tabA.token);
    expect(await liveRows(issued.familyId)).toHaveLength(1);
    await expect(refreshTokens.rotate(tabB.token)).resolves.toMatchObject({ userId: user.id });
  });

  it("revokes the family when a thief who replayed within the window diverges - the victim uses the successor's successor, the thief replays", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const victim = await refreshTokens.rotate(issued.token);
    now += 5_000;
    const thief = await refreshTokens.rotate(issued.token);
    expect(thief.token).toBe(victim.token);

    now += 15 * MINUTE;
    const victimNext = await refreshTokens.rotate(victim.token);
    now += 15 * MINUTE;
    const victimLatest = await refreshTokens.rotate(victimNext.token);
    expect(await reason(refreshTokens.rotate(thief.token))).toBe("reused");
    expect(await reason(refreshTokens.rotate(victimLatest.token))).toBe("revoked");
    expect(await refreshTokens.listActiveFamilies(user.id)).toEqual([]);
    expect((await familyRows(issued.familyId)).every((row) => row.revokedAt)).toBe(true);
  });

  it("revokes the family when a thief who replayed within the window diverges - both use the successor, minutes apart", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const [victim, thief] = await Promise.all([refreshTokens.rotate(issued.token), refreshTokens.rotate(issued.token)]);
    expect(thief?.token).toBe(victim?.token);
    now += 10 * MINUTE;
    const thiefNext = await refreshTokens.rotate(thief.token);
    now += 5 * MINUTE;
    expect(await reason(refreshTokens.rotate(victim.token))).toBe("reused");
    expect(await reason(refreshTokens.rotate(thiefNext.token))).toBe("revoked");
    expect(await refreshTokens.listActiveFamilies(user.id)).toEqual([]);
  });

  it("revokes the family when a spent token comes back after the window", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const next = await refreshTokens.rotate(issued.token);
    now += 30_000;
    expect(await reason(refreshTokens.rotate(issued.token))).toBe("reused");
    expect(await reason(refreshTokens.rotate(next.token))).toBe("revoked");
  });

  it("never leaves a live token behind when a rotation races a family revocation", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const [rotated] = await Promise.all([
      refreshTokens.rotate(issued.token).catch((error: unknown) => error),
      revokeRefreshTokenFamily(database.current.db, issued.familyId, new Date(now)),
    ]);
    // Whichever committed first, the successor (if one was issued) belongs to a revoked family.
    if (isRefreshTokenError(rotated)) expect(rotated.reason).toBe("revoked");
    else expect(await reason(refreshTokens.rotate((rotated as { token: string }).token))).toBe("revoked");
    expect(await refreshTokens.listActiveFamilies(user.id)).toEqual([]);
  });
});

describe("absolute family lifetime on the app's store", () => {
  it("stores the sign-in on every successor and caps expiry at sign-in + the absolute lifetime, then refuses", async () => {
    const refreshTokens = service({ ttlSeconds: 30 * 24 * 3600, absoluteTtlSeconds: 90 * 24 * 3600 });
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    let token = issued.token;
    for (const day of [25, 50, 75, 89]) {
      now = T0 + day * DAY;
      const next = await refreshTokens.rotate(token);
      expect(next.expiresAt).toEqual(new Date(Math.min(now + 30 * DAY, T0 + 90 * DAY)));
      token = next.token;
    }
    const rows = await familyRows(issued.familyId);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((row) => row.familyCreatedAt.getTime()))).toEqual(new Set([T0]));
    now = T0 + 90 * DAY;
    expect(await reason(refreshTokens.rotate(token))).toBe("expired");
  });
});

describe("rotation never widens scopes on the app's store", () => {
  it("refuses a wider requested scope - invalid_scope, on a fresh token and on a retry, spending nothing", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db, { scopes: ["notes:*"] });
    const issued = await refreshTokens.issue({ userId: user.id, scopes: ["notes:read"] });
    expect(await reason(refreshTokens.rotate(issued.token, { requestedScopes: ["notes:write"] }))).toBe(
      "scope_not_held",
    );
    expect(await liveRows(issued.familyId)).toHaveLength(1);
    const next = await refreshTokens.rotate(issued.token);
    expect(await reason(refreshTokens.rotate(issued.token, { requestedScopes: ["notes:write"] }))).toBe(
      "scope_not_held",
    );
    expect(await reason(refreshTokens.rotate(next.token, { requestedScopes: ["notes:*"] }))).toBe("scope_not_held");
  });

  it("keeps the family's scopes when the user gains more, and drops those the user lost", async () => {
    const refreshTokens = service();
    const user = await createTestUser(database.current.db, { scopes: ["notes:read"] });
    const issued = await refreshTokens.issue({ userId: user.id, scopes: ["notes:read"] });
    await setUserScopes(database.current.db, user.id, ["notes:*", "api_keys:*"]);
    const widerUser = await refreshTokens.rotate(issued.token);
    expect(widerUser).toMatchObject({ scopes: ["notes:read"], grantedScopes: ["notes:read"] });
    await setUserScopes(database.current.db, user.id, ["api_keys:*"]);
    expect(await refreshTokens.rotate(widerUser.token)).toMatchObject({ scopes: [], grantedScopes: [] });
  });
});

describe("POST /api/token refresh_token grant, as the app wires it", () => {
  function refresh(token: string): Promise<Response> {
    return POST(
      new Request("http://localhost:3000/api/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
      }),
    );
  }

  it("answers 10 parallel refreshes of one token with one refresh token, and a later divergence revokes it", async () => {
    const user = await createTestUser(database.current.db);
    const signIn = await POST(
      new Request("http://localhost:3000/api/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: user.email, password: user.password }),
      }),
    );
    const { refresh_token: first } = await signIn.json();
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(first)));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const successors = new Set(bodies.map((body) => body.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = successors;

    // The successor's successor is used, then the successor comes back: reuse, family revoked.
    const next = await (await refresh(successor)).json();
    const latest = await (await refresh(next.refresh_token)).json();
    expect(latest.refresh_token).toMatch(/^ghr_/);
    const replay = await refresh(successor);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    expect((await refresh(latest.refresh_token)).status).toBe(400);
  });
});
