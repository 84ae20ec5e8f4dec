import { describe, expect, it } from "vitest";
import { findDuplicateKey } from "./json-duplicate-keys";

describe("findDuplicateKey", () => {
  it("finds nothing - distinct names at every level", () => {
    expect(findDuplicateKey('{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"c":"a:"}')).toBeUndefined();
  });

  it("finds duplicate - top level", () => {
    expect(findDuplicateKey('{"sub":"alice","sub":"admin"}')).toBe("sub");
  });

  it("finds duplicate - nested object", () => {
    expect(findDuplicateKey('{"a":{"x":1, "x" :2}}')).toBe("x");
  });

  it("finds duplicate - name spelt with escapes", () => {
    expect(findDuplicateKey('{"sub":"alice","\\u0073ub":"admin"}')).toBe("sub");
  });

  it("finds nothing - names inside string values and arrays", () => {
    expect(findDuplicateKey('{"a":"\\"a\\":1","b":["a","a"]}')).toBeUndefined();
  });
});
