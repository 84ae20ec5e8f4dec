import { afterEach, describe, expect, it, vi } from "vitest";
import { generateApiKey, isApiKeyFormat } from "./api-key";
import {
  API_KEY_REVOKED_CHANNEL,
  type ApiKeyStore,
  type ApiKeyVerifierOptions,
  createApiKeyVerifier,
  INVALID_API_KEY,
  ownerRevocationPayload,
  type StoredApiKey,
  subscribeToRevocations,
} from "./api-key-verifier";
import { AuthError, ServiceUnavailable, Unauthorized } from "./errors";
import { apiKeyHeader, bearer } from "./scheme";
import { createAuthenticator } from "./verifier";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const OWNER = "7b0c6f8e-2f5a-4c1e-9a7d-3f1e2d4c5b6a";

class MemoryStore implements ApiKeyStore {
  rows = new Map<string, StoredApiKey>();
  lookups = 0;
  touches: { ids: string[]; at: Date }[] = [];
  failure: Error | null = null;
  touchFailure: Error | null = null;
  gate: Promise<void> | null = null;

  add(overrides: Partial<StoredApiKey> = {}, environment = "live") {
    const { key, hash } = generateApiKey({ environment });
    const row: StoredApiKey = {
      id: `key-${this.rows.size + 1}`,
      userId: OWNER,
      name: "ci",
      scopes: ["notes:read"],
      ownerScopes: ["notes:*"],
      ownerDisabled: false,
      expiresAt: null,
      revokedAt: null,
      ...overrides,
    };
    this.rows.set(hash, row);
    return { key, hash, row };
  }

  async findByHash(hash: string) {
    this.lookups++;
    const row = this.rows.get(hash);
    const snapshot = row ? { ...row } : null; // What the query read; the answer arrives after the gate.
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    return snapshot;
  }

  async touch(ids: readonly string[], at: Date) {
    if (this.touchFailure) throw this.touchFailure;
    this.touches.push({ ids: [...ids], at });
  }
}

function setup(options: Partial<ApiKeyVerifierOptions> = {}) {
  const store = new MemoryStore();
  const clock = { t: T0 };
  const verifier = createApiKeyVerifier({ store, now: () => clock.t, ...options });
  return { store, clock, verifier };
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createApiKeyVerifier", () => {
  it("accepts key - principal is the owner, kind api_key, key id and name in claims", async () => {
    const { store, verifier } = setup();
    const { key, row } = store.add({ name: "deploy bot" });
    const principal = await verifier.verify(key);
    expect(principal).toEqual({
      subject: OWNER,
      kind: "api_key",
      scopes: ["notes:read"],
      claims: { sub: OWNER, key_id: row.id, name: "deploy bot" },
    });
  });

  it("accepts key - an expiring key's principal carries its expiry as `exp` (what it mints may not outlive it)", async () => {
    const { store, verifier } = setup();
    const { key } = store.add({ expiresAt: new Date(T0 + 90_500) });
    const never = store.add();
    expect((await verifier.verify(key)).claims.exp).toBe(Math.floor((T0 + 90_500) / 1000));
    expect((await verifier.verify(never.key)).claims).not.toHaveProperty("exp");
  });

  it("rejects key - wrong checksum, without a lookup", async () => {
    const { store, verifier } = setup();
    const { key } = store.add();
    const typo = key.slice(0, 20) + (key[20] === "x" ? "y" : "x") + key.slice(21);
    const error = await refusal(verifier.verify(typo));
    expect(error).toBeInstanceOf(Unauthorized);
    expect(error).toMatchObject({ status: 401, code: "invalid_token", detail: INVALID_API_KEY });
    expect(store.lookups).toBe(0);
  });

  it("rejects key - every reason gets the same 401 and detail", async () => {
    const { store, clock, verifier } = setup();
    const keys = {
      malformed: "gk_live_nope",
      unknown: generateApiKey().key,
      expired: store.add({ expiresAt: new Date(T0 - 1) }).key,
      revoked: store.add({ revokedAt: new Date(T0 - 1000) }).key,
      disabledOwner: store.add({ ownerDisabled: true }).key,
      expiresNow: store.add({ expiresAt: new Date(T0) }).key,
    };
    clock.t = T0;
    for (const [reason, key] of Object.entries(keys)) {
      const error = await refusal(verifier.verify(key));
      expect({ reason, status: error.status, detail: error.detail, code: error.code }).toEqual({
        reason,
        status: 401,
        detail: INVALID_API_KEY,
        code: "invalid_token",
      });
    }
  });

  it("rejects key - environment not accepted", async () => {
    const { store, verifier } = setup({ environments: ["live"] });
    const { key } = store.add({}, "test");
    expect(await refusal(verifier.verify(key))).toMatchObject({ status: 401, code: "invalid_token" });
    expect(store.lookups).toBe(0);
  });

  it("serves a cache hit without the store, and asks again after the fresh window", async () => {
    const { store, clock, verifier } = setup({ cacheTtl: 30_000 });
    const { key } = store.add();
    await verifier.verify(key);
    clock.t += 29_999;
    await verifier.verify(key);
    expect(store.lookups).toBe(1);
    clock.t += 1;
    await verifier.verify(key);
    expect(store.lookups).toBe(2);
  });

  it("rejects key - expired while cached (expiry re-checked on every hit)", async () => {
    const { store, clock, verifier } = setup();
    const { key } = store.add({ expiresAt: new Date(T0 + 10_000) });
    await verifier.verify(key);
    clock.t = T0 + 10_000;
    expect(await refusal(verifier.verify(key))).toMatchObject({
      status: 401,
      code: "invalid_token",
      detail: INVALID_API_KEY,
    });
    expect(store.lookups).toBe(1);
  });

  it("rejects key - unknown, from the negative cache until it lapses", async () => {
    const { store, clock, verifier } = setup({ negativeCacheTtl: 5_000 });
    const unknown = generateApiKey().key;
    for (let i = 0; i < 10; i++) await refusal(verifier.verify(unknown));
    expect(store.lookups).toBe(1);
    clock.t += 5_000;
    await refusal(verifier.verify(unknown));
    expect(store.lookups).toBe(2);
  });

  it("answers 503 when the store throws, and caches nothing", async () => {
    const { store, verifier } = setup();
    const { key } = store.add();
    const down = new Error("connect ECONNREFUSED");
    store.failure = down;
    const error = await refusal(verifier.verify(key));
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({ status: 503, code: "service_unavailable" });
    expect(error.cause).toBe(down);
    store.failure = null;
    expect((await verifier.verify(key)).subject).toBe(OWNER);
    expect(store.lookups).toBe(2);
  });

  it("shares one lookup between concurrent misses of one key", async () => {
    const { store, verifier } = setup();
    const { key } = store.add();
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const all = Promise.all(Array.from({ length: 20 }, () => verifier.verify(key)));
    open();
    expect((await all).every((p) => p.subject === OWNER)).toBe(true);
    expect(store.lookups).toBe(1);
  });

  it("shares a failed lookup as one 503, and asks again afterwards", async () => {
    const { store, verifier } = setup({ cacheTtl: 0 });
    const { key } = store.add();
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    store.failure = new Error("connection reset");
    const all = Array.from({ length: 5 }, () => refusal(verifier.verify(key)));
    open();
    expect((await Promise.all(all)).map((e) => e.status)).toEqual([503, 503, 503, 503, 503]);
    expect(store.lookups).toBe(1);
    store.failure = null;
    store.gate = null;
    expect((await verifier.verify(key)).subject).toBe(OWNER);
    expect(store.lookups).toBe(2);
  });

  it("answers 503 for a store that throws synchronously, and is not stuck on it", async () => {
    const { store, verifier } = setup();
    const { key } = store.add();
    let broken = true;
    const findByHash = store.findByHash.bind(store);
    store.findByHash = (hash: string) => {
      if (broken) throw new Error("pool closed");
      return findByHash(hash);
    };
    expect((await refusal(verifier.verify(key))).status).toBe(503);
    broken = false;
    expect((await verifier.verify(key)).subject).toBe(OWNER);
  });

  it("fails requests that joined a lookup when its row cannot be read, instead of leaving them waiting", async () => {
    const { store, verifier } = setup();
    const { key } = store.add({ expiresAt: "not a date" as unknown as Date });
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const all = Promise.allSettled(Array.from({ length: 3 }, () => verifier.verify(key)));
    open();
    expect((await all).map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(store.lookups).toBe(1);
  });

  it("keeps a lookup started after an invalidation shared while an older one settles", async () => {
    const { store, verifier } = setup({ cacheTtl: 0 });
    const { key, row } = store.add();
    let openOld: () => void = () => {};
    store.gate = new Promise((resolve) => {
      openOld = resolve;
    });
    const old = verifier.verify(key);
    verifier.invalidate(row.id);
    let openNew: () => void = () => {};
    store.gate = new Promise((resolve) => {
      openNew = resolve;
    });
    const fresh = verifier.verify(key);
    openOld();
    await old;
    const joined = verifier.verify(key); // Joins the newer lookup, still in flight.
    openNew();
    await Promise.all([fresh, joined]);
    expect(store.lookups).toBe(2);
  });

  it("rejects key - revoked and invalidated by id or by hash, at once", async () => {
    const { store, verifier } = setup();
    const a = store.add();
    const b = store.add();
    await verifier.verify(a.key);
    await verifier.verify(b.key);
    a.row.revokedAt = new Date(T0);
    b.row.revokedAt = new Date(T0);
    expect((await verifier.verify(a.key)).subject).toBe(OWNER); // Cached: not yet told.
    verifier.invalidate(a.row.id);
    verifier.invalidate(b.hash);
    expect((await refusal(verifier.verify(a.key))).status).toBe(401);
    expect((await refusal(verifier.verify(b.key))).status).toBe(401);
  });

  it("narrows key scopes - owner lost a scope, every key of that owner re-read at once, others kept", async () => {
    const { store, verifier } = setup();
    const a = store.add({ scopes: ["notes:write"], ownerScopes: ["notes:*"] });
    const b = store.add({ scopes: ["notes:write"], ownerScopes: ["notes:*"] });
    const other = store.add({ userId: "someone-else" });
    for (const { key } of [a, b, other]) await verifier.verify(key);
    a.row.ownerScopes = ["notes:read"];
    b.row.ownerScopes = ["notes:read"];
    expect((await verifier.verify(a.key)).scopes).toEqual(["notes:write"]); // Cached: not yet told.
    verifier.invalidateOwner(OWNER);
    expect((await verifier.verify(a.key)).scopes).toEqual(["notes:read"]);
    expect((await verifier.verify(b.key)).scopes).toEqual(["notes:read"]);
    await verifier.verify(other.key);
    expect(store.lookups).toBe(5); // Three first lookups, then only the owner's two keys again.
  });

  it("accepts key - owner re-enabled, refused at once before and accepted at once after", async () => {
    const { store, verifier } = setup();
    const { key, row } = store.add({ ownerDisabled: true });
    expect((await refusal(verifier.verify(key))).status).toBe(401); // Now remembered as refused.
    row.ownerDisabled = false;
    verifier.invalidateOwner(OWNER);
    expect((await verifier.verify(key)).subject).toBe(OWNER);
  });

  it("does not cache a lookup that raced an owner invalidation", async () => {
    const { store, verifier } = setup();
    const { key, row } = store.add({ scopes: ["notes:write"], ownerScopes: ["notes:*"] });
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const racing = verifier.verify(key); // Reads the owner's scopes before the change commits.
    verifier.invalidateOwner(OWNER);
    row.ownerScopes = [];
    open();
    await racing;
    store.gate = null;
    expect((await verifier.verify(key)).scopes).toEqual([]);
    expect(store.lookups).toBe(2);
  });

  it("does not cache a lookup that raced an invalidation", async () => {
    const { store, verifier } = setup();
    const { key, row } = store.add();
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const racing = verifier.verify(key); // Reads the row before the revocation commits.
    verifier.invalidate(row.id);
    row.revokedAt = new Date(T0);
    open();
    await racing;
    store.gate = null;
    expect((await refusal(verifier.verify(key))).status).toBe(401);
    expect(store.lookups).toBe(2);
  });

  it("rejects key - revoked, after clear() drops every key and does not cache a lookup racing it", async () => {
    const { store, verifier } = setup();
    const a = store.add();
    const b = store.add();
    await verifier.verify(a.key);
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const racing = verifier.verify(b.key); // Reads b before its revocation commits.
    a.row.revokedAt = new Date(T0);
    b.row.revokedAt = new Date(T0);
    verifier.clear();
    open();
    expect((await racing).subject).toBe(OWNER);
    store.gate = null;
    expect((await refusal(verifier.verify(a.key))).status).toBe(401);
    expect((await refusal(verifier.verify(b.key))).status).toBe(401);
    expect(store.lookups).toBe(4);
  });

  it("intersects with the owner's current scopes, so lowering them takes effect", async () => {
    const { store, clock, verifier } = setup();
    const { key, row } = store.add({ scopes: ["notes:*", "files:read"], ownerScopes: ["notes:*", "files:*"] });
    expect((await verifier.verify(key)).scopes).toEqual(["notes:*", "files:read"]);
    row.ownerScopes = ["notes:read"];
    clock.t += 30_000;
    expect((await verifier.verify(key)).scopes).toEqual(["notes:read"]);
  });

  it("asks a custom validator on every lookup (only the built-in ones are memoised)", async () => {
    let calls = 0;
    const validator = {
      satisfies(granted: readonly string[], required: string) {
        calls++;
        return granted.includes("notes:*") && required.startsWith("notes:");
      },
    };
    const { store, verifier } = setup({ validator, cacheTtl: 0 });
    const { key } = store.add();
    expect((await verifier.verify(key)).scopes).toEqual(["notes:read"]);
    expect((await verifier.verify(key)).scopes).toEqual(["notes:read"]);
    expect(calls).toBe(2);
  });

  it("recomputes a key's scopes when either list changes, even in place", async () => {
    const { store, verifier } = setup({ cacheTtl: 0 });
    const { key, row } = store.add({ scopes: ["notes:*"], ownerScopes: ["notes:*", "files:*"] });
    expect((await verifier.verify(key)).scopes).toEqual(["notes:*"]);
    (row.ownerScopes as string[]).splice(0, 1, "notes:read");
    expect((await verifier.verify(key)).scopes).toEqual(["notes:read"]);
    (row.scopes as string[]).push("files:read");
    expect((await verifier.verify(key)).scopes).toEqual(["files:read", "notes:read"]);
  });

  it("keeps keys with different scopes apart while reusing each key's effective scopes", async () => {
    const { store, verifier } = setup({ cacheTtl: 0 });
    const a = store.add({ scopes: ["notes:read"], ownerScopes: ["notes:*"] });
    const b = store.add({ scopes: ["notes:write"], ownerScopes: ["notes:*"] });
    const c = store.add({ scopes: ["notes:write"], ownerScopes: ["notes:read"] });
    const first = await verifier.verify(a.key);
    expect(first.scopes).toEqual(["notes:read"]);
    expect((await verifier.verify(b.key)).scopes).toEqual(["notes:write"]);
    expect((await verifier.verify(c.key)).scopes).toEqual(["notes:read"]);
    const again = await verifier.verify(a.key);
    expect(again.scopes).toBe(first.scopes);
    expect(Object.isFrozen(again.scopes)).toBe(true);
  });

  it("evicts the least recently used key beyond cacheSize", async () => {
    const { store, verifier } = setup({ cacheSize: 2 });
    const [a, b, c] = [store.add(), store.add(), store.add()];
    await verifier.verify(a.key);
    await verifier.verify(b.key);
    await verifier.verify(a.key); // a is now the most recent
    await verifier.verify(c.key); // evicts b
    expect(store.lookups).toBe(3);
    await verifier.verify(a.key);
    expect(store.lookups).toBe(3);
    await verifier.verify(b.key);
    expect(store.lookups).toBe(4);
  });

  it("keeps good keys cached through a flood of bad ones", async () => {
    const { store, verifier } = setup({ cacheSize: 2, negativeCacheSize: 2 });
    const good = store.add();
    await verifier.verify(good.key);
    for (let i = 0; i < 50; i++) await refusal(verifier.verify(generateApiKey().key));
    await verifier.verify(good.key);
    expect(store.lookups).toBe(51);
  });

  it("asks the store every time with cacheTtl 0", async () => {
    const { store, verifier } = setup({ cacheTtl: 0, negativeCacheTtl: 0 });
    const { key } = store.add();
    await verifier.verify(key);
    await verifier.verify(key);
    expect(store.lookups).toBe(2);
  });

  it("refuses options that make no sense", () => {
    expect(() => createApiKeyVerifier({ store: new MemoryStore(), cacheTtl: -1 })).toThrow(TypeError);
    expect(() => createApiKeyVerifier({} as ApiKeyVerifierOptions)).toThrow(TypeError);
  });
});

describe("last_used_at", () => {
  it("batches uses into one touch, at most once per interval per key", async () => {
    const { store, clock, verifier } = setup({ touchInterval: 60_000, cacheTtl: 30_000 });
    const a = store.add();
    const b = store.add();
    for (let i = 0; i < 5; i++) {
      await verifier.verify(a.key);
      await verifier.verify(b.key);
    }
    expect(store.touches).toEqual([]); // Nothing written on the verify path.
    await verifier.flush();
    expect(store.touches).toEqual([{ ids: [a.row.id, b.row.id], at: new Date(T0) }]);
    clock.t += 59_999;
    await verifier.verify(a.key);
    await verifier.flush();
    expect(store.touches).toHaveLength(1);
    clock.t += 1;
    await verifier.verify(a.key);
    await verifier.flush();
    expect(store.touches[1]).toEqual({ ids: [a.row.id], at: new Date(T0 + 60_000) });
  });

  it("skips the touch when the store's last_used_at is recent", async () => {
    const { store, verifier } = setup();
    const { key } = store.add({ lastUsedAt: new Date(T0 - 1_000) });
    await verifier.verify(key);
    await verifier.flush();
    expect(store.touches).toEqual([]);
  });

  it("flushes by itself after flushDelay, off the verify path", async () => {
    vi.useFakeTimers();
    const { store, verifier } = setup({ flushDelay: 1_000 });
    const { key, row } = store.add();
    await verifier.verify(key);
    expect(store.touches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.touches.map((t) => t.ids)).toEqual([[row.id]]);
  });

  it("reports a failed touch to onError and keeps verifying", async () => {
    const onError = vi.fn();
    const { store, verifier } = setup({ onError });
    const { key } = store.add();
    store.touchFailure = new Error("db down");
    await verifier.verify(key);
    await verifier.close();
    expect(onError).toHaveBeenCalledWith(store.touchFailure);
    expect((await verifier.verify(key)).subject).toBe(OWNER);
  });
});

describe("subscribeToRevocations", () => {
  function fakeChannel() {
    const handlers = new Map<string, { onPayload: (payload: string) => void; onListen: () => void }>();
    const listen = async (channel: string, onPayload: (payload: string) => void, onListen: () => void) => {
      handlers.set(channel, { onPayload, onListen });
      onListen();
      return async () => {
        handlers.delete(channel);
      };
    };
    return { handlers, listen };
  }

  it("invalidates every verifier on a published id or hash, until unsubscribed", async () => {
    const { handlers, listen } = fakeChannel();
    const seen: string[] = [];
    const unsubscribe = await subscribeToRevocations({
      listen,
      verifiers: [
        {
          invalidate: (ref) => seen.push(`a:${ref}`),
          invalidateOwner: (id) => seen.push(`a:owner ${id}`),
          clear: () => seen.push("a:clear"),
        },
        {
          invalidate: (ref) => seen.push(`b:${ref}`),
          invalidateOwner: (id) => seen.push(`b:owner ${id}`),
          clear: () => seen.push("b:clear"),
        },
      ],
    });
    handlers.get(API_KEY_REVOKED_CHANNEL)?.onPayload("key-1\n");
    handlers.get(API_KEY_REVOKED_CHANNEL)?.onPayload("");
    handlers.get(API_KEY_REVOKED_CHANNEL)?.onPayload(ownerRevocationPayload(OWNER));
    handlers.get(API_KEY_REVOKED_CHANNEL)?.onPayload("owner:");
    expect(seen).toEqual(["a:key-1", "b:key-1", `a:owner ${OWNER}`, `b:owner ${OWNER}`]);
    await unsubscribe();
    expect(handlers.size).toBe(0);
  });

  it("clears the verifiers when the subscription is re-established, since notices sent meanwhile are lost", async () => {
    const { handlers, listen } = fakeChannel();
    const { store, clock, verifier } = setup();
    const { key, row } = store.add();
    await subscribeToRevocations({ listen, verifiers: [verifier] });
    await verifier.verify(key);
    row.revokedAt = new Date(clock.t); // Revoked while the listener was down: no notice.
    await verifier.verify(key); // Still cached.
    handlers.get(API_KEY_REVOKED_CHANNEL)?.onListen(); // Reconnected.
    expect((await refusal(verifier.verify(key))).status).toBe(401);
    expect(store.lookups).toBe(2);
  });
});

describe("with the Authenticator", () => {
  it("routes Bearer gk_… and X-API-Key to the key verifier, with one 401 for a bad key", async () => {
    const { store, verifier } = setup();
    const { key } = store.add();
    const jwt = { verify: vi.fn(async () => ({ subject: "jwt", kind: "user" as const, scopes: [], claims: {} })) };
    const auth = createAuthenticator([
      { scheme: bearer({ accepts: isApiKeyFormat }), verifier },
      { scheme: bearer({ accepts: (t) => !isApiKeyFormat(t) }), verifier: jwt },
      { scheme: apiKeyHeader(), verifier },
    ]);
    const withHeader = (name: string, value: string) => new Headers({ [name]: value });
    expect((await auth.authenticate(withHeader("authorization", `Bearer ${key}`)))?.kind).toBe("api_key");
    expect((await auth.authenticate(withHeader("x-api-key", key)))?.kind).toBe("api_key");
    expect((await auth.authenticate(withHeader("authorization", "Bearer eyJ.e30.x")))?.subject).toBe("jwt");
    const error = await refusal(auth.authenticate(withHeader("authorization", `Bearer ${key.slice(0, -2)}`)));
    expect(error.status).toBe(401);
    expect(error.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(JSON.stringify(error.toProblem())).not.toContain(key.slice(0, -2));
    expect(jwt.verify).toHaveBeenCalledTimes(1);
  });
});
