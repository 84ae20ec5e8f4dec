import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryRefreshTokenStore, type MemoryRefreshTokenStore } from "./lib/memory-refresh-token-store";
import {
  createRefreshTokenService,
  generateRefreshToken,
  hashRefreshToken,
  isRefreshTokenFormat,
  RefreshTokenError,
  type RefreshTokenService,
} from "./refresh-token";
import { HierarchicalScopeValidator } from "./scopes";

const USER = "7d3f5a52-0b8e-4a43-9d1c-111111111111";
const T0 = Date.parse("2026-01-01T00:00:00Z");
const DAY = 24 * 3600_000;
const KEY = new Uint8Array(32).fill(7);

let store: MemoryRefreshTokenStore;
let now: number;
let service: RefreshTokenService;

beforeEach(() => {
  store = createMemoryRefreshTokenStore(new Map([[USER, { disabled: false, scopes: ["notes:*", "users:read"] }]]));
  now = T0;
  service = createRefreshTokenService({
    store,
    scopeValidator: new HierarchicalScopeValidator(),
    successorKey: KEY,
    ttlSeconds: 3600,
    reuseGraceSeconds: 30,
    now: () => now,
  });
});

/** Tokens of the family that can still be exchanged: a family must never have more than one. */
const liveRows = (familyId: string) => store.rows.filter((r) => r.familyId === familyId && !r.usedAt && !r.revokedAt);

async function refused(promise: Promise<unknown>): Promise<RefreshTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefreshTokenError);
  return error as RefreshTokenError;
}

describe("refresh token format", () => {
  it("is ghr_ plus 256 bits in base64url, and stored only as its SHA-256", async () => {
    const token = generateRefreshToken();
    expect(token).toMatch(/^ghr_[A-Za-z0-9_-]{43}$/);
    expect(isRefreshTokenFormat(token)).toBe(true);
    expect(generateRefreshToken()).not.toBe(token);
    expect(await hashRefreshToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);

    await service.issue({ userId: USER, scopes: ["notes:read"] });
    expect(JSON.stringify(store.rows)).not.toContain("ghr_");
  });
});

describe("issue", () => {
  it("starts a family with the ttl from now", async () => {
    const issued = await service.issue({ userId: USER, scopes: ["notes:read"], userAgent: "Firefox" });
    expect(issued.expiresAt).toEqual(new Date(T0 + 3600_000));
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ familyId: issued.familyId, userAgent: "Firefox", scopes: ["notes:read"] });
    expect(store.rows[0]?.tokenHash).toBe(await hashRefreshToken(issued.token));
  });

  it("truncates a huge user agent", async () => {
    await service.issue({ userId: USER, scopes: [], userAgent: "x".repeat(10_000) });
    expect(store.rows[0]?.userAgent).toHaveLength(512);
  });
});

describe("rotate", () => {
  it("returns a successor in the same family and spends the token", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    now += 60_000;
    const second = await service.rotate(first.token);
    expect(second).toMatchObject({ userId: USER, familyId: first.familyId, scopes: ["notes:read"] });
    expect(second.token).not.toBe(first.token);
    expect(second.expiresAt).toEqual(new Date(now + 3600_000));
    expect(store.rows[0]?.usedAt).toEqual(new Date(now));
    expect(store.rows[0]?.replacedBy).toBe(store.rows[1]?.id);
    const third = await service.rotate(second.token);
    expect(third.familyId).toBe(first.familyId);
  });

  it("refuses a token - unknown, malformed or empty", async () => {
    expect((await refused(service.rotate(generateRefreshToken()))).reason).toBe("unknown");
    expect((await refused(service.rotate("ghr_short"))).reason).toBe("malformed");
    expect((await refused(service.rotate(""))).code).toBe("invalid_grant");
  });

  it("refuses a token - expired", async () => {
    const { token } = await service.issue({ userId: USER, scopes: [] });
    now += 3600_000;
    const error = await refused(service.rotate(token));
    expect(error).toMatchObject({ code: "invalid_grant", reason: "expired" });
  });

  it("refuses a token - family revoked by sign-out", async () => {
    const first = await service.issue({ userId: USER, scopes: [] });
    const second = await service.rotate(first.token);
    expect(await service.revoke(first.token)).toBe(first.familyId);
    expect((await refused(service.rotate(second.token))).reason).toBe("revoked");
  });

  it("refuses a token - user disabled, without revoking the family", async () => {
    const { token } = await service.issue({ userId: USER, scopes: ["notes:read"] });
    store.users.set(USER, { disabled: true, scopes: ["notes:*"] });
    expect((await refused(service.rotate(token))).reason).toBe("user_disabled");
    store.users.set(USER, { disabled: false, scopes: ["notes:*"] });
    await expect(service.rotate(token)).resolves.toMatchObject({ userId: USER });
  });

  it("narrows the successor to the scopes the user still holds", async () => {
    const { token } = await service.issue({ userId: USER, scopes: ["notes:*", "users:read"] });
    store.users.set(USER, { disabled: false, scopes: ["notes:read"] });
    const next = await service.rotate(token);
    expect(next.scopes).toEqual(["notes:read"]);
    expect(store.rows[1]?.scopes).toEqual(["notes:read"]);
  });

  it("grants requested scopes the token covers, for the access token only", async () => {
    const { token } = await service.issue({ userId: USER, scopes: ["notes:*"] });
    const next = await service.rotate(token, { requestedScopes: ["notes:read"] });
    expect(next.grantedScopes).toEqual(["notes:read"]);
    expect(next.scopes).toEqual(["notes:*"]);
  });

  it("refuses a wider requested scope - invalid_scope, and spends nothing", async () => {
    const { token } = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const error = await refused(service.rotate(token, { requestedScopes: ["notes:write"] }));
    expect(error).toMatchObject({ code: "invalid_scope", reason: "scope_not_held" });
    expect((await refused(service.rotate(token, { requestedScopes: ["not a scope"] }))).code).toBe("invalid_scope");
    expect(store.rows[0]?.usedAt).toBeNull();
    await expect(service.rotate(token)).resolves.toMatchObject({ scopes: ["notes:read"] });
  });
});

describe("reuse detection", () => {
  it("revokes the family when a spent token comes back after the grace window", async () => {
    const first = await service.issue({ userId: USER, scopes: [] });
    const second = await service.rotate(first.token);
    now += 30_000;
    const error = await refused(service.rotate(first.token));
    expect(error).toMatchObject({ code: "invalid_grant", reason: "reused" });
    // The thief and the legitimate client both lose: the live successor is dead too.
    expect((await refused(service.rotate(second.token))).reason).toBe("revoked");
    expect(store.rows.every((r) => r.revokedAt)).toBe(true);
  });

  it("revokes the family when a spent token comes back after its successor was used, even within grace", async () => {
    const first = await service.issue({ userId: USER, scopes: [] });
    const second = await service.rotate(first.token);
    await service.rotate(second.token);
    expect((await refused(service.rotate(first.token))).reason).toBe("reused");
    expect(await service.listActiveFamilies(USER)).toEqual([]);
  });

  it("tells onReuseRevoked the family - so the app refuses its access tokens, the thief's included", async () => {
    const told: string[] = [];
    const watched = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      reuseGraceSeconds: 0,
      onReuseRevoked: (familyId) => {
        told.push(familyId);
      },
      now: () => now,
    });
    const first = await watched.issue({ userId: USER, scopes: [] });
    await watched.rotate(first.token);
    expect(told).toEqual([]);
    expect((await refused(watched.rotate(first.token))).reason).toBe("reused");
    expect(told).toEqual([first.familyId]);
  });

  it("revokes at once when the grace window is 0", async () => {
    const strict = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      reuseGraceSeconds: 0,
      now: () => now,
    });
    const first = await strict.issue({ userId: USER, scopes: [] });
    await strict.rotate(first.token);
    expect((await refused(strict.rotate(first.token))).reason).toBe("reused");
  });
});

describe("retries within the grace window", () => {
  it("gives a second tab the same successor, not a second live token", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const tabA = await service.rotate(first.token);
    now += 29_000;
    const tabB = await service.rotate(first.token);
    expect(tabB).toEqual(tabA);
    expect(liveRows(first.familyId)).toHaveLength(1);
    await expect(service.rotate(tabA.token)).resolves.toMatchObject({ familyId: first.familyId });
  });

  it("answers 20 concurrent rotations of one token with one successor", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const answers = await Promise.all(Array.from({ length: 20 }, () => service.rotate(first.token)));
    expect(new Set(answers.map((a) => a.token)).size).toBe(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(store.rows).toHaveLength(2);
    expect(liveRows(first.familyId)).toHaveLength(1);
  });

  it("revokes the family when a thief who replayed within grace and the victim diverge - successor's successor, then a replay", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const victim = await service.rotate(first.token);
    now += 10_000;
    const thief = await service.rotate(first.token);
    expect(thief.token).toBe(victim.token); // One branch, shared.
    const victimNext = await service.rotate(victim.token);
    // Still within grace of that use: the thief's replay shares the branch again.
    expect((await service.rotate(thief.token)).token).toBe(victimNext.token);
    const victimLatest = await service.rotate(victimNext.token);
    expect((await refused(service.rotate(thief.token))).reason).toBe("reused");
    expect((await refused(service.rotate(victimLatest.token))).reason).toBe("revoked");
    expect(await service.listActiveFamilies(USER)).toEqual([]);
  });

  it("revokes the family when a thief who replayed within grace and the victim diverge - both use the successor, apart", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const victim = await service.rotate(first.token);
    const thief = await service.rotate(first.token);
    now += 15 * 60_000;
    const thiefNext = await service.rotate(thief.token);
    now += 15 * 60_000;
    expect((await refused(service.rotate(victim.token))).reason).toBe("reused");
    expect((await refused(service.rotate(thiefNext.token))).reason).toBe("revoked");
  });

  it("refuses a retry whose successor is already spent - revokes, even within grace", async () => {
    const first = await service.issue({ userId: USER, scopes: [] });
    const second = await service.rotate(first.token);
    await service.rotate(second.token);
    // As if the successor's use landed between the read of the parent and that of the successor.
    const firstHash = await hashRefreshToken(first.token);
    const parent = await store.findByHash(firstHash);
    const racing = {
      ...store,
      findByHash: async (hash: string) =>
        hash === firstHash ? { ...parent, successorUsed: false } : store.findByHash(hash),
    } as typeof store;
    const raced = createRefreshTokenService({
      store: racing,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      now: () => now,
    });
    expect((await refused(raced.rotate(first.token))).reason).toBe("reused");
    expect(store.rows.every((r) => r.revokedAt)).toBe(true);
  });

  it("refuses a retry - successor derived under another key, without revoking the family", async () => {
    const first = await service.issue({ userId: USER, scopes: [] });
    const second = await service.rotate(first.token);
    const rekeyed = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: new Uint8Array(32).fill(8),
      now: () => now,
    });
    expect((await refused(rekeyed.rotate(first.token))).reason).toBe("successor_mismatch");
    await expect(service.rotate(second.token)).resolves.toMatchObject({ familyId: first.familyId });
  });

  it("checks a retry's requested scopes too - invalid_scope, and the successor stays live", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const second = await service.rotate(first.token);
    const error = await refused(service.rotate(first.token, { requestedScopes: ["notes:write"] }));
    expect(error.code).toBe("invalid_scope");
    // The user lost notes:read meanwhile: the retry grants what the user still holds.
    store.users.set(USER, { disabled: false, scopes: ["users:read"] });
    expect(await service.rotate(first.token)).toMatchObject({ token: second.token, scopes: [], grantedScopes: [] });
  });
});

describe("absolute family lifetime", () => {
  it("caps each successor's expiry at sign-in + the absolute lifetime, then refuses", async () => {
    const capped = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      ttlSeconds: 30 * 24 * 3600,
      absoluteTtlSeconds: 90 * 24 * 3600,
      now: () => now,
    });
    let { token } = await capped.issue({ userId: USER, scopes: [] });
    for (const day of [29, 58, 87]) {
      now = T0 + day * DAY;
      const next = await capped.rotate(token);
      expect(next.expiresAt).toEqual(new Date(Math.min(now + 30 * DAY, T0 + 90 * DAY)));
      token = next.token;
    }
    expect(store.rows.at(-1)?.familyCreatedAt).toEqual(new Date(T0));
    now = T0 + 90 * DAY - 1;
    const last = await capped.rotate(token);
    expect(last.expiresAt).toEqual(new Date(T0 + 90 * DAY));
    now = T0 + 90 * DAY;
    expect((await refused(capped.rotate(last.token))).reason).toBe("expired");
  });

  it("refuses a token past its family's deadline - even one stored with a later expiry", async () => {
    const shortened = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      ttlSeconds: 3600,
      absoluteTtlSeconds: 7200,
      now: () => now,
    });
    const { token } = await service.issue({ userId: USER, scopes: [] });
    const row = store.rows[0];
    if (row) row.expiresAt = new Date(T0 + 10 * DAY); // As if issued under a longer configuration.
    now = T0 + 7200_000;
    expect((await refused(shortened.rotate(token))).reason).toBe("expired");
  });

  it("caps the first token too when the absolute lifetime is shorter than the ttl", async () => {
    const short = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      successorKey: KEY,
      ttlSeconds: 7200,
      absoluteTtlSeconds: 3600,
      now: () => now,
    });
    expect((await short.issue({ userId: USER, scopes: [] })).expiresAt).toEqual(new Date(T0 + 3600_000));
  });
});

describe("rotation never widens scopes", () => {
  const scope = fc.constantFrom("notes:read", "notes:write", "notes:*", "users:read", "*:read", "billing:edit", "bad");
  it("successor ⊆ family's and user's scopes; granted ⊆ successor's or invalid_scope", async () => {
    const validator = new HierarchicalScopeValidator();
    const covered = (held: readonly string[], s: string) => {
      try {
        return validator.satisfies(held, s);
      } catch {
        return false;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(scope, { maxLength: 4 }),
        fc.uniqueArray(scope, { maxLength: 4 }),
        fc.option(fc.uniqueArray(scope, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.boolean(),
        async (family, held, requested, retry) => {
          const { token } = await service.issue({ userId: USER, scopes: family });
          store.users.set(USER, { disabled: false, scopes: held });
          if (retry) await service.rotate(token);
          const result = await service.rotate(token, requested ? { requestedScopes: requested } : {}).catch((e) => e);
          if (result instanceof RefreshTokenError) {
            // Refusing is always safe (the intersection may be narrower than both sides allow);
            // what must never happen is a grant beyond them.
            expect(result.code).toBe("invalid_scope");
            expect(requested).toBeDefined();
            return;
          }
          for (const s of result.scopes) expect(covered(family, s) && covered(held, s)).toBe(true);
          for (const s of result.grantedScopes) expect(covered(result.scopes, s)).toBe(true);
          const successorHash = await hashRefreshToken(result.token);
          const row = store.rows.find((r) => r.tokenHash === successorHash);
          for (const s of row?.scopes ?? ["missing row"]) expect(covered(family, s)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("sessions", () => {
  it("lists live families, revokes one by owner only, and signs out everywhere", async () => {
    const laptop = await service.issue({ userId: USER, scopes: [], userAgent: "laptop" });
    now += 1000;
    const phone = await service.issue({ userId: USER, scopes: [], userAgent: "phone" });
    now += 1000;
    await service.rotate(laptop.token);

    const families = await service.listActiveFamilies(USER);
    expect(families.map((f) => f.userAgent)).toEqual(["laptop", "phone"]);
    expect(families[0]).toMatchObject({ createdAt: new Date(T0), lastUsedAt: new Date(now) });
    expect(families[1]?.lastUsedAt).toBeNull();

    expect(await service.revokeFamily("00000000-0000-4000-8000-000000000000", phone.familyId)).toBe(false);
    expect(await service.revokeFamily(USER, phone.familyId)).toBe(true);
    expect((await service.listActiveFamilies(USER)).map((f) => f.familyId)).toEqual([laptop.familyId]);

    expect(await service.revokeAllForUser(USER)).toBeGreaterThan(0);
    expect(await service.listActiveFamilies(USER)).toEqual([]);
  });

  it("ignores revoke of an unknown or malformed token", async () => {
    await expect(service.revoke("nope")).resolves.toBeNull();
    await expect(service.revoke(generateRefreshToken())).resolves.toBeNull();
  });
});

describe("createRefreshTokenService options", () => {
  it("rejects a non-positive ttl or a grace not shorter than the ttl", () => {
    const base = { store, scopeValidator: new HierarchicalScopeValidator(), successorKey: KEY };
    expect(() => createRefreshTokenService({ ...base, ttlSeconds: 0 })).toThrow(TypeError);
    expect(() => createRefreshTokenService({ ...base, ttlSeconds: 10, reuseGraceSeconds: 10 })).toThrow(TypeError);
    expect(() => createRefreshTokenService({ ...base, absoluteTtlSeconds: 10, reuseGraceSeconds: 10 })).toThrow(
      TypeError,
    );
    expect(() => createRefreshTokenService({ ...base, absoluteTtlSeconds: 1.5 })).toThrow(TypeError);
    expect(() => createRefreshTokenService({ ...base, reuseGraceSeconds: -1 })).toThrow(TypeError);
  });

  it("rejects a successor key - missing or shorter than 32 bytes", () => {
    const scopeValidator = new HierarchicalScopeValidator();
    expect(() => createRefreshTokenService({ store, scopeValidator, successorKey: new Uint8Array(31) })).toThrow(
      /successorKey/,
    );
    // @ts-expect-error successorKey is required
    expect(() => createRefreshTokenService({ store, scopeValidator })).toThrow(/successorKey/);
  });
});

describe("inspect (for introspection)", () => {
  it("a live token - its owner, scopes cut to what the user holds now, issue and expiry; nothing is spent", async () => {
    const { token, expiresAt } = await service.issue({ userId: USER, scopes: ["notes:*", "users:read"] });
    store.users.set(USER, { disabled: false, scopes: ["notes:read"] });
    expect(await service.inspect(token)).toEqual({
      userId: USER,
      scopes: ["notes:read"],
      issuedAt: new Date(T0),
      expiresAt,
    });
    // Inspecting twice and then rotating still works: inspect is a read.
    expect(await service.inspect(token)).not.toBeNull();
    await expect(service.rotate(token)).resolves.toMatchObject({ userId: USER });
  });

  it("null - expired, owner disabled, spent, revoked, unknown, malformed", async () => {
    const expired = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const spent = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const revoked = await service.issue({ userId: USER, scopes: ["notes:read"] });
    await service.rotate(spent.token);
    await service.revoke(revoked.token);
    for (const token of [spent.token, revoked.token, `ghr_${"A".repeat(43)}`, "nonsense"]) {
      expect(await service.inspect(token)).toBeNull();
    }
    store.users.set(USER, { disabled: true, scopes: ["notes:*"] });
    const live = await service.issue({ userId: USER, scopes: ["notes:read"] });
    expect(await service.inspect(live.token)).toBeNull();
    store.users.set(USER, { disabled: false, scopes: ["notes:*"] });
    expect(await service.inspect(live.token)).not.toBeNull();
    now = T0 + 3600_000;
    expect(await service.inspect(expired.token)).toBeNull();
  });
});
