import { isRefreshTokenError } from "@gatehouse/auth/refresh-token";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";

const database = setupTestDatabase();

describe("refresh-token rotation on the app's database", () => {
  it("two tabs refreshing with one token at once both stay signed in", async () => {
    const { refreshTokens } = await getAuth();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const [tabA, tabB] = await Promise.all([refreshTokens.rotate(issued.token), refreshTokens.rotate(issued.token)]);
    expect(tabA.familyId).toBe(issued.familyId);
    expect(tabB.familyId).toBe(issued.familyId);
    expect(tabA.token).not.toBe(tabB.token);
    // Both successors are live: each tab can go on refreshing.
    await expect(refreshTokens.rotate(tabA.token)).resolves.toMatchObject({ userId: user.id });
    await expect(refreshTokens.rotate(tabB.token)).resolves.toMatchObject({ userId: user.id });
  });

  it("a spent token presented again after its successor was used revokes the family", async () => {
    const { refreshTokens } = await getAuth();
    const user = await createTestUser(database.current.db);
    const issued = await refreshTokens.issue({ userId: user.id, scopes: user.scopes });
    const next = await refreshTokens.rotate(issued.token);
    const latest = await refreshTokens.rotate(next.token);
    const replay = await refreshTokens.rotate(issued.token).catch((error: unknown) => error);
    expect(isRefreshTokenError(replay) && replay.code).toBe("invalid_grant");
    const afterRevocation = await refreshTokens.rotate(latest.token).catch((error: unknown) => error);
    expect(isRefreshTokenError(afterRevocation) && afterRevocation.reason).toBe("revoked");
    expect(await refreshTokens.listActiveFamilies(user.id)).toEqual([]);
  });
});
