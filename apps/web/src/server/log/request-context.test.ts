import { describe, expect, it } from "vitest";
import { currentRequestId, isSafeRequestId, problemInstance, requestIdFrom, withRequestId } from "./request-context";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("keeps a safe incoming X-Request-Id (UUID, nginx hex, AWS trace id)", () => {
    for (const id of [crypto.randomUUID(), "0123456789abcdef0123456789abcdef", "1-67891233-abcdef012345678912345678"]) {
      expect(requestIdFrom(new Headers({ "x-request-id": id }))).toBe(id);
    }
  });

  it("replaces an unsafe or absent one with a new UUID - it goes into logs, headers and HTML", () => {
    for (const id of ["", "short", 'a"b c{}<script>', "x".repeat(129), "abc\r\ndef-ghij", "ab cd ef gh"]) {
      expect(isSafeRequestId(id), JSON.stringify(id)).toBe(false);
    }
    expect(requestIdFrom(new Headers({ "x-request-id": "<img src=x onerror=alert(1)>" }))).toMatch(UUID);
    expect(requestIdFrom(new Headers())).toMatch(UUID);
  });

  it("is the current id inside withRequestId, across awaits, and none outside", async () => {
    expect(currentRequestId()).toBeUndefined();
    await withRequestId("req-12345678", async () => {
      await Promise.resolve();
      expect(currentRequestId()).toBe("req-12345678");
    });
    expect(currentRequestId()).toBeUndefined();
  });

  it("names a UUID as urn:uuid, anything else as urn:request-id", () => {
    const id = crypto.randomUUID();
    expect(problemInstance(id)).toBe(`urn:uuid:${id}`);
    expect(problemInstance("0123456789abcdef")).toBe("urn:request-id:0123456789abcdef");
  });
});
