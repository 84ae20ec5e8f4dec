import fc from "fast-check";
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

  it("agrees with JSON.stringify output - none found, then the injected one (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.jsonValue(), (object, nested) => {
        const text = JSON.stringify({ ...object, nested: [nested, object] });
        expect(findDuplicateKey(text)).toBeUndefined();
        const name = Object.keys(object)[0] as string;
        // Spell the first character as \u00XX when it is a letter, to check escapes are decoded.
        const escaped = JSON.stringify(name).replace(
          /^"([a-z])/,
          (_, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`,
        );
        expect(findDuplicateKey(`{${escaped}:1,${JSON.stringify(object).slice(1)}`)).toBe(name);
      }),
    );
  });

  it("finds nothing and does not throw - bad escape in a name", () => {
    expect(findDuplicateKey('{"\\x":1}')).toBeUndefined();
  });
});
