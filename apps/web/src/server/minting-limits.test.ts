import { Forbidden } from "@gatehouse/auth/errors";
import type { Principal } from "@gatehouse/auth/principal";
import { describe, expect, it } from "vitest";
import { FIRST_PARTY_CLIENT_ID } from "./first-party-client";
import { mintingLimits } from "./minting-limits";

const principal = (kind: Principal["kind"], claims: Record<string, unknown>, scopes = ["api_keys:write"]) => ({
  subject: "u1",
  kind,
  scopes,
  claims,
});

describe("mintingLimits", () => {
  it("passes a user sign-in's own scopes, with no expiry limit - it renews itself until signed out", () => {
    const claims = { sub: "u1", exp: 1_900_000_000, sid: "s", client_id: FIRST_PARTY_CLIENT_ID };
    const limits = mintingLimits(principal("user", claims, ["notes:read"]));
    expect(limits).toEqual({ scopes: ["notes:read"], notAfter: null, parentKeyId: null });
  });

  it("limits an API key's children to its scopes and its expiry, and ties them to it", () => {
    const limits = mintingLimits(principal("api_key", { sub: "u1", key_id: "k", exp: 1_900_000_000 }));
    expect(limits).toEqual({ scopes: ["api_keys:write"], notAfter: new Date(1_900_000_000_000), parentKeyId: "k" });
    expect(mintingLimits(principal("api_key", { sub: "u1", key_id: "k" })).notAfter).toBeNull();
  });

  it("refuses a client-credentials token and a service - Forbidden", () => {
    for (const caller of [
      principal("api_key", { sub: "u1", client_id: "k", key_id: "k", exp: 1_900_000_000 }),
      principal("user", { sub: "u1", client_id: "k" }),
      principal("service", { sub: "svc" }),
    ]) {
      expect(() => mintingLimits(caller)).toThrow(Forbidden);
    }
  });
});
