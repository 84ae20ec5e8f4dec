import { describe, expect, it } from "vitest";
import { clientAddress, trustsProxyHeaders } from "./client-address";

const headers = (init: Record<string, string> | [string, string][]) => new Headers(init);

// What a client talking straight to `next start` can put in front of the proxies' entries.
const FORGED = ["", "1.2.3.4", "1.2.3.4, 5.6.7.8", " , ,", "unknown", "198.51.100.1,198.51.100.2,198.51.100.3"];

describe("clientAddress", () => {
  it("is null without a trusted proxy - X-Forwarded-For and X-Real-IP are ignored", () => {
    for (const forged of FORGED) {
      expect(clientAddress(headers({ "x-forwarded-for": forged, "x-real-ip": "203.0.113.5" }), 0)).toBeNull();
    }
    expect(trustsProxyHeaders(0)).toBe(false);
  });

  it("takes the Nth entry from the right with N trusted hops, whatever the client wrote left of it", () => {
    for (const forged of FORGED) {
      const prefix = forged === "" ? "" : `${forged}, `;
      // One proxy appended the client's address; a second appended the first proxy's.
      expect(clientAddress(headers({ "x-forwarded-for": `${prefix}203.0.113.7` }), 1)).toBe("203.0.113.7");
      expect(clientAddress(headers({ "x-forwarded-for": `${prefix}2001:DB8::1, 10.0.0.2` }), 2)).toBe("2001:db8::1");
    }
    expect(trustsProxyHeaders(1)).toBe(true);
  });

  it("reads repeated X-Forwarded-For headers as one list", () => {
    const repeated = headers([
      ["x-forwarded-for", "6.6.6.6"],
      ["x-forwarded-for", "203.0.113.8"],
    ]);
    expect(clientAddress(repeated, 1)).toBe("203.0.113.8");
  });

  it("is null when the header has fewer entries than hops, or the entry is empty or odd", () => {
    expect(clientAddress(headers({}), 1)).toBeNull();
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), 2)).toBeNull();
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9, " }), 1)).toBeNull();
    expect(clientAddress(headers({ "x-forwarded-for": `${"a".repeat(101)}` }), 1)).toBeNull();
    expect(clientAddress(headers({ "x-real-ip": "203.0.113.5" }), 1)).toBeNull();
  });
});
