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
    expect(inspect(`${header}.${payload}.c2ln`)).toMatchObject({ alg: "ES256", kid: "k1" });
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
