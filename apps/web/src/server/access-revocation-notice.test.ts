import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRevocationNotice } from "./access-revocation";

// Any database user may NOTIFY on our channel: a notice must be exactly revokeAccess's shape.
describe("parseRevocationNotice", () => {
  it("reads a notice - as revokeAccess writes it", () => {
    const revocation = { kind: "family", subject: "f1", revokedAt: 1_700_000_000_000 } as const;
    expect(parseRevocationNotice(JSON.stringify(revocation))).toEqual(revocation);
  });

  it.each([
    ["not JSON", "gk_test_abc"],
    ["null", "null"],
    ["unknown kind", JSON.stringify({ kind: "session", subject: "f1", revokedAt: 1 })],
    ["empty subject", JSON.stringify({ kind: "user", subject: "", revokedAt: 1 })],
    ["subject not a string", JSON.stringify({ kind: "user", subject: 1, revokedAt: 1 })],
    ["time not a number", JSON.stringify({ kind: "user", subject: "u", revokedAt: "1" })],
    ["oversized", JSON.stringify({ kind: "user", subject: "u".repeat(2000), revokedAt: 1 })],
  ])("ignores a notice - %s", (_name, payload) => {
    expect(parseRevocationNotice(payload)).toBeNull();
  });

  it("never throws - whatever the payload", () => {
    fc.assert(
      fc.property(fc.string(), (payload) => {
        const parsed = parseRevocationNotice(payload);
        if (parsed !== null) expect(["family", "key", "user"]).toContain(parsed.kind);
      }),
    );
  });
});
