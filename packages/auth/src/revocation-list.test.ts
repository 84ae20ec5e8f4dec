import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RevocationList } from "./revocation-list";

const T = Date.UTC(2030, 0, 1, 12, 0, 0, 500); // mid-second on purpose
const seconds = (ms: number) => Math.floor(ms / 1000);

describe("RevocationList", () => {
  it("refuses nothing - when empty", () => {
    expect(new RevocationList().isRevoked({ sub: "u1", sid: "f1", key_id: "k1", iat: 1 })).toBe(false);
  });

  it("refuses a token - of a revoked family, whatever its iat", () => {
    const list = new RevocationList();
    list.add({ kind: "family", subject: "f1", revokedAt: T });
    expect(list.isRevoked({ sub: "u1", sid: "f1", iat: seconds(T) + 600 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", sid: "f2", iat: seconds(T) - 600 })).toBe(false);
  });

  it("refuses a token - derived from a revoked key", () => {
    const list = new RevocationList();
    list.add({ kind: "key", subject: "k1", revokedAt: T });
    expect(list.isRevoked({ sub: "u1", key_id: "k1", iat: seconds(T) + 1 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", key_id: "k2", iat: seconds(T) })).toBe(false);
  });

  it("refuses a user's token - issued at or before the cut-off second, accepts a later one", () => {
    const list = new RevocationList();
    list.add({ kind: "user", subject: "u1", revokedAt: T });
    expect(list.isRevoked({ sub: "u1", iat: seconds(T) - 1 })).toBe(true);
    // iat is floored: a token from the cut-off's own second may predate it.
    expect(list.isRevoked({ sub: "u1", iat: seconds(T) })).toBe(true);
    expect(list.isRevoked({ sub: "u1", iat: seconds(T) + 1 })).toBe(false);
    expect(list.isRevoked({ sub: "u2", iat: seconds(T) - 1 })).toBe(false);
  });

  it("refuses one token - revoked by its jti, not its siblings of the same sign-in", () => {
    const list = new RevocationList();
    list.add({ kind: "token", subject: "j1", revokedAt: T });
    expect(list.isRevoked({ sub: "u1", sid: "f1", jti: "j1", iat: seconds(T) })).toBe(true);
    expect(list.isRevoked({ sub: "u1", sid: "f1", jti: "j2", iat: seconds(T) })).toBe(false);
  });

  it("refuses a user's token - issued earlier in the cut-off's second (iat_ms), accepts one issued after it", () => {
    const list = new RevocationList();
    list.add({ kind: "user", subject: "u1", revokedAt: T });
    const iat = seconds(T);
    expect(list.isRevoked({ sub: "u1", iat, iat_ms: T - 1 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", iat, iat_ms: T })).toBe(true);
    expect(list.isRevoked({ sub: "u1", iat, iat_ms: T + 1 })).toBe(false);
    expect(list.isRevoked({ sub: "u1", iat: iat - 1, iat_ms: T - 1000 })).toBe(true);
    // iat_ms that disagrees with iat is ignored: the whole second is refused, as without it.
    expect(list.isRevoked({ sub: "u1", iat, iat_ms: T + 5000 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", iat, iat_ms: String(T + 1) })).toBe(true);
  });

  it("refuses a user's token - without a numeric iat under a cut-off", () => {
    const list = new RevocationList();
    list.add({ kind: "user", subject: "u1", revokedAt: T });
    expect(list.isRevoked({ sub: "u1" })).toBe(true);
    expect(list.isRevoked({ sub: "u1", iat: String(seconds(T) + 10) })).toBe(true);
  });

  it("keeps the latest cut-off - an older notice arriving late does not reopen tokens", () => {
    const list = new RevocationList();
    list.add({ kind: "user", subject: "u1", revokedAt: T });
    list.add({ kind: "user", subject: "u1", revokedAt: T - 60_000 });
    expect(list.isRevoked({ sub: "u1", iat: seconds(T) - 30 })).toBe(true);
  });

  it("replace - drops what is not in the reload and keeps what is", () => {
    const list = new RevocationList();
    list.add({ kind: "family", subject: "gone", revokedAt: T });
    list.replace([{ kind: "key", subject: "k1", revokedAt: T }]);
    expect(list.isRevoked({ sub: "u1", sid: "gone", iat: 0 })).toBe(false);
    expect(list.isRevoked({ sub: "u1", key_id: "k1", iat: 0 })).toBe(true);
    expect(list.size).toBe(1);
  });

  it("forgetBefore - drops entries older than the token lifetime only", () => {
    const list = new RevocationList();
    list.add({ kind: "family", subject: "old", revokedAt: T - 901_000 });
    list.add({ kind: "user", subject: "u1", revokedAt: T - 10_000 });
    list.forgetBefore(T - 900_000);
    expect(list.isRevoked({ sub: "x", sid: "old" })).toBe(false);
    expect(list.isRevoked({ sub: "u1", iat: seconds(T) - 20 })).toBe(true);
  });

  it("refuses bad input - empty subject, non-numeric time, unknown kind", () => {
    const list = new RevocationList();
    expect(() => list.add({ kind: "family", subject: "", revokedAt: T })).toThrow(TypeError);
    expect(() => list.add({ kind: "family", subject: "f", revokedAt: Number.NaN })).toThrow(TypeError);
    expect(() => list.add({ kind: "session" as never, subject: "f", revokedAt: T })).toThrow(TypeError);
  });

  it("property - a user's token is refused exactly when its iat is not after the cut-off second", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: 4e9 }), (cutoff, iat) => {
        const list = new RevocationList();
        list.add({ kind: "user", subject: "u", revokedAt: cutoff });
        expect(list.isRevoked({ sub: "u", iat })).toBe(iat <= Math.floor(cutoff / 1000));
      }),
    );
  });
});
