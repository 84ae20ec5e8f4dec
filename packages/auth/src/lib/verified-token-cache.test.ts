import { describe, expect, it } from "vitest";
import type { Principal } from "../principal";
import { VerifiedTokenCache } from "./verified-token-cache";

const principal: Principal = { subject: "u1", kind: "user", scopes: [], claims: {} };
const key = {};
const always = () => true;

describe("VerifiedTokenCache", () => {
  it("returns entry - before its expiry", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", { principal, expiresAt: 2000, kid: "k", key }, 1000);
    expect(cache.get("t", 1999, always)).toBe(principal);
  });

  it("drops entry - at its expiry", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", { principal, expiresAt: 2000, kid: "k", key }, 1000);
    expect(cache.get("t", 2000, always)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("drops entry - its key is no longer current", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", { principal, expiresAt: 2000, kid: "k", key }, 1000);
    expect(cache.get("t", 1500, () => false)).toBeUndefined();
  });

  it("stores nothing - already expired", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", { principal, expiresAt: 1000, kid: "k", key }, 1000);
    expect(cache.size).toBe(0);
  });

  it("evicts the least recently used - when full", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2 });
    cache.set("a", { principal, expiresAt: 9000, kid: "k", key }, 0);
    cache.set("b", { principal, expiresAt: 9000, kid: "k", key }, 0);
    cache.get("a", 1, always);
    cache.set("c", { principal, expiresAt: 9000, kid: "k", key }, 0);
    expect(cache.get("b", 1, always)).toBeUndefined();
    expect(cache.get("a", 1, always)).toBe(principal);
    expect(cache.get("c", 1, always)).toBe(principal);
  });

  it("rejects options - non-positive size", () => {
    expect(() => new VerifiedTokenCache({ maxEntries: 0 })).toThrow(TypeError);
  });
});
