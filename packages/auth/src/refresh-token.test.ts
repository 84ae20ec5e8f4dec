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

let store: MemoryRefreshTokenStore;
let now: number;
let service: RefreshTokenService;

beforeEach(() => {
  store = createMemoryRefreshTokenStore(new Map([[USER, { disabled: false, scopes: ["notes:*", "users:read"] }]]));
  now = T0;
  service = createRefreshTokenService({
    store,
    scopeValidator: new HierarchicalScopeValidator(),
    ttlSeconds: 3600,
    reuseGraceSeconds: 30,
    now: () => now,
  });
});

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
    await service.revoke(first.token);
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

  it("gives a second tab a sibling when it presents the just-spent token within grace", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const tabA = await service.rotate(first.token);
    now += 29_000;
    const tabB = await service.rotate(first.token);
    expect(tabB.familyId).toBe(first.familyId);
    expect(tabB.token).not.toBe(tabA.token);
    // Both successors live on.
    await expect(service.rotate(tabA.token)).resolves.toMatchObject({ familyId: first.familyId });
    await expect(service.rotate(tabB.token)).resolves.toMatchObject({ familyId: first.familyId });
  });

  it("lets two concurrent rotations of one token both win, then revokes on a third use after grace", async () => {
    const first = await service.issue({ userId: USER, scopes: ["notes:read"] });
    const [a, b] = await Promise.all([service.rotate(first.token), service.rotate(first.token)]);
    expect(a.familyId).toBe(first.familyId);
    expect(b.familyId).toBe(first.familyId);
    expect(a.token).not.toBe(b.token);
    expect(store.rows.filter((r) => r.usedAt)).toHaveLength(1);
    expect(store.rows.filter((r) => !r.usedAt && !r.revokedAt)).toHaveLength(2);

    now += 31_000;
    expect((await refused(service.rotate(first.token))).reason).toBe("reused");
    expect((await refused(service.rotate(a.token))).reason).toBe("revoked");
    expect((await refused(service.rotate(b.token))).reason).toBe("revoked");
  });

  it("revokes at once when the grace window is 0", async () => {
    const strict = createRefreshTokenService({
      store,
      scopeValidator: new HierarchicalScopeValidator(),
      reuseGraceSeconds: 0,
      now: () => now,
    });
    const first = await strict.issue({ userId: USER, scopes: [] });
    await strict.rotate(first.token);
    expect((await refused(strict.rotate(first.token))).reason).toBe("reused");
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
    await expect(service.revoke("nope")).resolves.toBeUndefined();
    await expect(service.revoke(generateRefreshToken())).resolves.toBeUndefined();
  });
});

describe("createRefreshTokenService options", () => {
  it("rejects a non-positive ttl or a grace not shorter than the ttl", () => {
    const scopeValidator = new HierarchicalScopeValidator();
    expect(() => createRefreshTokenService({ store, scopeValidator, ttlSeconds: 0 })).toThrow(TypeError);
    expect(() => createRefreshTokenService({ store, scopeValidator, ttlSeconds: 10, reuseGraceSeconds: 10 })).toThrow(
      TypeError,
    );
    expect(() => createRefreshTokenService({ store, scopeValidator, reuseGraceSeconds: -1 })).toThrow(TypeError);
  });
});
