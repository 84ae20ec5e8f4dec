import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Unauthorized } from "../errors";
import { b64url } from "../jwt/testing";
import { createCompactJwsInspector } from "./compact-jws";

const inspect = createCompactJwsInspector({ maxLength: 4096, algorithms: new Set(["ES256"]) });
const header = b64url(JSON.stringify({ alg: "ES256", kid: "k1" }));
const payload = b64url(JSON.stringify({ sub: "u", exp: 1 }));

describe("inspectCompactJws", () => {
  it("returns the header - well-formed token", () => {
    const inspected = inspect(`${header}.${payload}.c2ln`);
    expect(inspected.header).toMatchObject({ alg: "ES256", kid: "k1" });
    expect(inspected.signingInput.toString()).toBe(`${header}.${payload}`);
    expect(inspected.signature.toString()).toBe("sig");
  });

  // Buffer's decoder skips what it cannot read; without these checks `sig`, `sig!` and `sigA` would all verify.
  it.each([
    ["a character outside base64url", `${header}.${payload}.c2ln!`],
    ["padding", `${header}.${payload}.c2lnYQ==`],
    ["whitespace", `${header}.${payload}.c2ln YQ`],
    ["a 4n+1 length", `${header}.${payload}.c2lnA`],
    ["a 4n+1 payload", `${header}.${"e30".padEnd(4 * 3 + 1, "A")}.c2ln`],
    ["an empty payload", `${header}..c2ln`],
  ])("refuses token - signature or payload with %s", (_, token) => {
    expect(() => inspect(token)).toThrow(/base64url/);
  });

  it("defers a payload that is not UTF-8 - refused after the signature check", () => {
    expect(inspect(`${header}.${b64url(Buffer.from([0x7b, 0xff, 0x7d]))}.c2ln`).payloadText).toBeNull();
  });

  it("never throws anything but Unauthorized (property)", () => {
    const segment = fc.oneof(
      fc.string(),
      fc.base64String().map((s) => s.replace(/=+$/, "")),
      fc.json().map((j) => b64url(j)),
      fc.jsonValue().map((v) => b64url(JSON.stringify(v))),
      fc.constantFrom(header, payload, ""),
    );
    const token = fc.oneof(
      fc.string(),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(".")),
    );
    fc.assert(
      fc.property(token, (t) => {
        try {
          inspect(t);
        } catch (error) {
          expect(error).toBeInstanceOf(Unauthorized);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses a remembered header's token - payload still checked", () => {
    inspect(`${header}.${payload}.c2ln`);
    expect(() => inspect(`${header}.${b64url('{"a":1,"a":2}')}.c2ln`)).toThrow(/duplicate/);
  });
});
