import { crc32 as zlibCrc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  apiKeyStart,
  effectiveApiKeyScopes,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  issueApiKey,
  isValidApiKey,
  parseApiKey,
} from "./api-key";
import { Forbidden } from "./errors";
import { HierarchicalScopeValidator, InvalidScopeError, SimpleScopeValidator } from "./scopes";

/** Where the secret starts in a live key (after `pnpm rename`, the prefix may be longer). */
const LIVE = API_KEY_PREFIX.length + "live_".length;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("generateApiKey", () => {
  it("makes gk_live_ keys of 57 URL-safe characters that parse and match the scanner pattern", () => {
    const { key, hash, start } = generateApiKey();
    expect(key).toMatch(/^gk_live_[0-9A-Za-z]{49}$/);
    expect(key).toHaveLength(API_KEY_PREFIX.length + 54); // "live", "_", 43 secret + 6 checksum
    expect(encodeURIComponent(key)).toBe(key);
    expect(API_KEY_PATTERN.test(`token = "${key}";`)).toBe(true);
    expect(parseApiKey(key)).toEqual({
      environment: "live",
      secret: key.slice(LIVE, LIVE + 43),
      checksum: key.slice(LIVE + 43),
    });
    expect(hash).toBe(hashApiKey(key));
    expect(start).toBe(key.slice(0, LIVE + 4));
  });

  it("puts the environment in the prefix", () => {
    const { key, start } = generateApiKey({ environment: "test" });
    expect(key.startsWith("gk_test_")).toBe(true);
    expect(start).toMatch(/^gk_test_[0-9A-Za-z]{4}$/);
    expect(parseApiKey(key)?.environment).toBe("test");
  });

  it("refuses an environment that would break the format", () => {
    for (const environment of ["", "Live", "li_ve", "a".repeat(17), "1st"]) {
      expect(() => generateApiKey({ environment })).toThrow(TypeError);
    }
  });

  it("never repeats and uses every base62 character (256-bit secrets)", () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey().key);
    expect(new Set(keys).size).toBe(keys.length);
    const seen = new Set(keys.flatMap((key) => [...key.slice(LIVE, LIVE + 43)]));
    expect(seen.size).toBe(62);
  });
});

describe("parseApiKey", () => {
  const { key } = generateApiKey();

  it("rejects key - wrong checksum", () => {
    const last = key.at(-1) === "a" ? "b" : "a";
    expect(parseApiKey(key.slice(0, -1) + last)).toBeNull();
  });

  it("rejects key - any single character changed in its body", () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 56 }), fc.integer({ min: 1, max: 61 }), (index, shift) => {
        const original = BASE62.indexOf(key[index] as string);
        const changed = key.slice(0, index) + BASE62[(original + shift) % 62] + key.slice(index + 1);
        expect(parseApiKey(changed)).toBeNull();
      }),
    );
  });

  it("rejects key - two neighbouring characters swapped", () => {
    for (let i = 8; i < 56; i++) {
      if (key[i] === key[i + 1]) continue;
      const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      expect(parseApiKey(swapped)).toBeNull();
    }
  });

  it("rejects key - environment edited", () => {
    expect(parseApiKey(key.replace("gk_live_", "gk_test_"))).toBeNull();
  });

  it("rejects key - truncated or extended", () => {
    expect(parseApiKey(key.slice(0, -1))).toBeNull();
    expect(parseApiKey(key.slice(0, 20))).toBeNull();
    expect(parseApiKey(`${key}0`)).toBeNull();
  });

  it("rejects key - not our format", () => {
    for (const junk of [
      "",
      "gk_",
      "gk_live_",
      "gk__abc",
      "eyJhbGciOiJIUzI1NiJ9.e30.x",
      `${API_KEY_PREFIX.toUpperCase()}${key.slice(API_KEY_PREFIX.length)}`,
    ]) {
      expect(parseApiKey(junk)).toBeNull();
    }
    expect(parseApiKey(`${key.slice(0, 20)}-${key.slice(21)}`)).toBeNull();
    expect(parseApiKey(`gk_${"a".repeat(10_000)}`)).toBeNull();
  });
});

describe("isValidApiKey", () => {
  it("agrees with parseApiKey and filters by environment", () => {
    const live = generateApiKey().key;
    const test = generateApiKey({ environment: "test" }).key;
    expect(isValidApiKey(live)).toBe(true);
    expect(isValidApiKey(live.slice(0, -1))).toBe(false);
    expect(isValidApiKey(live, ["live"])).toBe(true);
    expect(isValidApiKey(test, ["live"])).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (junk) => {
        expect(isValidApiKey(junk)).toBe(parseApiKey(junk) !== null);
      }),
    );
  });
});

describe("isValidApiKey against an independent oracle (regex + zlib CRC32)", () => {
  const base62Checksum = (body: string) => {
    let value = zlibCrc32(body);
    let out = "";
    for (let i = 0; i < 6; i++) {
      out = BASE62[value % 62] + out;
      value = Math.floor(value / 62);
    }
    return out;
  };
  const oracle = (key: string) =>
    /^gk_[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{49}$/.test(key) && key.endsWith(base62Checksum(key.slice(0, -6)));
  // Near misses: the right shape, with characters from outside base62 mixed in, and a checksum
  // that is right half of the time.
  const nearKey = fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/),
      fc.array(
        fc.oneof(
          { arbitrary: fc.constantFrom(...BASE62), weight: 40 },
          { arbitrary: fc.constantFrom("_", "-", "é", "\u0130", "😀"), weight: 1 },
        ),
        { minLength: 43, maxLength: 43 },
      ),
      fc.string({ minLength: 6, maxLength: 6 }),
      fc.boolean(),
    )
    .map(([environment, secret, junk, right]) => {
      const body = `gk_${environment}_${secret.join("")}`;
      return body + (right ? base62Checksum(body) : junk);
    });

  it("accepts a key exactly when the oracle does", () => {
    fc.assert(
      fc.property(nearKey, (key) => {
        expect(isValidApiKey(key)).toBe(oracle(key));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("isApiKeyFormat", () => {
  it("tells keys from JWTs by prefix alone", () => {
    expect(isApiKeyFormat(generateApiKey().key)).toBe(true);
    expect(isApiKeyFormat("gk_live_typo")).toBe(true); // Still ours to refuse, with a 401.
    expect(isApiKeyFormat("eyJhbGciOiJFUzI1NiJ9.e30.sig")).toBe(false);
  });
});

describe("hashApiKey", () => {
  it("is the hex SHA-256 of the whole key", () => {
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(apiKeyStart("gk_test_abcdefgh")).toBe("gk_test_abcd");
  });
});

describe("issueApiKey", () => {
  it("grants scopes the owner holds, through the hierarchy", () => {
    const issued = issueApiKey({ scopes: ["notes:read", "notes:read", "notes:write"], ownerScopes: ["notes:*"] });
    expect(issued.scopes).toEqual(["notes:read", "notes:write"]);
    expect(parseApiKey(issued.key)).not.toBeNull();
  });

  it("refuses key - scope the owner does not hold", () => {
    const attempt = () => issueApiKey({ scopes: ["notes:read", "admin:write"], ownerScopes: ["notes:*"] });
    expect(attempt).toThrow(Forbidden);
    expect(attempt).toThrow(/admin:write/);
    try {
      attempt();
    } catch (error) {
      expect((error as Forbidden).code).toBe("invalid_scope");
    }
  });

  it("refuses key - wider wildcard than the owner's", () => {
    const refused = expect.objectContaining({ status: 403, code: "invalid_scope" });
    expect(() => issueApiKey({ scopes: ["*:*"], ownerScopes: ["notes:*"] })).toThrow(Forbidden);
    expect(() => issueApiKey({ scopes: ["*:*"], ownerScopes: ["notes:*"] })).toThrow(refused);
    const verbatim = () =>
      issueApiKey({ scopes: ["notes:read"], ownerScopes: ["notes:*"], validator: new SimpleScopeValidator() });
    expect(verbatim).toThrow(Forbidden);
    expect(verbatim).toThrow(refused);
  });

  it("refuses key - malformed scope", () => {
    expect(() => issueApiKey({ scopes: ["notes"], ownerScopes: ["*:*"] })).toThrow(InvalidScopeError);
  });
});

describe("effectiveApiKeyScopes", () => {
  const validator = new HierarchicalScopeValidator();

  it("keeps what both the key and its owner grant", () => {
    expect(effectiveApiKeyScopes(validator, ["notes:read", "files:write"], ["notes:*"])).toEqual(["notes:read"]);
    expect(effectiveApiKeyScopes(validator, ["notes:*"], ["notes:read", "files:read"])).toEqual(["notes:read"]);
    expect(effectiveApiKeyScopes(validator, ["notes:read"], [])).toEqual([]);
  });

  it("never grants more than either side", () => {
    const scope = fc.constantFrom("notes:read", "notes:write", "notes:*", "*:read", "files:edit", "*:*", "bad");
    fc.assert(
      fc.property(
        fc.array(scope),
        fc.array(scope),
        fc.constantFrom("notes:read", "notes:write", "files:read"),
        (k, o, r) => {
          const effective = effectiveApiKeyScopes(validator, k, o);
          if (validator.satisfies(effective, r)) {
            expect(validator.satisfies(k, r)).toBe(true);
            expect(validator.satisfies(o, r)).toBe(true);
          }
        },
      ),
    );
  });
});
