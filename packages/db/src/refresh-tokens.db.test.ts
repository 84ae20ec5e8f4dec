import { createHash, randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteExpiredRefreshTokens,
  exchangeRefreshToken,
  findRefreshTokenByHash,
  insertRefreshToken,
  listActiveRefreshTokenFamilies,
  type NewRefreshTokenRow,
  revokeRefreshTokenFamily,
  revokeUserRefreshTokens,
} from "./refresh-tokens";
import { refreshTokens } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser, setUserDisabled, setUserScopes } from "./users";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3600_000;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

let emails = 0;
async function newUser(scopes: string[] = ["notes:read"]): Promise<string> {
  const user = await createUser(database.db, { email: `rt${++emails}@example.com`, passwordHash: "h", scopes });
  return user.id;
}

function newToken(
  base: { userId: string; familyId?: string; scopes?: string[] },
  at = T0,
): { raw: string; row: NewRefreshTokenRow } {
  const raw = `ghr_${randomBytes(32).toString("base64url")}`;
  return {
    raw,
    row: {
      id: randomUUID(),
      familyId: base.familyId ?? randomUUID(),
      userId: base.userId,
      tokenHash: hash(raw),
      scopes: base.scopes ?? ["notes:read"],
      userAgent: "test-agent",
      createdAt: new Date(at),
      familyCreatedAt: new Date(at),
      expiresAt: new Date(at + HOUR),
    },
  };
}

function hash(raw: string): string {
  return createHash("sha256").update(raw).digest("hex");
}

describe("refresh token queries", () => {
  it("finds a token by hash with its owner's state", async () => {
    const userId = await newUser(["notes:*"]);
    const { raw, row } = newToken({ userId });
    await insertRefreshToken(database.db, row);
    const found = await findRefreshTokenByHash(database.db, hash(raw));
    expect(found).toEqual({
      id: row.id,
      familyId: row.familyId,
      userId,
      scopes: ["notes:read"],
      userAgent: "test-agent",
      createdAt: new Date(T0),
      familyCreatedAt: new Date(T0),
      expiresAt: new Date(T0 + HOUR),
      usedAt: null,
      replacedBy: null,
      revoked: false,
      successorUsed: false,
      userDisabled: false,
      userScopes: ["notes:*"],
    });
    await setUserDisabled(database.db, userId, true);
    await setUserScopes(database.db, userId, []);
    expect(await findRefreshTokenByHash(database.db, hash(raw))).toMatchObject({ userDisabled: true, userScopes: [] });
    expect(await findRefreshTokenByHash(database.db, hash("ghr_unknown"))).toBeUndefined();
  });

  it("stores only the hash", async () => {
    const userId = await newUser();
    const { raw, row } = newToken({ userId });
    await insertRefreshToken(database.db, row);
    const [stored] = await database.db.select().from(refreshTokens).where(eq(refreshTokens.id, row.id));
    expect(JSON.stringify(stored)).not.toContain(raw.slice(4));
  });

  it("exchanges a token once: spent, linked to its successor; a second exchange loses", async () => {
    const userId = await newUser();
    const first = newToken({ userId });
    await insertRefreshToken(database.db, first.row);
    const second = newToken({ userId, familyId: first.row.familyId }, T0 + 1000);
    expect(await exchangeRefreshToken(database.db, first.row.id, new Date(T0 + 1000), second.row)).toBe(true);

    const spent = await findRefreshTokenByHash(database.db, hash(first.raw));
    expect(spent).toMatchObject({ usedAt: new Date(T0 + 1000), replacedBy: second.row.id, successorUsed: false });
    expect(await findRefreshTokenByHash(database.db, hash(second.raw))).toMatchObject({ usedAt: null });

    const third = newToken({ userId, familyId: first.row.familyId }, T0 + 2000);
    expect(await exchangeRefreshToken(database.db, first.row.id, new Date(T0 + 2000), third.row)).toBe(false);
    expect(await findRefreshTokenByHash(database.db, hash(third.raw))).toBeUndefined();

    expect(await exchangeRefreshToken(database.db, second.row.id, new Date(T0 + 2000), third.row)).toBe(true);
    expect(await findRefreshTokenByHash(database.db, hash(first.raw))).toMatchObject({ successorUsed: true });
  });

  // The service's own races (two tabs, 20 concurrent rotations, two instances on Postgres) are
  // tested on the real service and these queries in apps/web/src/server/refresh-race*.test.ts.
  it("lets exactly one of many concurrent exchanges of one token win (the row lock is exercised on Postgres only: PGlite runs one transaction at a time)", async () => {
    const userId = await newUser();
    const first = newToken({ userId });
    await insertRefreshToken(database.db, first.row);
    const successors = Array.from({ length: 6 }, () => newToken({ userId, familyId: first.row.familyId }, T0 + 1));
    const results = await Promise.all(
      successors.map((s) => exchangeRefreshToken(database.db, first.row.id, new Date(T0 + 1), s.row)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await database.db.select().from(refreshTokens).where(eq(refreshTokens.familyId, first.row.familyId));
    expect(rows).toHaveLength(2);
    const winner = successors[results.indexOf(true)];
    expect(rows.find((r) => r.id === first.row.id)?.replacedBy).toBe(winner?.row.id);
  });

  it("refuses to exchange a token whose family is revoked", async () => {
    const userId = await newUser();
    const first = newToken({ userId });
    await insertRefreshToken(database.db, first.row);
    // A sibling that missed a concurrent revocation still counts as revoked: revocation is per family.
    const sibling = newToken({ userId, familyId: first.row.familyId });
    await revokeRefreshTokenFamily(database.db, first.row.familyId, new Date(T0));
    await insertRefreshToken(database.db, sibling.row);
    expect(await findRefreshTokenByHash(database.db, hash(sibling.raw))).toMatchObject({ revoked: true });
    const next = newToken({ userId, familyId: first.row.familyId });
    expect(await exchangeRefreshToken(database.db, sibling.row.id, new Date(T0), next.row)).toBe(false);
  });

  it("revokes a family only for its owner, and all of a user's tokens", async () => {
    const owner = await newUser();
    const other = await newUser();
    const a = newToken({ userId: owner });
    const b = newToken({ userId: owner });
    await insertRefreshToken(database.db, a.row);
    await insertRefreshToken(database.db, b.row);
    expect(await revokeRefreshTokenFamily(database.db, a.row.familyId, new Date(T0), other)).toBe(0);
    expect(await revokeRefreshTokenFamily(database.db, a.row.familyId, new Date(T0), owner)).toBe(1);
    expect(await revokeRefreshTokenFamily(database.db, "not-a-uuid", new Date(T0))).toBe(0);
    expect(await revokeUserRefreshTokens(database.db, owner, new Date(T0))).toBe(1);
    expect(await findRefreshTokenByHash(database.db, hash(b.raw))).toMatchObject({ revoked: true });
  });

  it("lists live families, most recently active first", async () => {
    const userId = await newUser();
    const laptop = newToken({ userId });
    await insertRefreshToken(database.db, { ...laptop.row, userAgent: "laptop" });
    const phone = newToken({ userId }, T0 + 1000);
    await insertRefreshToken(database.db, { ...phone.row, userAgent: "phone" });
    const revoked = newToken({ userId }, T0 + 1500);
    await insertRefreshToken(database.db, revoked.row);
    await revokeRefreshTokenFamily(database.db, revoked.row.familyId, new Date(T0 + 1500));
    const expired = newToken({ userId }, T0 - 2 * HOUR);
    await insertRefreshToken(database.db, expired.row);
    const laptop2 = newToken({ userId, familyId: laptop.row.familyId }, T0 + 2000);
    await exchangeRefreshToken(database.db, laptop.row.id, new Date(T0 + 2000), {
      ...laptop2.row,
      userAgent: "laptop",
    });

    expect(await listActiveRefreshTokenFamilies(database.db, userId, new Date(T0 + 3000))).toEqual([
      {
        familyId: laptop.row.familyId,
        userAgent: "laptop",
        createdAt: new Date(T0),
        lastUsedAt: new Date(T0 + 2000),
        expiresAt: new Date(T0 + 2000 + HOUR),
      },
      {
        familyId: phone.row.familyId,
        userAgent: "phone",
        createdAt: new Date(T0 + 1000),
        lastUsedAt: null,
        expiresAt: new Date(T0 + 1000 + HOUR),
      },
    ]);
    expect(await listActiveRefreshTokenFamilies(database.db, userId, new Date(T0 + 1000 + HOUR))).toHaveLength(1);
    expect(await listActiveRefreshTokenFamilies(database.db, "nope", new Date(T0))).toEqual([]);
  });

  it("deletes only families whose every token has expired", async () => {
    const userId = await newUser();
    const old = newToken({ userId }, T0 - 10 * HOUR);
    await insertRefreshToken(database.db, old.row);
    const live = newToken({ userId }, T0 - 10 * HOUR);
    await insertRefreshToken(database.db, live.row);
    const liveNext = newToken({ userId, familyId: live.row.familyId }, T0);
    await exchangeRefreshToken(database.db, live.row.id, new Date(T0), liveNext.row);

    expect(await deleteExpiredRefreshTokens(database.db, new Date(T0))).toBeGreaterThanOrEqual(1);
    expect(await findRefreshTokenByHash(database.db, hash(old.raw))).toBeUndefined();
    // The spent token of a live family stays, so its reuse is still detected.
    expect(await findRefreshTokenByHash(database.db, hash(live.raw))).toBeDefined();
  });
});
