/**
 * Refresh-token races between two app instances, each with its own connection pool on one
 * real Postgres database, as two processes behind a load balancer would have. Only the
 * test:pg pass runs this file (vitest.config.ts): PGlite allows one connection and runs one
 * transaction at a time, so there these races cannot happen and the row lock they depend on
 * is never exercised (a check-then-write exchange passes on PGlite and fails here).
 */
import {
  createRefreshTokenService,
  isRefreshTokenError,
  type RefreshTokenService,
  type RotatedRefreshToken,
} from "@gatehouse/auth/refresh-token";
import { createDb, type Database } from "@gatehouse/db/client";
import { refreshTokens as refreshTokenRows } from "@gatehouse/db/schema";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { createTestUser } from "~/test/users";
import { loadRefreshTokenKey } from "./refresh-token-key";
import { createRefreshTokenStore } from "./refresh-token-store";
import { scopeValidator } from "./scopes";

let testDatabase: TestDatabase;
let second: Database;
let a: RefreshTokenService;
let b: RefreshTokenService;

function instance(database: Database, successorKey: Uint8Array): RefreshTokenService {
  return createRefreshTokenService({
    store: createRefreshTokenStore(async () => database),
    scopeValidator,
    successorKey,
    ttlSeconds: env().refreshTokenTtl,
    absoluteTtlSeconds: env().refreshTokenAbsoluteTtl,
  });
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  if (!testDatabase.url) throw new Error("refresh-race.pg-only.test.ts runs on a real Postgres only (test:pg)");
  second = await createDb({ url: testDatabase.url, migrate: false, maxConnections: 4 });
  const successorKey = await loadRefreshTokenKey(env());
  a = instance(testDatabase, successorKey);
  b = instance(second, successorKey);
});

afterAll(async () => {
  await second?.close();
  await testDatabase?.cleanup();
});

async function familyRows(familyId: string) {
  return (await testDatabase.db.select().from(refreshTokenRows)).filter((row) => row.familyId === familyId);
}

describe("refresh-token races between two instances", () => {
  it("answers 20 concurrent rotations of one token split over two instances with one successor (Postgres only: two pools contend for the row lock)", async () => {
    const user = await createTestUser(testDatabase.db);
    // Several rounds: whether two callers meet inside the exchange depends on scheduling.
    for (let round = 0; round < 5; round++) {
      const issued = await a.issue({ userId: user.id, scopes: user.scopes });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).rotate(issued.token).catch((error: unknown) => error)),
      );
      const refused = answers.filter((answer) => !(answer as RotatedRefreshToken).token);
      expect(refused).toEqual([]);
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      const rows = await familyRows(issued.familyId);
      expect(rows).toHaveLength(2);
      expect(rows.filter((row) => !row.usedAt && !row.revokedAt)).toHaveLength(1);
    }
  });

  it("never leaves a live token when a rotation on one instance races a sign-out on the other (Postgres only: two connections)", async () => {
    const user = await createTestUser(testDatabase.db);
    for (let round = 0; round < 5; round++) {
      const issued = await a.issue({ userId: user.id, scopes: user.scopes });
      const [rotated] = await Promise.all([
        a.rotate(issued.token).catch((error: unknown) => error),
        b.revoke(issued.token),
      ]);
      if (isRefreshTokenError(rotated)) expect(rotated.reason).toBe("revoked");
      else {
        const successor = (rotated as RotatedRefreshToken).token;
        await expect(b.rotate(successor)).rejects.toMatchObject({ reason: "revoked" });
      }
    }
    expect(await b.listActiveFamilies(user.id)).toEqual([]);
  });

  it("revokes the family when the two instances' holders diverge after sharing a retry (Postgres only: separate pools)", async () => {
    const user = await createTestUser(testDatabase.db);
    const issued = await a.issue({ userId: user.id, scopes: user.scopes });
    const [victim, thief] = await Promise.all([a.rotate(issued.token), b.rotate(issued.token)]);
    expect(thief.token).toBe(victim.token);
    const victimNext = await a.rotate(victim.token);
    const victimLatest = await a.rotate(victimNext.token);
    await expect(b.rotate(thief.token)).rejects.toMatchObject({ reason: "reused" });
    await expect(a.rotate(victimLatest.token)).rejects.toMatchObject({ reason: "revoked" });
    expect((await familyRows(issued.familyId)).every((row) => row.revokedAt)).toBe(true);
  });
});
